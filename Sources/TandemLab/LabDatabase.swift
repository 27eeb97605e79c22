public import Logging
import PostgresNIO
public import TandemStore

/// The PostgreSQL server a harness run works on and the migrations every database it creates
/// gets. The command line resolves it from `--database-url` / `--data-dir` / `--migrations`;
/// the server is reached (an embedded one started) only when a run asks for it, so a run that
/// brings its own database (chaos on Patroni) starts none.
public struct LabDatabase: Sendable {
    /// A reached server: its URL (the maintenance database: runs create their own beside it),
    /// the embedded cluster when it is one (the chaos run restarts and stalls it), and how to
    /// stop what reaching it started.
    public struct Server: Sendable {
        public var url: DatabaseURL
        public var embedded: EmbeddedPostgres?
        public var stop: @Sendable () -> Void

        public init(url: DatabaseURL, embedded: EmbeddedPostgres?, stop: @escaping @Sendable () -> Void = {}) {
            self.url = url
            self.embedded = embedded
            self.stop = stop
        }
    }

    /// The migrations a run applies to the database it creates.
    public var migrations: [Migration]
    /// The migrations' directory as given, passed on to the `tandem serve` children.
    public var migrationsDirectory: String?
    private let reach: @Sendable (Logger) async throws -> Server

    public init(
        migrations: [Migration], migrationsDirectory: String?, reach: @escaping @Sendable (Logger) async throws -> Server
    ) {
        self.migrations = migrations
        self.migrationsDirectory = migrationsDirectory
        self.reach = reach
    }

    /// Runs `body` with the server reached, and stops what reaching it started afterwards.
    func withServer<T: Sendable>(logger: Logger, _ body: (Server) async throws -> T) async throws -> T {
        let server = try await reach(logger)
        defer { server.stop() }
        return try await body(server)
    }

    /// The same migrations on another server (one the run started itself).
    func on(_ url: DatabaseURL) -> LabDatabase {
        LabDatabase(migrations: migrations, migrationsDirectory: migrationsDirectory) { _ in Server(url: url, embedded: nil) }
    }

    /// Runs `body` with a store on the server's own database (a running `tandem serve`'s).
    func withStore<T: Sendable>(logger: Logger, _ body: (TandemStore.Store) async throws -> T) async throws -> T {
        try await withServer(logger: logger) { server in
            try await Database.withRunning(server.url, logger: logger) { database in
                try await body(Store(database: database, migrations: migrations, logger: logger))
            }
        }
    }
}
