public import ArgumentParser
import Foundation
public import Logging
import TandemCore
import TandemIngest
import TandemSimulator
import TandemStore

/// `tandem-lab bench store`: the store path against its baselines, in one run, on a throwaway
/// database of the configured server, each phase on the same freshly emptied table.
public struct StoreBench: LabRun {
    public static let command = CommandConfiguration(
        commandName: "store",
        abstract: "COPY ceiling vs one INSERT per event vs Tandem's pipeline fed every event twice (no gRPC).")

    @Option(help: "Distinct events N (Tandem's path gets 2N copies).") var events = 200_000
    @Option(name: .customLong("naive-sample"), help: "Copies written one INSERT at a time (a sample: it is slow).")
    var naiveSample = 5_000
    @Option(help: "Concurrent streams feeding the pipeline.") var streams = 100
    @Option(name: .customLong("batch-size"), help: "Events per stream batch.") var batchSize = 200
    @Option(help: "Seed of the generated events.") var seed: UInt64 = 1
    @Option(help: "Pipeline writers (concurrent flushes).") var writers = EventPipeline.Configuration().writers
    @Option(name: .customLong("flush-events"), help: "Events per flush.")
    var flushEvents = EventPipeline.Configuration().maximumFlushEvents
    @Option(help: "Write the figures as JSON to FILE.") public var json: String?

    public init() {}

    public struct Figures: Codable, Sendable {
        var distinctEvents = 0
        var copyRowsPerSecond = 0.0
        var naiveRowsPerSecond = 0.0
        var tandemRawEventsPerSecond = 0.0
        var ratioVsCopy = 0.0
        var ratioVsNaive = 0.0
        var rowsStored = 0
        var windowKeys = 0
        var windowBytesPerKey = 0.0
    }

    public func run(on lab: LabDatabase, logger: Logger) async throws -> Figures {
        try await ScratchDatabase.with(lab, logger: logger) { store, _, _ in
            try await measure(store, logger: logger)
        }
    }

    public func table(_ figures: Figures) -> String {
        """

        | path | rows or events | per second |
        |---|---:|---:|
        | (a) COPY of N unique rows (ceiling) | \(figures.distinctEvents) | \(Int(figures.copyRowsPerSecond)) rows/s |
        | (b) one INSERT … ON CONFLICT per event | \(min(naiveSample, 2 * events)) | \(Int(figures.naiveRowsPerSecond)) rows/s |
        | (c) Tandem pipeline, every event twice | \(2 * events) | \(Int(figures.tandemRawEventsPerSecond)) raw events/s |

        (c)/(a) = \(String(format: "%.2f", figures.ratioVsCopy))   (c)/(b) = \(String(format: "%.1f", figures.ratioVsNaive))
        rows stored by (c): \(figures.rowsStored) of \(figures.distinctEvents) distinct
        dedup window: \(figures.windowKeys) keys, \(String(format: "%.1f", figures.windowBytesPerKey)) bytes/key
        """
    }

    private func measure(_ store: TandemStore.Store, logger: Logger) async throws -> Figures {
        let tenant = TenantID.random()
        let token = TokenID.random()
        let connectors = [ConnectorID.random(), ConnectorID.random()]
        let events = try StoreBaselines.events(count: self.events, seed: seed)
        var figures = Figures()
        figures.distinctEvents = events.count
        let baselines = StoreBaselines(store: store)
        let unique = events.map { EventRecord(tenant: tenant, token: token, connector: connectors[0], event: $0) }
        figures.copyRowsPerSecond = try await baselines.copyRowsPerSecond(unique)
        say("(a) COPY: \(Int(figures.copyRowsPerSecond)) rows/s")
        figures.naiveRowsPerSecond = try await baselines.naiveRowsPerSecond(unique, sample: naiveSample)
        say("(b) one INSERT per event: \(Int(figures.naiveRowsPerSecond)) rows/s")

        // (c) Tandem: every event twice (each member's copy), interleaved with jitter,
        // through many concurrent streams into the shared pipeline.
        var random = SplitMix64(seed: seed)
        var copies: [(DeviceEvent, Int)] = []
        copies.reserveCapacity(2 * events.count)
        for event in events {
            copies.append((event, 0))
            copies.append((event, 1))
            let back = copies.count - 1 - Int(random.next() % UInt64(min(copies.count, 2_000)))
            copies.swapAt(copies.count - 1, back)
        }
        let feed = copies
        var pipelineConfiguration = EventPipeline.Configuration()
        pipelineConfiguration.writers = writers
        pipelineConfiguration.maximumFlushEvents = flushEvents
        let pipeline = EventPipeline(
            store: store.events, statistics: store.pairStatistics, configuration: pipelineConfiguration, logger: logger)
        let streams = self.streams
        let batchSize = self.batchSize
        let clock = ContinuousClock()
        let started = clock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await pipeline.run() }
            try await withThrowingTaskGroup(of: Void.self) { senders in
                for stream in 0..<streams {
                    senders.addTask {
                        var batch: [EventRecord] = []
                        for index in stride(from: stream, to: feed.count, by: streams) {
                            let (event, member) = feed[index]
                            batch.append(EventRecord(tenant: tenant, token: token, connector: connectors[member], event: event))
                            if batch.count == batchSize {
                                _ = try await pipeline.submit(batch)
                                batch.removeAll(keepingCapacity: true)
                            }
                        }
                        if !batch.isEmpty { _ = try await pipeline.submit(batch) }
                    }
                }
                try await senders.waitForAll()
            }
            figures.tandemRawEventsPerSecond = Double(copies.count) / (clock.now - started).inSeconds
            let (keys, bytes) = pipeline.windowSize
            figures.windowKeys = keys
            figures.windowBytesPerKey = keys > 0 ? Double(bytes) / Double(keys) : 0
            pipeline.stop()
            try await group.waitForAll()
        }
        say("(c) Tandem: \(Int(figures.tandemRawEventsPerSecond)) raw events/s")
        figures.rowsStored = try await store.events.countRows()
        figures.ratioVsCopy = figures.tandemRawEventsPerSecond / figures.copyRowsPerSecond
        figures.ratioVsNaive = figures.tandemRawEventsPerSecond / figures.naiveRowsPerSecond
        return figures
    }
}
