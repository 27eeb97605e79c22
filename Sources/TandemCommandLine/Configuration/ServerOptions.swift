import ArgumentParser
import Foundation
import TandemAPI
import TandemCore
import TandemIngest
import TandemStore

/// Listener and ingest settings of `tandem serve`: flags, then `TANDEM_…` environment, then
/// defaults. The configuration table of docs/operations.md lists every one.
struct ServerOptions: ParsableArguments {
    @Option(help: "Address to listen on (env TANDEM_HOST; default 127.0.0.1).") var host: String?
    @Option(
        name: .customLong("http-port"),
        help: "Operator HTTP API port, 1 to 65535 or 0 for any free port (env TANDEM_HTTP_PORT; default 8080).")
    var httpPort: Int?
    @Option(
        name: .customLong("grpc-port"), help: "Connector gRPC port, 1 to 65535 or 0 for any free port (env TANDEM_GRPC_PORT; default 7443)."
    )
    var grpcPort: Int?
    @Option(name: .customLong("tls-cert"), help: "PEM certificate chain for the gRPC and HTTP listeners (env TANDEM_TLS_CERT).")
    var tlsCertificate: String?
    @Option(name: .customLong("tls-key"), help: "PEM private key for the gRPC and HTTP listeners (env TANDEM_TLS_KEY).")
    var tlsKey: String?
    @Option(
        name: .customLong("heartbeat-interval"), help: "Seconds between connector heartbeats (env TANDEM_HEARTBEAT_INTERVAL; default 5).")
    var heartbeatInterval: Int?
    @Option(
        name: .customLong("liveness-timeout"),
        help: "Seconds of silence before a connector is lost (env TANDEM_LIVENESS_TIMEOUT; default 3 heartbeats).")
    var livenessTimeout: Int?
    @Option(name: .customLong("max-group-members"), help: "Active connectors allowed per token (env TANDEM_MAX_GROUP_MEMBERS; default 2).")
    var maxGroupMembers: Int?
    @Option(name: .customLong("max-message-bytes"), help: "Largest gRPC message accepted (env TANDEM_MAX_MESSAGE_BYTES; default 4194304).")
    var maxMessageBytes: Int?
    @Option(
        name: .customLong("max-inflight-batches"), help: "Un-acked batches per data stream (env TANDEM_MAX_INFLIGHT_BATCHES; default 8).")
    var maxInFlightBatches: Int?
    @Option(
        name: .customLong("max-data-streams-per-token"),
        help: "Data streams open at once per token (env TANDEM_MAX_DATA_STREAMS_PER_TOKEN; default 4).")
    var maxDataStreamsPerToken: Int?
    @Option(name: .customLong("retention-days"), help: "Days of events kept (env TANDEM_RETENTION_DAYS; default 30).")
    var retentionDays: Int?
    @Option(
        name: .customLong("dedup-window-minutes"),
        help: "Minutes of device time the dedup window covers (env TANDEM_DEDUP_WINDOW_MINUTES; default 10).")
    var dedupWindowMinutes: Int?
    @Option(
        name: .customLong("dedup-window-keys"), help: "Most keys the dedup window holds (env TANDEM_DEDUP_WINDOW_KEYS; default 4000000).")
    var dedupWindowKeys: Int?
    @Option(
        name: .customLong("pipeline-writers"),
        help: "Flushes of the event pipeline written at once (env TANDEM_PIPELINE_WRITERS; default 3; 1 to 16).")
    var pipelineWriters: Int?
    @Option(
        name: .customLong("pipeline-flush-delay-ms"),
        help: """
            Milliseconds a writer that finds few events waits for more before it flushes (env \
            TANDEM_PIPELINE_FLUSH_DELAY_MS; default 0: at once; 0 to 100).
            """)
    var pipelineFlushDelayMs: Int?
    @Option(
        name: .customLong("metrics-token"),
        help: "Bearer token GET /metrics requires (env TANDEM_METRICS_TOKEN; default: /metrics is open).")
    var metricsToken: String?
    @Option(
        name: .customLong("http-body-timeout"),
        help: "Seconds a request body may take to arrive before 408 (env TANDEM_HTTP_BODY_TIMEOUT; default 10).")
    var httpBodyTimeout: Int?
    @Option(
        name: .customLong("http-idle-timeout"),
        help: "Seconds an HTTP connection may idle before it is closed (env TANDEM_HTTP_IDLE_TIMEOUT; default 60).")
    var httpIdleTimeout: Int?
    @Option(
        name: .customLong("http-max-connections"), help: "HTTP connections open at once (env TANDEM_HTTP_MAX_CONNECTIONS; default 1000).")
    var httpMaxConnections: Int?
    @Option(
        name: .customLong("node-id"),
        help: "This node's name in a cluster: letters, digits, . _ - (env TANDEM_NODE_ID; default host name and a random suffix).")
    var nodeID: String?
    @Option(name: .customLong("node-lease"), help: "Seconds this node's lease lasts unrenewed (env TANDEM_NODE_LEASE; default 10).")
    var nodeLease: Int?
    @Option(
        name: .customLong("reconnect-grace"),
        help: """
            Seconds a connector whose control stream ended has to come back before it is lost (env \
            TANDEM_RECONNECT_GRACE; default one heartbeat interval, 5).
            """)
    var reconnectGrace: Int?
    @Option(
        name: .customLong("shutdown-timeout"),
        help: "Seconds a graceful shutdown may take before the rest is cancelled (env TANDEM_SHUTDOWN_TIMEOUT; default 30).")
    var shutdownTimeout: Int?
    @Option(
        name: .customLong("trusted-proxy"),
        help:
            "Address of a balancer whose X-Forwarded-For names the client, repeatable (env TANDEM_TRUSTED_PROXIES, comma-separated; default none)."
    )
    var trustedProxies: [String] = []
    @OptionGroup var analysts: AnalystLimitOptions
    @Flag(name: .customLong("no-migrate"), help: "Don't apply pending migrations at start (env TANDEM_NO_MIGRATE).")
    var noMigrate = false

    /// Settings after flags, environment and defaults are combined.
    struct Settings {
        var host: String
        var httpPort: Int
        var grpcPort: Int
        var tls: IngestServer.TLSFiles?
        var ingest: IngestConfiguration
        var http: HTTPLimits
        var eventPolicy: EventStore.Policy
        var migrate: Bool
        var metricsToken: Secret?
        var shutdownTimeout: Duration
    }

    func resolve() throws -> Settings {
        var ingest = IngestConfiguration()
        let heartbeat = try heartbeatInterval ?? Environment.int("TANDEM_HEARTBEAT_INTERVAL") ?? 5
        guard heartbeat >= 1 else { throw ConfigurationError("heartbeat interval must be at least 1 second") }
        ingest.heartbeatInterval = .seconds(heartbeat)
        let timeout = try livenessTimeout ?? Environment.int("TANDEM_LIVENESS_TIMEOUT") ?? 3 * heartbeat
        guard timeout > heartbeat else {
            throw ConfigurationError("liveness timeout (\(timeout) s) must exceed the heartbeat interval (\(heartbeat) s)")
        }
        ingest.livenessTimeout = .seconds(timeout)
        ingest.pairingRules.maximumActiveMembers = try maxGroupMembers ?? Environment.int("TANDEM_MAX_GROUP_MEMBERS") ?? 2
        ingest.maximumMessageSize = try maxMessageBytes ?? Environment.int("TANDEM_MAX_MESSAGE_BYTES") ?? 4 * 1024 * 1024
        ingest.maximumInFlightBatches = try maxInFlightBatches ?? Environment.int("TANDEM_MAX_INFLIGHT_BATCHES") ?? 8
        ingest.maximumDataStreamsPerToken = try maxDataStreamsPerToken ?? Environment.int("TANDEM_MAX_DATA_STREAMS_PER_TOKEN") ?? 4
        guard ingest.maximumMessageSize >= 1_024, ingest.maximumInFlightBatches >= 1, ingest.maximumDataStreamsPerToken >= 1 else {
            throw ConfigurationError(
                "--max-message-bytes must be at least 1024, --max-inflight-batches and --max-data-streams-per-token at least 1")
        }

        let windowMinutes = try dedupWindowMinutes ?? Environment.int("TANDEM_DEDUP_WINDOW_MINUTES") ?? 10
        let windowKeys = try dedupWindowKeys ?? Environment.int("TANDEM_DEDUP_WINDOW_KEYS") ?? 4_000_000
        guard windowMinutes >= 1, windowKeys >= 0 else {
            throw ConfigurationError("the dedup window needs at least 1 minute and a non-negative key cap")
        }
        ingest.pipeline.window = .init(windowMicros: Int64(windowMinutes) * 60_000_000, segments: windowMinutes, capacity: windowKeys)
        let writers = try pipelineWriters ?? Environment.int("TANDEM_PIPELINE_WRITERS") ?? ingest.pipeline.writers
        guard (1...16).contains(writers) else {
            throw ConfigurationError(
                "--pipeline-writers must be 1 to 16 (each holds a database connection while it writes); got \(writers)")
        }
        ingest.pipeline.writers = writers
        let flushDelay =
            try pipelineFlushDelayMs ?? Environment.int("TANDEM_PIPELINE_FLUSH_DELAY_MS")
            ?? Int(ingest.pipeline.flushDelay.inMilliseconds)
        guard (0...100).contains(flushDelay) else {
            throw ConfigurationError("--pipeline-flush-delay-ms must be 0 to 100 (every batch may wait that long); got \(flushDelay)")
        }
        ingest.pipeline.flushDelay = .milliseconds(flushDelay)

        let certificate = tlsCertificate ?? Environment.string("TANDEM_TLS_CERT")
        let key = tlsKey ?? Environment.string("TANDEM_TLS_KEY")
        guard (certificate == nil) == (key == nil) else {
            throw ConfigurationError("TLS needs both --tls-cert and --tls-key (or TANDEM_TLS_CERT and TANDEM_TLS_KEY)")
        }
        let retention = try retentionDays ?? Environment.int("TANDEM_RETENTION_DAYS") ?? 30
        guard retention >= 1 else { throw ConfigurationError("retention must be at least 1 day") }

        ingest.analystLimits = try analysts.resolve()

        if let name = nodeID ?? Environment.string("TANDEM_NODE_ID") {
            do {
                ingest.nodeID = try NodeID(name, field: "--node-id")
            } catch {
                throw ConfigurationError("\(error.field) \(error.message)")
            }
        }
        let lease = try nodeLease ?? Environment.int("TANDEM_NODE_LEASE") ?? min(10, max(1, timeout * 2 / 3))
        guard lease >= 1, lease < timeout else {
            throw ConfigurationError(
                "--node-lease (\(lease) s) must be at least 1 s and below the liveness timeout (\(timeout) s), so a dead node's sessions are watched in time"
            )
        }
        ingest.nodeLease = .seconds(lease)
        let grace = try reconnectGrace ?? Environment.int("TANDEM_RECONNECT_GRACE") ?? heartbeat
        guard grace >= 0, grace < timeout else {
            throw ConfigurationError("--reconnect-grace (\(grace) s) must be between 0 and the liveness timeout (\(timeout) s)")
        }
        ingest.reconnectGrace = .seconds(grace)
        let proxies =
            trustedProxies.isEmpty
            ? (Environment.string("TANDEM_TRUSTED_PROXIES") ?? "").split(separator: ",").map(String.init) : trustedProxies
        var trusted: Set<IPAddress> = []
        for proxy in proxies {
            guard let address = IPAddress(proxy.trimmingCharacters(in: .whitespaces)) else {
                throw ConfigurationError("--trusted-proxy '\(proxy)' is not an IP address")
            }
            trusted.insert(address)
        }
        ingest.trustedProxies = TrustedProxies(trusted)
        let shutdown = try shutdownTimeout ?? Environment.int("TANDEM_SHUTDOWN_TIMEOUT") ?? 30
        guard shutdown >= 1 else { throw ConfigurationError("--shutdown-timeout must be at least 1 second") }

        var http = HTTPLimits()
        http.bodyTimeout = .seconds(try httpBodyTimeout ?? Environment.int("TANDEM_HTTP_BODY_TIMEOUT") ?? 10)
        http.idleTimeout = .seconds(try httpIdleTimeout ?? Environment.int("TANDEM_HTTP_IDLE_TIMEOUT") ?? 60)
        http.maximumConnections = try httpMaxConnections ?? Environment.int("TANDEM_HTTP_MAX_CONNECTIONS") ?? 1_000
        guard http.bodyTimeout >= .seconds(1), http.idleTimeout >= .seconds(1), http.maximumConnections >= 1 else {
            throw ConfigurationError(
                "--http-body-timeout and --http-idle-timeout must be at least 1 second, --http-max-connections at least 1")
        }

        let httpPort = try Self.port(httpPort ?? Environment.int("TANDEM_HTTP_PORT") ?? 8080, flag: "--http-port")
        let grpcPort = try Self.port(grpcPort ?? Environment.int("TANDEM_GRPC_PORT") ?? 7443, flag: "--grpc-port")
        return Settings(
            host: host ?? Environment.string("TANDEM_HOST") ?? "127.0.0.1",
            httpPort: httpPort,
            grpcPort: grpcPort,
            tls: certificate.flatMap { cert in key.map { IngestServer.TLSFiles(certificateChainPath: cert, privateKeyPath: $0) } },
            ingest: ingest,
            http: http,
            eventPolicy: EventStore.Policy(retentionDays: retention),
            migrate: !noMigrate && Environment.string("TANDEM_NO_MIGRATE") == nil,
            metricsToken: (metricsToken ?? Environment.string("TANDEM_METRICS_TOKEN")).map(Secret.init),
            shutdownTimeout: .seconds(shutdown))
    }

    /// A TCP port as given, checked before anything starts: 1 to 65535, or 0 for any free one.
    static func port(_ value: Int, flag: String) throws -> Int {
        guard (0...65_535).contains(value) else {
            throw ConfigurationError("\(flag) must be a TCP port, 1 to 65535 (or 0 for any free port); got \(value)")
        }
        return value
    }
}
