public import Foundation
public import Logging
import NIOCore
package import PostgresNIO
import TandemCore

/// Writes events to the partitioned `events` table, exactly once per identity.
///
/// One write is one transaction of at most two statements (events, quarantine), each a
/// multi-row `INSERT … SELECT FROM unnest(…)`: never one statement per event. The events
/// statement is a plain insert unless a write met a stored event lately, and written again
/// with `ON CONFLICT DO NOTHING` when it meets one (``RecentConflicts``); the quarantine
/// statement always has `ON CONFLICT DO NOTHING`. An identity has one home: once in `events_quarantine` (a copy came while its device
/// time was out of range), later copies are not stored in `events`, and once in `events`, a
/// later copy is not quarantined; such a copy is answered `duplicate`. The unique key `(tenant_id, identity, device_time)` decides what is new, so resends,
/// late copies and writes from several service instances all end as one row.
public struct EventStore: Sendable {
    /// Which device times are stored; others are quarantined.
    public struct Policy: Sendable {
        /// Days of events kept; older partitions are dropped (default 30).
        public var retentionDays: Int = 30
        /// How far in the future a device time may be (default 1 day).
        public var futureTolerance: TimeInterval = 86_400

        public init(retentionDays: Int = 30, futureTolerance: TimeInterval = 86_400) {
            self.retentionDays = retentionDays
            self.futureTolerance = futureTolerance
        }
    }

    let database: Database
    let logger: Logger
    public let policy: Policy
    private let conflicts: RecentConflicts

    /// Creates a store over `database`. For `conflictMemory` after a write meets a stored
    /// event, writes check for stored events from the start (``RecentConflicts``).
    public init(database: Database, policy: Policy = .init(), conflictMemory: Duration = .seconds(2), logger: Logger) {
        self.database = database
        self.policy = policy
        self.logger = logger
        self.conflicts = RecentConflicts(interval: conflictMemory)
    }

    /// Writes that met a stored event in their plain insert and were written again with
    /// `ON CONFLICT DO NOTHING`, since this store was made.
    public var conflictFallbacks: Int { conflicts.fallbackCount }

    /// The device times the events table accepts at `now`: from the start of the oldest
    /// retained day to `futureTolerance` ahead. Computed once per write, not per event.
    public func acceptedDeviceTimes(now: Date = Date()) -> ClosedRange<Int64> {
        let future = Int64(now.timeIntervalSince1970 * 1_000_000) + Int64(policy.futureTolerance * 1_000_000)
        let oldest = EventPartitions.dayStart(containing: now.addingTimeInterval(-Double(policy.retentionDays) * 86_400))
        return Int64(oldest.timeIntervalSince1970 * 1_000_000)...future
    }

    /// Why a device time outside `accepted` can't go to the events table.
    private func quarantineReason(_ deviceTimeMicros: Int64, accepted: ClosedRange<Int64>) -> String? {
        if deviceTimeMicros > accepted.upperBound { return "device time more than \(Int(policy.futureTolerance)) s in the future" }
        if deviceTimeMicros < accepted.lowerBound { return "device time older than the \(policy.retentionDays)-day retention" }
        return nil
    }

    /// Stores `records`, durably, before returning.
    /// - Returns: the outcome of each record, in order.
    /// - Throws: ``StoreError`` with code `rejected` when PostgreSQL refuses the data itself
    ///   (nothing was stored; retrying the same records fails again), or the error of the
    ///   connection or statement otherwise (nothing was stored; a retry may succeed).
    public func write(_ records: [EventRecord], now: Date = Date()) async throws -> [EventOutcome] {
        var outcomes = [EventOutcome](repeating: .duplicate, count: records.count)
        var first: [EventIdentity: Int] = [:]
        var fresh: [Int] = []
        var quarantine: [(Int, String)] = []
        let accepted = acceptedDeviceTimes(now: now)
        for (index, record) in records.enumerated() {
            if let reason = quarantineReason(record.event.deviceTimeMicros, accepted: accepted) {
                quarantine.append((index, reason))
                outcomes[index] = .quarantined
            } else if first[record.identity] == nil {
                first[record.identity] = index
                fresh.append(index)
            }
        }
        if fresh.isEmpty && quarantine.isEmpty { return outcomes }
        // Rows go in identity order, so concurrent writes of overlapping copies (both members
        // of a pair) take their index locks in the same order and can't deadlock each other.
        fresh.sort { records[$0].identity < records[$1].identity }
        let inserted = try await insertRetrying(fresh: fresh.map { records[$0] }, quarantine: quarantine.map { (records[$0.0], $0.1) })
        for index in fresh where inserted.contains(records[index].identity.key) { outcomes[index] = .stored }
        return outcomes
    }

    /// Inserts in one transaction; a deadlock or serialization failure (which the database
    /// resolves by aborting one side) is retried, since the write is idempotent, and so is a
    /// plain insert that met a stored event, with `ON CONFLICT DO NOTHING` this time.
    private func insertRetrying(fresh: [EventRecord], quarantine: [(EventRecord, String)]) async throws -> Set<UUID> {
        var attempt = 0
        var skipsStored = conflicts.expected
        while true {
            do {
                return try await insert(fresh: fresh, quarantine: quarantine, skippingStored: skipsStored)
            } catch let error as PSQLError where !skipsStored && error.serverInfo?[.sqlState] == "23505" {
                conflicts.noteConflict()
                skipsStored = true
            } catch  where StoreError.isDataRefusal(error) {
                throw StoreError.rejected(error, "the events")
            } catch let error as PSQLError
                where attempt < 5
                && ["40P01", "40001"].contains(error.serverInfo?[.sqlState] ?? "")
            {
                attempt += 1
                logger.debug("event write retried after a transient conflict", metadata: [LogKey.attempt: "\(attempt)"])
            }
        }
    }

    /// Always in an explicit transaction, even when it is one statement: what is acked must be
    /// committed, and only a COMMIT's answer says so (see ``Database/statement(_:logger:)``).
    private func insert(fresh: [EventRecord], quarantine: [(EventRecord, String)], skippingStored: Bool) async throws -> Set<UUID> {
        try await database.transaction(logger: logger) { connection in
            var inserted = Set<UUID>()
            if !fresh.isEmpty {
                let rows = try await connection.statement(Self.insertEvents(fresh, skippingStored: skippingStored), logger: logger)
                for try await key in rows.decode(UUID.self) { inserted.insert(key) }
            }
            if !quarantine.isEmpty {
                try await connection.statement(Self.insertQuarantine(quarantine), logger: logger)
            }
            return inserted
        }
    }

    /// The ten array binds both inserts share, in column order: tenant, identity, device time
    /// (µs), source, channel, kind, subject, body, token, connector.
    private static func eventBinds(_ records: [EventRecord], extra: Int) -> PostgresBindings {
        let n = records.count
        func column(_ element: PostgresDataType, _ array: PostgresDataType, _ bytesPerElement: Int) -> ColumnArray {
            ColumnArray(of: element, arrayType: array, reservingBytes: n * (4 + bytesPerElement))
        }
        var tenant = column(.uuid, .uuidArray, 16)
        var identity = column(.uuid, .uuidArray, 16)
        var deviceTime = column(.int8, .int8Array, 8)
        var source = column(.text, .textArray, 16)
        var channel = column(.int2, .int2Array, 2)
        var kind = column(.int2, .int2Array, 2)
        var subject = column(.text, .textArray, 24)
        // Sized from every body, not estimated from one: a connector chooses body sizes (up to
        // 64 KiB each), so one large first body must not reserve that much for every row.
        var body = ColumnArray(of: .bytea, arrayType: .byteaArray, reservingBytes: records.reduce(0) { $0 + 4 + $1.event.body.count })
        var token = column(.uuid, .uuidArray, 16)
        var connector = column(.uuid, .uuidArray, 16)
        for record in records {
            tenant.append(record.tenant.rawValue)
            identity.append(record.identity.key)
            deviceTime.append(record.event.deviceTimeMicros)
            source.append(record.event.sourceDevice)
            channel.append(record.event.channel.rawValue)
            kind.append(record.event.kind.rawValue)
            subject.append(record.event.subject)
            body.append(record.event.body)
            token.append(record.token.rawValue)
            connector.append(record.connector.rawValue)
        }
        var binds = PostgresBindings(capacity: 10 + extra)
        for column in [tenant, identity, deviceTime, source, channel, kind, subject, body, token, connector] {
            binds.append(column)
        }
        return binds
    }

    /// The insert of `records` with its binds encoded: what a flush sends (package-visible for
    /// the CPU measure of the write path, `tandem-cpu-per-event`, which runs without a database).
    /// `skippingStored`: with `ON CONFLICT DO NOTHING`; without, a stored event fails the
    /// statement with SQLSTATE 23505.
    package static func insertEvents(_ records: [EventRecord], skippingStored: Bool = true) -> PostgresQuery {
        var binds = eventBinds(records, extra: 1)
        binds.append(ColumnArray(int64: records.map(\.event.receivedAtMicros)))
        return PostgresQuery(
            unsafeSQL: """
                INSERT INTO events (tenant_id, identity, device_time, source_device, channel, kind, subject, body,
                                    token_id, connector_id, received_at)
                SELECT tenant, identity, timestamptz 'epoch' + device_us * interval '1 microsecond', source, channel,
                       kind, subject, body, token, connector, timestamptz 'epoch' + received_us * interval '1 microsecond'
                FROM unnest($1::uuid[], $2::uuid[], $3::int8[], $4::text[], $5::int2[], $6::int2[], $7::text[],
                            $8::bytea[], $9::uuid[], $10::uuid[], $11::int8[])
                     AS e(tenant, identity, device_us, source, channel, kind, subject, body, token, connector, received_us)
                -- One home per identity: an event already quarantined (a copy came while its
                -- time was out of range) stays there.
                WHERE NOT EXISTS (SELECT 1 FROM events_quarantine q WHERE q.tenant_id = e.tenant AND q.identity = e.identity)
                \(skippingStored ? "ON CONFLICT DO NOTHING" : "")
                RETURNING identity
                """,
            binds: binds)
    }

    private static func insertQuarantine(_ items: [(EventRecord, String)]) -> PostgresQuery {
        var binds = eventBinds(items.map(\.0), extra: 2)
        binds.append(items.map(\.1))
        binds.append(ColumnArray(int64: items.map(\.0.event.receivedAtMicros)))
        return PostgresQuery(
            unsafeSQL: """
                INSERT INTO events_quarantine (tenant_id, identity, device_time_us, source_device, channel, kind, subject,
                                               body, token_id, connector_id, reason, received_at)
                SELECT tenant, identity, device_us, source, channel, kind, subject, body, token, connector, reason,
                       timestamptz 'epoch' + received_us * interval '1 microsecond'
                FROM unnest($1::uuid[], $2::uuid[], $3::int8[], $4::text[], $5::int2[], $6::int2[], $7::text[],
                            $8::bytea[], $9::uuid[], $10::uuid[], $11::text[], $12::int8[])
                     AS q(tenant, identity, device_us, source, channel, kind, subject, body, token, connector, reason, received_us)
                -- One home per identity: an event stored while its time was in range stays in events.
                WHERE NOT EXISTS (
                    SELECT 1 FROM events e WHERE e.tenant_id = q.tenant AND e.identity = q.identity
                      AND e.device_time = timestamptz 'epoch' + q.device_us * interval '1 microsecond')
                ON CONFLICT DO NOTHING
                """,
            binds: binds)
    }
}
