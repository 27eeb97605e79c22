public import Logging
public import PostgresNIO
public import ServiceLifecycle

/// The PostgreSQL database as Tandem uses it: the connection pool, the watch that keeps its
/// statements from hanging (``StatementWatch``) and the listening connections (``listen(on:applicationName:_:)``).
/// SQL lives in TandemStore; the rest of Tandem reaches the database through a ``Store``.
///
/// A `Database` is a service: ``run()`` runs the pool and the watch's sweep, and must be
/// running before any statement (first in the node's service group, so it stops last).
public struct Database: Service {
    /// How a database's pool is set up, beside its URL.
    public struct Options: Sendable {
        /// The pool's most connections (`nil`: PostgresNIO's default).
        public var maximumConnections: Int?
        /// Whether idle connections are pinged (a long-running node's do; a one-shot command's,
        /// whose connections live only for the call, don't: postgres-nio 1.33's pool never ends
        /// `run()` when it is shut down while a ping is in flight).
        public var keepsAlive = true
        /// The level below which the pool's own messages are dropped (a one-shot command's pool
        /// warns of a query leased before `run()` got going, which it serves as soon as it does).
        public var poolLogLevel: Logger.Level?

        public init() {}

        /// Options for a command or a test whose client runs only for one call.
        public static var scoped: Options {
            var options = Options()
            options.keepsAlive = false
            options.poolLogLevel = .error
            return options
        }
    }

    /// Where the database is (listening connections open their own connection to it).
    public let url: DatabaseURL
    /// The connection pool, raw: for tools that run their own SQL (the lab, tests). Tandem's
    /// own statements go through the repositories, which watch them.
    public let client: PostgresClient
    let watch: StatementWatch
    let logger: Logger

    /// Creates the database at `url`; nothing connects before ``run()``.
    public init(url: DatabaseURL, options: Options = .init(), logger: Logger) {
        var configuration = url.configuration
        if let maximum = options.maximumConnections {
            configuration.options.maximumConnections = maximum
            configuration.options.minimumConnections = 0
        }
        if !options.keepsAlive { configuration.options.keepAliveBehavior = nil }
        var background = logger
        if let level = options.poolLogLevel { background.logLevel = max(logger.logLevel, level) }
        self.url = url
        self.client = PostgresClient(configuration: configuration, backgroundLogger: background)
        self.watch = StatementWatch(logger: logger)
        self.logger = logger
    }

    /// Runs the pool and the watch's sweep until cancelled or a graceful shutdown.
    public func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await client.run() }
            group.addTask { await cancelWhenGracefulShutdown { await watch.sweepUntilCancelled() } }
        }
    }

    /// Runs `body` with a database at `url` that runs only for the call (one-shot commands,
    /// maintenance, tests), and ends it afterwards.
    public static func withRunning<T: Sendable>(
        _ url: DatabaseURL, options: Options = .scoped, logger: Logger, _ body: (Database) async throws -> T
    ) async throws -> T {
        let database = Database(url: url, options: options, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await database.run() }
            defer { group.cancelAll() }
            return try await body(database)
        }
    }

    /// Runs `body` with a connection of the pool whose statements are watched.
    func withConnection<Result: Sendable>(
        isolation: isolated (any Actor)? = #isolation, _ body: (DatabaseConnection) async throws -> sending Result
    ) async throws -> Result {
        try await client.withConnection { try await body(DatabaseConnection(connection: $0, watch: watch)) }
    }

    /// Runs one statement on a connection of the pool and reads its rows before the connection
    /// goes back. A connection found read-only is closed (see ``DatabaseConnection/closeAsReadOnly(logger:)``).
    ///
    /// **An answer here is not a commit.** Outside a transaction, PostgreSQL commits a
    /// statement when it reaches the Sync that follows it, after it has sent the statement's
    /// rows and CommandComplete; PostgresNIO ends the statement at CommandComplete. A server
    /// killed in between (an immediate shutdown flushes what it had buffered) or a commit that
    /// fails (a deferred constraint, a cancelled synchronous-replication wait) leaves a write
    /// answered here that never committed. A write whose success is told to anyone (an ack, a
    /// Welcome, an API answer) therefore runs in ``transaction(logger:isolation:_:)``, whose
    /// COMMIT is answered only once the commit is durable.
    @discardableResult
    func statement(_ query: PostgresQuery, logger: Logger) async throws -> StatementRows {
        try await withConnection { connection in
            do {
                return StatementRows(rows: try await connection.statement(query, logger: logger).collect())
            } catch  where StoreError.isReadOnlyServer(error) {
                throw await connection.closeAsReadOnly(logger: logger)
            }
        }
    }

    /// A prepared statement on a connection of the pool (see ``DatabaseConnection/prepared(_:logger:deadline:)``),
    /// its rows decoded.
    func prepared<Statement: PostgresPreparedStatement>(_ statement: Statement, logger: Logger) async throws -> [Statement.Row]
    where Statement.Row: Sendable {
        try await withConnection { connection in
            do {
                return try await connection.prepared(statement, logger: logger)
            } catch  where StoreError.isReadOnlyServer(error) {
                throw await connection.closeAsReadOnly(logger: logger)
            }
        }
    }

    /// Runs `body` in a transaction on one leased connection (see ``DatabaseConnection/transaction(logger:deadline:isolation:_:)``).
    func transaction<Result: Sendable>(
        logger: Logger, isolation: isolated (any Actor)? = #isolation,
        _ body: (DatabaseConnection) async throws -> sending Result
    ) async throws -> Result {
        try await withConnection { try await $0.transaction(logger: logger, body) }
    }
}
