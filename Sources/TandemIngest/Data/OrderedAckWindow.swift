/// A data stream's batches between being read and being acked, without effects: at most
/// `capacity` in flight (read, not yet acked), their answers leaving in batch order whatever
/// order their writes end in. ``DataStreamAcks`` runs it for ``DataChannelService``; its table
/// tests drive it step by step.
struct OrderedAckWindow<Ack, Waiter> {
    /// What a batch's write came to: its ack, or the error that ends the stream.
    enum Answer {
        case ack(Ack)
        case failure(any Error)
    }

    /// The reader's request for a slot.
    enum Reservation: Equatable {
        /// A slot: the batch's place in the ack order.
        case ticket(UInt64)
        /// Every slot is taken: wait (``wait(_:)``) until an ack is sent.
        case full
        /// The window is closed: take no more batches.
        case closed
    }

    private let capacity: Int
    private var inFlight = 0
    private var nextTicket: UInt64 = 0
    /// The next ticket whose answer leaves.
    private var nextAnswer: UInt64 = 0
    /// Answers that came before an earlier ticket's.
    private var early: [UInt64: Answer] = [:]
    private var reader: Waiter?
    private var idleWaiters: [Waiter] = []
    private(set) var closed = false
    private var cancelled = false

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Batches read and not yet acked.
    var batchesInFlight: Int { inFlight }

    /// Whether nothing more will leave: closed, and every batch read was acked.
    var isFinished: Bool { closed && inFlight == 0 }

    /// The reader asks for a slot for its next batch.
    mutating func reserve() -> Reservation {
        if closed { return .closed }
        guard inFlight < capacity else { return .full }
        inFlight += 1
        defer { nextTicket += 1 }
        return .ticket(nextTicket)
    }

    /// The reader waits for a slot with `waiter`; `false` when it should ask again at once.
    mutating func wait(_ waiter: Waiter) -> Bool {
        if closed || inFlight < capacity { return false }
        reader = waiter
        return true
    }

    /// The write of `ticket`'s batch ended: the answers that may leave now, in order.
    mutating func complete(_ ticket: UInt64, _ answer: Answer) -> [Answer] {
        early[ticket] = answer
        var ready: [Answer] = []
        while let next = early.removeValue(forKey: nextAnswer) {
            ready.append(next)
            nextAnswer += 1
        }
        return ready
    }

    /// An ack was sent: its slot is free. The waiters to resume (the reader waiting for a slot,
    /// and those waiting for the window to empty, once it has).
    mutating func sent() -> [Waiter] {
        inFlight -= 1
        var resume = reader.map { [$0] } ?? []
        reader = nil
        if inFlight == 0 {
            resume += idleWaiters
            idleWaiters = []
        }
        return resume
    }

    /// Takes no more batches (the stream ended, or the node drains); those in flight are still acked.
    mutating func close() -> [Waiter] {
        closed = true
        defer { reader = nil }
        return reader.map { [$0] } ?? []
    }

    /// Waits with `waiter` until every batch read was acked; `false` when that is so already.
    mutating func whenIdle(_ waiter: Waiter) -> Bool {
        if inFlight == 0 || cancelled { return false }
        idleWaiters.append(waiter)
        return true
    }

    /// The stream is torn down: every waiter to resume; nothing more is taken.
    mutating func cancel() -> [Waiter] {
        closed = true
        cancelled = true
        defer {
            reader = nil
            idleWaiters = []
        }
        return (reader.map { [$0] } ?? []) + idleWaiters
    }
}

extension OrderedAckWindow: Sendable where Ack: Sendable, Waiter: Sendable {}
extension OrderedAckWindow.Answer: Sendable where Ack: Sendable {}
