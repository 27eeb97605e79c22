import Synchronization
import TandemCore

/// A flush seen by the flushes that start while it writes: they wait for it rather than write
/// the same events again.
///
/// Both members of a pair send every event, usually within milliseconds, so the second copy
/// often arrives while the first is being written, too early for the window (which learns of
/// an event once it is durable) and too late for the same flush. Written anyway, it costs
/// PostgreSQL a conflict check and the server a row of binds for nothing. Instead, a flush
/// that finds one of its copies' identities in flight waits for the flush writing it: durable
/// there, the copy is a duplicate; not durable there (that flush failed), the copy is written
/// by a task of its flush's (see ``EventPipeline``). The wait is not the writer's: the flush
/// answers its other batches and hands the waiting ones to a child task of its writer, which
/// takes the next flush at once. A flush only ever waits for one that registered its
/// identities before it looked, and finishes its own before waiting, so waits never form a
/// cycle.
final class FlushInFlight: Sendable {
    private enum Phase {
        case writing(waiters: [CheckedContinuation<FlushOutcome, Never>])
        case finished(FlushOutcome)
    }

    private let phase = Mutex(Phase.writing(waiters: []))

    /// Ends the flush and answers the flushes waiting for it.
    func finish(_ outcome: FlushOutcome) {
        let waiters = phase.withLock { phase -> [CheckedContinuation<FlushOutcome, Never>] in
            guard case .writing(let waiters) = phase else { return [] }
            phase = .finished(outcome)
            return waiters
        }
        waiters.forEach { $0.resume(returning: outcome) }
    }

    /// Waits until the flush has ended, and tells how.
    func outcome() async -> FlushOutcome {
        await withCheckedContinuation { continuation in
            let outcome = phase.withLock { phase -> FlushOutcome? in
                switch phase {
                case .finished(let outcome):
                    return outcome
                case .writing(var waiters):
                    waiters.append(continuation)
                    phase = .writing(waiters: waiters)
                    return nil
                }
            }
            if let outcome { continuation.resume(returning: outcome) }
        }
    }
}
