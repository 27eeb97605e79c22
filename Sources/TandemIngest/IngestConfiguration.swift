public import TandemCore
public import TandemStore

/// Settings of the connector channels, with their defaults.
public struct IngestConfiguration: Sendable {
    /// This node's name in the cluster (default: host name and a random suffix, new each start).
    public var nodeID: NodeID = .generated()
    /// How long this node's lease lasts without renewal (default 10 s; renewed every third of
    /// it). When it lapses, the other nodes watch the sessions this node held.
    public var nodeLease: Duration = .seconds(10)
    /// How often connectors send heartbeats (default 5 s); told to them in the Welcome.
    public var heartbeatInterval: Duration = .seconds(5)
    /// How long a connector may stay silent before it is lost (default 3 heartbeat intervals).
    public var livenessTimeout: Duration = .seconds(15)
    /// How often the heartbeats of all sessions are written, in one statement (default 500 ms).
    public var heartbeatWriteInterval: Duration = .milliseconds(500)
    /// How long a connector whose control stream ended (closed or broken: a dropped
    /// connection, a balancer restart look alike) has to come back before it is recorded lost
    /// (default 5 s). A failover recorded late costs nothing (the peer streams the same events
    /// all along); one recorded for a path that blinked costs a reprovision. A stream Tandem
    /// ends itself (revoked, replaced, invalid) is recorded at once.
    public var reconnectGrace: Duration = .seconds(5)
    /// How often this node checks whether a token with live channels here was revoked through
    /// another node (default 2 s; a revocation through this node's API acts at once).
    public var revocationCheckInterval: Duration = .seconds(2)
    /// How often this node reads whether its database's commits are synchronously replicated
    /// (``ReplicationMonitor``; default 10 s).
    public var replicationCheckInterval: Duration = .seconds(10)
    /// Balancers (HAProxy) whose `x-forwarded-for` names the real client, for the failed-login
    /// throttle; nobody by default.
    public var trustedProxies = TrustedProxies()
    /// Pairing rules (at most 2 active connectors per token by default).
    public var pairingRules = PairingRules()
    /// Largest gRPC message accepted, in bytes (default 4 MiB); larger ones get RESOURCE_EXHAUSTED
    /// with a message. Past twice this size the transport resets the stream without reading it.
    public var maximumMessageSize: Int = 4 * 1024 * 1024
    /// Most events in one EventBatch (default 10,000).
    public var maximumEventsPerBatch: Int = 10_000
    /// Most un-acked batches one data stream may have in the pipeline (default 8); the stream
    /// is not read further until one is acked.
    public var maximumInFlightBatches: Int = 8
    /// Most data streams open at once per token on this node (default 4: a pair, with room for
    /// reconnects overlapping the old stream's end). More get RESOURCE_EXHAUSTED.
    public var maximumDataStreamsPerToken: Int = 4
    /// The shared write path: flush size and delay, pending bound, writers, dedup window.
    public var pipeline = EventPipeline.Configuration()
    /// Connection limit and statement timeout of analyst logins; the node cancels analyst
    /// statements that run longer than the timeout.
    public var analystLimits = AnalystRepository.Limits()

    public init() {}

    /// How a group judges its members' liveness when one of them leaves: the liveness timeout
    /// and the reconnect grace.
    public var liveness: HALiveness { HALiveness(timeout: livenessTimeout, grace: reconnectGrace) }
}
