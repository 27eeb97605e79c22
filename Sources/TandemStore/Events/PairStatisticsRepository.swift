public import Foundation
public import Logging
import PostgresNIO
public import TandemCore

/// The pair analytics table: counts are added to what is there, one statement per flush.
public struct PairStatisticsRepository: Sendable {
    private let database: Database
    private let logger: Logger

    public init(database: Database, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    /// Adds `rows` to the table (one multi-row upsert).
    public func add(_ rows: [PairStatistics]) async throws {
        guard !rows.isEmpty else { return }
        // A stable order, so two instances adding overlapping rows lock them in the same order.
        // (Connector text computed once per row, not once per comparison.)
        let rows = rows.map { ($0.line.connector.description, $0) }.sorted {
            ($0.0, $0.1.line.sourceDevice, $0.1.line.channel.rawValue, $0.1.minuteMicros)
                < ($1.0, $1.1.line.sourceDevice, $1.1.line.channel.rawValue, $1.1.minuteMicros)
        }.map(\.1)
        var binds = PostgresBindings(capacity: 12)
        binds.append(rows.map(\.line.tenant.rawValue))
        binds.append(rows.map(\.line.group.rawValue))
        binds.append(rows.map(\.line.connector.rawValue))
        binds.append(rows.map(\.line.sourceDevice))
        binds.append(rows.map(\.line.channel.rawValue))
        binds.append(rows.map(\.minuteMicros))
        binds.append(rows.map(\.delivered))
        binds.append(rows.map(\.firstDeliveries))
        binds.append(rows.map(\.duplicates))
        binds.append(rows.map(\.missed))
        binds.append(rows.map { "{" + $0.lagBuckets.map(String.init).joined(separator: ",") + "}" })
        binds.append(rows.map(\.lagSumMillis))
        try await database.statement(
            PostgresQuery(
                unsafeSQL: """
                    INSERT INTO pair_statistics AS p (tenant_id, token_id, connector_id, source_device, channel, minute,
                                                      delivered, first_deliveries, duplicates, missed, lag_buckets, lag_sum_ms)
                    SELECT tenant, token, connector, source, channel, timestamptz 'epoch' + minute_us * interval '1 microsecond',
                           delivered, firsts, duplicates, missed, buckets::bigint[], lag_sum
                    FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::int2[], $6::int8[], $7::int8[],
                                $8::int8[], $9::int8[], $10::int8[], $11::text[], $12::int8[])
                         AS s(tenant, token, connector, source, channel, minute_us, delivered, firsts, duplicates, missed,
                              buckets, lag_sum)
                    ON CONFLICT (tenant_id, token_id, connector_id, source_device, channel, minute) DO UPDATE SET
                        delivered = p.delivered + excluded.delivered,
                        first_deliveries = p.first_deliveries + excluded.first_deliveries,
                        duplicates = p.duplicates + excluded.duplicates,
                        missed = p.missed + excluded.missed,
                        lag_buckets = tandem_add_buckets(p.lag_buckets, excluded.lag_buckets),
                        lag_sum_ms = p.lag_sum_ms + excluded.lag_sum_ms
                    """,
                binds: binds),
            logger: logger)
    }

    /// Totals per connector of `group` over the whole table (what the tests check; the dashboard reads ``recent(tenant:since:)``).
    public func totals(tenant: TenantID, group: TokenID) async throws -> [ConnectorID: PairTotals] {
        let rows = try await database.statement(
            """
            SELECT connector_id, sum(delivered)::int8, sum(first_deliveries)::int8, sum(duplicates)::int8,
                   sum(missed)::int8, coalesce(tandem_sum_buckets(lag_buckets), '{}')::int8[]
            FROM pair_statistics WHERE tenant_id = \(tenant.rawValue) AND token_id = \(group.rawValue)
            GROUP BY connector_id
            """, logger: logger)
        var totals: [ConnectorID: PairTotals] = [:]
        for try await (connector, delivered, firsts, duplicates, missed, buckets)
            in rows.decode((UUID, Int64, Int64, Int64, Int64, [Int64]).self)
        {
            totals[ConnectorID(connector)] = PairTotals(
                delivered: delivered, firstDeliveries: firsts, duplicates: duplicates, missed: missed, lagBuckets: buckets)
        }
        return totals
    }

    /// Per group, connector and minute since `since`: the series the dashboard charts; of one
    /// group only when `token` is given.
    public func recent(tenant: TenantID, since: Date, token: TokenID? = nil) async throws -> [PairMinute] {
        let rows = try await database.statement(
            """
            SELECT token_id, connector_id, minute, sum(delivered)::int8, sum(first_deliveries)::int8, sum(duplicates)::int8,
                   sum(missed)::int8, coalesce(tandem_sum_buckets(lag_buckets), '{}')::int8[]
            FROM pair_statistics WHERE tenant_id = \(tenant.rawValue) AND minute >= \(since)
              AND (\(token?.rawValue)::uuid IS NULL OR token_id = \(token?.rawValue)::uuid)
            GROUP BY token_id, connector_id, minute ORDER BY minute
            """, logger: logger)
        var minutes: [PairMinute] = []
        for try await (group, connector, minute, delivered, firsts, duplicates, missed, buckets)
            in rows.decode((UUID, UUID, Date, Int64, Int64, Int64, Int64, [Int64]).self)
        {
            minutes.append(
                PairMinute(
                    group: TokenID(group), connector: ConnectorID(connector), minute: minute,
                    totals: PairTotals(
                        delivered: delivered, firstDeliveries: firsts, duplicates: duplicates, missed: missed, lagBuckets: buckets)))
        }
        return minutes
    }
}
