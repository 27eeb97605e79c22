import Foundation
import PostgresNIO
import Prometheus
import TandemCore
import TandemIngest
import TandemStore
import Testing

/// The event write's plain insert and its fallback: a write that meets a stored event is
/// written again with `ON CONFLICT DO NOTHING`, and answers as if it had been from the start.
@Suite("Event store: a plain insert first, ON CONFLICT when it meets a stored event")
struct StoredEventConflictTests {
    /// `count` distinct events of one group, made once so a test can send the same ones again.
    static func records(_ tenant: TenantID, _ token: TokenID, _ count: Int) -> [EventRecord] {
        let now = Int64(Date().timeIntervalSince1970 * 1e6)
        return (0..<count).map { index in
            EventRecord(
                tenant: tenant, token: token, connector: ConnectorID.random(),
                event: DeviceEvent(
                    channel: .controller, sourceDevice: "10.0.0.1", kind: .clientRSSI, deviceTimeMicros: now - Int64(index),
                    subject: "aa:\(index)", body: [UInt8(index)], receivedAtMicros: now, connectorSequence: UInt64(index)))
        }
    }

    /// Runs `body` on a migrated store with today's partitions, a group, and `count` of its events.
    static func withEvents(
        _ count: Int, _ body: @Sendable (Store, TenantID, [EventRecord]) async throws -> Void
    ) async throws {
        try await TestDatabase.withStore { store, _ in
            try await store.partitions.maintain()
            let (tenant, token) = try await TestDatabase.group(in: store, name: "pair")
            try await body(store, tenant.id, records(tenant.id, token.id, count))
        }
    }

    static func rows(_ tenant: TenantID, in store: Store) async throws -> Int64 {
        let rows = try await store.database.client.query(
            "SELECT count(*)::int8 FROM events WHERE tenant_id = \(tenant.rawValue)", logger: TestDatabase.logger)
        var count: Int64 = -1
        for try await value in rows.decode(Int64.self) { count = value }
        return count
    }

    @Test("a write that meets stored events falls back once: new events stored, stored ones duplicate, every event one row")
    func fallbackAnswersAsOnConflict() async throws {
        try await Self.withEvents(3) { (store, tenant, records) async throws in
            let events = EventStore(database: store.database, conflictMemory: .zero, logger: TestDatabase.logger)
            let (a, b, c) = (records[0], records[1], records[2])

            #expect(try await events.write([a, b]) == [.stored, .stored])
            #expect(events.conflictFallbacks == 0, "nothing was stored yet: the plain insert went through")
            #expect(try await events.write([b, c, a]) == [.duplicate, .stored, .duplicate])
            #expect(events.conflictFallbacks == 1, "the plain insert met b and a, and the write went again")
            #expect(try await Self.rows(tenant, in: store) == 3)
        }
    }

    @Test(
        "after a conflict, writes use ON CONFLICT from the start for the store's conflict memory; with none, each write tries a plain insert first"
    )
    func conflictMemory() async throws {
        try await Self.withEvents(4) { (store, tenant, records) async throws in
            let remembering = EventStore(database: store.database, conflictMemory: .seconds(3_600), logger: TestDatabase.logger)
            let forgetting = EventStore(database: store.database, conflictMemory: .zero, logger: TestDatabase.logger)

            #expect(try await remembering.write([records[0]]) == [.stored])
            #expect(try await remembering.write([records[0]]) == [.duplicate])
            #expect(remembering.conflictFallbacks == 1)
            #expect(try await remembering.write([records[0], records[1]]) == [.duplicate, .stored])
            #expect(remembering.conflictFallbacks == 1, "within the memory the write checked for stored events at once")

            #expect(try await forgetting.write([records[1], records[2]]) == [.duplicate, .stored])
            #expect(try await forgetting.write([records[2], records[3]]) == [.duplicate, .stored])
            #expect(forgetting.conflictFallbacks == 2, "without memory, each write met its stored event and went again")
            #expect(try await Self.rows(tenant, in: store) == 4)
        }
    }

    @Test(
        "a pipeline whose write meets a stored event counts it in tandem_event_write_conflict_fallbacks_total, once per fallback; the events are answered as usual"
    )
    func fallbackIsCounted() async throws {
        try await Self.withEvents(3) { (store, tenant, records) async throws in
            // Another node stored the first event: this node's window does not know it.
            #expect(try await store.events.write([records[0]]) == [.stored])
            let registry = PrometheusCollectorRegistry()
            let metrics = IngestMetrics(factory: PrometheusMetricsFactory(registry: registry))
            metrics.startFixedSeries()
            func fallbacks() -> String? {
                var buffer: [UInt8] = []
                registry.emit(into: &buffer)
                return String(decoding: buffer, as: UTF8.self).split(separator: "\n")
                    .first { $0.hasPrefix("tandem_event_write_conflict_fallbacks_total ") }.map(String.init)
            }
            #expect(fallbacks() == "tandem_event_write_conflict_fallbacks_total 0", "the series exists at 0 from the start")
            let pipeline = EventPipeline(
                store: EventStore(database: store.database, conflictMemory: .zero, logger: TestDatabase.logger), statistics: nil,
                metrics: metrics, logger: TestDatabase.logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await pipeline.run() }
                #expect(try await pipeline.submit([records[0], records[1]]) == [.duplicate, .stored])
                #expect(try await pipeline.submit([records[2]]) == [.stored], "nothing stored met: no fallback")
                pipeline.stop()
                try await group.waitForAll()
            }
            #expect(fallbacks() == "tandem_event_write_conflict_fallbacks_total 1")
            #expect(try await Self.rows(tenant, in: store) == 3)
        }
    }
}
