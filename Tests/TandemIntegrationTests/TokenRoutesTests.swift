import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import TandemCore
import TandemStore
import Testing

@Suite("Token routes: issue, list, revoke, authenticate, isolate tenants")
struct TokenRoutesTests {
    @Test("POST /api/v1/tokens returns 201 with the token once; GET lists it without the secret")
    func createAndList() async throws {
        try await withOperatorAPI { store, client in
            let (tenant, key) = try await store.tenants.create(name: try DisplayName("Acme", field: "name"))
            let created = try await client.send(
                .post, "/api/v1/tokens", apiKey: key.revealed, body: #"{"connectorName":"hq-pair","network":"wired"}"#)
            #expect(created.status == .created)
            let json = created.json
            #expect(json["tenantId"] as? String == tenant.id.description)
            #expect(json["connectorName"] as? String == "hq-pair")
            #expect(json["network"] as? String == "wired")
            #expect(json["createdAt"] is String)
            let secret = try #require(json["token"] as? String)
            #expect(secret.hasPrefix("tdt_") && secret.count >= 40)
            let id = try #require(json["id"] as? String)

            let listed = try await client.send(.get, "/api/v1/tokens", apiKey: key.revealed)
            #expect(listed.status == .ok)
            let text = String(buffer: listed.body)
            #expect(text.contains(id))
            #expect(!text.contains(secret))

            let authenticated = try await store.tokens.authenticate(secret: Secret(secret))
            #expect(authenticated?.id.description == id)
        }
    }

    @Test("network defaults to wireless when omitted")
    func networkDefaultsToWireless() async throws {
        try await withOperatorAPI { store, client in
            let (_, key) = try await store.tenants.create(name: try DisplayName("Acme", field: "name"))
            let created = try await client.send(.post, "/api/v1/tokens", apiKey: key.revealed, body: #"{"connectorName":"x"}"#)
            #expect(created.status == .created)
            #expect(created.json["network"] as? String == "wireless")
        }
    }

    @Test("only SHA-256 hashes of tokens and API keys are stored")
    func secretsStoredHashed() async throws {
        try await withOperatorAPI { store, client in
            let (tenant, key) = try await store.tenants.create(name: try DisplayName("Acme", field: "name"))
            let created = try await client.send(.post, "/api/v1/tokens", apiKey: key.revealed, body: #"{"connectorName":"a"}"#)
            let secret = try #require(created.json["token"] as? String)
            let rows = try await store.database.client.query(
                """
                SELECT (SELECT token_hash FROM tokens WHERE tenant_id = \(tenant.id.rawValue)),
                       (SELECT key_hash FROM tenant_api_keys WHERE tenant_id = \(tenant.id.rawValue)),
                       (SELECT count(*) FROM tokens t WHERE position(convert_to(\(secret), 'UTF8') IN t::text::bytea) > 0)
                """)
            for try await (tokenHash, keyHash, plaintextHits) in rows.decode((Data, Data, Int).self) {
                #expect(Array(tokenHash) == Array(SHA256.hash(data: Data(secret.utf8))))
                #expect(Array(keyHash) == Array(SHA256.hash(data: Data(key.revealed.utf8))))
                #expect(plaintextHits == 0)
            }
        }
    }

    @Test("DELETE revokes: the token stops authenticating and is listed as revoked")
    func revoke() async throws {
        try await withOperatorAPI { store, client in
            let (_, key) = try await store.tenants.create(name: try DisplayName("Acme", field: "name"))
            let created = try await client.send(.post, "/api/v1/tokens", apiKey: key.revealed, body: #"{"connectorName":"a"}"#)
            let id = try #require(created.json["id"] as? String)
            let secret = try #require(created.json["token"] as? String)
            let revoked = try await client.send(.delete, "/api/v1/tokens/\(id)", apiKey: key.revealed)
            #expect(revoked.status == .ok)
            #expect(revoked.json["active"] as? Bool == false)
            #expect(revoked.json["revokedAt"] is String)
            #expect(try await store.tokens.authenticate(secret: Secret(secret)) == nil)
        }
    }

    @Test(
        "missing, malformed, unknown and revoked API keys get 401 with a JSON error",
        arguments: ["none", "garbage", "unknown", "revoked"])
    func unauthorized(kind: String) async throws {
        try await withOperatorAPI { store, client in
            let (tenant, key) = try await store.tenants.create(name: try DisplayName("Acme", field: "name"))
            let apiKey: String?
            switch kind {
            case "none": apiKey = nil
            case "garbage": apiKey = "not a key"
            case "unknown": apiKey = Secret.generate(.apiKey).revealed
            default:
                try await store.database.client.query(
                    "UPDATE tenant_api_keys SET revoked_at = now() WHERE tenant_id = \(tenant.id.rawValue)")
                apiKey = key.revealed
            }
            for (method, uri) in [
                (HTTPRequest.Method.get, "/api/v1/tokens"), (.post, "/api/v1/tokens"),
                (.delete, "/api/v1/tokens/\(UUID())"),
            ] {
                let response = try await client.send(method, uri, apiKey: apiKey, body: method == .post ? "{}" : nil)
                #expect(response.status == .unauthorized, "\(method) \(uri) with \(kind) key")
                #expect(response.errorMessage.contains("API key"))
            }
        }
    }

    @Test(
        "bad bodies get 400 naming the field",
        arguments: [
            (#"{"connectorName":"a","network":"satellite"}"#, "network"),
            (#"{"connectorName":"","network":"wired"}"#, "connectorName"),
            (#"{"connectorName":"   "}"#, "connectorName"),
            ("{\"connectorName\":\"\(String(repeating: "n", count: 129))\"}", "connectorName"),
            // 128 characters to Swift, 129 code points to PostgreSQL's CHECK: refused before the database (was a 500).
            ("{\"connectorName\":\"\(String(repeating: "n", count: 127))e\u{0301}\"}", "connectorName"),
            (#"{"network":"wired"}"#, "connectorName"),
            (#"{"connectorName":42}"#, "connectorName"),
            (#"{"connectorName":"a\u0007b"}"#, "connectorName"),
        ])
    func badRequest(body: String, field: String) async throws {
        try await withOperatorAPI { store, client in
            let (_, key) = try await store.tenants.create(name: try DisplayName("Acme", field: "name"))
            let response = try await client.send(.post, "/api/v1/tokens", apiKey: key.revealed, body: body)
            #expect(response.status == .badRequest)
            #expect(response.errorField == field)
            #expect(response.errorMessage.hasPrefix(field))
        }
    }

    @Test(
        "invalid JSON gets 400, a wrong content type 415, an oversized body 413",
        arguments: [
            ("{not json", "application/json", 400), ("[1,2]", "application/json", 400), ("\u{FF}", "application/json", 400),
            (#"{"connectorName":"a"}"#, "text/plain", 415),
            ("{\"connectorName\":\"\(String(repeating: "x", count: 70_000))\"}", "application/json", 413),
        ])
    func malformedBody(body: String, contentType: String, status: Int) async throws {
        try await withOperatorAPI { store, client in
            let (_, key) = try await store.tenants.create(name: try DisplayName("Acme", field: "name"))
            let response = try await client.send(
                .post, "/api/v1/tokens", apiKey: key.revealed, body: body, contentType: contentType)
            #expect(response.status.code == status)
            #expect(!response.errorMessage.isEmpty)
        }
    }

    @Test(
        "an Accept without JSON gets 406 before anything is done (no token issued); one that takes JSON among others is served",
        arguments: [
            ("text/html", 406), ("application/json;q=0, text/html", 406), ("application/xml, text/*", 406),
            ("text/html, application/json;q=0.9", 201), ("garbage, application/json", 201), ("*/*", 201), ("application/*", 201),
        ])
    func acceptHeader(accept: String, status: Int) async throws {
        try await withOperatorAPI { store, client in
            let (tenant, key) = try await store.tenants.create(name: try DisplayName("Acme", field: "name"))
            let response = try await client.execute(
                uri: "/api/v1/tokens", method: .post,
                headers: [.authorization: "Bearer \(key.revealed)", .contentType: "application/json", .accept: accept],
                body: ByteBuffer(string: #"{"connectorName":"hq-pair"}"#))
            #expect(response.status.code == status)
            #expect(try await store.tokens.list(tenant: tenant.id).count == (status == 201 ? 1 : 0))
            if status == 406 { #expect(response.json["error"] != nil) }
        }
    }

    @Test("another tenant's token is 404 on show and revoke, absent from the list, and left unrevoked")
    func tenantIsolation() async throws {
        try await withOperatorAPI { store, client in
            let (_, keyA) = try await store.tenants.create(name: try DisplayName("A", field: "name"))
            let (_, keyB) = try await store.tenants.create(name: try DisplayName("B", field: "name"))
            let created = try await client.send(.post, "/api/v1/tokens", apiKey: keyA.revealed, body: #"{"connectorName":"a"}"#)
            let id = try #require(created.json["id"] as? String)
            let secret = try #require(created.json["token"] as? String)

            let shown = try await client.send(.get, "/api/v1/tokens/\(id)", apiKey: keyB.revealed)
            #expect(shown.status == .notFound)
            let revoked = try await client.send(.delete, "/api/v1/tokens/\(id)", apiKey: keyB.revealed)
            #expect(revoked.status == .notFound)
            let unknown = try await client.send(.delete, "/api/v1/tokens/\(UUID())", apiKey: keyB.revealed)
            #expect(revoked.errorMessage == unknown.errorMessage, "an existing id must look like an unknown one")
            let malformed = try await client.send(.delete, "/api/v1/tokens/..%2F..%2Fetc", apiKey: keyB.revealed)
            #expect(malformed.status == .notFound)
            let listed = try await client.send(.get, "/api/v1/tokens", apiKey: keyB.revealed)
            #expect(!String(buffer: listed.body).contains(id))
            #expect(try await store.tokens.authenticate(secret: Secret(secret)) != nil)
        }
    }

    @Test("/healthz answers and /readyz reports the schema current and whether commits are replicated")
    func health() async throws {
        try await withOperatorAPI { _, client in
            let health = try await client.send(.get, "/healthz", apiKey: nil)
            #expect(health.status == .ok)
            let ready = try await client.send(.get, "/readyz", apiKey: nil)
            #expect(ready.status == .ok)
            #expect(ready.json["status"] as? String == "ready")
            // The test cluster is one server: reported, not refused.
            let database = try #require(ready.json["database"] as? [String: Any])
            #expect(database["commitsSynchronous"] as? Bool == false)
            #expect((database["summary"] as? String)?.hasPrefix("single server") == true)
        }
    }

    @Test("/readyz reports the replication state the node's monitor read last instead of asking PostgreSQL on every check")
    func readyReportsTheMonitoredReplication() async throws {
        try await withOperatorAPI { store, client in
            // As the monitor would have recorded it on a Patroni primary (this test cluster is one server).
            store.latestReplication.record(
                DatabaseReplication(
                    synchronousCommit: "on", synchronousStandbyNames: "\"member-1\"", synchronousStandbys: 1, standbys: 2))
            let ready = try await client.send(.get, "/readyz", apiKey: nil)
            let database = try #require(ready.json["database"] as? [String: Any])
            #expect(database["commitsSynchronous"] as? Bool == true)
            #expect(database["standbys"] as? Int == 2)
        }
    }

    @Test("/readyz is 503 with the reason when migrations are pending")
    func notReadyWhenPending() async throws {
        try await TestDatabase.withStore(migrate: false) { store, _ in
            let reason = await store.readiness()
            #expect(!reason.ready)
            #expect(reason.reason?.contains("tandem migrate") == true)
        }
    }

    @Test(
        "a value PostgreSQL refuses reads as the API field it concerns, with its SQLSTATE: a CHECK on tokens.connector_name is connectorName, 23514"
    )
    func refusedValueNamesItsField() async throws {
        try await TestDatabase.withStore { store, _ in
            let (tenant, _) = try await store.tenants.create(name: try DisplayName("Acme", field: "name"))
            do {
                // What the API's validation keeps from the database, sent past it.
                let rows = try await store.database.client.query(
                    """
                    INSERT INTO tokens (tenant_id, token_id, connector_name, network, token_hash)
                    VALUES (\(tenant.id.rawValue), \(UUID()), '', 'wireless', \(Data(repeating: 1, count: 32)))
                    """)
                for try await _ in rows {}
                Issue.record("PostgreSQL took an empty connector name")
            } catch {
                let refusal = try #require(StoreError.refusedField(error))
                #expect(refusal.field == "connectorName")
                #expect(refusal.sqlState == "23514")
                #expect(StoreError.loggable(error) == "PostgreSQL server SQLSTATE 23514")
            }
        }
    }
}
