import ArgumentParser
import Foundation
import Hummingbird
import Logging
import PostgresNIO
import Prometheus
import ServiceLifecycle
import TandemAPI
import TandemCore
import TandemIngest
import TandemStore
import UnixSignals

/// `tandem serve`: the operator HTTP API (and, with the channels, the gRPC listener) over
/// PostgreSQL, in one ServiceGroup that shuts down gracefully on SIGINT/SIGTERM.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run the service (embedded PostgreSQL unless --database-url is given).")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var server: ServerOptions

    func run() async throws {
        let logger = try database.makeLogger()
        let settings = try server.resolve()
        let connection = try await database.connect(logger: logger, creatingCluster: true)
        defer { connection.stopIfStarted() }
        logger.info("database", metadata: ["url": "\(connection.url)"])

        let client = PostgresClient(configuration: connection.url.configuration, backgroundLogger: logger)
        let store = Store(client: client, migrations: try database.migrations(), eventPolicy: settings.eventPolicy, logger: logger)
        let eventPolicy = settings.eventPolicy
        try await database.withStore(connection, logger: logger) { store in
            if settings.migrate { try await store.migrations.run() }
            // Partitions exist before the first event can arrive.
            try await store.partitions.maintain()
        }

        // One Prometheus registry for the process, passed down (no global metrics state).
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets["tandem_ack_latency_seconds"] =
            [1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000].map { .milliseconds($0) }
        factory.valueHistogramBuckets["tandem_db_batch_events"] = [1, 10, 50, 100, 250, 500, 1_000, 2_000, 4_000, 10_000]
        let ingest = IngestServer(
            store: store, configuration: settings.ingest, host: settings.host, port: settings.grpcPort,
            tls: settings.tls, database: connection.url, httpAddress: "\(settings.host):\(settings.httpPort)",
            metrics: IngestMetrics(factory: factory), logger: logger)
        let http = try OperatorAPI(
            store: store, notifier: ingest.registry,
            metrics: MetricsEndpoint(
                registry: registry, bearerToken: settings.metricsToken,
                build: BuildInfo(commit: Environment.string("TANDEM_BUILD_COMMIT"))), limits: settings.http,
            analystLimits: settings.ingest.analystLimits, trustedProxies: settings.ingest.trustedProxies
        )
        .makeApplication(
            host: settings.host, port: settings.httpPort,
            tls: settings.tls.map { ($0.certificateChainPath, $0.privateKeyPath) }, logger: logger)
        // Started in this order, shut down in reverse: listeners stop first, the database last.
        let grpcAddress = "\(settings.host):\(settings.grpcPort)"
        let listeners: [any Service] =
            ingest.services.map { service in
                service is GRPCServerService ? Listener(name: "gRPC", address: grpcAddress, service: service) : service
            } + [Listener(name: "HTTP", address: "\(settings.host):\(settings.httpPort)", service: http)]
        var group = ServiceGroupConfiguration(
            services: [.init(service: client)] + listeners.map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        // Past the timeout whatever still runs is cancelled: a shutdown never hangs.
        group.maximumGracefulShutdownDuration = settings.shutdownTimeout
        group.maximumCancellationDuration = .seconds(5)
        let services = ServiceGroup(configuration: group)
        logger.info(
            "serving",
            metadata: [
                "node": "\(settings.ingest.nodeID)",
                "http": "\(settings.tls == nil ? "http" : "https")://\(settings.host):\(settings.httpPort)",
                "grpc": "\(settings.tls == nil ? "" : "tls ")\(settings.host):\(settings.grpcPort)",
                "eventRetentionDays": "\(eventPolicy.retentionDays)",
            ])
        try await services.run()
    }
}
