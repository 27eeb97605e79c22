import Testing

@testable import TandemIngest

/// A data stream's slots and ack order, step by step: no stream, no task, no sleep.
@Suite("Ordered ack window (table tests)")
struct OrderedAckWindowTests {
    /// Acks are their batch's number; waiters are plain numbers the test reads back.
    typealias Window = OrderedAckWindow<Int, Int>

    struct OrderCase: CustomTestStringConvertible, Sendable {
        let name: String
        /// The order in which the writes of batches 0…n-1 end.
        let completions: [Int]
        /// After each completion, the acks that may leave then.
        let released: [[Int]]
        var testDescription: String { name }
    }

    @Test(
        "acks leave in batch order whatever order the writes end in",
        arguments: [
            OrderCase(name: "in order", completions: [0, 1, 2], released: [[0], [1], [2]]),
            OrderCase(name: "reversed", completions: [2, 1, 0], released: [[], [], [0, 1, 2]]),
            OrderCase(name: "the first last", completions: [1, 2, 0], released: [[], [], [0, 1, 2]]),
            OrderCase(name: "a gap in the middle", completions: [0, 2, 1], released: [[0], [], [1, 2]]),
        ])
    func order(_ row: OrderCase) {
        var window = Window(capacity: 3)
        for expected in 0..<row.completions.count { #expect(window.reserve() == .ticket(UInt64(expected))) }
        for (completion, released) in zip(row.completions, row.released) {
            let answers = window.complete(UInt64(completion), .ack(completion))
            #expect(answers.map(Self.ack) == released)
        }
    }

    @Test("at most capacity batches in flight: the reader waits for a slot, and an ack sent frees one")
    func slots() {
        var window = Window(capacity: 2)
        #expect(window.reserve() == .ticket(0))
        #expect(window.reserve() == .ticket(1))
        #expect(window.reserve() == .full)
        let waiting = window.wait(7)
        #expect(waiting)
        #expect(window.complete(0, .ack(0)).count == 1)
        #expect(window.batchesInFlight == 2, "written is not sent: the slot is held until the ack leaves")
        let resumed = window.sent()
        #expect(resumed == [7])
        #expect(window.reserve() == .ticket(2))
    }

    @Test("a reader that asks to wait while a slot is free looks again at once")
    func waitWithRoom() {
        var window = Window(capacity: 2)
        _ = window.reserve()
        let waiting = window.wait(1)
        #expect(!waiting)
    }

    @Test(
        "closed (the stream ended, or the node drains): no new batch, those in flight are acked, then it is finished and idle waiters resume"
    )
    func drain() {
        var window = Window(capacity: 4)
        _ = window.reserve()
        _ = window.reserve()
        let parked = window.whenIdle(9)
        #expect(parked)
        #expect(window.close() == [])
        #expect(window.reserve() == .closed)
        #expect(!window.isFinished)
        _ = window.complete(1, .ack(1))
        _ = window.complete(0, .ack(0))
        let first = window.sent()
        #expect(first == [])
        let last = window.sent()
        #expect(last == [9])
        #expect(window.isFinished)
    }

    @Test("a failed write's answer leaves in its place, so the batches before it are still acked first")
    func failureInOrder() {
        var window = Window(capacity: 3)
        _ = window.reserve()
        _ = window.reserve()
        #expect(window.complete(1, .failure(TestFailure())).isEmpty)
        let answers = window.complete(0, .ack(0))
        #expect(answers.count == 2)
        #expect(Self.ack(answers[0]) == 0)
        if case .failure = answers[1] {} else { Issue.record("the failure follows the ack before it") }
    }

    @Test("torn down: every waiter resumes, nothing more is taken, and a later idle wait returns at once")
    func cancel() {
        var window = Window(capacity: 1)
        _ = window.reserve()
        _ = window.wait(1)
        _ = window.whenIdle(2)
        #expect(Set(window.cancel()) == [1, 2])
        #expect(window.reserve() == .closed)
        let parked = window.whenIdle(3)
        #expect(!parked)
    }

    struct TestFailure: Error {}

    static func ack(_ answer: Window.Answer) -> Int {
        if case .ack(let number) = answer { return number }
        return -1
    }
}
