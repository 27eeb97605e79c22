import Foundation
import Logging
import PostgresNIO
import TandemCore
import TandemSimulator
import TandemStore
import TandemWire

/// The data and SQL of `tandem-lab bench analyst`: a day partition filled in PostgreSQL itself
/// (generate_series, not the service: millions of rows in minutes), pair statistics for a
/// day, the analyst queries of docs/analysts.md, and the subject index they want.
struct AnalystBenchData {
    let client: PostgresClient
    let logger: Logger
    let connectors = (ConnectorID.random(), ConnectorID.random())

    /// The subject of client `number`, as the partition spells it: `f0:18:98:xx:xx:xx`.
    static func subject(_ number: Int) -> String {
        String(format: "f0:18:98:%02x:%02x:%02x", (number >> 16) & 255, (number >> 8) & 255, number & 255)
    }

    /// The three analyst queries of docs/analysts.md, the first over one hour starting at `hourStart`
    /// (docs/analysts.md writes `now() - interval '1 hour'`; a fixed hour of the filled day here).
    static func readmeQueries(subject: String, hourStart: Date) -> [(String, String)] {
        let hour = ISO8601DateFormatter().string(from: hourStart)
        return [
            (
                "client-hour",
                """
                SELECT device_time, kind, source_device, first_connector_id, convert_from(body, 'UTF8') AS body
                FROM analyst_events
                WHERE subject = '\(subject)' AND device_time >= '\(hour)' AND device_time < timestamptz '\(hour)' + interval '1 hour'
                ORDER BY device_time
                """
            ),
            (
                "duplicates-misses",
                """
                SELECT s.group_id, c.ip_address, c.hostname, sum(s.delivered) AS delivered,
                       sum(s.first_deliveries) AS first, sum(s.duplicates) AS duplicates, sum(s.missed) AS missed
                FROM analyst_pair_statistics s JOIN analyst_connectors c USING (connector_id)
                WHERE s.minute >= now() - interval '1 day'
                GROUP BY s.group_id, c.connector_id, c.ip_address, c.hostname ORDER BY missed DESC
                """
            ),
            (
                "copy-lag",
                """
                SELECT group_id, sum(lag_count) AS peer_copies,
                       tandem_lag_quantile_ms(tandem_sum_buckets(lag_buckets), 0.5)  AS p50_ms,
                       tandem_lag_quantile_ms(tandem_sum_buckets(lag_buckets), 0.99) AS p99_ms,
                       sum(lag_sum_ms)::float8 / nullif(sum(lag_count), 0) AS mean_ms
                FROM analyst_pair_statistics WHERE minute >= now() - interval '1 hour' GROUP BY group_id
                """
            ),
        ]
    }

    /// The heavy analyst query of the latency phase: every event row of the tenant, read whole.
    static let fullScan = "SELECT count(*), sum(length(body)), count(DISTINCT subject) FROM analyst_events"

    /// Fills `day` (its partition must exist) with `rows` events of `clients` clients, evenly
    /// spread over the day, in chunks of a million rows; the two bench connectors alternate.
    func fillDay(
        _ day: Date, rows: Int, clients: Int, tenant: TenantID, token: TokenID, progress: (Int) -> Void
    ) async throws {
        let dayMicros = Int64(day.timeIntervalSince1970 * 1_000_000)
        let step = max(1, 86_400_000_000 / Int64(max(1, rows)))
        let chunk = 1_000_000
        for from in stride(from: 0, to: rows, by: chunk) {
            let to = min(rows, from + chunk) - 1
            try await client.query(
                """
                INSERT INTO events (tenant_id, identity, device_time, source_device, channel, kind, subject, body,
                                    token_id, connector_id, received_at)
                SELECT \(tenant.rawValue), md5(i::text || '-bench')::uuid,
                       timestamptz 'epoch' + (\(dayMicros) + i * \(step)) * interval '1 microsecond',
                       '172.20.' || (i % 50) || '.1', 1, 1 + i % 6,
                       'f0:18:98:' || lpad(to_hex(((i % \(clients)) >> 16) & 255), 2, '0') || ':'
                                   || lpad(to_hex(((i % \(clients)) >> 8) & 255), 2, '0') || ':'
                                   || lpad(to_hex((i % \(clients)) & 255), 2, '0'),
                       convert_to('{"rssi":-' || (40 + i % 50) || ',"seq":' || i || '}', 'UTF8'),
                       \(token.rawValue), CASE WHEN i % 2 = 0 THEN \(connectors.0.rawValue) ELSE \(connectors.1.rawValue) END,
                       timestamptz 'epoch' + (\(dayMicros) + i * \(step) + 50000) * interval '1 microsecond'
                FROM generate_series(\(from), \(to)) AS i
                """, logger: logger)
            progress(to + 1)
        }
        try await client.query("ANALYZE events", logger: logger)
    }

    /// A day of pair statistics (both connectors, 5 sources as the product document's site has
    /// 5 controllers, every minute) and the two
    /// connectors' rows, so the statistics queries of docs/analysts.md join and add up real rows.
    func fillPairStatistics(tenant: TenantID, token: TokenID) async throws {
        for (number, connector) in [connectors.0, connectors.1].enumerated() {
            try await client.query(
                """
                INSERT INTO connectors (tenant_id, connector_id, token_id, instance_id, hostname, ip_address)
                VALUES (\(tenant.rawValue), \(connector.rawValue), \(token.rawValue), \("bench-\(number)"),
                        \("bench-\(number)"), \("10.0.0.\(number + 1)"))
                """, logger: logger)
        }
        try await client.query(
            """
            INSERT INTO pair_statistics (tenant_id, token_id, connector_id, source_device, channel, minute, delivered,
                                         first_deliveries, duplicates, missed, lag_buckets, lag_sum_ms)
            SELECT \(tenant.rawValue), \(token.rawValue), c, '172.20.' || s || '.1', 1,
                   date_trunc('minute', now()) - m * interval '1 minute', 100, 50, 50, (m % 97 = 0)::int,
                   ARRAY[5, 10, 20, 30, 20, 10, 3, 1, 1, 0, 0, 0, 0, 0]::bigint[], 900
            FROM unnest(ARRAY[\(connectors.0.rawValue), \(connectors.1.rawValue)]::uuid[]) AS c,
                 generate_series(0, 4) AS s, generate_series(0, 1439) AS m
            """, logger: logger)
        try await client.query("ANALYZE pair_statistics", logger: logger)
    }

    func dropSubjectIndex() async throws {
        try await client.query("DROP INDEX events_subject", logger: logger)
    }

    func createSubjectIndex() async throws {
        try await client.query("CREATE INDEX events_subject ON events (tenant_id, subject, device_time)", logger: logger)
    }

    /// Rows per second of the service's insert path (``EventStore/write(_:now:)``), fresh
    /// events of today in transactions of 4,000, as the pipeline's flushes write them.
    func insertRate(events: Int, store: TandemStore.Store, tenant: TenantID, token: TokenID, seed: UInt64) async throws -> Double {
        let wire = StoreBaselines.wireEvents(count: events, seed: seed)[0]
        let records = try wire.map {
            EventRecord(tenant: tenant, token: token, connector: connectors.0, event: try DeviceEvent($0))
        }
        let clock = ContinuousClock()
        let started = clock.now
        for start in stride(from: 0, to: records.count, by: 4_000) {
            _ = try await store.events.write(Array(records[start..<min(records.count, start + 4_000)]))
        }
        return Double(records.count) / (clock.now - started).inSeconds
    }

    /// Runs `body` with a running client for `url`.
    static func withClient<T: Sendable>(
        _ url: DatabaseURL, logger: Logger, _ body: @Sendable (PostgresClient) async throws -> T
    ) async throws -> T {
        try await Database.withRunning(url, logger: logger) { try await body($0.client) }
    }
}
