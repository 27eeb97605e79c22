public import Logging
import GRPCCore
public import ServiceLifecycle
public import TandemStore

/// Turns silence into loss: every heartbeat interval, connectors not heard within the liveness
/// timeout are marked lost (a failover is recorded when a peer survives), their sessions on
/// this node are ended, and the group's members hear the new HA Active list.
///
/// A node watches its own sessions and those of nodes whose lease lapsed, so a node that dies
/// leaves nothing unwatched, and a connector that reconnected elsewhere in time is not lost.
public struct LivenessSweeper: Service {
    private let store: Store
    private let registry: SessionRegistry
    private let configuration: IngestConfiguration
    private let logger: Logger

    public init(store: Store, registry: SessionRegistry, configuration: IngestConfiguration, logger: Logger) {
        self.store = store
        self.registry = registry
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws {
        try await runPeriodically(
            every: configuration.heartbeatInterval, logger: logger, failure: "liveness sweep failed; retrying next interval"
        ) { try await sweep() }
    }

    /// One sweep: ends every session silent for longer than the timeout.
    public func sweep() async throws {
        for expired in try await store.connectors.expiredSessions(timeout: configuration.livenessTimeout, node: configuration.nodeID) {
            let reason = "no heartbeat for \(configuration.livenessTimeout)"
            let loss = try await store.connectors.leave(
                tenant: expired.tenant, token: expired.token, connector: expired.connectorID,
                session: expired.sessionID, reason: reason)
            registry.close(expired.sessionID, tenant: expired.tenant, token: expired.token,
                           error: RPCError(code: .unavailable, message: "declared lost: \(reason); reconnect"))
            if let loss {
                registry.connectorLost(loss, tenant: expired.tenant, token: expired.token)
                logger.notice("connector lost to silence", metadata: ["tandem.connector": "\(expired.connectorID)"])
            }
        }
    }
}
