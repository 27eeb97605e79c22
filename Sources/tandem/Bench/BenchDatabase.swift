import Foundation
import Logging
import PostgresNIO
import TandemStore

/// A throwaway database on the configured server for one benchmark run: created, migrated,
/// with today's partitions, and dropped afterwards (also when the run fails). `body` also gets
/// the embedded cluster when the run uses one (the chaos run restarts and stalls it).
enum BenchDatabase {
    static func with<T: Sendable>(
        _ options: DatabaseOptions, logger: Logger,
        _ body: @Sendable (TandemStore.Store, DatabaseURL, EmbeddedPostgres?) async throws -> T
    ) async throws -> T {
        let connection = try await options.connect(logger: logger, creatingCluster: true)
        defer { connection.stopIfStarted() }
        let name = "tandem_bench_\(UInt32.random(in: 0...UInt32.max))"
        _ = try await options.withStore(connection, logger: logger) { admin in
            try await admin.client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        }
        let url = try DatabaseURL(urlWithDatabase: connection.url, name)
        let bench = DatabaseOptions.Connection(url: url, embedded: nil, startedEmbedded: false)
        let embedded = connection.embedded
        let result: Result<T, any Error>
        do {
            result = .success(
                try await options.withStore(bench, logger: logger) { store in
                    try await store.migrations.run()
                    try await store.partitions.maintain()
                    return try await body(store, url, embedded)
                })
        } catch {
            result = .failure(error)
        }
        _ = try await options.withStore(connection, logger: logger) { admin in
            try await admin.client.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: logger)
        }
        return try result.get()
    }
}
