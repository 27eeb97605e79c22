public import ArgumentParser
public import Logging

/// A harness of the lab (a benchmark, the chaos run, the simulation): its knobs parsed from
/// the command line, a run on a ``LabDatabase``, and figures to print and save.
///
/// The command line wraps each in one generic command; tests can parse the same arguments and
/// run it in process.
public protocol LabRun: ParsableArguments, Sendable {
    /// What the run reports, saved as JSON with `--json FILE`.
    associatedtype Figures: Encodable & Sendable

    /// The subcommand's name and abstract.
    static var command: CommandConfiguration { get }
    /// Whether the run may create an embedded cluster where there is none (its databases are
    /// throwaway); a run against a running `tandem serve` must find its cluster instead.
    static var createsCluster: Bool { get }

    /// The file the figures are saved to as JSON, if any.
    var json: String? { get }

    /// Runs the harness; progress goes to standard output as it happens.
    func run(on lab: LabDatabase, logger: Logger) async throws -> Figures

    /// The figures as the table printed at the end.
    func table(_ figures: Figures) -> String

    /// Whether the figures pass the run's own check (nothing lost, nothing doubled); a run that
    /// does not pass exits with status 2.
    func passed(_ figures: Figures) -> Bool
}

extension LabRun {
    public static var createsCluster: Bool { true }
    public func passed(_ figures: Figures) -> Bool { true }
}
