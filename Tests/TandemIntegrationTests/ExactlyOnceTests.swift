import Foundation
import PostgresNIO
import TandemCore
import TandemIngest
import TandemSimulator
import TandemStore
import Testing

@Suite("Exactly once: seeded pair streams through the pipeline into PostgreSQL")
struct ExactlyOnceTests {
    /// One generated scenario: the events, and what each connector sends (in order, with resends).
    struct Scenario {
        var distinct: [DeviceEvent] = []
        var sends: [[DeviceEvent]] = [[], []]
    }

    static func scenario(seed: UInt64, events: Int, channelSplit: Bool) -> Scenario {
        var random = SplitMix64(seed: seed)
        var scenario = Scenario()
        let midnight = (Int64(Date().timeIntervalSince1970) / 86_400) * 86_400 * 1_000_000
        for index in 0..<events {
            // Device times straddle today's midnight UTC: the copies land in two partitions.
            let time = midnight - 30_000_000 + Int64(random.next() % 60_000_000)
            let channel: EventChannel = index % 3 == 0 ? .accessPoint : .controller
            scenario.distinct.append(
                DeviceEvent(
                    channel: channel, sourceDevice: channel == .controller ? "172.20.0.\(index % 3)" : "70:db:98:00:00:\(index % 7)",
                    kind: channel == .controller ? .clientRSSI : .bleTelemetry, deviceTimeMicros: time,
                    subject: "client-\(random.next() % 50)", body: Array("payload-\(index)".utf8), receivedAtMicros: 0,
                    connectorSequence: 0))
        }
        for connector in 0..<2 {
            var copies = scenario.distinct.filter { event in
                guard channelSplit else { return true }
                return (event.channel == .controller) == (connector == 0)
            }
            copies.removeAll { _ in random.next() % 100 < 5 }  // drops
            copies += copies.filter { _ in random.next() % 100 < 10 }  // resends after "reconnects"
            for index in copies.indices.reversed() {  // reordering, delays
                copies.swapAt(index, Int(random.next() % UInt64(index + 1)))
                copies[index].receivedAtMicros = Int64(random.next() % 1_000_000)
                copies[index].connectorSequence = UInt64(index)
            }
            scenario.sends[connector] = copies
        }
        return scenario
    }

    @Test(
        "stored set equals the distinct delivered events, for every seed, with a service restart midway",
        arguments: [(1 as UInt64, false), (2, false), (3, true), (4, false), (5, true)])
    func exactlyOnce(seed: UInt64, channelSplit: Bool) async throws {
        try await TestDatabase.withStore { store, _ in
            try await store.partitions.maintain()
            let (tenant, token) = try await TestDatabase.group(in: store, name: "p")
            let scenario = Self.scenario(seed: seed, events: 3_000, channelSplit: channelSplit)
            let connectors = [ConnectorID.random(), ConnectorID.random()]
            var configuration = EventPipeline.Configuration()
            // A window far smaller than the spread of the copies: correctness must not depend on it.
            configuration.window = .init(windowMicros: 2_000_000, segments: 2, capacity: 300)
            configuration.maximumFlushEvents = 500

            // Two pipeline lifetimes: the second starts with an empty window, like a restart.
            var storedOutcomes = 0
            for half in 0..<2 {
                let pipeline = EventPipeline(
                    store: store.events, statistics: store.pairStatistics, configuration: configuration, logger: TestDatabase.logger)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await pipeline.run() }
                    storedOutcomes += try await withThrowingTaskGroup(of: Int.self) { senders in
                        for connector in 0..<2 {
                            let copies = scenario.sends[connector]
                            let part = half == 0 ? copies[..<(copies.count / 2)] : copies[(copies.count / 2)...]
                            senders.addTask {
                                var stored = 0
                                for chunk in stride(from: part.startIndex, to: part.endIndex, by: 97) {
                                    let batch = part[chunk..<min(chunk + 97, part.endIndex)].map {
                                        EventRecord(tenant: tenant.id, token: token.id, connector: connectors[connector], event: $0)
                                    }
                                    let outcomes = try await pipeline.submit(batch)
                                    #expect(outcomes.count == batch.count)
                                    #expect(outcomes.allSatisfy { $0 == .stored || $0 == .duplicate }, "\(outcomes)")
                                    stored += outcomes.filter { $0 == .stored }.count
                                }
                                return stored
                            }
                        }
                        return try await senders.reduce(0, +)
                    }
                    pipeline.stop()
                    try await group.waitForAll()
                }
            }
            let delivered = Set((scenario.sends[0] + scenario.sends[1]).map { EventIdentity(tenant: tenant.id, event: $0) })
            var stored: [UUID] = []
            for try await key in try await store.database.client.query(
                "SELECT identity FROM events WHERE tenant_id = \(tenant.id.rawValue)"
            ).decode(UUID.self) { stored.append(key) }
            #expect(stored.count == Set(stored).count, "an identity stored twice")
            #expect(Set(stored) == Set(delivered.map(\.key)), "stored set differs from the delivered set")
            // Each distinct event was answered "stored" to exactly one of its copies.
            #expect(storedOutcomes == delivered.count, "\(storedOutcomes) copies answered stored for \(delivered.count) events")
            #expect(delivered.count > 2_500)
        }
    }
}
