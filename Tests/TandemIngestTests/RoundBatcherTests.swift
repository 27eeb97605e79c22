import GRPCCore
import Logging
import Synchronization
import Testing

@testable import TandemIngest

/// A gate rounds wait at until it opens.
private final class Gate: Sendable {
    private let state = Mutex<(open: Bool, waiting: [CheckedContinuation<Void, Never>])>((false, []))

    func pass() async {
        await withCheckedContinuation { continuation in
            let open = state.withLock { state in
                if !state.open { state.waiting.append(continuation) }
                return state.open
            }
            if open { continuation.resume() }
        }
    }

    func open() {
        let waiting = state.withLock { state in
            state.open = true
            defer { state.waiting = [] }
            return state.waiting
        }
        waiting.forEach { $0.resume() }
    }
}

private struct RoundFailed: Error, Equatable {}

/// A batcher of one round at a time whose rounds wait at ``gate``, recording each round's
/// requests and the observer's last waiting count, and answering each request with `answer`.
private final class GatedRounds: Sendable {
    private final class Log: Sendable {
        let state = Mutex<(rounds: [[Int]], waiting: Int)>(([], 0))
    }

    let gate: Gate
    let batcher: RoundBatcher<Int, Int>
    private let log: Log

    /// The requests of each round so far.
    var rounds: [[Int]] { log.state.withLock { $0.rounds } }
    /// The last count of waiting requests the observer heard.
    var waiting: Int { log.state.withLock { $0.waiting } }

    init(answer: @escaping @Sendable (Int) -> Int) {
        let (gate, log) = (Gate(), Log())
        (self.gate, self.log) = (gate, log)
        batcher = RoundBatcher<Int, Int>(
            "test", concurrentRounds: 1, stopped: RoundFailed(),
            observer: .init(waiting: { count in log.state.withLock { $0.waiting = count } }), logger: RoundBatcherTests.logger
        ) { requests in
            log.state.withLock { $0.rounds.append(requests) }
            await gate.pass()
            return requests.map { .success(answer($0)) }
        }
    }
}

/// Polls `condition` every 10 ms until it holds (at most 10 s).
private func until(_ what: Comment, _ condition: () -> Bool) async throws {
    for _ in 0..<1_000 {
        if condition() { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    Issue.record("timed out waiting: \(what)")
    throw CancellationError()
}

@Suite("Round batcher: requests that queue during a round share the next one")
struct RoundBatcherTests {
    static let logger = Logger(label: "tandem.tests")

    @Test("requests arriving while a round runs are answered together by the next round, each its own answer, in arrival order")
    func queuedRequestsShareTheNextRound() async throws {
        let gated = GatedRounds { $0 * 10 }
        let batcher = gated.batcher
        try await withThrowingTaskGroup(of: Void.self) { service in
            service.addTask { await batcher.run() }
            let answers = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
                group.addTask { (1, try await batcher(1)) }
                try await until("the first round holds the first request") { gated.rounds == [[1]] }
                for request in 2...6 {
                    group.addTask { (request, try await batcher(request)) }
                    try await until("request \(request) queued") { gated.waiting == request - 1 }
                }
                gated.gate.open()
                var answers: [Int: Int] = [:]
                for try await (request, answer) in group { answers[request] = answer }
                return answers
            }
            #expect(answers == [1: 10, 2: 20, 3: 30, 4: 40, 5: 50, 6: 60])
            #expect(gated.rounds == [[1], [2, 3, 4, 5, 6]])
            #expect(gated.waiting == 0)
            service.cancelAll()
        }
    }

    @Test("a round that fails fails its own requests only; a round answering the wrong count is an internal error, not a hang")
    func failuresStayInTheirRound() async throws {
        let batcher = RoundBatcher<Int, Int>("test", stopped: RoundFailed(), logger: Self.logger) { requests in
            if requests.contains(13) { throw RoundFailed() }
            if requests.contains(7) { return [] }
            return requests.map { .success($0) }
        }
        try await withThrowingTaskGroup(of: Void.self) { service in
            service.addTask { await batcher.run() }
            await #expect(throws: RoundFailed.self) { try await batcher(13) }
            let one = try await batcher(1)
            #expect(one == 1, "the next round answers")
            let error = await #expect(throws: IngestError.self) { try await batcher(7) }
            #expect(error?.rpcErrorCode == .internalError)
            let two = try await batcher(2)
            #expect(two == 2)
            service.cancelAll()
        }
    }

    @Test("a request cancelled while it waits leaves the queue with CancellationError and is not in the next round")
    func cancelledRequestLeavesTheQueue() async throws {
        let gated = GatedRounds { $0 }
        let batcher = gated.batcher
        try await withThrowingTaskGroup(of: Void.self) { service in
            service.addTask { await batcher.run() }
            async let first = batcher(1)
            try await until("the first round holds the first request") { gated.rounds == [[1]] }
            let gone = Task { try await batcher(2) }
            try await until("request 2 queued") { gated.waiting == 1 }
            async let third = batcher(3)
            try await until("request 3 queued") { gated.waiting == 2 }
            gone.cancel()
            // Checked before the round is let go, so a regression fails here instead of hanging.
            do {
                try await until("the cancelled request left the queue") { gated.waiting == 1 }
            } catch {
                gated.gate.open()
                throw error
            }
            await #expect(throws: CancellationError.self) { try await gone.value }
            gated.gate.open()
            let answers = try await (first, third)
            #expect(answers == (1, 3))
            #expect(gated.rounds == [[1], [3]])
            service.cancelAll()
        }
    }

    @Test("once the batcher stopped, a request is answered `stopped` at once")
    func stoppedAnswersAtOnce() async throws {
        let batcher = RoundBatcher<Int, Int>("test", stopped: RoundFailed(), logger: Self.logger) { requests in
            requests.map { .success($0) }
        }
        let service = Task { await batcher.run() }
        #expect(try await batcher(3) == 3)
        service.cancel()
        await service.value
        await #expect(throws: RoundFailed.self) { try await batcher(4) }
    }
}
