import Foundation
import Logging
package import NIOCore
import PostgresNIO
import TandemCore

extension EventStore {
    /// The `COPY` text of `records`, prepared before the clock starts: the baseline measures
    /// the database, not string formatting.
    package static func copyText(_ records: [EventRecord]) -> [ByteBuffer] {
        var chunks: [ByteBuffer] = []
        var buffer = ByteBuffer()
        var seconds: [Int64: String] = [:]
        func timestamp(_ micros: Int64) -> String {
            let second = micros / 1_000_000
            let prefix =
                seconds[second]
                ?? {
                    let text = Self.secondText(second)
                    seconds[second] = text
                    return text
                }()
            let fraction = String(micros % 1_000_000)
            return prefix + "." + String(repeating: "0", count: 6 - fraction.count) + fraction + "+00"
        }
        for record in records {
            let event = record.event
            buffer.writeString(
                "\(record.tenant)\t\(record.identity)\t\(timestamp(event.deviceTimeMicros))\t\(event.sourceDevice)\t\(event.channel.rawValue)\t\(event.kind.rawValue)\t\(event.subject)\t\\\\x"
            )
            for byte in event.body {
                buffer.writeString(byte < 16 ? "0" + String(byte, radix: 16) : String(byte, radix: 16))
            }
            buffer.writeString("\t\(record.token)\t\(record.connector)\t\(timestamp(event.receivedAtMicros))\n")
            if buffer.readableBytes > 1 << 20 {
                chunks.append(buffer)
                buffer = ByteBuffer()
            }
        }
        if buffer.readableBytes > 0 { chunks.append(buffer) }
        return chunks
    }

    /// Baseline for the benchmark: a bare `COPY` of prepared rows (assumed unique) into
    /// `events`, the storage ceiling no idempotent path can beat.
    package func copyBaseline(_ chunks: [ByteBuffer]) async throws {
        try await database.withConnection { connection in
            try await connection.connection.copyFrom(
                table: "events",
                columns: [
                    "tenant_id", "identity", "device_time", "source_device", "channel", "kind", "subject", "body",
                    "token_id", "connector_id", "received_at",
                ],
                logger: logger
            ) { writer in
                for chunk in chunks { try await writer.write(chunk) }
            }
        }
    }

    /// Baseline for the benchmark: one `INSERT … ON CONFLICT DO NOTHING` statement per event.
    package func insertOneBaseline(_ record: EventRecord) async throws {
        let event = record.event
        try await database.statement(
            """
            INSERT INTO events (tenant_id, identity, device_time, source_device, channel, kind, subject, body,
                                token_id, connector_id, received_at)
            VALUES (\(record.tenant.rawValue), \(record.identity.key),
                    timestamptz 'epoch' + \(event.deviceTimeMicros) * interval '1 microsecond',
                    \(event.sourceDevice), \(event.channel.rawValue), \(event.kind.rawValue), \(event.subject),
                    \(ByteBuffer(bytes: event.body)), \(record.token.rawValue), \(record.connector.rawValue),
                    timestamptz 'epoch' + \(event.receivedAtMicros) * interval '1 microsecond')
            ON CONFLICT DO NOTHING
            """, logger: logger)
    }

    /// Empties the events table (benchmark databases only).
    package func truncateForBenchmark() async throws {
        try await database.statement("TRUNCATE events", logger: logger)
    }

    /// Rows in the events table.
    package func countRows() async throws -> Int {
        for try await count in try await database.statement("SELECT count(*) FROM events", logger: logger).decode(Int.self) {
            return count
        }
        return 0
    }

    /// Transactions committed in this database so far (`pg_stat_database.xact_commit`; the
    /// statistics lag by up to a second, what backends report when they go idle).
    package func committedTransactions() async throws -> Int {
        let rows = try await database.statement(
            "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()", logger: logger)
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }

    private static func secondText(_ second: Int64) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents(
            [.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: TimeInterval(second)))
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
    }
}

/// The order of the events table's primary-key columns, for `tandem-lab bench sustained`'s
/// comparison of the two on a growing table (the unique rule is the same either way).
package enum EventsKeyOrder: String, CaseIterable, Sendable {
    /// `(tenant_id, identity, device_time)`: a random identity first, so every insert lands on
    /// a random page of the index.
    case identityFirst = "identity-first"
    /// `(tenant_id, device_time, identity)`: inserts land near the index's end, as time goes.
    case timeFirst = "time-first"

    var columns: String {
        switch self {
        case .identityFirst: "tenant_id, identity, device_time"
        case .timeFirst: "tenant_id, device_time, identity"
        }
    }
}

/// What the events table holds and what it cost the server, for the sustained benchmark.
package struct EventsTableFigures: Sendable, Codable {
    /// Heap bytes of every partition.
    package var tableBytes = 0
    /// Bytes of the primary-key indexes of every partition.
    package var primaryKeyBytes = 0
    /// Bytes of the other indexes of every partition.
    package var otherIndexBytes = 0
    /// Checkpoints the server has done so far (timed and requested).
    package var checkpoints = 0
    /// The primary key's columns as PostgreSQL describes them.
    package var primaryKey = ""

    package init() {}

    init(tableBytes: Int, primaryKeyBytes: Int, otherIndexBytes: Int, checkpoints: Int, primaryKey: String) {
        (self.tableBytes, self.primaryKeyBytes, self.otherIndexBytes) = (tableBytes, primaryKeyBytes, otherIndexBytes)
        (self.checkpoints, self.primaryKey) = (checkpoints, primaryKey)
    }
}

extension EventStore {
    /// Rebuilds the (empty or not) events table's primary key with `order` (a benchmark's
    /// throwaway database; the migrations own the real key).
    package func useKeyForBenchmark(_ order: EventsKeyOrder) async throws {
        _ = try await database.withConnection { connection in
            // An index build on tens of millions of rows runs for minutes: no statement deadline.
            try await connection.statement(
                PostgresQuery(unsafeSQL: "ALTER TABLE events DROP CONSTRAINT events_pkey, ADD PRIMARY KEY (\(order.columns))"),
                logger: logger, deadline: nil)
        }
    }

    /// Sizes of the events table and its indexes over every partition, and the checkpoints.
    package func tableFigures() async throws -> EventsTableFigures {
        let rows = try await database.statement(
            """
            SELECT coalesce(sum(pg_table_size(i.inhrelid)), 0)::int8,
                   coalesce((SELECT sum(pg_relation_size(x.indexrelid)) FROM pg_index x JOIN pg_inherits p ON p.inhrelid = x.indrelid
                             WHERE p.inhparent = 'events'::regclass AND x.indisprimary), 0)::int8,
                   coalesce((SELECT sum(pg_relation_size(x.indexrelid)) FROM pg_index x JOIN pg_inherits p ON p.inhrelid = x.indrelid
                             WHERE p.inhparent = 'events'::regclass AND NOT x.indisprimary), 0)::int8,
                   (SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter)::int8,
                   (SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'events'::regclass AND contype = 'p')
            FROM pg_inherits i WHERE i.inhparent = 'events'::regclass
            """, logger: logger)
        for try await (table, primary, other, checkpoints, key) in rows.decode((Int, Int, Int, Int, String).self) {
            return EventsTableFigures(
                tableBytes: table, primaryKeyBytes: primary, otherIndexBytes: other, checkpoints: checkpoints, primaryKey: key)
        }
        return EventsTableFigures()
    }
}
