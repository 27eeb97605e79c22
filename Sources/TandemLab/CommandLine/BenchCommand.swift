import ArgumentParser

/// `tandem-lab bench`: Tandem measured against its baselines. `tandem-lab bench` alone runs the end-to-end
/// benchmark; `tandem-lab bench store` the store path alone.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Measure Tandem against its baselines.",
        subcommands: [
            LabCommand<EndToEndBench>.self, LabCommand<StoreBench>.self, LabCommand<AnalystBench>.self, LabCommand<SustainedBench>.self,
        ],
        defaultSubcommand: LabCommand<EndToEndBench>.self)
}
