import Logging
import PostgresNIO
import TandemStore

/// A throwaway database on the lab's server for one run: created, migrated, with today's
/// partitions, and dropped afterwards (also when the run fails). `body` also gets the
/// embedded cluster when the server is one (the chaos run restarts and stalls it).
enum ScratchDatabase {
    static func with<T: Sendable>(
        _ lab: LabDatabase, logger: Logger,
        _ body: @Sendable (TandemStore.Store, DatabaseURL, EmbeddedPostgres?) async throws -> T
    ) async throws -> T {
        try await lab.withServer(logger: logger) { server in
            try await with(server, migrations: lab.migrations, logger: logger, body)
        }
    }

    private static func with<T: Sendable>(
        _ server: LabDatabase.Server, migrations: [Migration], logger: Logger,
        _ body: @Sendable (TandemStore.Store, DatabaseURL, EmbeddedPostgres?) async throws -> T
    ) async throws -> T {
        let name = "tandem_bench_\(UInt32.random(in: 0...UInt32.max))"
        try await PostgresClient.withScoped(server.url.configuration, logger: logger) { admin in
            _ = try await admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        }
        let url = try DatabaseURL(urlWithDatabase: server.url, name)
        let result: Result<T, any Error>
        do {
            result = .success(
                try await PostgresClient.withScoped(url.configuration, logger: logger) { client in
                    let store = Store(client: client, migrations: migrations, logger: logger)
                    try await store.migrations.run()
                    try await store.partitions.maintain()
                    return try await body(store, url, server.embedded)
                })
        } catch {
            result = .failure(error)
        }
        try await PostgresClient.withScoped(server.url.configuration, logger: logger) { admin in
            _ = try await admin.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: logger)
        }
        return try result.get()
    }
}
