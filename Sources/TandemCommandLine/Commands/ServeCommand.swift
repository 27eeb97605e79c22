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
struct ServeCommand: AsyncParsableCommand, DatabaseCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run the service (embedded PostgreSQL unless --database-url is given).",
        discussion: """
            Each setting is read from its flag, else its environment variable, else its default \
            (`tandem settings` lists every one, docs/operations.md explains them):

            \(Settings.helpText(Settings.serve))
            """)

    @OptionGroup var database: DatabaseOptions
    /// The settings' flags and values, read by ``SettingsReader`` (``Settings/serve``).
    @Argument(parsing: .allUnrecognized, help: .hidden) var settings: [String] = []

    func run() async throws {
        let logger = database.logger
        let settings = try ServeSettings(SettingsReader(arguments: settings, settings: Settings.serve))
        let connection = try await database.connect(logger: logger, creatingCluster: true)
        defer { connection.stopIfStarted() }
        logger.info("database", metadata: [LogKey.url: "\(connection.url)"])

        let store = Store(
            database: Database(url: connection.url, logger: logger), migrations: try database.migrations(),
            eventPolicy: settings.eventPolicy, logger: logger)
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
        node.build = BuildInfo(commit: settings.buildCommit)
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
