public import ArgumentParser
import TandemCommandLine
import TandemCore

/// `tandem-lab`: Tandem measured and tried (benchmarks, the chaos run, the simulation). Not part
/// of the product; the servers it starts are the `tandem` built beside it (or `TANDEM_BIN`).
public struct TandemLabCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "tandem-lab",
        abstract: "Tandem's lab: benchmarks, the chaos run and the simulation of connector pairs.",
        version: BuildInfo.version,
        subcommands: [LabCommand<SimulateRun>.self, BenchCommand.self, LabCommand<ChaosRun>.self, PostgresCommand.self]
    )

    public init() {}

    /// Runs the command line (see `CommandLineRunner`).
    public static func main() async {
        await CommandLineRunner.main(Self.self)
    }
}
