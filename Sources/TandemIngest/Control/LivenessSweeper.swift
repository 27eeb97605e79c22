public import Logging
import GRPCCore
public import ServiceLifecycle
import Synchronization
import TandemCore
public import TandemStore

/// Turns silence into loss: every heartbeat interval, connectors not heard within the liveness
/// timeout are marked lost (a failover is recorded when a peer survives), their sessions on
/// this node are ended, and the group's members hear the new HA Active list.
///
/// A node watches its own sessions and those of nodes whose lease lapsed, so a node that dies
/// leaves nothing unwatched, and a connector that reconnected elsewhere in time is not lost.
///
/// After the database was unreachable (a heartbeat write or a sweep failed), nothing is judged
/// for one liveness timeout (``TandemCore/LivenessGate``): a database failover is not a loss
/// of every connector.
public final class LivenessSweeper: Service, Sendable {
    private let store: Store
    private let registry: SessionRegistry
    private let heartbeatFailure: @Sendable () -> ContinuousClock.Instant?
    private let configuration: IngestConfiguration
    private let gate = Mutex(LivenessGate())
    private let logger: Logger

    /// Sweeps `store` for this node. `heartbeatFailure` tells when this node last failed to
    /// write heartbeats (``HeartbeatRecorder/lastFailure``): that holds judging back too.
    public init(
        store: Store, registry: SessionRegistry, configuration: IngestConfiguration,
        heartbeatFailure: @escaping @Sendable () -> ContinuousClock.Instant? = { nil }, logger: Logger
    ) {
        self.store = store
        self.registry = registry
        self.heartbeatFailure = heartbeatFailure
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws {
        try await runPeriodically(
            every: configuration.heartbeatInterval, logger: logger, failure: "liveness sweep failed; retrying next interval"
        ) {
            do {
                try await self.sweepWhenHeartbeatsAreComplete()
            } catch {
                self.gate.withLock { $0.failed(at: .now) }
                throw error
            }
        }
    }

    /// A sweep, unless a heartbeat write or a sweep failed within the last liveness timeout.
    public func sweepWhenHeartbeatsAreComplete() async throws {
        let allowed = gate.withLock { gate in
            if let failure = heartbeatFailure() { gate.failed(at: failure) }
            return gate.allowsJudging(at: .now, timeout: configuration.livenessTimeout)
        }
        guard allowed else {
            logger.debug("silence not judged: the database was unreachable within the liveness timeout")
            return
        }
        try await sweep()
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
