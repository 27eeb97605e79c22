import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import TandemCore
import TandemStore

/// Answers requests in rounds: every request that arrives while rounds are being answered waits
/// for the next one, which answers them all at once (one database statement for many
/// connectors instead of one each). A request on a quiet node is answered at once, in a round
/// of its own; in a reconnect storm the rounds grow with the queue.
///
/// At most `concurrentRounds` rounds run at once, each of at most `maximumRound` requests,
/// taken in arrival order. On shutdown (after the gRPC listener stopped, so nothing more
/// arrives) the rounds running finish; a request still waiting is answered `stopped`.
final class RoundBatcher<Request: Sendable, Answer: Sendable>: Service, Sendable {
    /// Answers one round: per request, in order, its answer or the error that refused it
    /// alone; throwing fails the whole round.
    typealias Round = @Sendable ([Request]) async throws -> [Result<Answer, any Error>]

    /// What the batcher reports as it works (metrics).
    struct Observer: Sendable {
        /// Requests waiting for a round, after each change.
        var waiting: @Sendable (Int) -> Void = { _ in }
        /// A round of this many requests starts.
        var round: @Sendable (Int) -> Void = { _ in }

        init(waiting: @escaping @Sendable (Int) -> Void = { _ in }, round: @escaping @Sendable (Int) -> Void = { _ in }) {
            self.waiting = waiting
            self.round = round
        }
    }

    private struct Waiting {
        let id: UUID
        let request: Request
        let continuation: CheckedContinuation<Answer, any Error>
    }

    private struct State {
        var waiting: [Waiting] = []
        var rounds = 0
        var stopped = false
    }

    private let name: String
    private let answer: Round
    private let maximumRound: Int
    private let concurrentRounds: Int
    private let stopped: any Error
    private let observer: Observer
    private let logger: Logger
    private let state = Mutex(State())
    private let wakeups: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation

    /// Creates a batcher answering rounds with `answer`; `name` names it in logs, `stopped` is
    /// what a request gets once the batcher stopped.
    init(
        _ name: String, maximumRound: Int = 500, concurrentRounds: Int = 2, stopped: any Error, observer: Observer = Observer(),
        logger: Logger, answer: @escaping Round
    ) {
        precondition(maximumRound > 0 && concurrentRounds > 0, "a round answers at least one request")
        self.name = name
        self.answer = answer
        self.maximumRound = maximumRound
        self.concurrentRounds = concurrentRounds
        self.stopped = stopped
        self.observer = observer
        self.logger = logger
        (wakeups, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Answers `request` in the next round. A request cancelled while it waits leaves the queue
    /// (a connector that went away costs its round nothing); one whose round began is answered.
    /// - Throws: the error its round answered for it, the error that failed its round,
    ///   `CancellationError` when cancelled while waiting, or `stopped`.
    func callAsFunction(_ request: Request) async throws -> Answer {
        let id = UUID()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                // The observer hears each count under the lock, so the last count it heard is the count.
                let refusal = state.withLock { state -> (any Error)? in
                    guard !state.stopped else { return stopped }
                    guard !Task.isCancelled else { return CancellationError() }
                    state.waiting.append(Waiting(id: id, request: request, continuation: continuation))
                    observer.waiting(state.waiting.count)
                    return nil
                }
                if let refusal { return continuation.resume(throwing: refusal) }
                wake.yield()
            }
        } onCancel: {
            let left = state.withLock { state -> Waiting? in
                guard let index = state.waiting.firstIndex(where: { $0.id == id }) else { return nil }
                defer { observer.waiting(state.waiting.count) }
                return state.waiting.remove(at: index)
            }
            left?.continuation.resume(throwing: CancellationError())
        }
    }

    func run() async {
        await withDiscardingTaskGroup { group in
            for await _ in wakeups.cancelOnGracefulShutdown() {
                while let round = nextRound() {
                    group.addTask {
                        await self.answer(round)
                        self.roundFinished()
                    }
                }
            }
            let left = state.withLock { state in
                state.stopped = true
                defer { state.waiting.removeAll() }
                observer.waiting(0)
                return state.waiting
            }
            for waiting in left { waiting.continuation.resume(throwing: stopped) }
        }
    }

    /// The requests of the next round, when one may start.
    private func nextRound() -> [Waiting]? {
        state.withLock { state in
            guard state.rounds < concurrentRounds, !state.waiting.isEmpty else { return nil }
            state.rounds += 1
            let round = Array(state.waiting.prefix(maximumRound))
            state.waiting.removeFirst(round.count)
            observer.waiting(state.waiting.count)
            return round
        }
    }

    private func roundFinished() {
        let more = state.withLock { state in
            state.rounds -= 1
            return !state.waiting.isEmpty
        }
        if more { wake.yield() }
    }

    private func answer(_ round: [Waiting]) async {
        observer.round(round.count)
        do {
            let outcomes = try await answer(round.map(\.request))
            guard outcomes.count == round.count else {
                throw IngestError.roundMismatch(name, asked: round.count, answered: outcomes.count)
            }
            for (waiting, outcome) in zip(round, outcomes) { waiting.continuation.resume(with: outcome) }
        } catch {
            logger.debug("\(name) round failed", metadata: [LogKey.count: "\(round.count)", LogKey.error: "\(StoreError.loggable(error))"])
            for waiting in round { waiting.continuation.resume(throwing: error) }
        }
    }
}
