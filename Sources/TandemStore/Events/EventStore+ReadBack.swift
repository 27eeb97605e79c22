import Foundation
import Logging
import PostgresNIO
public import TandemCore

extension EventStore {
    /// A stored event as the verification of a simulation compares it.
    public struct StoredKey: Sendable, Hashable {
        public let sourceDevice: String
        public let kind: Int16
        public let deviceTimeMicros: Int64
        public let subject: String
        public let body: [UInt8]
    }

    /// Every event stored for `tenant` whose first copy came through one of `tokens`, with how
    /// many rows each identity has (always 1 unless something is badly wrong).
    public func storedKeys(tenant: TenantID, tokens: [TokenID]) async throws -> [(key: StoredKey, rows: Int)] {
        let rows = try await database.statement(
            """
            SELECT source_device, kind, (EXTRACT(EPOCH FROM device_time) * 1000000)::int8, subject, body, count(*)::int8
            FROM events WHERE tenant_id = \(tenant.rawValue) AND token_id = ANY(\(tokens.map(\.rawValue)))
            GROUP BY identity, source_device, kind, device_time, subject, body
            """, logger: logger)
        var keys: [(StoredKey, Int)] = []
        for try await (source, kind, micros, subject, body, count) in rows.decode((String, Int16, Int64, String, Data, Int64).self) {
            keys.append(
                (StoredKey(sourceDevice: source, kind: kind, deviceTimeMicros: micros, subject: subject, body: Array(body)), Int(count)))
        }
        return keys
    }
}
