public import Foundation
public import Logging
import PostgresNIO

/// Keeps the daily partitions of `events`: creates them ahead (from the oldest retained day
/// to a few days in the future) and drops those older than the retention, along with the
/// pair statistics of those days.
public struct EventPartitions: Sendable {
    private let database: Database
    private let logger: Logger
    private let policy: EventStore.Policy
    /// Days created ahead of today (default 3).
    public let daysAhead: Int

    public init(database: Database, policy: EventStore.Policy, daysAhead: Int = 3, logger: Logger) {
        self.database = database
        self.policy = policy
        self.daysAhead = daysAhead
        self.logger = logger
    }

    /// Midnight UTC of the day containing `date`.
    public static func dayStart(containing date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 / 86_400).rounded(.down) * 86_400)
    }

    /// The partition name of the day starting at `day`: `events_pYYYYMMDD`.
    public static func name(of day: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: day)
        return String(format: "events_p%04d%02d%02d", parts.year!, parts.month!, parts.day!)
    }

    /// Creates the missing partitions of every day in the retention window and the days ahead,
    /// and drops partitions entirely older than the retention.
    /// - Returns: names created and dropped.
    @discardableResult
    ///
    /// Nodes of a cluster all maintain partitions (at start and every hour); one transaction
    /// under an advisory lock serialises them, so two never race on one `CREATE TABLE`.
    public func maintain(now: Date = Date()) async throws -> (created: [String], dropped: [String]) {
        let (created, dropped) = try await database.transaction(logger: logger) { connection in
            try await connection.statement("SELECT pg_advisory_xact_lock(\(Self.lockKey))", logger: logger)
            return try await maintain(now: now, on: connection)
        }
        return (created, dropped)
    }

    /// The advisory lock key of partition maintenance (`tandem_p` in ASCII).
    static let lockKey: Int64 = 0x7461_6E64_656D_5F70

    private func maintain(now: Date, on connection: DatabaseConnection) async throws -> (created: [String], dropped: [String]) {
        let today = Self.dayStart(containing: now)
        var existing = Set<String>()
        let rows = try await connection.statement(
            """
            SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'events'::regclass
            """, logger: logger)
        for try await name in rows.decode(String.self) { existing.insert(name) }

        var created: [String] = []
        for offset in -policy.retentionDays...daysAhead {
            let day = today.addingTimeInterval(Double(offset) * 86_400)
            let name = Self.name(of: day)
            guard !existing.contains(name) else { continue }
            let from = Self.timestamp(day)
            let to = Self.timestamp(day.addingTimeInterval(86_400))
            // Names and bounds are derived from dates, never from input.
            try await connection.statement(
                PostgresQuery(unsafeSQL: "CREATE TABLE IF NOT EXISTS \(name) PARTITION OF events FOR VALUES FROM ('\(from)') TO ('\(to)')"),
                logger: logger)
            created.append(name)
        }
        let oldestKept = Self.name(of: today.addingTimeInterval(-Double(policy.retentionDays) * 86_400))
        var dropped: [String] = []
        for name in existing.sorted() where name.hasPrefix("events_p") && name.count == 16 && name < oldestKept {
            try await connection.statement(PostgresQuery(unsafeSQL: "DROP TABLE IF EXISTS \(name)"), logger: logger)
            dropped.append(name)
        }
        let oldestDay = today.addingTimeInterval(-Double(policy.retentionDays) * 86_400)
        try await connection.statement(
            "DELETE FROM pair_statistics WHERE minute < \(oldestDay)", logger: logger)
        return (created, dropped)
    }

    private static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}
