import ArgumentParser
import Foundation
import Logging
import PostgresNIO
import TandemCore
import TandemIngest
import TandemServer
import TandemStore
import UnixSignals

/// `tandem serve`: one node (``TandemNode``: the connector channels and the operator API over
/// PostgreSQL) that shuts down gracefully on SIGINT/SIGTERM.
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
        logger.info("database", metadata: [LogKey.url: "\(connection.url)"])

        let store = Store(
            database: Database(url: connection.url, logger: logger), migrations: try database.migrations(), eventPolicy: settings.eventPolicy, logger: logger)
        let eventPolicy = settings.eventPolicy
        try await database.withStore(connection, logger: logger) { store in
            if settings.migrate { try await store.migrations.run() }
            // Partitions exist before the first event can arrive.
            try await store.partitions.maintain()
        }

        var node = TandemNode.Configuration()
        node.ingest = settings.ingest
        node.host = settings.host
        node.grpcPort = settings.grpcPort
        node.httpPort = settings.httpPort
        node.tls = settings.tls
        node.http = settings.http
        node.clustered = true
        node.metricsToken = settings.metricsToken
        node.build = BuildInfo(commit: Environment.string("TANDEM_BUILD_COMMIT"))
        node.shutdownTimeout = settings.shutdownTimeout
        node.signals = [.sigterm, .sigint]
        let tandem = try TandemNode(store: store, runsDatabase: true, configuration: node, logger: logger)
        logger.info(
            "serving",
            metadata: [
                LogKey.node: "\(settings.ingest.nodeID)",
                LogKey.http: "\(settings.tls == nil ? "http" : "https")://\(settings.host):\(settings.httpPort)",
                LogKey.grpc: "\(settings.tls == nil ? "" : "tls ")\(settings.host):\(settings.grpcPort)",
                LogKey.eventRetentionDays: "\(eventPolicy.retentionDays)",
            ])
        try await tandem.run()
    }
}
