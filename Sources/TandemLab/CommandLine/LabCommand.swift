import ArgumentParser
import TandemCommandLine

/// A harness of TandemLab as a subcommand (`tandem-lab bench …`, `tandem-lab chaos`, `tandem-lab simulate`):
/// the harness's own options and the database options; the figures printed as a table and, with
/// `--json FILE`, saved; exit status 2 when the run's own check fails.
struct LabCommand<Harness: LabRun>: AsyncParsableCommand, DatabaseCommand {
    static var configuration: CommandConfiguration { Harness.command }

    @OptionGroup var harness: Harness
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let logger = database.logger
        let lab = LabDatabase(migrations: try database.migrations(), migrationsDirectory: try database.migrationsPath) { logger in
            let connection = try await database.connect(logger: logger, creatingCluster: Harness.createsCluster)
            return LabDatabase.Server(url: connection.url, embedded: connection.embedded, stop: connection.stopIfStarted)
        }
        let figures = try await harness.run(on: lab, logger: logger)
        print(harness.table(figures))
        if let json = harness.json { try JSONOutput.write(figures, to: json) }
        if !harness.passed(figures) { throw ExitCode(2) }
    }
}
