import ArgumentParser
import Foundation
import Hummingbird
import Logging
import PostgresNIO
import ServiceLifecycle
import UnixSignals
import TandemAPI
import TandemStore

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
        let connection = try await database.connect(logger: logger)
        defer { connection.stopIfStarted() }
        logger.info("database", metadata: ["url": "\(connection.url)"])

        let client = PostgresClient(configuration: connection.url.configuration, backgroundLogger: logger)
        let store = Store(client: client, migrations: try database.migrations(), logger: logger)
        if settings.migrate {
            try await database.withStore(connection, logger: logger) { try await $0.migrations.run() }
        }

        let http = OperatorAPI(store: store).makeApplication(host: settings.host, port: settings.httpPort, logger: logger)
        let services = ServiceGroup(
            configuration: .init(
                services: [.init(service: client), .init(service: http)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        logger.info("serving", metadata: ["http": "http://\(settings.host):\(settings.httpPort)"])
        try await services.run()
    }
}
