public import ArgumentParser
import TandemCore

/// `tandem`: the cloud side of redundant edge connectors. The executable's `main` calls
/// ``main()``. The lab (bench, chaos, simulate) is `tandem-lab`, a separate executable.
public struct TandemCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "tandem",
        abstract: "Cloud service for active-active edge connectors: tokens, HA groups, exactly-once events.",
        version: BuildInfo.version,
        subcommands: [
            ServeCommand.self, MigrateCommand.self, TenantCommand.self, TokenCommand.self, AnalystCommand.self, SettingsCommand.self,
        ]
    )

    public init() {}

    /// Runs the command line (see ``CommandLineRunner``).
    public static func main() async {
        await CommandLineRunner.main(Self.self)
    }
}
