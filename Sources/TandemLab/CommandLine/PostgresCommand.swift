import ArgumentParser
import Foundation
import Logging
import TandemStore

/// `tandem-lab postgres start|stop`: a throwaway PostgreSQL cluster made by the product's own
/// recipe (``TandemStore/EmbeddedPostgres``), for the test suite (`scripts/test-postgres`) and a
/// local cluster (`scripts/cluster`).
struct PostgresCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "postgres", abstract: "Start or stop a throwaway PostgreSQL cluster (the embedded one's recipe).",
        subcommands: [Start.self, Stop.self])

    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Start a cluster on a unix socket and print `export TANDEM_TEST_POSTGRES_DIR=…` and `export TANDEM_TEST_DATABASE_URL=…`.")

        @Option(help: "The cluster's directory (created; default a new /tmp/tandem-test-… directory).") var dir: String?
        @Flag(help: "Keep fsync, synchronous commit and full-page writes on (default off: the cluster is thrown away).")
        var durable = false
        @Option(help: "max_connections (the suite opens many databases at once).") var maxConnections = 400

        func run() async throws {
            let directory = try dir.map { URL(fileURLWithPath: $0) } ?? Self.newDirectory()
            var tuning = EmbeddedPostgres.Tuning()
            tuning.durable = durable
            tuning.maximumConnections = maxConnections
            var logger = Logger(label: "tandem-lab")
            logger.logLevel = .warning
            let cluster = EmbeddedPostgres(directory: directory, tuning: tuning, logger: logger)
            try await cluster.start()
            print("export TANDEM_TEST_POSTGRES_DIR='\(cluster.directory.path)'")
            print("export TANDEM_TEST_DATABASE_URL='\(cluster.url)'")
        }

        static func newDirectory() throws -> URL {
            let directory = URL(fileURLWithPath: "/tmp/tandem-test-\(UUID().uuidString.prefix(8).lowercased())")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            return directory
        }
    }

    struct Stop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop the cluster in DIR and remove DIR.")

        @Argument(help: "The directory `start` printed.") var dir: String

        func run() async throws {
            var logger = Logger(label: "tandem-lab")
            logger.logLevel = .warning
            EmbeddedPostgres(directory: URL(fileURLWithPath: dir), logger: logger).stop()
            try? FileManager.default.removeItem(atPath: dir)
        }
    }
}
