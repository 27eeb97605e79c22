import Foundation
public import Logging
public import ServiceLifecycle
import Synchronization
public import TandemCore
public import TandemStore

/// The write path shared by every data stream: batches of many streams are grouped, passed
/// through the deduplication window, and written to the event store in one transaction;
/// each submitter is answered once its events are durable. Pair statistics gathered by the
/// ``Deduplicator`` are added to the store every ``Configuration/statisticsInterval``.
///
/// The rules live in ``PipelineStateMachine``; this type runs what it decides. A free writer
/// flushes what waits at once, up to ``Configuration/maximumFlushEvents`` events: batches grow
/// with the load by themselves, since while every writer is busy events gather in the queue.
/// (``Configuration/flushDelay``, zero by default, makes a writer wait that long for more
/// first: measured, a fixed 5 ms doubled the ack latency at a quarter of the peak and bought
/// nothing at the peak.) At most ``Configuration/maximumPendingEvents`` wait at once, and at
/// most ``Configuration/maximumPendingEventsPerTenant`` of one tenant: beyond that, submitters
/// wait (and so do their streams' connectors, through HTTP/2 flow control), except that a
/// tenant with nothing waiting is always let in. Flushes take batches tenant by tenant in turn
/// (``FairQueue``). ``Configuration/writers`` flushes run at once. A copy of an event that
/// another flush is writing is not written again: its batch is answered once that flush has
/// ended (``FlushInFlight``), by a child task of its writer, so no writer waits.
public final class EventPipeline: Service, Sendable {
    public struct Configuration: Sendable {
        public var maximumFlushEvents = 4_000
        /// How long a writer that finds fewer than ``maximumFlushEvents`` waits for more.
        public var flushDelay: Duration = .zero
        public var maximumPendingEvents = 100_000
        /// The most events of one tenant that wait at once (see the type's description).
        public var maximumPendingEventsPerTenant = 25_000
        public var writers = 3
        public var window = DedupWindow.Configuration()
        /// How often pair statistics are written (default 5 s; also at shutdown).
        public var statisticsInterval: Duration = .seconds(5)

        public init() {}
    }

    typealias Machine = PipelineStateMachine<
        CheckedContinuation<[EventOutcome], any Error>, CheckedContinuation<Void, Never>, FlushInFlight, ContinuousClock
    >
    private typealias Plan = FlushPlan<FlushInFlight>

    private let writer: any EventWriter
    let statistics: (any PairStatisticsWriter)?
    let configuration: Configuration
    let logger: Logger
    let machine: Mutex<Machine>
    private let clock = ContinuousClock()
    let metrics: IngestMetrics
    private let reporter: PipelineReporter

    /// Creates a pipeline writing events to `store` (an `EventStore`, or a test's double) and,
    /// unless `nil`, pair statistics to `statistics`.
    public init(
        store: some EventWriter, statistics: (any PairStatisticsWriter)?, configuration: Configuration = .init(),
        metrics: IngestMetrics = IngestMetrics(), logger: Logger
    ) {
        self.writer = store
        self.metrics = metrics
        self.reporter = PipelineReporter(metrics: metrics)
        self.statistics = statistics
        self.configuration = configuration
        self.logger = logger
        let limits = Machine.Limits(
            maximumFlushEvents: configuration.maximumFlushEvents, maximumPendingEvents: configuration.maximumPendingEvents,
            maximumPendingEventsPerTenant: configuration.maximumPendingEventsPerTenant, flushDelay: configuration.flushDelay)
        self.machine = Mutex(Machine(limits: limits, window: configuration.window, start: clock.now))
    }

    /// Stores `records` (one stream's batch, so of one tenant: metrics count them under the
    /// first record's tenant) and returns once each is durable (or known to be stored already).
    ///
    /// A submitter held at the door (its tenant over its bound, or the pipeline full) that is
    /// cancelled leaves at once with `CancellationError`, and nothing of its batch is written;
    /// once let in, the batch is written and the submitter answered.
    /// - Returns: the outcome of each record, in order.
    public func submit(_ records: [EventRecord]) async throws -> [EventOutcome] {
        guard let tenant = records.first?.tenant else { return [] }
        while !machine.withLock({ $0.admits(tenant) }) {
            let number = machine.withLock { $0.ticket() }
            await withTaskCancellationHandler {
                await withCheckedContinuation { continuation in
                    let held = machine.withLock {
                        $0.hold(continuation, number: number, tenant: tenant, cancelled: Task.isCancelled)
                    }
                    if !held { continuation.resume() }
                }
            } onCancel: {
                machine.withLock { $0.cancelHold(number) }?.resume()
            }
            try Task.checkCancellation()
        }
        return try await withCheckedThrowingContinuation { continuation in
            switch machine.withLock({ $0.submit(records, tenant: tenant, answer: continuation, now: clock.now) }) {
            case .refuse(let answer):
                answer.resume(throwing: StoreError(.unavailable, "the event pipeline is shutting down; resend"))
            case .queued(let wake, let pending):
                metrics.pendingEvents(pending)
                wake?.resume()
            }
        }
    }

    /// Runs the writers until graceful shutdown; what was submitted before is still written,
    /// and the pair statistics gathered so far are written last. Cancelled, it stops too (the
    /// writers wait on continuations, which cancellation alone would not end).
    public func run() async throws {
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { await self.statisticsLoop() }
                    await withTaskGroup(of: Void.self) { writers in
                        for _ in 0..<max(1, configuration.writers) { writers.addTask { await self.writerLoop() } }
                    }
                    group.cancelAll()
                }
            } onGracefulShutdown: {
                self.stop()
            }
        } onCancel: {
            self.stop()
        }
        await writeStatistics()
    }

    /// Stops taking submissions; writers drain what waits, then return.
    public func stop() {
        machine.withLock { $0.stop() }.forEach { $0.resume() }
    }

    /// Takes batches and flushes them until the pipeline stops and nothing waits. The batches
    /// of a flush that wait for another flush's copies are answered in a child task of its own
    /// (see ``flush(_:settling:)``), so the writer goes on at once.
    private func writerLoop() async {
        await withDiscardingTaskGroup { settling in
            while true {
                switch machine.withLock({ $0.writerReady(now: clock.now) }) {
                case .finish:
                    return
                case .park:
                    await withCheckedContinuation { continuation in
                        if !machine.withLock({ $0.park(continuation) }) { continuation.resume() }
                    }
                case .flush(var batch, let admitted, let pending, let gatherUntil):
                    metrics.pendingEvents(pending)
                    admitted.forEach { $0.resume() }
                    if let gatherUntil {
                        try? await clock.sleep(until: gatherUntil)
                        let gathered = machine.withLock { $0.gather(onto: batch) }
                        gathered.admitted.forEach { $0.resume() }
                        batch = gathered.batch
                    }
                    await flush(batch, settling: &settling)
                }
            }
        }
    }

    private func flush(_ batch: [Machine.Submission], settling: inout DiscardingTaskGroup) async {
        // 1. The window answers copies of events known to be durable; a copy of an event that
        //    another flush is writing waits for that flush (``FlushInFlight``).
        let flight = FlushInFlight()
        let serverTimeMicros = Int64(Date().timeIntervalSince1970 * 1_000_000)
        var plan = machine.withLock { $0.beginFlush(batch, as: flight, serverTimeMicros: serverTimeMicros) }
        // 2. The database decides the rest. When PostgreSQL refuses the data of a flush that
        //    carries several batches, each batch is written alone, so only the batch that holds
        //    the bad row fails and every other stream (of any tenant) is answered as usual.
        do {
            try await write(plan.toWrite, into: &plan)
        } catch  where StoreError.isRejection(error) && Set(plan.toWrite.map(\.submission)).count > 1 {
            for (_, copies) in Dictionary(grouping: plan.toWrite, by: \.submission).sorted(by: { $0.key < $1.key }) {
                do { try await write(copies, into: &plan) } catch { plan.fail(copies, with: error) }
            }
        } catch {
            for s in batch.indices { plan.failures[s] = error }
        }
        // 3. This flush's identities are no longer in flight; the flushes waiting for it learn
        //    how it ended. Batches with no copy waiting for another flush are answered now; the
        //    rest once the copies they waited for are settled.
        flight.finish(machine.withLock { $0.endFlush(plan) })
        let held = plan.held
        conclude(batch.indices.filter { !held.contains($0) }, of: batch, plan)
        guard !held.isEmpty else { return }
        // Not in this writer: waiting here held it, and at a moderate load batches queued
        // behind the wait (the half-peak p50 doubled when it was tried).
        settling.addTask { [plan] in
            var plan = plan
            await self.settle(&plan)
            self.conclude(held.sorted(), of: batch, plan)
        }
    }

    /// Settles the copies a flush found in flight elsewhere once those flushes have ended; the
    /// copies whose flush failed are written by this one.
    private func settle(_ plan: inout Plan) async {
        var ended: [ObjectIdentifier: FlushOutcome] = [:]
        for (_, flight) in plan.waiting where ended[ObjectIdentifier(flight)] == nil {
            ended[ObjectIdentifier(flight)] = await flight.outcome()
        }
        let retry = machine.withLock { $0.settleWaiting(&plan) { ended[ObjectIdentifier($0)] ?? FlushOutcome() } }
        guard !retry.isEmpty else { return }
        do { try await write(retry, into: &plan) } catch { plan.fail(retry, with: error) }
    }

    /// Writes `copies` in one transaction and settles them in the window and in `plan`.
    private func write(_ copies: [Plan.Copy], into plan: inout Plan) async throws {
        guard !copies.isEmpty else { return }
        let started = clock.now
        // A write that fell back counts whether it then succeeded or not.
        defer { reporter.reportFallbacks(total: writer.conflictFallbacks) }
        let written = try await writer.write(copies.map(\.record), now: Date())
        metrics.databaseBatch(clock.now - started, events: copies.count)
        machine.withLock { $0.written(copies, outcomes: written, plan: &plan) }
    }

    /// Logs the failures among the batches at `indices`, counts their outcomes, and answers them.
    private func conclude(_ indices: [Int], of batch: [Machine.Submission], _ plan: Plan) {
        let failed = indices.filter { plan.failures[$0] != nil }
        if let first = failed.first, let error = plan.failures[first] {
            logger.error(
                "event flush failed; its batches are not acked", metadata: [LogKey.batches: "\(failed.count)", LogKey.error: "\(error)"])
        }
        let window = machine.withLock { machine in
            let window = machine.deduplicator.window
            return PipelineReporter.WindowFigures(
                keys: window.count, bytes: window.estimatedBytes, evicted: window.evictedForCapacity, expired: window.expired)
        }
        let answered = plan.answered(indices).compactMap { s in
            batch[s].records.first.map {
                PipelineReporter.Answered(
                    tenant: $0.tenant, outcomes: plan.outcomes[s], windowHits: plan.windowHits[s], inFlightHits: plan.inFlightHits[s])
            }
        }
        reporter.report(answered, window: window)
        for s in indices {
            if let failure = plan.failures[s] {
                batch[s].answer.resume(throwing: failure)
            } else {
                batch[s].answer.resume(returning: plan.outcomes[s].map { $0 ?? .duplicate })
            }
        }
    }
}
