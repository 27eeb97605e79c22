public import Logging
public import Prometheus
import ServiceLifecycle
public import TandemAPI
public import TandemCore
public import TandemIngest
public import TandemStore
public import UnixSignals

/// One Tandem node, built once: the database, the connector channels (gRPC) with the
/// services behind them, and the operator API (HTTP), in one `ServiceGroup` with one graceful
/// shutdown bound (the data streams' drain included). `tandem serve`, the test harness and the
/// test cluster build their nodes here and nowhere else.
///
/// Services start in order and stop in reverse: the listeners first, then what they feed (the
/// pipeline writes and acks every batch it took), then the work the streams left behind,
/// the database last. Past ``Configuration/shutdownTimeout`` whatever still runs is
/// cancelled, so a shutdown never hangs.
public struct TandemNode: Sendable {
    /// What a node is built from; the command line fills it in from flags and environment.
    public struct Configuration: Sendable {
        public var ingest = IngestConfiguration()
        public var host = "127.0.0.1"
        /// The gRPC port of the connector channels (0: any free port, see ``grpcPort()``).
        public var grpcPort = 7443
        /// The operator API's port; `nil` for none (a test drives ``api``'s router in process).
        public var httpPort: Int? = 8080
        public var tls: IngestServer.TLSFiles?
        public var http = HTTPLimits()
        /// Whether the node takes part in a cluster: it holds a lease and hears the other nodes'
        /// changes (see `IngestServer`).
        public var clustered = false
        /// The bearer token `/metrics` asks for, if any.
        public var metricsToken: Secret?
        public var build = BuildInfo(commit: nil)
        /// How long a graceful shutdown may take before what still runs is cancelled.
        public var shutdownTimeout: Duration = .seconds(30)
        /// How long cancelled services may take to end.
        public var cancellationTimeout: Duration = .seconds(5)
        /// Whether the periodic judges run beside the channels (`IngestServer.judges`): always in
        /// `serve`; a test that sweeps by hand turns them off.
        public var runsJudges = true
        /// The signals that begin a graceful shutdown (`serve`: SIGTERM, SIGINT; tests: none).
        public var signals: [UnixSignal] = []

        public init() {}
    }

    /// The connector side: sessions, pipeline, gRPC server.
    public let ingest: IngestServer
    /// The operator API (its router serves tests in process).
    public let api: OperatorAPI
    /// The node's metrics, as `GET /metrics` shows them.
    public let metrics: PrometheusCollectorRegistry
    private let group: ServiceGroup

    /// Builds the node on `store`; the store's ``TandemStore/Database`` runs as the node's first
    /// service (so it stops last) when `runsDatabase`, and is run by the caller otherwise.
    public init(store: Store, runsDatabase: Bool, configuration: Configuration, logger: Logger) throws {
        // One Prometheus registry per node, passed down (no global metrics state).
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets["tandem_ack_latency_seconds"] =
            [1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000].map { .milliseconds($0) }
        factory.valueHistogramBuckets["tandem_db_batch_events"] = [1, 10, 50, 100, 250, 500, 1_000, 2_000, 4_000, 10_000]
        metrics = registry
        let host = configuration.host
        ingest = IngestServer(
            store: store, configuration: configuration.ingest, host: host, port: configuration.grpcPort, tls: configuration.tls,
            clustered: configuration.clustered, httpAddress: configuration.httpPort.map { "\(host):\($0)" } ?? "",
            metrics: IngestMetrics(factory: factory), logger: logger)
        api = OperatorAPI(
            store: store, notifier: ingest.registry,
            metrics: MetricsEndpoint(registry: registry, bearerToken: configuration.metricsToken, build: configuration.build),
            limits: configuration.http, analystLimits: configuration.ingest.analystLimits,
            trustedProxies: configuration.ingest.trustedProxies)
        var services: [any Service] = runsDatabase ? [store.database] : []
        let grpcAddress = "\(host):\(configuration.grpcPort)"
        services += (configuration.runsJudges ? ingest.services : ingest.channels).map { service in
            service is GRPCServerService ? Listener(name: "gRPC", address: grpcAddress, service: service) : service
        }
        if let httpPort = configuration.httpPort {
            let http = try api.makeApplication(
                host: host, port: httpPort, tls: configuration.tls.map { ($0.certificateChainPath, $0.privateKeyPath) },
                logger: logger)
            services.append(Listener(name: "HTTP", address: "\(host):\(httpPort)", service: http))
        }
        var group = ServiceGroupConfiguration(
            services: services.map { .init(service: $0) }, gracefulShutdownSignals: configuration.signals, logger: logger)
        group.maximumGracefulShutdownDuration = configuration.shutdownTimeout
        group.maximumCancellationDuration = configuration.cancellationTimeout
        self.group = ServiceGroup(configuration: group)
    }

    /// Runs the node until a signal, ``triggerGracefulShutdown()`` or cancellation ends it.
    public func run() async throws {
        try await group.run()
    }

    /// Begins a graceful shutdown (as SIGTERM does): the node drains, within its bound.
    public func triggerGracefulShutdown() async {
        await group.triggerGracefulShutdown()
    }

    /// The port the gRPC listener is bound to, once it is (useful with port 0).
    public func grpcPort() async throws -> Int {
        try await ingest.listeningPort()
    }
}
