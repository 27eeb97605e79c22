public import ArgumentParser
import Foundation
public import Logging
import TandemCore
import TandemProtocol
import TandemSimulator
import TandemStore

/// `tandem-lab bench sustained`: pairs streaming at the peak until the events table holds tens of
/// millions of rows, with the rate per minute from first to last: whether the write path keeps
/// its speed as the table and its indexes outgrow memory.
public struct SustainedBench: LabRun {
    public static let command = CommandConfiguration(
        commandName: "sustained", abstract: "Pairs at the peak until the events table holds --rows rows; the rate minute by minute.")

    @Option(help: "Distinct events to store (each sent twice, once by each member of its pair).") var rows = 20_000_000
    @Option(help: "Connector pairs P streaming at once (2P data streams).") var pairs = 50
    @Option(name: .customLong("batch-size"), help: "Events per batch.") var batchSize = 200
    @Option(help: "Distinct events per pair generated and sent per round (the next round is generated meanwhile).")
    var round = 10_000
    @Option(
        name: .customLong("events-key"),
        help:
            "Rebuild the events primary key in this order first (\(EventsKeyOrder.allCases.map(\.rawValue).joined(separator: ", "))); default: the migrations' key."
    )
    var eventsKey: EventsKeyOrder?
    @Flag(
        name: .customLong("rekey-after"),
        help: "After the run, time rebuilding the primary key in the other order: what a migration between the two costs on this table.")
    var rekeyAfter = false
    @Option(help: "Seed of the generated events.") var seed: UInt64 = 1
    @Option(help: "Write the figures as JSON to FILE.") public var json: String?

    public init() {}

    public struct Figures: Codable, Sendable {
        var machine = ""
        var primaryKey = ""
        var pairs = 0
        var rowsSent = 0
        var rowsStored = 0
        var seconds = 0.0
        /// Distinct rows stored per second in each wall-clock minute of the run (the last one
        /// possibly partial), each round's rows spread evenly over the time it took.
        var rowsPerSecondByMinute: [Double] = []
        /// The last full minute's rate over the first's.
        var lastOverFirstMinute = 0.0
        var before = EventsTableFigures()
        var after = EventsTableFigures()
        /// Seconds to rebuild the key in the other order after the run (`--rekey-after`).
        var rekeySeconds: Double?
    }

    public func validate() throws {
        guard rows >= 1, pairs >= 1, batchSize >= 1, round >= 1 else {
            throw ValidationError("--rows, --pairs, --batch-size and --round must be at least 1")
        }
    }

    public func run(on lab: LabDatabase, logger: Logger) async throws -> Figures {
        try await ScratchDatabase.with(lab, logger: logger) { store, url, _ in
            try await measure(store, url: url, migrations: lab.migrationsDirectory)
        }
    }

    private func measure(_ store: TandemStore.Store, url: DatabaseURL, migrations: String?) async throws -> Figures {
        var figures = Figures()
        figures.machine = "\(ProcessInfo.processInfo.activeProcessorCount) cores, \(ProcessInfo.processInfo.physicalMemory >> 30) GiB"
        figures.pairs = pairs
        if let eventsKey { try await store.events.useKeyForBenchmark(eventsKey) }
        let (tenant, _) = try await store.tenants.create(name: try DisplayName("sustained", field: "name"))
        let server = try await ServerProcess.start(
            database: url, migrations: migrations,
            logFile: FileManager.default.temporaryDirectory.appendingPathComponent("tandem-bench-sustained.log"))
        defer { server.stop() }
        let connectors = try await LoadConnector.connectPairs(
            pairs, tenant: tenant.id, store: store, port: server.grpcPort, name: "sustained pair")
        defer {
            for (a, b) in connectors {
                a.close()
                b.close()
            }
        }
        figures.before = try await store.events.tableFigures()
        figures.primaryKey = figures.before.primaryKey
        say("events key: \(figures.primaryKey); \(rows) rows to store, \(pairs * round) per round")

        let rounds = (rows + pairs * round - 1) / (pairs * round)
        let batchesPerRound = UInt64((round + batchSize - 1) / batchSize)
        let clock = ContinuousClock()
        let started = clock.now
        var spans: [(from: Double, to: Double, rows: Int)] = []
        var load = GrowingLoad(pairs: pairs, perRound: round, rounds: rounds, seed: seed)
        // Unstructured on purpose: the next round is prepared while this one streams.
        var next = Task { [load] in
            var load = load
            return (load.next(), load)
        }
        for number in 0..<rounds {
            let wire: [[Tandem_V1_Event]]
            (wire, load) = await next.value
            if number + 1 < rounds {
                // Unstructured on purpose, as above.
                next = Task { [load] in
                    var load = load
                    return (load.next(), load)
                }
            }
            let from = (clock.now - started).inSeconds
            _ = try await PairStreams(
                wire, through: connectors, batchSize: batchSize, firstSequence: UInt64(number) * batchesPerRound + 1,
                seed: seed &+ UInt64(number)
            ).send(rate: nil, batchSize: batchSize)
            let to = (clock.now - started).inSeconds
            let distinct = wire.reduce(0) { $0 + $1.count }
            spans.append((from, to, distinct))
            figures.rowsSent += distinct
            say(
                "    round \(number + 1)/\(rounds): \(figures.rowsSent) rows at \(Int(to)) s, \(Int(Double(distinct) / (to - from))) rows/s"
            )
        }
        figures.seconds = (clock.now - started).inSeconds
        figures.rowsPerSecondByMinute = Self.perMinute(spans)
        let full = figures.rowsPerSecondByMinute.count > 2 ? figures.rowsPerSecondByMinute.dropLast() : figures.rowsPerSecondByMinute[...]
        if let first = full.first, let last = full.last, first > 0 { figures.lastOverFirstMinute = last / first }
        figures.rowsStored = try await store.events.countRows()
        figures.after = try await store.events.tableFigures()
        if rekeyAfter {
            let other: EventsKeyOrder = figures.primaryKey.contains("identity, device_time") ? .timeFirst : .identityFirst
            say("rebuilding the key as \(other.rawValue)…")
            let rebuilt = clock.now
            try await store.events.useKeyForBenchmark(other)
            figures.rekeySeconds = (clock.now - rebuilt).inSeconds
        }
        return figures
    }

    /// Rows per second in each minute from the start, each span's rows spread evenly over it.
    static func perMinute(_ spans: [(from: Double, to: Double, rows: Int)]) -> [Double] {
        guard let end = spans.map(\.to).max(), end > 0 else { return [] }
        var minutes = [Double](repeating: 0, count: Int((end / 60).rounded(.up)))
        for span in spans where span.to > span.from {
            for minute in Int(span.from / 60)..<min(minutes.count, Int((span.to / 60).rounded(.up))) {
                let overlap = min(span.to, Double(minute + 1) * 60) - max(span.from, Double(minute) * 60)
                if overlap > 0 { minutes[minute] += Double(span.rows) * overlap / (span.to - span.from) }
            }
        }
        return minutes.enumerated().map { minute, rows in rows / min(60, end - Double(minute) * 60) }
    }

    public func table(_ f: Figures) -> String {
        let minutes = f.rowsPerSecondByMinute.enumerated().map { "| minute \($0 + 1) | \(Int($1)) rows/s |" }.joined(separator: "\n")
        func mib(_ bytes: Int) -> String { "\(bytes >> 20) MiB" }
        return """

            machine: \(f.machine)
            events key: \(f.primaryKey)
            | measure | value |
            |---|---:|
            | rows stored | \(f.rowsStored) of \(f.rowsSent) distinct, \(f.pairs) pairs (each row sent twice) |
            | time | \(Int(f.seconds)) s, \(Int(Double(f.rowsSent) / max(f.seconds, 1e-9))) rows/s on average |
            \(minutes)
            | last full minute ÷ first | \(String(format: "%.2f", f.lastOverFirstMinute)) |
            | table after | \(mib(f.after.tableBytes)) |
            | primary-key indexes after | \(mib(f.after.primaryKeyBytes)) |
            | other indexes after | \(mib(f.after.otherIndexBytes)) |
            | checkpoints during the run | \(f.after.checkpoints - f.before.checkpoints) |
            \(f.rekeySeconds.map { "| the key rebuilt in the other order afterwards | \(Int($0)) s |" } ?? "")
            """
    }
}

extension EventsKeyOrder: ExpressibleByArgument {}

/// The sustained run's events: each pair's site generates `perRound` events a round, device
/// times one millisecond apart and increasing along the run (as time goes for a real site),
/// the last one about now.
private struct GrowingLoad: Sendable {
    private var generators: [EventGenerator]
    private let perRound: Int
    private var round = 0
    private let firstDeviceMicros: Int64

    init(pairs: Int, perRound: Int, rounds: Int, seed: UInt64) {
        generators = (0..<pairs).map { EventGenerator(seed: seed, site: $0, controllers: 4) }
        self.perRound = perRound
        firstDeviceMicros = Int64(Date().timeIntervalSince1970 * 1_000_000) - Int64(perRound * rounds) * 1_000
    }

    mutating func next() -> [[Tandem_V1_Event]] {
        defer { round += 1 }
        return generators.indices.map { pair in
            var events = generators[pair].next(perRound, now: Date())
            for index in events.indices {
                let number = Int64(round * perRound + index)
                events[index].deviceTimeMicros = firstDeviceMicros + number * 1_000
                events[index].receivedAtMicros = events[index].deviceTimeMicros
                events[index].connectorSequence = UInt64(number)
            }
            return events
        }
    }
}
