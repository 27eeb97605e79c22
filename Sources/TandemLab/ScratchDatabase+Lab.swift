import Logging
import TandemStore

extension ScratchDatabase {
    /// A scratch database on the lab's server for one run (see ``TandemStore/ScratchDatabase``):
    /// migrated, with today's partitions. `body` also gets the embedded cluster when the server
    /// is one (the chaos run restarts and stalls it).
    static func with<T: Sendable>(
        _ lab: LabDatabase, logger: Logger,
        _ body: @Sendable (TandemStore.Store, DatabaseURL, EmbeddedPostgres?) async throws -> T
    ) async throws -> T {
        try await lab.withServer(logger: logger) { server in
            try await with(on: server.url, prefix: "tandem_bench_", logger: logger) { url in
                try await Database.withRunning(url, logger: logger) { database in
                    let store = Store(database: database, migrations: lab.migrations, logger: logger)
                    try await store.migrations.run()
                    try await store.partitions.maintain()
                    return try await body(store, url, server.embedded)
                }
            }
        }
    }
}
