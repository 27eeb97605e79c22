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

    /// Runs `body` with a fresh, empty database (a ``TandemStore/ScratchDatabase``); `migrate`
    /// applies the migrations first.
    static func withStore<T: Sendable>(
        migrate: Bool = true, _ body: @Sendable (Store, DatabaseURL) async throws -> T
    ) async throws -> T {
        try await ScratchDatabase.with(on: try DatabaseURL(try baseURL()), prefix: "tandem_test_", logger: logger) { url in
            try await withDatabase(url) { database in
                let store = Store(database: database, migrations: try Migration.load(from: migrationsDirectory), logger: logger)
                if migrate { try await store.migrations.run() }
                return try await body(store, url)
            }
        }
    }

    /// Runs `body` with a running database for `url` (a pool of at most `maximumConnections`).
    static func withDatabase<T: Sendable>(
        _ url: DatabaseURL, maximumConnections: Int? = nil, _ body: @Sendable (Database) async throws -> T
    ) async throws -> T {
        var options = Database.Options.scoped
        options.maximumConnections = maximumConnections
        return try await Database.withRunning(url, options: options, logger: logger, body)
    }
}
