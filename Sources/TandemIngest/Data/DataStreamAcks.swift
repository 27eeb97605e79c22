import Synchronization

/// Runs a data stream's ``OrderedAckWindow``: the reader waits here for a slot, each write
/// hands in its answer, and ``answers`` gives them to the acker in batch order; it ends once
/// the window is closed and every batch read was acked.
final class DataStreamAcks<Ack: Sendable>: Sendable {
    typealias Window = OrderedAckWindow<Ack, CheckedContinuation<Void, Never>>

    private let window: Mutex<Window>
    /// The answers in batch order, for the acker.
    let answers: AsyncStream<Window.Answer>
    private let ready: AsyncStream<Window.Answer>.Continuation

    init(capacity: Int) {
        window = Mutex(Window(capacity: capacity))
        (answers, ready) = AsyncStream.makeStream()
    }

    /// A slot for the next batch (waiting while all are taken), or `nil` once the window is closed.
    func reserve() async -> UInt64? {
        while true {
            switch window.withLock({ $0.reserve() }) {
            case .ticket(let ticket): return ticket
            case .closed: return nil
            case .full:
                await withTaskCancellationHandler {
                    await withCheckedContinuation { waiter in
                        if !window.withLock({ $0.wait(waiter) }) { waiter.resume() }
                    }
                } onCancel: {
                    cancel()
                }
            }
        }
    }

    /// The write of `ticket`'s batch ended with `answer`.
    func complete(_ ticket: UInt64, _ answer: Window.Answer) {
        // Yielded under the lock, so answers reach the stream in the order the window released them.
        window.withLock { window in
            for answer in window.complete(ticket, answer) { ready.yield(answer) }
        }
    }

    /// The acker sent an answer's ack.
    func sent() {
        let (waiters, finished) = window.withLock { ($0.sent(), $0.isFinished) }
        waiters.forEach { $0.resume() }
        if finished { ready.finish() }
    }

    /// No more batches: the acker ends after those in flight.
    func close() {
        let (waiters, finished) = window.withLock { ($0.close(), $0.isFinished) }
        waiters.forEach { $0.resume() }
        if finished { ready.finish() }
    }

    /// Waits until every batch read was acked (or the stream is torn down).
    func idle() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { waiter in
                if !window.withLock({ $0.whenIdle(waiter) }) { waiter.resume() }
            }
        } onCancel: {
            cancel()
        }
    }

    private func cancel() {
        window.withLock { $0.cancel() }.forEach { $0.resume() }
        ready.finish()
    }
}
