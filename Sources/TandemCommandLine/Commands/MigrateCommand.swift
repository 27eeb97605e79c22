import ArgumentParser
import TandemStore

/// `tandem migrate`: applies pending migrations; a no-op when the schema is current.
struct MigrateCommand: AsyncParsableCommand, DatabaseCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Apply the SQL migrations in order (each in a transaction).")

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let logger = database.logger
        let report = try await database.withStore(logger: logger) { try await $0.migrations.run() }
        print(
            report.applied.isEmpty
                ? "schema is current (\(report.alreadyApplied.count) migrations applied before)"
                : "applied \(report.applied.count) migration(s): \(report.applied.joined(separator: ", "))")
    }
}
