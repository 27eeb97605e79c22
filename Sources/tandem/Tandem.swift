import ArgumentParser

/// `tandem`: the cloud side of redundant edge connectors.
@main
struct Tandem: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tandem",
        abstract: "Cloud service for active-active edge connectors: tokens, HA groups, exactly-once events.",
        subcommands: [
            ServeCommand.self, MigrateCommand.self, TenantCommand.self, TokenCommand.self, AnalystCommand.self, SimulateCommand.self,
            BenchCommand.self, ChaosCommand.self,
        ]
    )
}
