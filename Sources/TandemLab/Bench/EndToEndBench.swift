public import ArgumentParser
import Foundation
public import Logging
import TandemConnector
import TandemCore
import TandemIngest
import TandemProtocol
import TandemSimulator
import TandemStore
import TandemWire

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `tandem-lab bench`: one run on one fresh database — the COPY ceiling, the naive baseline,
/// Tandem end to end (pairs of connectors streaming every event twice over gRPC into a
/// `tandem serve` child process, at peak and at half the peak rate), and idle connectors.
public struct EndToEndBench: LabRun {
    public static let command = CommandConfiguration(
        commandName: "run", abstract: "COPY vs naive INSERTs vs Tandem end to end over gRPC, plus idle connectors.")

    @Option(help: "Distinct events N of the peak phase (2N copies are sent).") var events = 200_000
    @Option(help: "Connector pairs P streaming at once (2P data streams).") var pairs = 50
    @Option(name: .customLong("idle-connectors"), help: "Connectors holding a control channel with heartbeats only.")
    var idleConnectors = 10_000
    @Option(name: .customLong("connect-concurrency"), help: "Idle connectors saying Hello at once (a reconnect storm).")
    var connectConcurrency = 1_000
    @Option(name: .customLong("batch-size"), help: "Events per batch.") var batchSize = 200
    @Option(name: .customLong("naive-sample"), help: "Copies written one INSERT at a time (a sample: it is slow).")
    var naiveSample = 5_000
    @Option(
        name: .customLong("paced-loads"), parsing: .upToNextOption,
        help: "Fractions of the measured peak at which ack latency is measured, paced.")
    var pacedLoads: [Double] = [0.25, 0.5, 0.9]
    @Option(
        name: .customLong("paced-event-age"),
        help: """
            Seconds the paced phases' events are dated back: 0 is live traffic; past the dedup \
            window (600 s) the window remembers none of them (late events, a replayed buffer).
            """)
    var pacedEventAge: Double = 0
    @Option(help: "Seed of the generated events.") var seed: UInt64 = 1
    @Option(help: "Write the figures as JSON to FILE.") public var json: String?

    public init() {}

    public struct Figures: Codable, Sendable {
        var machine = ""
        var distinctEvents = 0
        var pairs = 0
        var copyRowsPerSecond = 0.0
        var naiveRowsPerSecond = 0.0
        var tandemRawEventsPerSecond = 0.0
        var ratioVsCopy = 0.0
        var ratioVsNaive = 0.0
        var ackLatencyP50Ms = 0.0
        var ackLatencyP99Ms = 0.0
        var ackLatencyP999Ms = 0.0
        /// Events waiting in the server's pipeline during the peak, sampled every 200 ms
        /// (`tandem_pipeline_pending_events`): the queue the peak's ack latency is spent in.
        var peakPendingEventsMean = 0.0
        var peakPendingEventsMax = 0.0
        /// Second copies during the peak by what caught them (`tandem_events_duplicates_dropped_total`):
        /// the window (the event was durable), a flush writing the event at the time, or the
        /// write (a copy in the same flush as its first, sent once, or one PostgreSQL found stored).
        var peakDuplicatesWindow = 0.0
        var peakDuplicatesInFlight = 0.0
        var peakDuplicatesDatabase = 0.0
        /// Writes during the peak whose plain insert met a stored event and went again
        /// skipping stored events (`tandem_event_write_conflict_fallbacks_total`).
        var peakConflictFallbacks = 0.0
        /// The server's CPU time (user and system, from `/proc`) per raw event of the peak, µs,
        /// and the cores it kept busy on average meanwhile.
        var peakServerCPUMicrosPerEvent = 0.0
        var peakServerCores = 0.0
        /// Transactions the database committed per second during the peak (all of them: the
        /// flushes, and whatever else the server wrote meanwhile).
        var peakCommitsPerSecond = 0.0
        /// Ack latency at fractions of the peak, each with fresh events, paced.
        var pacedLoads: [PacedLoad] = []
        /// How far back the paced events' device times are dated (`--paced-event-age`), seconds.
        var pacedEventAgeSeconds = 0.0
        var serverPeakRssBytes = 0
        var rowsStored = 0
        var idleConnectors = 0
        var idleConnectorsConnectSeconds = 0.0
        /// Joins per second while the idle connectors connect (`connectConcurrency` at once).
        var idleConnectorsConnectsPerSecond = 0.0
        /// Statements per second the server spends on the idle connectors' heartbeats (read from
        /// its `tandem_heartbeat_writes_total` over a heartbeat round; 0 if it has no such series).
        var idleHeartbeatWritesPerSecond = 0.0
        var idleServerBaseRssBytes = 0
        var idleConnectorsRssBytes = 0
    }

    /// One paced phase: its share of the peak, the rate it reached and its ack latency.
    public struct PacedLoad: Codable, Sendable {
        var fractionOfPeak: Double
        var eventsPerSecond: Double
        var ackLatency: LatencySummary
        /// The same batches as the server saw them (`tandem_ack_latency_seconds`: from the
        /// batch read off the stream to its ack written): shares acked within 25 and 100 ms.
        /// What the load generator measures beyond this is spent outside the pipeline: in
        /// HTTP/2, in the generator itself, waiting for a core.
        var serverAckWithin25Ms: Double
        var serverAckWithin100Ms: Double
        /// The server's database writes in the phase (`tandem_db_batch_duration_seconds`) and
        /// the share of them that took at most 100 ms: whether the tail is PostgreSQL's.
        var databaseWrites: Double
        var databaseWritesWithin100Ms: Double
        /// The server's CPU time per raw event of the phase, µs, and the cores it kept busy:
        /// what a batch costs the server when batches no longer arrive back to back.
        var serverCPUMicrosPerEvent: Double
        var serverCores: Double
        /// Transactions the database committed per second during the phase.
        var commitsPerSecond: Double
    }

    /// What `work`, streaming `rawEvents` copies, cost: the server's CPU time per raw event,
    /// the cores it kept busy on average, and the transactions the database committed per second.
    private func costs<Result>(
        of server: ServerProcess, store: TandemStore.Store, rawEvents: Int, _ work: () async throws -> Result
    ) async throws -> (result: Result, microsPerEvent: Double, cores: Double, commitsPerSecond: Double) {
        let (cpuBefore, commitsBefore, started) = (server.cpuSeconds, try await store.events.committedTransactions(), ContinuousClock.now)
        let result = try await work()
        let (cpu, wall) = (server.cpuSeconds - cpuBefore, (ContinuousClock.now - started).inSeconds)
        let commits = Double(try await store.events.committedTransactions() - commitsBefore)
        guard wall > 0 else { return (result, 0, 0, 0) }
        return (result, rawEvents > 0 ? cpu * 1_000_000 / Double(rawEvents) : 0, cpu / wall, commits / wall)
    }

    public func validate() throws {
        guard pacedLoads.allSatisfy({ $0 > 0 && $0 <= 1 }) else {
            throw ValidationError("--paced-loads are fractions of the peak, each above 0 and at most 1 (e.g. 0.25 0.5 0.9)")
        }
        // Bounded: the generator turns it into microseconds since the epoch (Int64).
        guard (0...31_536_000).contains(pacedEventAge) else {
            throw ValidationError("--paced-event-age is a number of seconds from 0 to 31536000 (a year)")
        }
        guard events >= 1, pairs >= 1, batchSize >= 1, idleConnectors >= 0, naiveSample >= 2 else {
            throw ValidationError(
                "--events, --pairs, --batch-size must be at least 1, --naive-sample at least 2, --idle-connectors not negative")
        }
    }

    public func run(on lab: LabDatabase, logger: Logger) async throws -> Figures {
        try await ScratchDatabase.with(lab, logger: logger) { store, url, _ in
            try await measure(store, url: url, migrations: lab.migrationsDirectory, logger: logger)
        }
    }

    private func measure(_ store: TandemStore.Store, url: DatabaseURL, migrations: String?, logger: Logger) async throws -> Figures {
        var figures = Figures()
        figures.machine = "\(ProcessInfo.processInfo.activeProcessorCount) cores, \(ProcessInfo.processInfo.physicalMemory >> 30) GiB"
        figures.pairs = pairs
        let (tenant, _) = try await store.tenants.create(name: try DisplayName("bench", field: "name"))
        let wire = StoreBaselines.wireEvents(count: events, pairs: pairs, seed: seed)
        figures.distinctEvents = wire.reduce(0) { $0 + $1.count }

        // (1) and (2): the baselines, on the same database, before the service starts.
        let baselines = StoreBaselines(store: store)
        let records = try wire.joined().map {
            EventRecord(tenant: tenant.id, token: .random(), connector: .random(), event: try DeviceEvent($0))
        }
        figures.copyRowsPerSecond = try await baselines.copyRowsPerSecond(records)
        say("(1) COPY: \(Int(figures.copyRowsPerSecond)) rows/s")
        figures.naiveRowsPerSecond = try await baselines.naiveRowsPerSecond(records, sample: naiveSample)
        say("(2) one INSERT per event: \(Int(figures.naiveRowsPerSecond)) rows/s")

        // (3) Tandem end to end.
        let logDirectory = FileManager.default.temporaryDirectory
        let server = try await ServerProcess.start(
            database: url, migrations: migrations, logFile: logDirectory.appendingPathComponent("tandem-bench-serve.log"))
        defer { server.stop() }
        var connectors = try await LoadConnector.connectPairs(
            pairs, tenant: tenant.id, store: store, port: server.grpcPort, name: "bench pair")
        defer {
            for (a, b) in connectors {
                a.close()
                b.close()
            }
        }

        let ((peak, pending), peakCPU, peakCores, peakCommits) = try await costs(
            of: server, store: store, rawEvents: 2 * figures.distinctEvents
        ) {
            try await server.sampling("tandem_pipeline_pending_events") {
                try await stream(wire, through: connectors, rate: nil, firstSequence: 1)
            }
        }
        (figures.peakServerCPUMicrosPerEvent, figures.peakServerCores, figures.peakCommitsPerSecond) = (peakCPU, peakCores, peakCommits)
        figures.tandemRawEventsPerSecond = peak.rate
        (figures.ackLatencyP50Ms, figures.ackLatencyP99Ms, figures.ackLatencyP999Ms) = (
            peak.latency.p50Ms, peak.latency.p99Ms, peak.latency.p999Ms
        )
        figures.peakPendingEventsMean = pending.isEmpty ? 0 : pending.reduce(0, +) / Double(pending.count)
        figures.peakPendingEventsMax = pending.max() ?? 0
        let duplicates = "tandem_events_duplicates_dropped_total"
        let stages = await server.metricSums(duplicates, with: [#"stage="window""#, #"stage="in_flight""#, #"stage="database""#])
        (figures.peakDuplicatesWindow, figures.peakDuplicatesInFlight, figures.peakDuplicatesDatabase) = (stages[0], stages[1], stages[2])
        figures.peakConflictFallbacks = await server.metric("tandem_event_write_conflict_fallbacks_total")
        figures.rowsStored = try await store.events.countRows()
        figures.ratioVsCopy = figures.tandemRawEventsPerSecond / figures.copyRowsPerSecond
        figures.ratioVsNaive = figures.tandemRawEventsPerSecond / figures.naiveRowsPerSecond
        say(
            "(3) Tandem end to end: \(Int(peak.rate)) raw events/s, ack p50 \(fmt(peak.latency.p50Ms)) ms, p99 \(fmt(peak.latency.p99Ms)) ms; rows \(figures.rowsStored) of \(figures.distinctEvents); pipeline queue \(Int(figures.peakPendingEventsMean)) events on average, \(Int(figures.peakPendingEventsMax)) at most"
        )
        say("    server CPU \(fmt(peakCPU)) µs per raw event, \(fmt(peakCores)) cores busy; database commits \(Int(peakCommits))/s")
        say(
            "    second copies caught by the window \(Int(figures.peakDuplicatesWindow)), by a flush in flight \(Int(figures.peakDuplicatesInFlight)), by the database \(Int(figures.peakDuplicatesDatabase)); writes that met a stored event and went again \(Int(figures.peakConflictFallbacks))"
        )

        // The same streams paced below the peak, each load with fresh events: latency when not saturated.
        figures.pacedEventAgeSeconds = pacedEventAge
        for (number, fraction) in pacedLoads.enumerated() {
            let calm = StoreBaselines.wireEvents(
                count: max(pairs, events / 2), pairs: pairs, seed: seed &+ UInt64(number + 1),
                now: Date().addingTimeInterval(-pacedEventAge))
            let histograms = ["tandem_ack_latency_seconds", "tandem_db_batch_duration_seconds"]
            let before = await server.histograms(histograms)
            let (paced, cpu, cores, commits) = try await costs(of: server, store: store, rawEvents: 2 * calm.reduce(0) { $0 + $1.count }) {
                try await stream(calm, through: connectors, rate: peak.rate * fraction, firstSequence: UInt64(number + 1) << 32)
            }
            let after = await server.histograms(histograms)
            let within = Self.shares(within: [0.025, 0.1], before: before[0], after: after[0])
            let database = Self.shares(within: [0.1], before: before[1], after: after[1])
            let load = PacedLoad(
                fractionOfPeak: fraction, eventsPerSecond: paced.rate, ackLatency: paced.latency,
                serverAckWithin25Ms: within[0], serverAckWithin100Ms: within[1],
                databaseWrites: Self.observations(before: before[1], after: after[1]), databaseWritesWithin100Ms: database[0],
                serverCPUMicrosPerEvent: cpu, serverCores: cores, commitsPerSecond: commits)
            figures.pacedLoads.append(load)
            say(
                "    at \(Int(fraction * 100)) % of the peak: \(Int(paced.rate)) raw events/s, ack p50 \(fmt(paced.latency.p50Ms)) ms, p99 \(fmt(paced.latency.p99Ms)) ms; in the server \(fmt(within[0] * 100)) % within 25 ms, \(fmt(within[1] * 100)) % within 100 ms; \(Int(load.databaseWrites)) database writes, \(fmt(database[0] * 100)) % within 100 ms; server CPU \(fmt(cpu)) µs per raw event, \(fmt(cores)) cores; database commits \(Int(commits))/s"
            )
        }
        figures.serverPeakRssBytes = server.peakRSSBytes
        for (a, b) in connectors {
            a.close()
            b.close()
        }
        connectors.removeAll()
        server.stop()

        // (4) Idle connectors, on a fresh server process.
        if idleConnectors > 0 {
            let idle = try await ServerProcess.start(
                database: url, migrations: migrations, logFile: logDirectory.appendingPathComponent("tandem-bench-idle.log"))
            defer { idle.stop() }
            figures.idleServerBaseRssBytes = idle.rssBytes
            let (seconds, rss, writes) = try await holdIdle(idleConnectors, tenant: tenant.id, store: store, server: idle)
            figures.idleConnectors = idleConnectors
            figures.idleConnectorsConnectSeconds = seconds
            figures.idleConnectorsConnectsPerSecond = Double(idleConnectors) / seconds
            figures.idleConnectorsRssBytes = rss
            figures.idleHeartbeatWritesPerSecond = writes
            say(
                "(4) \(idleConnectors) idle connectors: connected in \(fmt(seconds)) s (\(Int(figures.idleConnectorsConnectsPerSecond)) connects/s, \(connectConcurrency) at once), heartbeat writes \(fmt(writes))/s, server RSS \(rss >> 20) MiB"
            )
        }
        return figures
    }

    /// Streams each pair's events through both of its members; `rate` caps the raw events per
    /// second of all streams. Batch sequences start at `firstSequence`.
    private func stream(
        _ wire: [[Tandem_V1_Event]], through connectors: [(LoadConnector, LoadConnector)], rate: Double?,
        firstSequence: UInt64
    ) async throws -> (rate: Double, latency: LatencySummary) {
        try await PairStreams(wire, through: connectors, batchSize: batchSize, firstSequence: firstSequence, seed: seed)
            .send(rate: rate, batchSize: batchSize)
    }

    /// Connects `count` connectors (in pairs, one token each) that only send heartbeats,
    /// `connectConcurrency` at a time, waits a heartbeat round, and reads the server's memory
    /// and how many statements it spent on heartbeats meanwhile.
    private func holdIdle(
        _ count: Int, tenant: TenantID, store: TandemStore.Store, server: ServerProcess
    ) async throws -> (connectSeconds: Double, rssBytes: Int, heartbeatWritesPerSecond: Double) {
        var tokens: [String] = []
        for pair in 0..<(count + 1) / 2 {
            let (_, secret) = try await store.tokens.create(
                tenant: tenant, connectorName: try DisplayName("idle \(pair)", field: "name"), network: .wireless)
            tokens.append(secret.revealed)
        }
        let clock = ContinuousClock()
        let started = clock.now
        let port = server.grpcPort
        let connected = try await withThrowingTaskGroup(of: LoadConnector.self) { group in
            var connected: [LoadConnector] = []
            for index in 0..<count {
                if index >= connectConcurrency, let done = try await group.next() { connected.append(done) }
                let token = tokens[index / 2]
                group.addTask {
                    try await LoadConnector.connect(
                        port: port, token: token,
                        identity: ConnectorIdentity(
                            hostname: "idle-\(index)", ipAddress: "10.\(100 + index / 2 / 250 % 150).\(index / 2 % 250).\(1 + index % 2)"),
                        heartbeatEvery: .seconds(5), idle: true)
                }
                if index % 1_000 == 999 { say("    \(index + 1) idle connectors connecting…") }
            }
            for try await done in group { connected.append(done) }
            return connected
        }
        let seconds = (clock.now - started).inSeconds
        let writesBefore = await server.metric("tandem_heartbeat_writes_total")
        let roundStarted = clock.now
        try await Task.sleep(for: .seconds(6))  // a heartbeat round
        let writes =
            (await server.metric("tandem_heartbeat_writes_total") - writesBefore) / (clock.now - roundStarted).inSeconds
        let rss = server.rssBytes
        for connector in connected { connector.close() }
        return (seconds, rss, writes)
    }

    public func table(_ f: Figures) -> String {
        let paced = f.pacedLoads.map { load in
            "| ack latency at \(Int(load.fractionOfPeak * 100)) % of the peak (\(Int(load.eventsPerSecond)) events/s, dated \(Int(f.pacedEventAgeSeconds)) s back) p50 / p99 / p99.9 "
                + "| \(fmt(load.ackLatency.p50Ms)) / \(fmt(load.ackLatency.p99Ms)) / \(fmt(load.ackLatency.p999Ms)) ms |\n"
                + "| of those, acked by the server within 25 / 100 ms of arrival | \(fmt(load.serverAckWithin25Ms * 100)) / \(fmt(load.serverAckWithin100Ms * 100)) % |\n"
                + "| its database writes, within 100 ms | \(Int(load.databaseWrites)), \(fmt(load.databaseWritesWithin100Ms * 100)) % |\n"
                + "| server CPU per raw event, cores busy; database commits | \(fmt(load.serverCPUMicrosPerEvent)) µs, \(fmt(load.serverCores)); \(Int(load.commitsPerSecond))/s |"
        }.joined(separator: "\n")
        return """

            machine: \(f.machine)
            | measure | value |
            |---|---:|
            | (1) COPY of N unique rows (ceiling) | \(Int(f.copyRowsPerSecond)) rows/s |
            | (2) one INSERT … ON CONFLICT per copy | \(Int(f.naiveRowsPerSecond)) rows/s |
            | (3) Tandem end to end, \(f.pairs) pairs, 2×\(f.distinctEvents) copies | \(Int(f.tandemRawEventsPerSecond)) raw events/s |
            | (3)/(1) | \(String(format: "%.2f", f.ratioVsCopy)) |
            | (3)/(2) | \(String(format: "%.1f", f.ratioVsNaive)) |
            | ack latency at peak p50 / p99 / p99.9 | \(fmt(f.ackLatencyP50Ms)) / \(fmt(f.ackLatencyP99Ms)) / \(fmt(f.ackLatencyP999Ms)) ms |
            | pipeline queue at peak, mean / max | \(Int(f.peakPendingEventsMean)) / \(Int(f.peakPendingEventsMax)) events |
            | second copies at peak caught by window / flush in flight / database | \(Int(f.peakDuplicatesWindow)) / \(Int(f.peakDuplicatesInFlight)) / \(Int(f.peakDuplicatesDatabase)) |
            | writes at peak that met a stored event and went again | \(Int(f.peakConflictFallbacks)) |
            | server CPU per raw event at peak, cores busy; database commits | \(fmt(f.peakServerCPUMicrosPerEvent)) µs, \(fmt(f.peakServerCores)); \(Int(f.peakCommitsPerSecond))/s |
            \(paced)
            | server peak RSS | \(f.serverPeakRssBytes >> 20) MiB |
            | rows stored after (3) | \(f.rowsStored) of \(f.distinctEvents) distinct |
            | \(f.idleConnectors) idle connectors: connect time | \(fmt(f.idleConnectorsConnectSeconds)) s (\(Int(f.idleConnectorsConnectsPerSecond)) connects/s) |
            | idle connectors: heartbeat statements | \(fmt(f.idleHeartbeatWritesPerSecond))/s |
            | idle connectors: server RSS (fresh server before: \(f.idleServerBaseRssBytes >> 20) MiB) | \(f.idleConnectorsRssBytes >> 20) MiB |
            """
    }

    private func fmt(_ value: Double) -> String { String(format: "%.1f", value) }

    /// The share of a histogram's observations between two scrapes that fell at or under each
    /// of `bounds` (each one of its bucket bounds); 0 where there were none.
    static func shares(
        within bounds: [Double], before: [(upperBound: Double, count: Double)], after: [(upperBound: Double, count: Double)]
    ) -> [Double] {
        func count(_ buckets: [(upperBound: Double, count: Double)], _ bound: Double) -> Double {
            buckets.first { $0.upperBound == bound }?.count ?? 0
        }
        let total = observations(before: before, after: after)
        return bounds.map { bound in total > 0 ? (count(after, bound) - count(before, bound)) / total : 0 }
    }

    /// A histogram's observations between two scrapes (its `+Inf` bucket's growth).
    static func observations(before: [(upperBound: Double, count: Double)], after: [(upperBound: Double, count: Double)]) -> Double {
        (after.last { $0.upperBound == .infinity }?.count ?? 0) - (before.last { $0.upperBound == .infinity }?.count ?? 0)
    }
}
