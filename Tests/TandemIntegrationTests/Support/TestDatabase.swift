import Foundation
import Logging
import PostgresNIO
import TandemCore
import TandemStore
import Testing

/// The one place integration tests get PostgreSQL from: `TANDEM_TEST_DATABASE_URL`, which
/// `scripts/test` sets to a throwaway cluster it started. Each test gets a database of its own,
/// migrated, dropped afterwards, so tests run in parallel without seeing each other.
enum TestDatabase {
    static let logger = Logger(label: "tandem.tests")

    /// A tenant of its own with one wireless token (an HA group) named `name`, made through the
    /// repositories: what a store-level test writes events under.
    static func group(in store: Store, name: String = "g") async throws -> (tenant: Tenant, token: Token) {
        let (tenant, _) = try await store.tenants.create(name: try DisplayName("tenant of \(name)", field: "name"))
        let (token, _) = try await store.tokens.create(
            tenant: tenant.id, connectorName: try DisplayName(name, field: "name"), network: .wireless)
        return (tenant, token)
    }

    /// The repository's `Migrations/` directory.
    static var migrationsDirectory: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Migrations")
    }

    static func baseURL() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["TANDEM_TEST_DATABASE_URL"] else {
            Issue.record("TANDEM_TEST_DATABASE_URL is not set: run the suite with scripts/test, which starts PostgreSQL")
            throw CancellationError()
        }
        return url
    }

    /// Runs `body` with a fresh, empty database; `migrate` applies the migrations first.
    static func withStore<T: Sendable>(
        migrate: Bool = true, _ body: @Sendable (Store, DatabaseURL) async throws -> T
    ) async throws -> T {
        let base = try baseURL()
        let name = "tandem_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        _ = try await withClient(try DatabaseURL(base)) { admin in
            try await admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        }
        let url = try DatabaseURL(base.replacingOccurrences(of: "/postgres?", with: "/\(name)?"))
        do {
            let result = try await withClient(url) { client in
                let store = Store(client: client, migrations: try Migration.load(from: migrationsDirectory), logger: logger)
                if migrate { try await store.migrations.run() }
                return try await body(store, url)
            }
            try await drop(name, base: base)
            return result
        } catch {
            try? await drop(name, base: base)
            throw error
        }
    }

    /// Runs `body` with a running client for `url` (a pool of at most `maximumConnections`).
    static func withClient<T: Sendable>(
        _ url: DatabaseURL, maximumConnections: Int? = nil, _ body: @Sendable (PostgresClient) async throws -> T
    ) async throws -> T {
        var configuration = url.configuration
        if let maximumConnections {
            configuration.options.maximumConnections = maximumConnections
            configuration.options.minimumConnections = 0
        }
        return try await PostgresClient.withScoped(configuration, logger: logger, body)
    }

    private static func drop(_ name: String, base: String) async throws {
        _ = try await withClient(try DatabaseURL(base)) { admin in
            try await admin.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: logger)
        }
    }
}
