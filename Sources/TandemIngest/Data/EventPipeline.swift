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
/// A free writer flushes what waits at once, up to ``Configuration/maximumFlushEvents``
/// events: batches grow with the load by themselves, since while every writer is busy events
/// gather in the queue. (``Configuration/flushDelay``, zero by default, makes a writer wait
/// that long for more first: measured, a fixed 5 ms doubled the ack latency at a quarter of
/// the peak and bought nothing at the peak.) At most
/// ``Configuration/maximumPendingEvents`` wait at once, and at most
/// ``Configuration/maximumPendingEventsPerTenant`` of one tenant: beyond that, submitters wait
/// (and so do their streams' connectors, through HTTP/2 flow control), except that a tenant
/// with nothing waiting is always let in, so one tenant's backlog never holds another's batch
/// at the door. Flushes take batches tenant by tenant in turn (``FairQueue``), so a tenant
/// that floods waits behind its own batches, not others behind it. ``Configuration/writers``
/// flushes run at once. A copy of an event that another flush is writing is not written
/// again: its batch is answered once that flush has ended (``FlushInFlight``), by a task of
/// its own, so no writer waits.
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

    fileprivate struct Submission {
        let records: [EventRecord]
        /// When it was submitted: the pipeline's clock, milliseconds (wrapping).
        let arrivalMillis: UInt32
        let continuation: CheckedContinuation<[EventOutcome], any Error>
    }

    fileprivate struct State {
        var pending = FairQueue<TenantID, Submission>()
        var idleWriters: [CheckedContinuation<Void, Never>] = []
        /// Submitters waiting to be let in, in arrival order (they are let in in that order),
        /// each with a number of its own so a cancelled one can be taken out.
        var blockedSubmitters: [(number: UInt64, continuation: CheckedContinuation<Void, Never>)] = []
        var nextSubmitter: UInt64 = 0
        var deduplicator: Deduplicator
        /// Identities being written by a flush now, with that flush (see ``FlushInFlight``).
        var writing: [EventIdentity: FlushInFlight] = [:]
        /// Copies whose flush waits for the flush writing their event.
        var copiesWaiting = 0
        var stopped = false
    }

    private let writer: any EventWriter
    private let statistics: (any PairStatisticsWriter)?
    private let configuration: Configuration
    private let logger: Logger
    private let state: Mutex<State>
    private let clock = ContinuousClock()
    private let start = ContinuousClock.now

    private let metrics: IngestMetrics
    /// Window evictions already reported to the metrics (the window's counters are cumulative).
    private let reportedEvictions = Mutex((capacity: 0, expired: 0))
    /// The writer's conflict fallbacks already reported to the metrics (cumulative too).
    private let reportedFallbacks = Mutex(0)

    /// Creates a pipeline writing events to `store` (an `EventStore`, or a test's double) and,
    /// unless `nil`, pair statistics to `statistics`.
    public init(
        store: some EventWriter, statistics: (any PairStatisticsWriter)?, configuration: Configuration = .init(),
        metrics: IngestMetrics = IngestMetrics(), logger: Logger
    ) {
        self.writer = store
        self.metrics = metrics
        self.statistics = statistics
        self.configuration = configuration
        self.logger = logger
        self.state = Mutex(State(deduplicator: Deduplicator(configuration: configuration.window)))
    }

    private var nowMillis: UInt32 {
        UInt32(truncatingIfNeeded: (clock.now - start).inMilliseconds)
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
        while !state.withLock({ admits(tenant, $0) }) {
            let number = state.withLock { state in
                defer { state.nextSubmitter += 1 }
                return state.nextSubmitter
            }
            await withTaskCancellationHandler {
                await withCheckedContinuation { continuation in
                    let resumeNow = state.withLock { state -> Bool in
                        if admits(tenant, state) || Task.isCancelled { return true }
                        state.blockedSubmitters.append((number, continuation))
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            } onCancel: {
                state.withLock { state in
                    state.blockedSubmitters.firstIndex { $0.number == number }.map { state.blockedSubmitters.remove(at: $0) }
                }?.continuation.resume()
            }
            try Task.checkCancellation()
        }
        return try await withCheckedThrowingContinuation { continuation in
            let (writer, refused, pending) = state.withLock { state -> (CheckedContinuation<Void, Never>?, Bool, Int) in
                if state.stopped { return (nil, true, 0) }
                let submission = Submission(records: records, arrivalMillis: nowMillis, continuation: continuation)
                state.pending.enqueue(submission, key: tenant, weight: records.count)
                return (state.idleWriters.popLast(), false, state.pending.totalWeight)
            }
            if refused {
                continuation.resume(throwing: StoreError(.unavailable, "the event pipeline is shutting down; resend"))
            } else {
                metrics.pendingEvents(pending)
            }
            writer?.resume()
        }
    }

    /// Whether a batch of `tenant` may join the queue now: within both bounds, or the tenant
    /// has nothing waiting (its first batch is never held by other tenants' backlog).
    private func admits(_ tenant: TenantID, _ state: State) -> Bool {
        let waiting = state.pending.weight(of: tenant)
        return state.stopped || waiting == 0
            || (waiting < configuration.maximumPendingEventsPerTenant && state.pending.totalWeight < configuration.maximumPendingEvents)
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

    private func statisticsLoop() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: configuration.statisticsInterval)
            if Task.isCancelled { return }
            await writeStatistics()
        }
    }

    /// Writes the pair statistics gathered since the last call. They are counts, not events:
    /// a failed write is logged and counted, and those counts are lost.
    public func writeStatistics() async {
        let rows = state.withLock { $0.deduplicator.drainStatistics() }
        var missed: [TenantID: Int64] = [:]
        for row in rows where row.missed > 0 { missed[row.line.tenant, default: 0] += row.missed }
        for (tenant, count) in missed { metrics.eventsMissedByPeer(tenant, count) }
        guard let statistics, !rows.isEmpty else { return }
        do {
            try await statistics.add(rows)
        } catch {
            metrics.pairStatisticsWriteFailed()
            logger.warning("pair statistics not written", metadata: ["rows": "\(rows.count)", "error": "\(StoreError.loggable(error))"])
        }
    }

    /// Stops taking submissions; writers drain what waits, then return.
    public func stop() {
        let (writers, submitters) = state.withLock { state in
            state.stopped = true
            defer {
                state.idleWriters.removeAll()
                state.blockedSubmitters.removeAll()
            }
            return (state.idleWriters, state.blockedSubmitters)
        }
        writers.forEach { $0.resume() }
        submitters.forEach { $0.continuation.resume() }
    }

    /// Takes batches and flushes them until the pipeline stops and nothing waits. The batches
    /// of a flush that wait for another flush's copies are answered in a child task of its own
    /// (see ``flush(_:settling:)``), so the writer goes on at once.
    private func writerLoop() async {
        await withDiscardingTaskGroup { settling in
            while true {
                var batch = take()
                if batch.isEmpty {
                    if state.withLock({ $0.stopped && $0.pending.isEmpty }) { return }
                    await withCheckedContinuation { continuation in
                        let resumeNow = state.withLock { state -> Bool in
                            if !state.pending.isEmpty || state.stopped { return true }
                            state.idleWriters.append(continuation)
                            return false
                        }
                        if resumeNow { continuation.resume() }
                    }
                    continue
                }
                let events = batch.reduce(0) { $0 + $1.records.count }
                if (events < configuration.maximumFlushEvents) && configuration.flushDelay > .zero {
                    try? await Task.sleep(for: configuration.flushDelay)
                    batch += take(limit: configuration.maximumFlushEvents - events)
                }
                await flush(batch, settling: &settling)
            }
        }
    }

    /// Takes whole submissions up to `limit` events (at least one submission), tenant by tenant in turn.
    private func take(limit: Int? = nil) -> [Submission] {
        let limit = limit ?? configuration.maximumFlushEvents
        let (taken, released, pending) = state.withLock { state -> ([Submission], [CheckedContinuation<Void, Never>], Int) in
            let taken = state.pending.dequeue(upTo: limit)
            // Every waiting submitter checks its own bounds again (they are per tenant).
            guard !taken.isEmpty else { return (taken, [], 0) }
            defer { state.blockedSubmitters.removeAll() }
            return (taken, state.blockedSubmitters.map(\.continuation), state.pending.totalWeight)
        }
        if !taken.isEmpty { metrics.pendingEvents(pending) }
        released.forEach { $0.resume() }
        return taken
    }

    private func flush(_ batch: [Submission], settling: inout DiscardingTaskGroup) async {
        // 1. The window answers copies of events known to be durable; a copy of an event that
        //    another flush is writing waits for that flush (``FlushInFlight``).
        var outcomes = batch.map { [EventOutcome?](repeating: nil, count: $0.records.count) }
        var toWrite: [EventRecord] = []
        var positions: [Position] = []
        var waiting: [(position: Position, flight: FlushInFlight)] = []
        var windowHits = [Int](repeating: 0, count: batch.count)
        let flight = FlushInFlight()
        let serverTimeMicros = Int64(Date().timeIntervalSince1970 * 1_000_000)
        state.withLock { state in
            state.deduplicator.advanceClock(serverTimeMicros: serverTimeMicros)
            for (s, submission) in batch.enumerated() {
                var hits = 0
                for (r, record) in submission.records.enumerated() {
                    let arrival = state.deduplicator.arrive(
                        record.deliveryLine, identity: record.identity, deviceTimeMicros: record.event.deviceTimeMicros,
                        arrivalMillis: submission.arrivalMillis)
                    if arrival.isKnownDuplicate {
                        outcomes[s][r] = .duplicate
                        hits += 1
                        continue
                    }
                    if let other = state.writing[record.identity] {
                        if other !== flight {
                            waiting.append(((s, r, arrival.line), other))
                            state.deduplicator.awaits(
                                record.identity, line: arrival.line, deviceTimeMicros: record.event.deviceTimeMicros)
                            continue
                        }
                    } else {
                        state.writing[record.identity] = flight
                    }
                    toWrite.append(record)
                    positions.append((s, r, arrival.line))
                }
                windowHits[s] = hits
            }
            state.copiesWaiting += waiting.count
        }
        // 2. The database decides the rest. When PostgreSQL refuses the data of a flush that
        //    carries several batches, each batch is written alone, so only the batch that holds
        //    the bad row fails and every other stream (of any tenant) is answered as usual.
        var failures: [Int: any Error] = [:]
        do {
            try await write(Array(toWrite.indices), of: toWrite, positions: positions, batch: batch, outcomes: &outcomes)
        } catch  where StoreError.isRejection(error) && Set(positions.map(\.submission)).count > 1 {
            let bySubmission = Dictionary(grouping: toWrite.indices) { positions[$0].submission }
            for (s, indices) in bySubmission.sorted(by: { $0.key < $1.key }) {
                do {
                    try await write(indices, of: toWrite, positions: positions, batch: batch, outcomes: &outcomes)
                } catch {
                    failures[s] = error
                }
            }
        } catch {
            for s in batch.indices { failures[s] = error }
        }
        // 3. This flush's identities are no longer in flight; the flushes waiting for it learn
        //    how it ended. Batches with no copy waiting for another flush are answered now; the
        //    rest once the copies they waited for are settled.
        finish(flight, toWrite: toWrite, positions: positions, failures: failures, outcomes: outcomes)
        let held = Set(waiting.map(\.position.submission))
        let none = [Int](repeating: 0, count: batch.count)
        conclude(batch.indices.filter { !held.contains($0) }, of: batch, outcomes, failures, hits: (windowHits, none))
        guard !held.isEmpty else { return }
        // Not in this writer: waiting here held it, and at a moderate load batches queued
        // behind the wait (the half-peak p50 doubled when it was tried).
        settling.addTask { [outcomes, failures] in
            var (outcomes, failures) = (outcomes, failures)
            let inFlightHits = await self.settle(waiting, batch: batch, failures: &failures, outcomes: &outcomes)
            self.conclude(held.sorted(), of: batch, outcomes, failures, hits: (windowHits, inFlightHits))
        }
    }

    /// Logs the failures among the batches at `indices`, counts their outcomes, and answers them.
    private func conclude(
        _ indices: [Int], of batch: [Submission], _ outcomes: [[EventOutcome?]], _ failures: [Int: any Error],
        hits: (window: [Int], inFlight: [Int])
    ) {
        let failed = indices.filter { failures[$0] != nil }
        if let first = failed.first, let error = failures[first] {
            logger.error(
                "event flush failed; its batches are not acked", metadata: ["batches": "\(failed.count)", "error": "\(error)"])
        }
        let window = state.withLock { state in
            let window = state.deduplicator.window
            return (window.count, window.estimatedBytes, window.evictedForCapacity, window.expired)
        }
        let answered = indices.filter { failures[$0] == nil }
        report(
            batch: answered.map { batch[$0] }, outcomes: answered.map { outcomes[$0] },
            hits: (answered.map { hits.window[$0] }, answered.map { hits.inFlight[$0] }), window: window)
        for s in indices {
            if let failure = failures[s] {
                batch[s].continuation.resume(throwing: failure)
            } else {
                batch[s].continuation.resume(returning: outcomes[s].map { $0 ?? .duplicate })
            }
        }
    }

    /// Where a copy sits in a flush: its submission, its record there, and its delivery line.
    private typealias Position = (submission: Int, record: Int, line: UInt32)

    /// Takes a flush's identities out of flight and tells the flushes waiting for it how it
    /// ended: which identities failed (their batch was not written) and which were quarantined.
    private func finish(
        _ flight: FlushInFlight, toWrite: [EventRecord], positions: [Position], failures: [Int: any Error], outcomes: [[EventOutcome?]]
    ) {
        var ended = FlushInFlight.Outcome()
        for (index, record) in toWrite.enumerated() {
            let position = positions[index]
            if failures[position.submission] != nil {
                ended.failed.insert(record.identity)
            } else if outcomes[position.submission][position.record] == .quarantined {
                ended.quarantined.insert(record.identity)
            }
        }
        state.withLock { state in
            for record in toWrite { state.writing.removeValue(forKey: record.identity) }
        }
        flight.finish(ended)
    }

    /// Settles the copies a flush found in flight elsewhere: a duplicate where that flush made
    /// the event durable, quarantined where it quarantined it, and written by this flush where
    /// that flush failed. Returns the duplicates so answered, per submission.
    private func settle(
        _ waiting: [(position: Position, flight: FlushInFlight)], batch: [Submission], failures: inout [Int: any Error],
        outcomes: inout [[EventOutcome?]]
    ) async -> [Int] {
        var hits = [Int](repeating: 0, count: batch.count)
        guard !waiting.isEmpty else { return hits }
        var ended: [ObjectIdentifier: FlushInFlight.Outcome] = [:]
        for (_, flight) in waiting where ended[ObjectIdentifier(flight)] == nil {
            ended[ObjectIdentifier(flight)] = await flight.outcome()
        }
        var retry: [EventRecord] = []
        var retryPositions: [Position] = []
        state.withLock { state in
            state.copiesWaiting -= waiting.count
            for (position, flight) in waiting {
                let record = batch[position.submission].records[position.record]
                let there = ended[ObjectIdentifier(flight)] ?? FlushInFlight.Outcome()
                if there.failed.contains(record.identity) {
                    retry.append(record)
                    retryPositions.append(position)
                } else if there.quarantined.contains(record.identity) {
                    outcomes[position.submission][position.record] = .quarantined
                } else {
                    outcomes[position.submission][position.record] = .duplicate
                    state.deduplicator.settle(
                        record.identity, line: position.line, deviceTimeMicros: record.event.deviceTimeMicros,
                        arrivalMillis: batch[position.submission].arrivalMillis, stored: false, awaited: true)
                    hits[position.submission] += 1
                }
            }
        }
        if !retry.isEmpty {
            do {
                try await write(Array(retry.indices), of: retry, positions: retryPositions, batch: batch, outcomes: &outcomes)
            } catch {
                for position in retryPositions where failures[position.submission] == nil { failures[position.submission] = error }
            }
        }
        return hits
    }

    /// Writes the records of `toWrite` at `indices` in one transaction and settles them in
    /// the window, filling their `outcomes`.
    private func write(
        _ indices: [Int], of toWrite: [EventRecord], positions: [Position],
        batch: [Submission], outcomes: inout [[EventOutcome?]]
    ) async throws {
        guard !indices.isEmpty else { return }
        let records = indices.map { toWrite[$0] }
        let started = clock.now
        // A write that fell back counts whether it then succeeded or not.
        defer { reportFallbacks() }
        let written = try await writer.write(records, now: Date())
        metrics.databaseBatch(clock.now - started, events: records.count)
        state.withLock { state in
            // Stored copies first, so a duplicate of the same write finds its entry.
            for settleStored in [true, false] {
                for (offset, outcome) in written.enumerated() where outcome == (settleStored ? .stored : .duplicate) {
                    let (s, r, line) = positions[indices[offset]]
                    outcomes[s][r] = outcome
                    let record = records[offset]
                    state.deduplicator.settle(
                        record.identity, line: line, deviceTimeMicros: record.event.deviceTimeMicros,
                        arrivalMillis: batch[s].arrivalMillis, stored: settleStored)
                }
            }
        }
        for (offset, outcome) in written.enumerated() where outcome == .quarantined {
            let position = positions[indices[offset]]
            outcomes[position.submission][position.record] = .quarantined
        }
    }

    /// Counts answered batches' outcomes per tenant, and the window's size, in the metrics.
    /// `hits`: per batch, the duplicates the window and flushes in flight answered.
    private func report(
        batch: [Submission], outcomes: [[EventOutcome?]], hits: (window: [Int], inFlight: [Int]),
        window: (keys: Int, bytes: Int, evicted: Int, expired: Int)
    ) {
        // A submission is one batch of one stream, so of one tenant: tally per submission.
        var tallies: [TenantID: (stored: Int, window: Int, inFlight: Int, database: Int, quarantined: Int)] = [:]
        for (s, submission) in batch.enumerated() {
            guard let tenant = submission.records.first?.tenant else { continue }
            var tally = tallies[tenant] ?? (0, 0, 0, 0, 0)
            var duplicates = 0
            for outcome in outcomes[s] {
                switch outcome {
                case .stored: tally.stored += 1
                case .duplicate, nil: duplicates += 1
                case .quarantined: tally.quarantined += 1
                }
            }
            tally.window += hits.window[s]
            tally.inFlight += hits.inFlight[s]
            tally.database += duplicates - hits.window[s] - hits.inFlight[s]
            tallies[tenant] = tally
        }
        for (tenant, tally) in tallies {
            metrics.eventsSettled(
                tenant, stored: tally.stored, windowDuplicates: tally.window, inFlightDuplicates: tally.inFlight,
                databaseDuplicates: tally.database, quarantined: tally.quarantined)
        }
        let (evicted, expired) = reportedEvictions.withLock { reported in
            defer { reported = (window.evicted, window.expired) }
            return (window.evicted - reported.capacity, window.expired - reported.expired)
        }
        metrics.dedupWindow(keys: window.keys, bytes: window.bytes, evicted: evicted, expired: expired)
    }

    /// Counts the writer's new conflict fallbacks (a write that met a stored event and went
    /// again skipping stored ones) in the metrics.
    private func reportFallbacks() {
        let total = writer.conflictFallbacks
        let new = reportedFallbacks.withLock { reported in
            defer { reported = max(reported, total) }
            return max(0, total - reported)
        }
        if new > 0 { metrics.eventWriteConflictFallbacks(new) }
    }

    /// Events waiting to be flushed, and submitters held at the door, now.
    var queued: (events: Int, blockedSubmitters: Int) {
        state.withLock { ($0.pending.totalWeight, $0.blockedSubmitters.count) }
    }

    /// Copies waiting for another flush that is writing their event, now.
    var copiesWaitingForOtherFlushes: Int {
        state.withLock { $0.copiesWaiting }
    }

    /// Keys and estimated bytes of the window now.
    public var windowSize: (keys: Int, bytes: Int) {
        state.withLock { ($0.deduplicator.window.count, $0.deduplicator.window.estimatedBytes) }
    }
}
