public import GRPCCore
public import GRPCNIOTransportHTTP2
public import Logging
public import ServiceLifecycle
import TandemCore
public import TandemStore
import TandemWire

/// The connector-facing side of Tandem, assembled: the gRPC server with both channel
/// services, the session registry, the liveness sweeper and the partition maintainer.
public struct IngestServer: Sendable {
    /// Certificate and key files (PEM) for TLS on the gRPC listener.
    public struct TLSFiles: Sendable {
        public var certificateChainPath: String
        public var privateKeyPath: String

        public init(certificateChainPath: String, privateKeyPath: String) {
            self.certificateChainPath = certificateChainPath
            self.privateKeyPath = privateKeyPath
        }
    }

    /// The open control-channel sessions; also the `HAGroupNotifier` the operator API uses.
    public let registry: SessionRegistry
    /// The shared write path of every data stream.
    public let pipeline: EventPipeline
    /// Writes the heartbeats of every session of this node, batched.
    public let heartbeats: HeartbeatRecorder
    /// Writes what the data streams of this node delivered (event counts, FastLocate flowing), batched.
    public let tally: DataChannelTally
    /// Runs what streams leave behind when they end (``DeferredWork``).
    public let deferred: DeferredWork
    /// Admits the connectors saying Hello on this node, many in one round.
    private let joins: RoundBatcher<HAJoinRequest, HAJoin>
    /// Looks up the tokens of the channels opening on this node, many in one round.
    private let tokenLookups: RoundBatcher<Secret, Token?>
    /// The gRPC server (its transport knows the bound port once serving).
    public let grpc: GRPCServer<HTTP2ServerTransport.Posix>
    private let store: Store
    private let configuration: IngestConfiguration
    /// When the node takes part in a cluster: the HTTP address recorded with its lease.
    private let clusterHTTPAddress: String?
    private let grpcAddress: String
    private let metrics: IngestMetrics
    private let logger: Logger

    /// Assembles the server; nothing listens until ``services`` run.
    ///
    /// When `clustered`, the node takes part in a cluster: it holds a lease in `nodes` and hears
    /// the other nodes' changes through the store's database (``ClusterListener``).
    /// `httpAddress` is recorded with the lease, for operators.
    public init(
        store: Store, configuration: IngestConfiguration, host: String, port: Int, tls: TLSFiles?,
        clustered: Bool, httpAddress: String = "", metrics: IngestMetrics = IngestMetrics(), logger: Logger
    ) {
        self.store = store
        self.configuration = configuration
        self.clusterHTTPAddress = clustered ? httpAddress : nil
        self.grpcAddress = "\(host):\(port)"
        self.metrics = metrics
        metrics.startFixedSeries()
        var logger = logger
        logger[metadataKey: LogKey.node] = "\(configuration.nodeID)"
        self.logger = logger
        let registry = SessionRegistry(store: store, node: configuration.nodeID, metrics: metrics, logger: logger)
        let deferred = DeferredWork(logger: logger)
        self.deferred = deferred
        self.registry = registry
        let pipeline = EventPipeline(
            store: store.events, statistics: store.pairStatistics, configuration: configuration.pipeline,
            metrics: metrics, logger: logger)
        self.pipeline = pipeline
        let heartbeats = HeartbeatRecorder(
            connectors: store.connectors, interval: configuration.heartbeatWriteInterval, outages: registry.outages,
            metrics: metrics, logger: logger)
        self.heartbeats = heartbeats
        let tally = DataChannelTally(
            connectors: store.connectors, groups: store.groups, outages: registry.outages, logger: logger)
        self.tally = tally
        // A reconnect storm's channels look their tokens up and say Hello together: each
        // round takes what queued while the previous ones ran, in two statements, not two per
        // connector.
        let joins = RoundBatcher<HAJoinRequest, HAJoin>(
            "join", stopped: IngestError.shuttingDown, observer: .init(waiting: metrics.joinsWaiting, round: metrics.joinRound),
            logger: logger
        ) { try await store.connectors.join($0) }
        self.joins = joins
        let tokenLookups = RoundBatcher<Secret, Token?>("token lookup", stopped: IngestError.shuttingDown, logger: logger) {
            try await store.tokens.authenticate(secrets: $0).map { .success($0) }
        }
        self.tokenLookups = tokenLookups
        let authenticator = ChannelAuthenticator(
            lookup: tokenLookups, metrics: metrics, throttle: registry.throttle, trustedProxies: configuration.trustedProxies)
        let security: HTTP2ServerTransport.Posix.TransportSecurity =
            tls.map {
                .tls(
                    certificateChain: [.file(path: $0.certificateChainPath, format: .pem)],
                    privateKey: .file(path: $0.privateKeyPath, format: .pem))
            } ?? .plaintext
        let transport = HTTP2ServerTransport.Posix(
            address: .ipv4(host: host, port: port),
            transportSecurity: security,
            // The services refuse messages over the limit with RESOURCE_EXHAUSTED and a message;
            // the transport's own cut-off (which just resets the stream) sits at twice that.
            config: .defaults { $0.rpc.maxRequestPayloadSize = 2 * configuration.maximumMessageSize })
        grpc = GRPCServer(
            transport: transport,
            services: [
                ControlChannelService(
                    store: store, registry: registry, heartbeats: heartbeats, joins: joins, deferred: deferred,
                    authenticator: authenticator, configuration: configuration, logger: logger),
                DataChannelService(
                    store: store, pipeline: pipeline, tally: tally, registry: registry, deferred: deferred, authenticator: authenticator,
                    configuration: configuration, metrics: metrics, logger: logger),
                HealthService(store: store, registry: registry),
                ReflectionService(index: .served),
            ])
    }

    /// The long-running parts, in start order (they stop in reverse: the listener before the
    /// pipeline, so every accepted batch is written and acked before the pipeline stops; the
    /// node's lease is given up once its connectors were told to go elsewhere; what the streams
    /// left behind is done last).
    public var services: [any Service] { channels + judges }

    /// What serves the channels: the write path, the batched writers, the rounds, the cluster
    /// membership and the gRPC listener (part of ``services``).
    public var channels: [any Service] {
        let membership: [any Service] =
            clusterHTTPAddress.map { httpAddress in
                [
                    NodeLease(
                        nodes: store.nodes, node: configuration.nodeID, lease: configuration.nodeLease,
                        grpcAddress: grpcAddress, httpAddress: httpAddress, logger: logger),
                    registry.publisher,
                    ClusterListener(database: store.database, registry: registry, logger: logger),
                ]
            } ?? []
        return [deferred, pipeline, heartbeats, tally] + rounds + membership + [
            GRPCServerService(server: grpc, registry: registry, logger: logger)
        ]
    }

    /// The periodic judges and keepers beside the channels: liveness and revocation sweepers,
    /// partitions, the group gauges, replication, the analysts' statement guard (part of
    /// ``services``; tests that judge by hand leave them out).
    public var judges: [any Service] {
        [
            LivenessSweeper(store: store, registry: registry, configuration: configuration, logger: logger),
            RevocationSweeper(
                store: store, registry: registry, interval: configuration.revocationCheckInterval, logger: logger),
            PartitionMaintainer(partitions: store.partitions, logger: logger),
            HAGroupGauges(
                store: store, node: configuration.nodeID, interval: configuration.heartbeatInterval, clustered: clusterHTTPAddress != nil,
                metrics: metrics, logger: logger),
            ReplicationMonitor(store: store, interval: configuration.replicationCheckInterval, metrics: metrics, logger: logger),
            AnalystStatementGuard(analysts: store.analysts, limit: configuration.analystLimits.statementTimeout, logger: logger),
        ]
    }

    /// The rounds that look up channels' tokens and admit Hellos: no channel opens unless they
    /// run (part of ``services``; a test that runs the parts it needs runs these too).
    public var rounds: [any Service] { [joins, tokenLookups] }

    /// The port the gRPC listener is bound to (useful with port 0).
    public func listeningPort() async throws -> Int {
        guard let address = try await grpc.listeningAddress?.ipv4 else { return 0 }
        return address.port
    }
}
