import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import TandemConnector
import TandemCore
import TandemStore
import Testing

/// Analyst logins over real PostgreSQL logins (SCRAM over the test cluster's socket): each sees
/// its own tenant's rows and nothing else, whatever it sets, and can't write or hurt ingest.
@Suite("Analyst access: per-tenant logins, fenced off from each other")
struct AnalystAccessTests {
    /// The views analysts read, with the column that names the tenant.
    static let views = ["analyst_events", "analyst_connectors", "analyst_ha_history", "analyst_pair_statistics"]
    /// Every base table, none of which an analyst may read.
    static let baseTables = [
        "events", "events_quarantine", "connectors", "ha_history", "pair_statistics", "tokens", "tenant_api_keys",
        "tenants", "analyst_logins", "ha_groups", "schema_migrations",
    ]

    /// Two tenants with real rows in every view: two connectors each (joined history), 20 events,
    /// pair statistics written by the pipeline.
    func seed(_ tandem: TandemHarness) async throws -> (a: TandemHarness.Site, b: TandemHarness.Site) {
        var sites: [TandemHarness.Site] = []
        for (index, name) in ["A", "B"].enumerated() {
            let site = try await tandem.site(name: name)
            let first = try await tandem.connect(site, ip: "10.0.\(index).1", instanceID: "\(name)-1")
            let second = try await tandem.connect(site, ip: "10.0.\(index).2", instanceID: "\(name)-2")
            let stream = DataStream.open(client: tandem.client, token: site.token, instanceID: "\(name)-1")
            #expect(try await stream.write(makeBatch(sequence: 1, events: 10 + index * 5)).stored == 10 + index * 5)
            stream.finish()
            first.kill()
            second.kill()
            sites.append(site)
        }
        await tandem.ingest.pipeline.writeStatistics()
        return (sites[0], sites[1])
    }

    func login(_ tandem: TandemHarness, role: String, password: String) async throws -> PostgresConnection {
        try await TestDatabase.analystSession(tandem.store, role: role, password: password)
    }

    func count(_ sql: String, on connection: PostgresConnection) async throws -> Int {
        var result = -1
        for try await value in try await connection.query(PostgresQuery(unsafeSQL: sql), logger: TestDatabase.logger).decode(Int.self) {
            result = value
        }
        return result
    }

    /// The SQLSTATE `sql` fails with on `connection`, or `nil` when it succeeds.
    func sqlState(_ sql: String, on connection: PostgresConnection) async -> String? {
        do {
            for try await _ in try await connection.query(PostgresQuery(unsafeSQL: sql), logger: TestDatabase.logger) {}
            return nil
        } catch let error as PSQLError {
            return error.serverInfo?[.sqlState] ?? "\(error.code)"
        } catch {
            return "\(error)"
        }
    }

    @Test("tenant A's analyst sees all of A's rows and none of B's on every view, whatever it sets (GUC, set_config, SET ROLE, RESET ROLE)")
    func isolationASessionCannotUndo() async throws {
        try await TandemHarness.run { tandem in
            let (a, b) = try await seed(tandem)
            let (analystA, passwordA) = try await tandem.store.analysts.create(tenant: a.tenant, name: try DisplayName("ana", field: "n"))
            let (analystB, _) = try await tandem.store.analysts.create(tenant: b.tenant, name: try DisplayName("bob", field: "n"))
            // What each view holds for A, read as Tandem itself.
            var expected: [String: Int] = [:]
            for view in Self.views {
                for try await value in try await tandem.store.database.client.query(
                    PostgresQuery(
                        unsafeSQL:
                            "SELECT count(*) FROM \(view.replacingOccurrences(of: "analyst_", with: "")) WHERE tenant_id = '\(a.tenant)'"
                    )
                ).decode(Int.self) { expected[view] = value }
                #expect(expected[view] ?? 0 > 0, "no rows of A in \(view): the scenario proves nothing")
            }
            let session = try await login(tandem, role: analystA.role, password: passwordA.revealed)
            let attempts = [
                "SELECT 1",
                "SET tandem.tenant_id = '\(b.tenant)'",
                "SELECT set_config('tandem.tenant_id', '\(b.tenant)', false)",
                "SET ROLE tandem_analyst",
                "RESET ROLE",
                "SET SESSION AUTHORIZATION DEFAULT",
            ]
            for attempt in attempts {
                _ = await sqlState(attempt, on: session)
                for view in Self.views {
                    #expect(try await count("SELECT count(*) FROM \(view)", on: session) == expected[view], "\(view) after \(attempt)")
                    #expect(
                        try await count("SELECT count(*) FROM \(view) WHERE tenant_id = '\(b.tenant)'", on: session) == 0,
                        "\(view) shows B after \(attempt)")
                }
            }
            // Another analyst's role is out of reach, and so is everyone's mapping but its own.
            #expect(await sqlState("SET ROLE \(analystB.role)", on: session) == "42501")
            #expect(try await count("SELECT count(*) FROM analyst_me", on: session) == 1)
            #expect(try await count("SELECT count(*) FROM analyst_me WHERE role_name = '\(analystB.role)'", on: session) == 0)
            try await session.close()
        }
    }

    @Test("an analyst reads no base table (tokens, key hashes, the role mapping, events) and writes nothing")
    func noBaseTablesNoWrites() async throws {
        try await TandemHarness.run { tandem in
            let (a, _) = try await seed(tandem)
            let (analyst, password) = try await tandem.store.analysts.create(tenant: a.tenant, name: try DisplayName("ana", field: "n"))
            let session = try await login(tandem, role: analyst.role, password: password.revealed)
            for table in Self.baseTables {
                #expect(await sqlState("SELECT * FROM \(table) LIMIT 1", on: session) == "42501", "\(table) is readable")
            }
            for write in [
                "DELETE FROM events", "UPDATE connectors SET hostname = 'x'", "INSERT INTO analyst_logins VALUES (gen_random_uuid())",
                "DELETE FROM analyst_events", "CREATE TABLE mine (tenant_id uuid)",
                "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'",
            ] {
                let state = await sqlState(write, on: session)
                #expect(state == "42501" || state == "25006", "\(write) answered \(state ?? "success")")
            }
            try await session.close()
        }
    }

    @Test("a wrong password is refused; a revoked analyst can't log in and its open session is ended")
    func revocation() async throws {
        try await TandemHarness.run { tandem in
            let (a, _) = try await seed(tandem)
            let (analyst, password) = try await tandem.store.analysts.create(tenant: a.tenant, name: try DisplayName("ana", field: "n"))
            await #expect(throws: PSQLError.self) { try await login(tandem, role: analyst.role, password: "tda_wrong") }
            let open = try await login(tandem, role: analyst.role, password: password.revealed)
            #expect(try await count("SELECT count(*) FROM analyst_me", on: open) == 1)
            let revoked = try #require(try await tandem.store.analysts.revoke(tenant: a.tenant, id: analyst.id))
            #expect(revoked.revokedAt != nil)
            // Its session is ended by the server (a statement written to it now might never be answered).
            try await eventually("the revoked analyst's open session to be ended") { open.isClosed }
            await #expect(throws: PSQLError.self) { try await login(tandem, role: analyst.role, password: password.revealed) }
            #expect(try await tandem.store.analysts.list(tenant: a.tenant).map(\.isActive) == [false])
        }
    }

    @Test("the statement timeout ends a long analyst query; one whose session raised its own timeout is cancelled by the node's guard")
    func statementLimits() async throws {
        try await TandemHarness.run { tandem in
            let (a, _) = try await seed(tandem)
            let limits = AnalystRepository.Limits(connections: 2, statementTimeout: .seconds(1))
            let (analyst, password) = try await tandem.store.analysts.create(
                tenant: a.tenant, name: try DisplayName("ana", field: "n"), limits: limits)
            let session = try await login(tandem, role: analyst.role, password: password.revealed)
            #expect(await sqlState("SELECT pg_sleep(5)", on: session) == "57014")

            try await session.query("SET statement_timeout = 0", logger: TestDatabase.logger)
            async let long = sqlState("SELECT pg_sleep(30)", on: session)
            try await eventually("the analyst's query to run past its limit", timeout: .seconds(10)) {
                try await tandem.store.analysts.cancelStatements(runningLongerThan: .seconds(1)) == 1
            }
            #expect(await long == "57014")
            // The connection limit holds: a third session is refused (the first two are open).
            let second = try await login(tandem, role: analyst.role, password: password.revealed)
            await #expect(throws: PSQLError.self) { try await login(tandem, role: analyst.role, password: password.revealed) }
            try await second.close()
            try await session.close()
        }
    }

    @Test(
        "POST/GET/DELETE /api/v1/analysts: created with a password shown once, listed without it; another tenant's key gets 404 as for a made-up id"
    )
    func api() async throws {
        try await TandemHarness.run { tandem in
            let (a, b) = try await seed(tandem)
            try await tandem.withAPI { api in
                let created = try await api.execute(
                    uri: "/api/v1/analysts", method: .post,
                    headers: [.authorization: "Bearer \(a.apiKey)", .contentType: "application/json"],
                    body: .init(string: #"{"name": "reporting"}"#)
                ) { response in
                    #expect(response.status == .created)
                    return try JSONDecoder.api.decode(IssuedAnalyst.self, from: Data(buffer: response.body))
                }
                #expect(created.tenantId == a.tenant && created.password.hasPrefix("tda_") && created.role.hasPrefix("tandem_analyst_"))
                let session = try await login(tandem, role: created.role, password: created.password)
                #expect(try await count("SELECT count(*) FROM analyst_events", on: session) == 10)
                try await session.close()

                try await api.execute(uri: "/api/v1/analysts", method: .get, headers: [.authorization: "Bearer \(a.apiKey)"]) { response in
                    let body = String(buffer: response.body)
                    #expect(response.status == .ok && body.contains(created.role) && !body.contains(created.password))
                }
                try await api.execute(uri: "/api/v1/analysts", method: .get, headers: [.authorization: "Bearer \(b.apiKey)"]) { response in
                    #expect(response.status == .ok && !String(buffer: response.body).contains(created.role))
                }
                for id in [created.id.description, AnalystID.random().description, "not-a-uuid"] {
                    try await api.execute(uri: "/api/v1/analysts/\(id)", method: .delete, headers: [.authorization: "Bearer \(b.apiKey)"]) {
                        response in
                        #expect(response.status == .notFound)
                        #expect(String(buffer: response.body).contains(#""code":"not_found""#))
                    }
                }
                try await api.execute(
                    uri: "/api/v1/analysts", method: .post,
                    headers: [.authorization: "Bearer \(a.apiKey)", .contentType: "application/json"], body: .init(string: "{}")
                ) { #expect($0.status == .badRequest) }
                try await api.execute(
                    uri: "/api/v1/analysts/\(created.id)", method: .delete, headers: [.authorization: "Bearer \(a.apiKey)"]
                ) { response in
                    #expect(response.status == .ok && String(buffer: response.body).contains(#""active":false"#))
                }
            }
        }
    }
}

extension JSONDecoder {
    /// Decodes the API's JSON (ISO 8601 dates).
    static var api: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
