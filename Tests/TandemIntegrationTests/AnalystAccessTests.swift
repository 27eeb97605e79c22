import Foundation
import PostgresNIO
import TandemCore
import TandemStore
import Testing

@Suite("Analyst access: read-only, one tenant at a time, no secrets")
struct AnalystAccessTests {
    @Test("an analyst scoped to tenant A reads A's events and zero rows of tenant B, and can't write or read hashes")
    func rowLevelSecurity() async throws {
        try await TestDatabase.withStore { store, _ in
            try await store.partitions.maintain()
            var tenants: [TenantID] = []
            for name in ["A", "B"] {
                let (tenant, _) = try await store.tenants.create(name: try DisplayName(name, field: "name"))
                let (token, _) = try await store.tokens.create(tenant: tenant.id, connectorName: try DisplayName(name, field: "n"), network: .wireless)
                let event = DeviceEvent(
                    channel: .controller, sourceDevice: "172.20.0.1", kind: .clientRSSI,
                    deviceTimeMicros: Int64(Date().timeIntervalSince1970 * 1e6), subject: "aa", body: Array(name.utf8),
                    receivedAtMicros: 0, connectorSequence: 0)
                _ = try await store.events.write([EventRecord(tenant: tenant.id, token: token.id, connector: .random(), event: event)])
                tenants.append(tenant.id)
            }
            let counts: (Int, Int, Int) = try await store.client.withConnection { connection in
                try await connection.query("SET ROLE tandem_analyst", logger: TestDatabase.logger)
                try await connection.query(
                    PostgresQuery(unsafeSQL: "SET tandem.tenant_id = '\(tenants[0])'"), logger: TestDatabase.logger)
                var own = 0, other = 0, unscoped = -1
                for try await count in try await connection.query(
                    "SELECT count(*) FROM analyst_events WHERE tenant_id = \(tenants[0].rawValue)", logger: TestDatabase.logger
                ).decode(Int.self) { own = count }
                for try await count in try await connection.query(
                    "SELECT count(*) FROM analyst_events WHERE tenant_id = \(tenants[1].rawValue)", logger: TestDatabase.logger
                ).decode(Int.self) { other = count }
                await #expect(throws: PSQLError.self) {
                    try await connection.query("DELETE FROM events", logger: TestDatabase.logger)
                }
                await #expect(throws: PSQLError.self) {
                    try await connection.query("SELECT token_hash FROM tokens", logger: TestDatabase.logger)
                }
                await #expect(throws: PSQLError.self) {
                    try await connection.query("SELECT key_hash FROM tenant_api_keys", logger: TestDatabase.logger)
                }
                try await connection.query("RESET tandem.tenant_id", logger: TestDatabase.logger)
                for try await count in try await connection.query("SELECT count(*) FROM events", logger: TestDatabase.logger)
                    .decode(Int.self) { unscoped = count }
                try await connection.query("RESET ROLE", logger: TestDatabase.logger)
                return (own, other, unscoped)
            }
            #expect(counts.0 == 1)
            #expect(counts.1 == 0)
            #expect(counts.2 == 0)
        }
    }
}
