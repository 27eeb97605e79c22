public import Logging
import PostgresNIO

/// The storage layer as the rest of Tandem sees it: one ``Database`` and the repositories
/// over it. SQL lives in this module and nowhere else.
///
/// The database must be running (``Database/run()`` in the service group) before any
/// repository is used.
public struct Store: Sendable {
    /// The connection pool.
    public let database: Database
    /// Tenants and operator API keys.
    public let tenants: TenantRepository
    /// Connector tokens.
    public let tokens: TokenRepository
    /// Analyst logins (PostgreSQL roles bound to one tenant).
    public let analysts: AnalystRepository
    /// Connectors and HA group membership.
    public let connectors: ConnectorRepository
    /// HA groups: configuration, flags, history.
    public let groups: HAGroupRepository
    /// The fleet view's reads: groups worst first, a page at a time, and the tenant's totals.
    public let fleet: FleetRepository
    /// The serve processes sharing the database, and their notifications.
    public let nodes: NodeRepository
    /// The event store.
    public let events: EventStore
    /// Pair analytics, per connector, source and minute.
    public let pairStatistics: PairStatisticsRepository
    /// The daily partitions of the events table.
    public let partitions: EventPartitions
    /// The schema migrations this binary carries.
    public let migrations: MigrationRunner
    /// The replication state read last (kept current by the node's replication monitor).
    public let latestReplication = LatestReplication()
    private let logger: Logger

    /// Creates the store over `database`, knowing `migrations`.
    public init(
        database: Database, migrations: [Migration], eventPolicy: EventStore.Policy = .init(), logger: Logger
    ) {
        self.database = database
        self.tenants = TenantRepository(database: database, logger: logger)
        self.tokens = TokenRepository(database: database, logger: logger)
        self.analysts = AnalystRepository(database: database, logger: logger)
        self.connectors = ConnectorRepository(database: database, logger: logger)
        self.groups = HAGroupRepository(database: database, logger: logger)
        self.fleet = FleetRepository(database: database, logger: logger)
        self.nodes = NodeRepository(database: database, logger: logger)
        self.events = EventStore(database: database, policy: eventPolicy, logger: logger)
        self.pairStatistics = PairStatisticsRepository(database: database, logger: logger)
        self.partitions = EventPartitions(database: database, policy: eventPolicy, logger: logger)
        self.migrations = MigrationRunner(migrations: migrations, database: database, logger: logger)
        self.logger = logger
    }

    /// Whether a commit is on a synchronous standby too when it returns (see ``DatabaseReplication``),
    /// read from PostgreSQL now.
    public func replication() async throws -> DatabaseReplication {
        try await DatabaseReplication.read(from: database, logger: logger)
    }

    /// Whether the database answers and every migration is applied; the reason when not.
    public func readiness() async -> (ready: Bool, reason: String?) {
        do {
            let pending = try await migrations.pending()
            if pending.isEmpty { return (true, nil) }
            return (false, "\(pending.count) migration(s) pending, first \(pending[0].name): run `tandem migrate`")
        } catch let error as StoreError {
            return (false, error.message)
        } catch {
            return (false, "database unreachable")
        }
    }
}
