import Foundation
import PostgresNIO
import TandemCore
import TandemIngest
import TandemStore
import Testing

@Suite("Pair statistics: computed from the window, added up in PostgreSQL")
struct PairStatisticsTests {
    static func event(_ deviceTimeMicros: Int64, _ index: Int) -> DeviceEvent {
        DeviceEvent(
            channel: .controller, sourceDevice: "172.20.239.66", kind: .clientRSSI, deviceTimeMicros: deviceTimeMicros,
            subject: "aa:bb:cc:00:00:\(index)", body: Array("rssi-\(index)".utf8), receivedAtMicros: 0, connectorSequence: 0)
    }

    @Test("a member that drops one event its peer delivered is charged with one miss; its copies' lag reaches the table")
    func missAndLagThroughThePipeline() async throws {
        try await TestDatabase.withStore { store, _ in
            try await store.partitions.maintain()
            let (tenant, token) = try await TestDatabase.group(in: store)
            let (memberA, memberB) = (ConnectorID.random(), ConnectorID.random())
            let minute = PairStatistics.minute(of: Int64(Date().timeIntervalSince1970 * 1e6)) - 30 * PairStatistics.minuteMicros
            let events = (0..<10).map { Self.event(minute + Int64($0) * 1_000_000, $0) }
            func records(_ connector: ConnectorID, _ events: [DeviceEvent]) -> [EventRecord] {
                events.map { EventRecord(tenant: tenant.id, token: token.id, connector: connector, event: $0) }
            }
            let pipeline = EventPipeline(
                store: store.events, statistics: store.pairStatistics, configuration: .init(), logger: TestDatabase.logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await pipeline.run() }
                #expect(try await pipeline.submit(records(memberA, events)).allSatisfy { $0 == .stored })
                try await Task.sleep(for: .milliseconds(30))
                var fromB = events
                fromB.remove(at: 5)
                #expect(try await pipeline.submit(records(memberB, fromB)).allSatisfy { $0 == .duplicate })
                // Eleven minutes later in device time: the scenario's minute leaves the 10-minute window.
                _ = try await pipeline.submit(records(memberA, [Self.event(minute + 11 * PairStatistics.minuteMicros, 99)]))
                pipeline.stop()
                try await group.waitForAll()
            }
            let totals = try await store.pairStatistics.totals(tenant: tenant.id, group: token.id)
            let a = try #require(totals[memberA])
            let b = try #require(totals[memberB])
            #expect((a.delivered, a.firstDeliveries, a.duplicates, a.missed) == (11, 11, 0, 0))
            #expect((b.delivered, b.firstDeliveries, b.duplicates, b.missed) == (9, 0, 9, 1))
            #expect(b.lagBuckets.reduce(0, +) == 9)
            let lagBound = PairStatistics.lagBucketUpperBoundsMillis.firstIndex { $0 >= 25 }!
            #expect(b.lagBuckets[..<lagBound].reduce(0, +) == 0, "the 30 ms lag landed below 25 ms: \(b.lagBuckets)")

            var p50 = -1.0
            for try await value in try await store.database.client.query(
                """
                SELECT tandem_lag_quantile_ms(tandem_sum_buckets(lag_buckets), 0.5) FROM pair_statistics
                WHERE tenant_id = \(tenant.id.rawValue) AND connector_id = \(memberB.rawValue)
                """
            ).decode(Double.self) { p50 = value }
            // The function's rule, applied to the buckets read back: the smallest bound below
            // which half the lags lie (the bucket holding the median; 'Infinity' for overflow).
            let bounds = PairStatistics.lagBucketUpperBoundsMillis.map(Double.init) + [Double.infinity]
            var running: Int64 = 0
            let median = b.lagBuckets.indices.first { index in
                running += b.lagBuckets[index]
                return Double(running) >= 0.5 * Double(b.lagBuckets.reduce(0, +))
            }
            #expect(p50 == bounds[try #require(median)], "buckets \(b.lagBuckets)")
            #expect(p50 >= 25, "the lags were at least 30 ms: \(b.lagBuckets)")
        }
    }

    @Test("rows for the same line and minute add up; an analyst login of another tenant sees none of them")
    func rowsAddUpAndStayInTheirTenant() async throws {
        try await TestDatabase.withStore { store, _ in
            let (tenant, _) = try await store.tenants.create(name: try DisplayName("t", field: "n"))
            let (other, _) = try await store.tenants.create(name: try DisplayName("o", field: "n"))
            let group = TokenID.random()
            let line = DeliveryLine(
                tenant: tenant.id, group: group, connector: .random(), sourceDevice: "10.0.0.1'; DROP TABLE events; --",
                channel: .controller)
            var row = PairStatistics(line: line, minuteMicros: PairStatistics.minute(of: 1_700_000_000_000_000))
            row.delivered = 5
            row.missed = 2
            row.recordLag(millis: 7)
            try await store.pairStatistics.add([row])
            try await store.pairStatistics.add([row])
            let totals = try #require(try await store.pairStatistics.totals(tenant: tenant.id, group: group)[line.connector])
            #expect((totals.delivered, totals.missed, totals.lagBuckets.reduce(0, +)) == (10, 4, 2))

            var seen: [Int] = []
            for scope in [tenant.id, other.id] {
                let (analyst, password) = try await store.analysts.create(tenant: scope, name: try DisplayName("analyst", field: "n"))
                let session = try await TestDatabase.analystSession(store, role: analyst.role, password: password.revealed)
                for try await count in try await session.query(
                    "SELECT count(*) FROM analyst_pair_statistics", logger: TestDatabase.logger
                ).decode(Int.self) {
                    seen.append(count)
                }
                await #expect(throws: PSQLError.self) {
                    try await session.query("DELETE FROM pair_statistics", logger: TestDatabase.logger)
                }
                try await session.close()
            }
            #expect(seen == [1, 0])
        }
    }
}
