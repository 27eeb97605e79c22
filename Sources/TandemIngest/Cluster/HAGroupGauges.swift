public import Logging
public import ServiceLifecycle
public import TandemCore
public import TandemStore

/// Keeps the per-group series true across restarts and nodes: at start and every interval it
/// reads every group's membership from PostgreSQL and the live nodes, and reports exactly the
/// groups this node owns (``GroupOwnership``): `tandem_ha_active_members` for each (0 when it is
/// down, none while it never connected) and each tenant's degraded and split counts. A restarted
/// node reports its down groups again at once, so an alert on them does not resolve on a
/// deploy, and a group whose members sit on two nodes is counted by one of them only.
public struct HAGroupGauges: Service {
    private let store: Store
    private let node: NodeID
    private let interval: Duration
    private let clustered: Bool
    private let metrics: IngestMetrics
    private let logger: Logger

    /// Reports for `node` every `interval`; `clustered` says whether other nodes share the
    /// database (else this node reports every group).
    public init(store: Store, node: NodeID, interval: Duration, clustered: Bool, metrics: IngestMetrics, logger: Logger) {
        self.store = store
        self.node = node
        self.interval = interval
        self.clustered = clustered
        self.metrics = metrics
        self.logger = logger
    }

    public func run() async throws {
        try await runPeriodically(
            every: interval, startAtOnce: true, logger: logger, failure: "could not refresh the HA group series; retrying next interval"
        ) { try await refresh() }
    }

    /// One refresh: reads the groups and the live nodes, reports this node's share.
    public func refresh() async throws {
        let presences = try await store.fleet.presenceOfEveryGroup()
        let live = clustered ? try await store.nodes.list().filter(\.live).compactMap { try? NodeID($0.id) } : []
        let ownership = GroupOwnership(nodes: live, including: node)
        var readings: [TenantScoped<Token>: GroupReading] = [:]
        for presence in presences where presence.everConnected && ownership.reports(presence.group, on: node) {
            readings[presence.group] = GroupReading(activeMembers: presence.activeMembers, splitAcrossNodes: presence.splitAcrossNodes)
        }
        metrics.reportGroups(readings)
    }
}
