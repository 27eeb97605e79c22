/// Every setting of Tandem, in the order `--help` and docs/operations.md list them. A setting
/// added here shows in `tandem serve --help`, is read from its flag and its environment
/// variable, and appears in the table `tandem settings --markdown` prints.
public enum Settings {
    // MARK: Every command: where the database is, the log level

    static let databaseURL = Setting(
        "database-url", value: "url", default: "embedded cluster",
        "`postgres://USER[:PASSWORD]@HOST[:PORT]/DB[?sslmode=disable|prefer|require][&host=/socket/dir][&pool_max=N]`; "
            + "without one, an embedded cluster in --data-dir is used")
    static let dataDirectory = Setting(
        "data-dir", value: "path", default: "`./.tandem`",
        "where the embedded cluster lives (`postgres/data`, `postgres/run`, `postgres/postgres.log`)")
    static let postgresBinaries = Setting(
        "postgres-bin", environmentOnly: true, value: "path", default: "newest `/usr/lib/postgresql/*/bin`",
        "PostgreSQL server binaries for the embedded cluster")
    static let migrationsDirectory = Setting(
        "migrations-dir", flag: "migrations", value: "path", default: "`./Migrations`", "directory of the numbered SQL migrations")
    static let logLevel = Setting(
        "log-level", value: "level", default: "`info`", "`trace`, `debug`, `info`, `notice`, `warning` or `error`")

    // MARK: serve: listeners

    static let host = Setting("host", value: "address", default: "`127.0.0.1`", "listen address of the HTTP and gRPC listeners")
    static let httpPort = Setting(
        "http-port", value: "port", default: "`8080`", range: 0...65_535,
        "operator HTTP API port (0: any free port; checked before anything starts)")
    static let grpcPort = Setting(
        "grpc-port", value: "port", default: "`7443`", range: 0...65_535,
        "connector gRPC port, control and data channels (0: any free port)")
    static let tlsCertificate = Setting(
        "tls-cert", value: "path", default: "off", "PEM certificate chain: serve gRPC and HTTP over TLS (with --tls-key)")
    static let tlsKey = Setting("tls-key", value: "path", default: "off", "PEM private key of --tls-cert")
    static let metricsToken = Setting("metrics-token", value: "token", default: "open", "bearer token `GET /metrics` requires")
    static let httpBodyTimeout = Setting(
        "http-body-timeout", value: "seconds", default: "`10`", range: 1...Int.max,
        "seconds a request body may take to arrive; past it 408 (JSON error) and the connection closes")
    static let httpIdleTimeout = Setting(
        "http-idle-timeout", value: "seconds", default: "`60`", range: 1...Int.max,
        "seconds an HTTP connection may idle (or sit in the middle of its headers) before it is closed")
    static let httpMaxConnections = Setting(
        "http-max-connections", value: "count", default: "`1000`", range: 1...Int.max,
        "HTTP connections open at once; more wait in the listen queue")
    static let trustedProxies = Setting(
        "trusted-proxies", flag: "trusted-proxy", value: "address", default: "none",
        "balancer addresses whose `X-Forwarded-For` names the client (for the failed-login throttle); "
            + "repeat the flag or separate with commas")

    // MARK: serve: connectors

    static let heartbeatInterval = Setting(
        "heartbeat-interval", value: "seconds", default: "`5`", range: 1...Int.max,
        "seconds between connector heartbeats (told to connectors in the Welcome)")
    static let livenessTimeout = Setting(
        "liveness-timeout", value: "seconds", default: "3 × heartbeat",
        "seconds of silence before a connector is lost; above the heartbeat interval")
    static let reconnectGrace = Setting(
        "reconnect-grace", value: "seconds", default: "one heartbeat interval", range: 0...Int.max,
        "seconds a connector whose control stream ended has to come back (on any node) before its leave is judged; "
            + "below the liveness timeout")
    static let maxGroupMembers = Setting(
        "max-group-members", value: "count", default: "`2`", range: 1...Int.max, "active connectors allowed per token")
    static let maxMessageBytes = Setting(
        "max-message-bytes", value: "bytes", default: "`4194304`", range: 1_024...Int.max,
        "largest message; bigger batches get `RESOURCE_EXHAUSTED` (the transport resets streams past twice this)")
    static let maxInFlightBatches = Setting(
        "max-inflight-batches", value: "count", default: "`8`", range: 1...Int.max,
        "un-acked batches per data stream; past it the stream is not read (HTTP/2 flow control holds the connector back)")
    static let maxDataStreamsPerToken = Setting(
        "max-data-streams-per-token", value: "count", default: "`4`", range: 1...Int.max,
        "data streams open at once per token on a node; more get `RESOURCE_EXHAUSTED`")

    // MARK: serve: the write path and storage

    static let dedupWindowMinutes = Setting(
        "dedup-window-minutes", value: "minutes", default: "`10`", range: 1...Int.max,
        "device time the in-memory dedup window covers (1-minute segments)")
    static let dedupWindowKeys = Setting(
        "dedup-window-keys", value: "count", default: "`4000000`", range: 0...Int.max,
        "key cap of the window (about 52 bytes a key); at the cap the oldest segment goes")
    static let pipelineWriters = Setting(
        "pipeline-writers", value: "count", default: "`3`", range: 1...16,
        "flushes of the event pipeline written at once, each on its own database connection")
    static let pipelineFlushDelay = Setting(
        "pipeline-flush-delay-ms", value: "milliseconds", default: "`0`", range: 0...100,
        "milliseconds a writer that finds fewer than 4,000 events waits for more before it flushes (every batch may wait that long)")
    static let retentionDays = Setting(
        "retention-days", value: "days", default: "`30`", range: 1...Int.max,
        "days of events kept; older partitions are dropped, older events quarantined")
    static let analystConnectionLimit = Setting(
        "analyst-connection-limit", value: "count", default: "`5`", range: 1...Int.max,
        "sessions each analyst login may have open (logins created through the API; `analyst create` takes it too)")
    static let analystStatementTimeout = Setting(
        "analyst-statement-timeout", value: "seconds", default: "`60`", range: 1...Int.max,
        "seconds an analyst statement may run; `serve` cancels longer ones")
    static let noMigrate = Setting(
        "no-migrate", value: nil, default: "off", "don't apply pending migrations at start (`/readyz` reports them); environment: `true`")

    // MARK: serve: the cluster and shutdown

    static let nodeID = Setting(
        "node-id", value: "name", default: "host name + random suffix",
        "this node's name in a cluster (letters, digits, `.`, `_`, `-`; at most 64)")
    static let nodeLease = Setting(
        "node-lease", value: "seconds", default: "`10` (below the liveness timeout)",
        "seconds this node's lease lasts unrenewed; when it lapses, the other nodes watch its sessions")
    static let shutdownTimeout = Setting(
        "shutdown-timeout", value: "seconds", default: "`30`", range: 1...Int.max,
        "seconds a graceful shutdown may take, the data streams' drain included (their batches in flight are acked first); "
            + "what still runs then is cancelled")
    static let buildCommit = Setting(
        "build-commit", environmentOnly: true, value: "commit", default: "`unknown`",
        "the commit the binary was built from, shown by `tandem_build_info` (the Dockerfile sets it from its `COMMIT` build argument)")

    /// What every command reads: the database and the log level.
    static let everyCommand = [databaseURL, dataDirectory, postgresBinaries, migrationsDirectory, logLevel]

    /// What `serve` reads beside ``everyCommand`` (through ``SettingsReader``).
    static let serve = [
        host, httpPort, grpcPort, tlsCertificate, tlsKey, metricsToken, httpBodyTimeout, httpIdleTimeout, httpMaxConnections,
        trustedProxies, heartbeatInterval, livenessTimeout, reconnectGrace, maxGroupMembers, maxMessageBytes, maxInFlightBatches,
        maxDataStreamsPerToken, dedupWindowMinutes, dedupWindowKeys, pipelineWriters, pipelineFlushDelay, retentionDays,
        analystConnectionLimit, analystStatementTimeout, noMigrate, nodeID, nodeLease, shutdownTimeout, buildCommit,
    ]

    /// Every setting, in the order of the docs' table.
    public static var all: [Setting] { everyCommand + serve }
}
