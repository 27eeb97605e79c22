import Foundation
import Logging
import Synchronization
import TandemCore
import TandemStore
import Testing

@testable import TandemIngest

/// An `EventWriter` double: records every write, holds writes behind a gate while it is
/// closed, and fails the writes `failure` names.
final class GatedWriter: EventWriter {
    private struct State {
        var started = 0
        var writes: [[EventRecord]] = []
        var open: Bool
        var waiting: [CheckedContinuation<Void, Never>] = []
        var failure: (@Sendable ([EventRecord]) -> (any Error)?)?
        /// Which writes the closed gate holds (all unless told).
        var holds: @Sendable ([EventRecord]) -> Bool
    }

    private let state: Mutex<State>

    init(
        open: Bool = true, failure: (@Sendable ([EventRecord]) -> (any Error)?)? = nil,
        holds: @escaping @Sendable ([EventRecord]) -> Bool = { _ in true }
    ) {
        state = Mutex(State(open: open, failure: failure, holds: holds))
    }

    /// Writes begun (the gate passed or not).
    var started: Int { state.withLock { $0.started } }
    /// The records of each write that succeeded, in order.
    var writes: [[EventRecord]] { state.withLock { $0.writes } }

    func openGate() {
        let waiting = state.withLock { state in
            state.open = true
            defer { state.waiting = [] }
            return state.waiting
        }
        waiting.forEach { $0.resume() }
    }

    func fail(_ failure: (@Sendable ([EventRecord]) -> (any Error)?)?) { state.withLock { $0.failure = failure } }

    func write(_ records: [EventRecord], now: Date) async throws -> [EventOutcome] {
        await withCheckedContinuation { continuation in
            let passes = state.withLock { state in
                state.started += 1
                let passes = state.open || !state.holds(records)
                if !passes { state.waiting.append(continuation) }
                return passes
            }
            if passes { continuation.resume() }
        }
        return try state.withLock { state in
            if let error = state.failure?(records) { throw error }
            state.writes.append(records)
            return records.map { _ in .stored }
        }
    }
}

/// The pipeline's rules without a database: backpressure, fairness at the door, drain on
/// stop, failed and rejected flushes, cancellation, answers from the window.
@Suite("Event pipeline (no database)")
struct EventPipelineTests {
    static let tenants = (TenantID(UUID()), TenantID(UUID()))
    static let group = TokenID(UUID())
    static let connectors = (ConnectorID(UUID()), ConnectorID(UUID()))

    /// `count` events of `tenant` from `first` on (the device time tells them apart), as
    /// `connector` delivers them.
    static func batch(
        _ count: Int, from first: Int = 0, tenant: TenantID = tenants.0, connector: ConnectorID = connectors.0,
        subject: String = "aa:bb:cc:dd:ee:ff"
    ) -> [EventRecord] {
        (first..<first + count).map { n in
            EventRecord(
                tenant: tenant, token: group, connector: connector,
                event: DeviceEvent(
                    channel: .controller, sourceDevice: "172.20.0.10", kind: .clientRSSI,
                    deviceTimeMicros: 1_795_651_200_000_000 + Int64(n), subject: subject, body: Array("{}".utf8),
                    receivedAtMicros: 1_795_651_200_000_000 + Int64(n), connectorSequence: UInt64(n)))
        }
    }

    /// A pipeline of one writer that flushes at once, at most 10 events of a tenant waiting.
    static func pipeline(_ writer: GatedWriter) -> EventPipeline {
        var configuration = EventPipeline.Configuration()
        configuration.writers = 1
        configuration.flushDelay = .zero
        configuration.maximumFlushEvents = 100
        configuration.maximumPendingEventsPerTenant = 10
        configuration.maximumPendingEvents = 100
        var logger = Logger(label: "EventPipelineTests")
        logger.logLevel = .critical  // the failed flushes these tests cause are logged as errors
        return EventPipeline(store: writer, statistics: nil, configuration: configuration, logger: logger)
    }

    /// Like ``pipeline(_:)``, with two writers: two flushes at once.
    static func twoWriters(_ writer: GatedWriter) -> EventPipeline {
        var configuration = EventPipeline.Configuration()
        configuration.writers = 2
        configuration.flushDelay = .zero
        var logger = Logger(label: "EventPipelineTests")
        logger.logLevel = .critical
        return EventPipeline(store: writer, statistics: nil, configuration: configuration, logger: logger)
    }

    /// Runs `body` with the pipeline's writers running; stops them after.
    static func running(_ pipeline: EventPipeline, _ body: () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await pipeline.run() }
            defer { pipeline.stop() }
            try await body()
        }
    }

    /// Waits until `condition` holds (checked every millisecond, for at most 10 s).
    static func eventually(_ what: String, _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while !condition() {
            guard ContinuousClock.now < deadline else {
                Issue.record("timed out waiting until \(what)")
                return
            }
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    /// Fills the pipeline to its tenant bound behind a closed gate: a first batch of 10 events
    /// being written, a second of 10 waiting in the queue. Returns their submissions.
    static func fillToTheBound(
        _ pipeline: EventPipeline, _ writer: GatedWriter
    ) async throws -> (first: Task<[EventOutcome], any Error>, second: Task<[EventOutcome], any Error>) {
        let first = Task { try await pipeline.submit(batch(10)) }
        try await eventually("the first batch is being written") { writer.started == 1 }
        let second = Task { try await pipeline.submit(batch(10, from: 10)) }
        try await eventually("the second batch waits in the queue") { pipeline.queued.events == 10 }
        return (first, second)
    }

    @Test("a tenant over its bound waits at the door until a flush makes room, while another tenant's batch is let in")
    func backpressureAndFairness() async throws {
        let writer = GatedWriter(open: false)
        let pipeline = Self.pipeline(writer)
        try await Self.running(pipeline) {
            let (first, second) = try await Self.fillToTheBound(pipeline, writer)
            async let third = pipeline.submit(Self.batch(5, from: 20))
            try await Self.eventually("the third is held at the door") { pipeline.queued.blockedSubmitters == 1 }
            #expect(pipeline.queued.events == 10)
            async let other = pipeline.submit(Self.batch(5, tenant: Self.tenants.1))
            try await Self.eventually("another tenant's batch is let in") { pipeline.queued.events == 15 }
            #expect(pipeline.queued.blockedSubmitters == 1)

            writer.openGate()
            let outcomes = try await [first.value, second.value, third, other]
            #expect(outcomes.map(\.count) == [10, 10, 5, 5])
            #expect(outcomes.allSatisfy { $0.allSatisfy { $0 == .stored } })
            let written = writer.writes.flatMap { $0 }.map(\.identity)
            #expect(written.count == 30 && Set(written).count == 30)
        }
    }

    @Test("stop drains: batches queued before it are written and answered; a batch after it is refused as retryable")
    func drainOnStop() async throws {
        let writer = GatedWriter(open: false)
        let pipeline = Self.pipeline(writer)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await pipeline.run() }
            let (first, second) = try await Self.fillToTheBound(pipeline, writer)
            pipeline.stop()
            writer.openGate()
            let outcomes = try await [first.value, second.value]
            #expect(outcomes.map(\.count) == [10, 10])
            try await group.next()  // run() returned: the writers drained and stopped.
            #expect(writer.writes.map(\.count) == [10, 10])
            do {
                _ = try await pipeline.submit(Self.batch(1, from: 20))
                Issue.record("a batch after stop was taken")
            } catch {
                #expect(StoreError.isUnavailability(error))
            }
        }
    }

    @Test("a failed flush answers its batches with the error and settles nothing: resent, the batch is written")
    func failedFlush() async throws {
        let writer = GatedWriter(failure: { _ in StoreError(.unavailable, "connection lost") })
        let pipeline = Self.pipeline(writer)
        try await Self.running(pipeline) {
            do {
                _ = try await pipeline.submit(Self.batch(3))
                Issue.record("a failed write was acked")
            } catch {
                #expect(StoreError.isUnavailability(error))
            }
            writer.fail(nil)
            let resent = try await pipeline.submit(Self.batch(3))
            #expect(resent == [.stored, .stored, .stored])
            #expect(writer.writes.map(\.count) == [3])
        }
    }

    @Test("a rejected flush of several batches is written batch by batch: only the batch holding the bad row fails")
    func rejectionIsolated() async throws {
        let writer = GatedWriter(
            open: false, failure: { records in records.contains { $0.event.subject == "bad" } ? StoreError(.rejected, "bad row") : nil })
        let pipeline = Self.pipeline(writer)
        try await Self.running(pipeline) {
            async let holder = pipeline.submit(Self.batch(1, tenant: Self.tenants.1))
            try await Self.eventually("the writer is busy") { writer.started == 1 }
            async let good = pipeline.submit(Self.batch(4))
            let bad = Task { try await pipeline.submit(Self.batch(2, from: 100, tenant: Self.tenants.1, subject: "bad")) }
            try await Self.eventually("both batches wait for one flush") { pipeline.queued.events == 6 }
            writer.openGate()
            let (held, written) = try await (holder, good)
            #expect(held == [.stored])
            #expect(written == [.stored, .stored, .stored, .stored])
            switch await bad.result {
            case .success: Issue.record("the bad batch was acked")
            case .failure(let error): #expect(StoreError.isRejection(error))
            }
            #expect(writer.writes.map(\.count) == [1, 4])
        }
    }

    @Test("a submitter cancelled at the door leaves at once with CancellationError, and its batch is never written")
    func cancelledAtTheDoor() async throws {
        let writer = GatedWriter(open: false)
        let pipeline = Self.pipeline(writer)
        try await Self.running(pipeline) {
            let (first, second) = try await Self.fillToTheBound(pipeline, writer)
            let held = Task { try await pipeline.submit(Self.batch(5, from: 20)) }
            try await Self.eventually("the third is held at the door") { pipeline.queued.blockedSubmitters == 1 }
            held.cancel()
            do {
                _ = try await held.value
                Issue.record("a cancelled submitter was answered")
            } catch {
                #expect(error is CancellationError)
            }
            #expect(pipeline.queued.blockedSubmitters == 0)
            writer.openGate()
            _ = try await [first.value, second.value]
            #expect(writer.writes.map(\.count) == [10, 10])
        }
    }

    @Test("the peer's copy of an event the window knows as stored is answered as a duplicate without a write")
    func windowAnswersThePeer() async throws {
        let writer = GatedWriter()
        let pipeline = Self.pipeline(writer)
        try await Self.running(pipeline) {
            let first = try await pipeline.submit(Self.batch(2))
            let peer = try await pipeline.submit(Self.batch(2, connector: Self.connectors.1))
            #expect(first == [.stored, .stored])
            #expect(peer == [.duplicate, .duplicate])
            #expect(writer.writes.map(\.count) == [2])
        }
    }

    @Test(
        "the peer's copy of an event another flush is writing waits for that flush and is a duplicate, without a second write; the wait holds no writer: with two, another batch is written meanwhile"
    )
    func peerWaitsForTheFlushInFlight() async throws {
        let writer = GatedWriter(open: false, holds: { records in records.contains { $0.tenant == Self.tenants.0 } })
        let pipeline = Self.twoWriters(writer)
        try await Self.running(pipeline) {
            async let first = pipeline.submit(Self.batch(3))
            try await Self.eventually("the first copies are being written") { writer.started == 1 }
            async let peer = pipeline.submit(Self.batch(3, connector: Self.connectors.1))
            try await Self.eventually("the peer's copies wait for that flush") { pipeline.copiesWaitingForOtherFlushes == 3 }
            #expect(writer.started == 1, "the second flush writes nothing while the first is in flight")
            let other = Task { try await pipeline.submit(Self.batch(2, tenant: Self.tenants.1)) }
            try await Self.eventually("another tenant's batch is written by the writer the peer's flush used") {
                writer.writes.count == 1
            }
            #expect(pipeline.copiesWaitingForOtherFlushes == 3, "the peer's copies still wait")
            writer.openGate()
            #expect(try await other.value == [.stored, .stored])
            let (stored, duplicates) = try await (first, peer)
            #expect(stored == [.stored, .stored, .stored])
            #expect(duplicates == [.duplicate, .duplicate, .duplicate])
            #expect(writer.writes.map(\.count) == [2, 3], "the other tenant's batch, then the first flush; the peer's copies never")
            #expect(pipeline.copiesWaitingForOtherFlushes == 0)
        }
    }

    @Test("when the flush a copy waited for fails, the copy is written by its own flush: the failure stays with the failed batch")
    func failedFlushInFlightLeavesThePeerToWrite() async throws {
        let writer = GatedWriter(
            open: false,
            failure: { records in records.contains { $0.connector == Self.connectors.0 } ? StoreError(.unavailable, "lost") : nil })
        let pipeline = Self.twoWriters(writer)
        try await Self.running(pipeline) {
            let first = Task { try await pipeline.submit(Self.batch(3)) }
            try await Self.eventually("the first copies are being written") { writer.started == 1 }
            async let peer = pipeline.submit(Self.batch(3, connector: Self.connectors.1))
            try await Self.eventually("the peer's copies wait for that flush") { pipeline.copiesWaitingForOtherFlushes == 3 }
            writer.openGate()
            #expect(try await peer == [.stored, .stored, .stored], "written by the peer's own flush once the first failed")
            switch await first.result {
            case .success: Issue.record("the failed batch was acked")
            case .failure(let error): #expect(StoreError.isUnavailability(error))
            }
            #expect(writer.writes.map { $0.map(\.connector) } == [Array(repeating: Self.connectors.1, count: 3)])
        }
    }
}
