public import ArgumentParser
import Foundation
public import Logging
import PostgresNIO
import SwiftProtobuf
import Synchronization
import TandemConnector
import TandemCore
import TandemProtocol
import TandemSimulator
import TandemStore

/// `tandem-lab bench analyst`: what analysts cost and get, on one fresh database. A day partition
/// of `--rows` events (one tenant, `--clients` clients), the three analyst queries of docs/analysts.md
/// timed through a real analyst login with and without the subject index, the insert path with
/// and without that index, then the ack latency of paced connector pairs with and without an
/// analyst scanning the whole events table beside them.
public struct AnalystBench: LabRun {
    public static let command = CommandConfiguration(
        commandName: "analyst",
        abstract: "Analyst queries on a large day partition, the index's insert cost, and ack latency while an analyst scans.")

    @Option(help: "Rows of yesterday's partition.") var rows = 20_000_000
    @Option(help: "Distinct clients (subjects) among them.") var clients = 20_000
    @Option(name: .customLong("insert-events"), help: "Events written to measure the insert path, per index state.")
    var insertEvents = 200_000
    @Option(help: "Distinct events streamed per latency phase (each sent by both members of a pair).") var events = 40_000
    @Option(help: "Connector pairs streaming in the latency phases.") var pairs = 10
    @Option(name: .customLong("paced-rate"), help: "Raw events/s of the latency phases.") var pacedRate = 4_000.0
    @Option(name: .customLong("batch-size"), help: "Events per batch.") var batchSize = 200
    @Option(help: "Write the figures as JSON to FILE.") public var json: String?

    public init() {}

    public struct Figures: Codable, Sendable {
        var rows = 0
        var clients = 0
        /// The analyst queries of docs/analysts.md, median of 5 through an analyst login, by name.
        var queryMillisWithoutSubjectIndex: [String: Double] = [:]
        var queryMillisWithSubjectIndex: [String: Double] = [:]
        var subjectIndexBuildSeconds = 0.0
        /// The insert path (`EventStore.write`), rows per second.
        var insertRowsPerSecondWithoutSubjectIndex = 0.0
        var insertRowsPerSecondWithSubjectIndex = 0.0
        var pacedRawEventsPerSecond = 0.0
        var ackLatencyAlone = LatencySummary([])
        var ackLatencyBesideFullScans = LatencySummary([])
        var fullScansFinished = 0
    }

    public func run(on lab: LabDatabase, logger: Logger) async throws -> Figures {
        try await ScratchDatabase.with(lab, logger: logger) { store, url, _ in
            try await measure(store, url: url, migrations: lab.migrationsDirectory, logger: logger)
        }
    }

    public func table(_ f: Figures) -> String {
        let names = f.queryMillisWithSubjectIndex.keys.sorted()
        let queries = names.map { name in
            "| \(name), ms without / with the subject index | \(format(f.queryMillisWithoutSubjectIndex[name] ?? 0)) / \(format(f.queryMillisWithSubjectIndex[name] ?? 0)) |"
        }.joined(separator: "\n")
        return """

            | measure (\(f.rows) rows, \(f.clients) clients) | value |
            |---|---:|
            \(queries)
            | subject index build | \(format(f.subjectIndexBuildSeconds)) s |
            | insert path without / with the subject index | \(Int(f.insertRowsPerSecondWithoutSubjectIndex)) / \(Int(f.insertRowsPerSecondWithSubjectIndex)) rows/s |
            | ack p50 / p99 at \(Int(f.pacedRawEventsPerSecond)) raw events/s, alone | \(format(f.ackLatencyAlone.p50Ms)) / \(format(f.ackLatencyAlone.p99Ms)) ms |
            | the same beside \(f.fullScansFinished) full scans | \(format(f.ackLatencyBesideFullScans.p50Ms)) / \(format(f.ackLatencyBesideFullScans.p99Ms)) ms |
            """
    }

    private func measure(_ store: TandemStore.Store, url: DatabaseURL, migrations: String?, logger: Logger) async throws -> Figures {
        var figures = Figures()
        (figures.rows, figures.clients, figures.pacedRawEventsPerSecond) = (rows, clients, pacedRate)
        let (tenant, _) = try await store.tenants.create(name: try DisplayName("analysts", field: "name"))
        let (token, _) = try await store.tokens.create(
            tenant: tenant.id, connectorName: try DisplayName("bench pair", field: "name"), network: .wireless)
        let data = AnalystBenchData(client: store.database.client, logger: logger)
        let yesterday = EventPartitions.dayStart(containing: Date().addingTimeInterval(-86_400))
        let clock = ContinuousClock()
        // Filled without the subject index (as a bulk load would be), which is built after.
        try await data.dropSubjectIndex()
        var started = clock.now
        try await data.fillDay(yesterday, rows: rows, clients: clients, tenant: tenant.id, token: token.id) { done in
            say("    \(done) of \(rows) rows…")
        }
        try await data.fillPairStatistics(tenant: tenant.id, token: token.id)
        say(
            "partition \(EventPartitions.name(of: yesterday)): \(rows) rows, \(clients) clients, filled in \(format((clock.now - started).inSeconds)) s"
        )

        let (analyst, password) = try await store.analysts.create(
            tenant: tenant.id, name: try DisplayName("bench", field: "name"),
            limits: .init(connections: 5, statementTimeout: .seconds(3_600)))
        var components = URLComponents(string: url.unredactedText)!
        components.user = analyst.role
        components.password = password.revealed
        let analystURL = try DatabaseURL(components.string!)
        let queries = AnalystBenchData.readmeQueries(
            subject: AnalystBenchData.subject(7), hourStart: yesterday.addingTimeInterval(12 * 3_600))
        @Sendable func timeQueries(_ label: String) async throws -> [String: Double] {
            try await AnalystBenchData.withClient(analystURL, logger: logger) { session in
                var line = "    \(label):"
                var medians: [String: Double] = [:]
                for (name, query) in queries {
                    medians[name] = try await Self.medianMillis(of: query, on: session)
                    line += " \(name) \(format(medians[name]!))"
                }
                say(line)
                return medians
            }
        }
        say("docs/analysts.md queries as an analyst login, median of 5 (ms):")
        figures.queryMillisWithoutSubjectIndex = try await timeQueries("without the subject index")
        started = clock.now
        try await data.createSubjectIndex()
        let built = (clock.now - started).inSeconds
        figures.subjectIndexBuildSeconds = built
        figures.queryMillisWithSubjectIndex = try await timeQueries("with the subject index")
        say("subject index built on \(rows) rows in \(format(built)) s")

        // The insert path with the index (as migrated), then without it.
        var rates: [Bool: Double] = [:]
        for indexed in [true, false] {
            if !indexed { try await data.dropSubjectIndex() }
            rates[indexed] = try await data.insertRate(
                events: insertEvents, store: store, tenant: tenant.id, token: token.id, seed: indexed ? 2 : 1)
        }
        try await data.createSubjectIndex()
        (figures.insertRowsPerSecondWithSubjectIndex, figures.insertRowsPerSecondWithoutSubjectIndex) = (rates[true]!, rates[false]!)
        say(
            "insert path (EventStore.write, 4,000 events a transaction): \(Int(rates[false]!)) rows/s without the index, \(Int(rates[true]!)) with (\(format((rates[true]! / rates[false]! - 1) * 100)) %)"
        )

        // Ack latency of paced pairs, alone and beside an analyst scanning every partition.
        let server = try await ServerProcess.start(
            database: url, migrations: migrations,
            logFile: FileManager.default.temporaryDirectory.appendingPathComponent("tandem-bench-analyst-serve.log"))
        defer { server.stop() }
        let connectors = try await LoadConnector.connectPairs(
            pairs, tenant: tenant.id, store: store, port: server.grpcPort, name: "latency pair")
        let members = connectors
        defer {
            for (a, b) in members {
                a.close()
                b.close()
            }
        }
        for (phase, scanning) in [(1, false), (2, true)] {
            let scans = ScanCounter()
            let latencies = try await AnalystBenchData.withClient(analystURL, logger: logger) { session in
                try await withThrowingTaskGroup(of: [Duration].self) { group in
                    // Unstructured on purpose: the scan runs beside the group and is cancelled after it.
                    let scanner = Task {
                        while scanning && !Task.isCancelled {
                            let started = clock.now
                            _ = try? await Self.medianMillis(of: AnalystBenchData.fullScan, on: session, runs: 1)
                            scans.add(clock.now - started)
                        }
                    }
                    defer { scanner.cancel() }
                    let wire = StoreBaselines.wireEvents(
                        count: events, pairs: pairs, seed: UInt64(10 + phase), now: Date().addingTimeInterval(-Double(phase) * 600))
                    let interval = Duration.seconds(Double(batchSize) / (pacedRate / Double(2 * pairs)))
                    for (pair, list) in wire.enumerated() {
                        let batches = stride(from: 0, to: list.count, by: batchSize).enumerated().map { number, start in
                            Tandem_V1_EventBatch.with {
                                $0.sequence = UInt64(phase) << 32 + UInt64(number)
                                $0.events = Array(list[start..<min(start + batchSize, list.count)])
                            }
                        }
                        for member in [members[pair].0, members[pair].1] {
                            group.addTask { try await member.stream(batches, interval: interval) }
                        }
                    }
                    var all: [Duration] = []
                    for try await part in group { all += part }
                    return all
                }
            }
            let summary = LatencySummary(latencies)
            if scanning {
                figures.ackLatencyBesideFullScans = summary
                figures.fullScansFinished = scans.count
            } else {
                figures.ackLatencyAlone = summary
            }
            let scanText = scanning ? "beside an analyst scanning all events (\(scans.summary))" : "with no analyst query"
            say(
                "ack latency at \(Int(pacedRate)) raw events/s, \(2 * pairs) streams, \(scanText): p50 \(format(summary.p50Ms)) ms, p99 \(format(summary.p99Ms)) ms, p99.9 \(format(summary.p999Ms)) ms"
            )
        }
        return figures
    }

    /// The median wall time of `query` over `runs` runs (after one unmeasured run when several).
    static func medianMillis(of query: String, on client: PostgresClient, runs: Int = 5) async throws -> Double {
        var times: [Double] = []
        for run in 0..<(runs > 1 ? runs + 1 : runs) {
            let started = ContinuousClock.now
            for try await _ in try await client.query(PostgresQuery(unsafeSQL: query)) {}
            if runs == 1 || run > 0 { times.append((ContinuousClock.now - started).inSeconds * 1_000) }
        }
        return times.sorted()[times.count / 2]
    }

    private func format(_ value: Double) -> String { String(format: "%.1f", value) }
}

/// Full scans an analyst finished during a phase.
private final class ScanCounter: Sendable {
    private let durations = Mutex<[Duration]>([])
    func add(_ duration: Duration) { durations.withLock { $0.append(duration) } }
    var count: Int { durations.withLock { $0.count } }
    var summary: String {
        durations.withLock { list in
            let seconds = list.map(\.inSeconds)
            return "\(list.count) full scans finished, \(String(format: "%.1f", seconds.reduce(0, +) / Double(max(1, list.count)))) s each"
        }
    }
}
