import GRPCCore
public import Logging
public import ServiceLifecycle
import TandemCore
public import TandemStore

/// Turns silence into loss: every heartbeat interval, connectors not heard within the liveness
/// timeout are marked lost (a failover is recorded when a peer survives), their sessions on
/// this node are ended, and the group's members hear the new HA Active list.
///
/// A node watches its own sessions and those of nodes whose lease lapsed, so a node that dies
/// leaves nothing unwatched, and a connector that reconnected elsewhere in time is not lost.
///
/// After the database was unreachable (``DatabaseOutages``), nothing is judged for one liveness
/// timeout: a database failover is not a loss of every connector.
public struct LivenessSweeper: Service {
    private let store: Store
    private let registry: SessionRegistry
    private let configuration: IngestConfiguration
    private let logger: Logger

    /// Sweeps `store` for this node; the node's ``DatabaseOutages`` are the registry's.
    public init(store: Store, registry: SessionRegistry, configuration: IngestConfiguration, logger: Logger) {
        self.store = store
        self.registry = registry
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws {
        try await runPeriodically(
            every: configuration.heartbeatInterval, logger: logger, failure: "liveness sweep failed; retrying next interval"
        ) {
            do {
                try await sweepUnlessRecentOutage()
            } catch {
                if StoreError.isUnavailability(error) { registry.outages.failed() }
                throw error
            }
        }
    }

    /// A sweep, unless this node failed to reach the database within the last liveness timeout
    /// before `now` (``DatabaseOutages``).
    public func sweepUnlessRecentOutage(now: ContinuousClock.Instant = .now) async throws {
        guard registry.outages.allowsJudging(at: now, timeout: configuration.livenessTimeout) else {
            logger.debug("silence not judged: the database was unreachable within the liveness timeout")
            return
        }
        try await sweep()
    }

    /// How long the read of silent sessions may take before its answer is not trusted: past
    /// it, the database was stalled (a frozen primary answers everything at once when it
    /// thaws), and the read may have run before the heartbeats held back with it were written,
    /// so the live connectors look silent. One liveness timeout less one heartbeat interval: a
    /// stall shorter than that cannot age a heartbeat past the timeout (at least one interval,
    /// for a configuration built by hand whose timeout is not above its interval).
    public var stalledRead: Duration {
        max(configuration.livenessTimeout - configuration.heartbeatInterval, configuration.heartbeatInterval)
    }

    /// One sweep: ends every session silent for longer than the timeout, unless the read took
    /// longer than ``stalledRead`` (then it counts as an outage of the database, and judging
    /// waits one liveness timeout of working writes like after any other).
    public func sweep() async throws {
        let started = ContinuousClock.now
        let silent = try await store.connectors.expiredSessions(timeout: configuration.livenessTimeout, node: configuration.nodeID)
        let took = ContinuousClock.now - started
        guard took <= stalledRead else {
            registry.outages.failed()
            logger.warning(
                "silence not judged: the database took too long to answer the sweep (a stalled primary?)",
                metadata: [LogKey.duration: "\(took)", LogKey.count: "\(silent.count)"])
            return
        }
        for expired in silent {
            let reason = "no heartbeat for \(configuration.livenessTimeout)"
            let loss = try await registry.membershipChanges.withLock(.init(tenant: expired.tenant, id: expired.token)) {
                try await store.connectors.leave(
                    tenant: expired.tenant, token: expired.token, connector: expired.connectorID,
                    session: expired.sessionID, reason: reason, liveness: configuration.liveness)
            }
            registry.close(
                expired.sessionID, tenant: expired.tenant, token: expired.token,
                error: RPCError(IngestError.declaredLost(reason)))
            if let loss {
                registry.connectorLost(loss, tenant: expired.tenant, token: expired.token)
                logger.notice("connector lost to silence", metadata: [LogKey.connector: "\(expired.connectorID)"])
            }
        }
    }
}
