public import Logging
public import PostgresNIO

/// The storage layer as the rest of Tandem sees it: one PostgreSQL client and the
/// repositories over it. SQL lives in this module and nowhere else.
///
/// The client must be running (``PostgresClient/run()`` in the service group) before any
/// repository is used.
public struct Store: Sendable {
    /// The connection pool.
    public let client: PostgresClient
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

    /// Creates the store over `client`, knowing `migrations`.
    public init(
        client: PostgresClient, migrations: [Migration], eventPolicy: EventStore.Policy = .init(), logger: Logger
    ) {
        self.client = client
        self.tenants = TenantRepository(client: client, logger: logger)
        self.tokens = TokenRepository(client: client, logger: logger)
        self.analysts = AnalystRepository(client: client, logger: logger)
        self.connectors = ConnectorRepository(client: client, logger: logger)
        self.groups = HAGroupRepository(client: client, logger: logger)
        self.fleet = FleetRepository(client: client, logger: logger)
        self.nodes = NodeRepository(client: client, logger: logger)
        self.events = EventStore(client: client, policy: eventPolicy, logger: logger)
        self.pairStatistics = PairStatisticsRepository(client: client, logger: logger)
        self.partitions = EventPartitions(client: client, policy: eventPolicy, logger: logger)
        self.migrations = MigrationRunner(migrations: migrations, client: client, logger: logger)
        self.logger = logger
    }

    /// Whether a commit is on a synchronous standby too when it returns (see ``DatabaseReplication``),
    /// read from PostgreSQL now.
    public func replication() async throws -> DatabaseReplication {
        try await DatabaseReplication.read(from: client, logger: logger)
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
