public import ArgumentParser
import PostgresNIO
import TandemCore
import TandemLab
import TandemStore

/// `tandem`: the cloud side of redundant edge connectors. The executable's `main` calls
/// ``main()``.
public struct TandemCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "tandem",
        abstract: "Cloud service for active-active edge connectors: tokens, HA groups, exactly-once events.",
        version: BuildInfo.version,
        subcommands: [
            ServeCommand.self, MigrateCommand.self, TenantCommand.self, TokenCommand.self, AnalystCommand.self,
            LabCommand<SimulateRun>.self,
            BenchCommand.self, LabCommand<ChaosRun>.self,
        ]
    )

    public init() {}

    /// Runs the command line; a database error is printed as what PostgreSQL said (postgres-nio's
    /// own description of it is a fixed "Generic description to prevent accidental leakage").
    public static func main() async {
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch let error as PSQLError {
            var text = StoreError.loggable(error)
            if let message = error.serverInfo?[.message] {
                text += ": \(message)"
            } else if error.code == .connectionError, let underlying = error.underlying {
                text = "could not connect to PostgreSQL (--database-url, or the embedded one in --data-dir): \(underlying)"
            }
            exit(withError: ConfigurationError(text))
        } catch {
            exit(withError: error)
        }
    }
}
