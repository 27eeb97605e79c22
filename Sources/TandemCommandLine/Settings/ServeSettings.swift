import Foundation
import TandemAPI
import TandemCore
import TandemIngest
import TandemStore

/// `tandem serve`'s settings once read (``Settings/serve``) and checked together: what one
/// setting may be given another (the liveness timeout above the heartbeat, the lease below it).
struct ServeSettings {
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
    var buildCommit: String?

    init(_ reader: SettingsReader) throws {
        var ingest = IngestConfiguration()
        let heartbeat = try reader.integer(Settings.heartbeatInterval, default: 5)
        ingest.heartbeatInterval = .seconds(heartbeat)
        let timeout = try reader.integer(Settings.livenessTimeout) ?? 3 * heartbeat
        guard timeout > heartbeat else {
            throw ConfigurationError(
                "\(Settings.livenessTimeout.spelled) (\(timeout) s) must exceed the heartbeat interval (\(heartbeat) s)")
        }
        ingest.livenessTimeout = .seconds(timeout)
        ingest.pairingRules.maximumActiveMembers = try reader.integer(Settings.maxGroupMembers, default: 2)
        ingest.maximumMessageSize = try reader.integer(Settings.maxMessageBytes, default: 4 * 1024 * 1024)
        ingest.maximumInFlightBatches = try reader.integer(Settings.maxInFlightBatches, default: 8)
        ingest.maximumDataStreamsPerToken = try reader.integer(Settings.maxDataStreamsPerToken, default: 4)

        let windowMinutes = try reader.integer(Settings.dedupWindowMinutes, default: 10)
        let windowKeys = try reader.integer(Settings.dedupWindowKeys, default: 4_000_000)
        ingest.pipeline.window = .init(windowMicros: Int64(windowMinutes) * 60_000_000, segments: windowMinutes, capacity: windowKeys)
        ingest.pipeline.writers = try reader.integer(Settings.pipelineWriters, default: ingest.pipeline.writers)
        ingest.pipeline.flushDelay = .milliseconds(
            try reader.integer(Settings.pipelineFlushDelay, default: Int(ingest.pipeline.flushDelay.inMilliseconds)))

        let certificate = try reader.text(Settings.tlsCertificate)
        let key = try reader.text(Settings.tlsKey)
        guard (certificate == nil) == (key == nil) else {
            throw ConfigurationError("TLS needs both \(Settings.tlsCertificate.spelled) and \(Settings.tlsKey.spelled)")
        }
        tls = certificate.flatMap { cert in key.map { IngestServer.TLSFiles(certificateChainPath: cert, privateKeyPath: $0) } }

        ingest.analystLimits = AnalystRepository.Limits(
            connections: try reader.integer(Settings.analystConnectionLimit, default: 5),
            statementTimeout: .seconds(try reader.integer(Settings.analystStatementTimeout, default: 60)))

        if let name = try reader.text(Settings.nodeID) {
            do {
                ingest.nodeID = try NodeID(name, field: Settings.nodeID.flag ?? Settings.nodeID.key)
            } catch {
                throw ConfigurationError("\(error.field) \(error.message)")
            }
        }
        let lease = try reader.integer(Settings.nodeLease) ?? min(10, max(1, timeout * 2 / 3))
        guard lease >= 1, lease < timeout else {
            throw ConfigurationError(
                "\(Settings.nodeLease.spelled) (\(lease) s) must be at least 1 s and below the liveness timeout (\(timeout) s), "
                    + "so a dead node's sessions are watched in time")
        }
        ingest.nodeLease = .seconds(lease)
        let grace = try reader.integer(Settings.reconnectGrace, default: heartbeat)
        guard grace < timeout else {
            throw ConfigurationError(
                "\(Settings.reconnectGrace.spelled) (\(grace) s) must be below the liveness timeout (\(timeout) s)")
        }
        ingest.reconnectGrace = .seconds(grace)
        var trusted: Set<IPAddress> = []
        for proxy in try reader.list(Settings.trustedProxies) {
            guard let address = IPAddress(proxy) else {
                throw ConfigurationError("\(Settings.trustedProxies.spelled): '\(proxy)' is not an IP address")
            }
            trusted.insert(address)
        }
        ingest.trustedProxies = TrustedProxies(trusted)
        self.ingest = ingest

        http = HTTPLimits()
        http.bodyTimeout = .seconds(try reader.integer(Settings.httpBodyTimeout, default: 10))
        http.idleTimeout = .seconds(try reader.integer(Settings.httpIdleTimeout, default: 60))
        http.maximumConnections = try reader.integer(Settings.httpMaxConnections, default: 1_000)

        host = try reader.text(Settings.host) ?? "127.0.0.1"
        httpPort = try reader.integer(Settings.httpPort, default: 8080)
        grpcPort = try reader.integer(Settings.grpcPort, default: 7443)
        eventPolicy = EventStore.Policy(retentionDays: try reader.integer(Settings.retentionDays, default: 30))
        migrate = try !reader.isOn(Settings.noMigrate)
        metricsToken = try reader.text(Settings.metricsToken).map(Secret.init)
        shutdownTimeout = .seconds(try reader.integer(Settings.shutdownTimeout, default: 30))
        buildCommit = try reader.text(Settings.buildCommit)
    }
}
