public import ArgumentParser
import Foundation
public import Logging
import PostgresNIO
public import TandemStore

/// Where the database is and where the migrations are; shared by every command (`tandem-lab`'s too).
public struct DatabaseOptions: ParsableArguments, Sendable {
    @Option(name: .customLong(Settings.databaseURL.key), help: Settings.databaseURL.argumentHelp)
    var databaseURL: String?

    @Option(name: .customLong(Settings.dataDirectory.key), help: Settings.dataDirectory.argumentHelp)
    var dataDirectory: String?

    @Option(name: .customLong("migrations"), help: Settings.migrationsDirectory.argumentHelp)
    var migrationsDirectory: String?

    @Option(name: .customLong(Settings.logLevel.key), help: Settings.logLevel.argumentHelp)
    var logLevelName: String?

    /// The database this invocation talks to, started if embedded.
    public struct Connection: Sendable {
        public let url: DatabaseURL
        public let embedded: EmbeddedPostgres?
        let startedEmbedded: Bool

        /// Stops the embedded cluster if this invocation started it.
        public func stopIfStarted() {
            if startedEmbedded { embedded?.stop() }
        }
    }

    public init() {}

    /// The level asked for (flag, then environment; default `info`).
    public func logLevel() throws -> Logger.Level {
        let text = try logLevelName ?? SettingsReader.environment.text(Settings.logLevel) ?? "info"
        guard let level = Logger.Level(rawValue: text) else {
            throw ConfigurationError(
                "\(Settings.logLevel.spelled) must be one of trace, debug, info, notice, warning, error; got \"\(text)\"")
        }
        return level
    }

    /// A logger of the command (the root's ``CommandLineRunner`` bootstrapped logging at ``logLevel()``).
    public var logger: Logger { Logger(label: "tandem") }

    /// The migrations' directory as given (flag, then environment), `nil` for the default.
    public var migrationsPath: String? {
        get throws { try migrationsDirectory ?? SettingsReader.environment.text(Settings.migrationsDirectory) }
    }

    /// The migrations found in the migrations' directory.
    public func migrations() throws -> [Migration] {
        try Migration.load(from: URL(fileURLWithPath: try migrationsPath ?? "Migrations"))
    }

    /// Resolves the database: the URL given, or the embedded cluster (started if not running).
    ///
    /// An embedded cluster is created where there is none only when `creatingCluster` (`serve`,
    /// and the benchmarks' throwaway clusters): any other command refuses, so a mistyped or
    /// forgotten `--data-dir` is an error instead of a new, empty cluster whose tenants and keys
    /// the running server knows nothing of.
    public func connect(logger: Logger, creatingCluster: Bool = false) async throws -> Connection {
        if let url = try databaseURL ?? SettingsReader.environment.text(Settings.databaseURL) {
            return Connection(url: try DatabaseURL(url), embedded: nil, startedEmbedded: false)
        }
        let directory = try dataDirectory ?? SettingsReader.environment.text(Settings.dataDirectory) ?? ".tandem"
        let embedded = EmbeddedPostgres(
            directory: URL(fileURLWithPath: directory).appendingPathComponent("postgres"), logger: logger)
        guard creatingCluster || embedded.exists else {
            throw ConfigurationError(
                "no Tandem database in \(directory) (--data-dir, default ./.tandem): pass the --data-dir or --database-url "
                    + "the running `tandem serve` uses, or start `tandem serve --data-dir \(directory)` first to create one there")
        }
        let started = try await embedded.start()
        return Connection(url: try DatabaseURL(embedded.url), embedded: embedded, startedEmbedded: started)
    }

    /// Runs `body` with a running store, for one-shot commands; stops an embedded cluster this
    /// call started.
    func withStore<T: Sendable>(logger: Logger, _ body: @Sendable (Store) async throws -> T) async throws -> T {
        let connection = try await connect(logger: logger)
        defer { connection.stopIfStarted() }
        return try await withStore(connection, logger: logger, body)
    }

    /// Runs `body` with a store whose client runs only for the call.
    func withStore<T: Sendable>(
        _ connection: Connection, logger: Logger, _ body: @Sendable (Store) async throws -> T
    ) async throws -> T {
        let migrations = try migrations()
        // One connection first: the pool retries a server that refuses or is not there for a
        // minute before it fails a query; a command says why at once.
        let probe = try await PostgresConnection.connect(
            configuration: connection.url.singleConnection(applicationName: "tandem-cli"), id: 0, logger: logger)
        try await probe.close()
        return try await Database.withRunning(connection.url, logger: logger) { database in
            try await body(Store(database: database, migrations: migrations, logger: logger))
        }
    }
}

/// A command that reaches the database: its ``DatabaseOptions`` also say the log level, which
/// ``CommandLineRunner`` sets up once for the process before the command runs.
public protocol DatabaseCommand {
    var database: DatabaseOptions { get }
}
