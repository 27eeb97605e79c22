import ArgumentParser
import Foundation
import TandemStore

/// `tandem migrate`: applies pending migrations; a no-op when the schema is current.
struct MigrateCommand: AsyncParsableCommand, DatabaseCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Apply the SQL migrations in order (each in a transaction).")

    @OptionGroup var database: DatabaseOptions
    @Flag(
        help: """
            Apply nothing: list the migrations' statements that lock events, connectors or ha_groups, and fail if a \
            new one (\(MigrationLockCheck.firstChecked) and later) does so without a `-- lock: <reason>` comment (docs/upgrades.md).
            """)
    var check = false

    func run() async throws {
        if check { return try checkLocks() }
        let logger = database.logger
        let report = try await database.withStore(logger: logger) { try await $0.migrations.run() }
        print(
            report.applied.isEmpty
                ? "schema is current (\(report.alreadyApplied.count) migrations applied before)"
                : "applied \(report.applied.count) migration(s): \(report.applied.joined(separator: ", "))")
    }

    /// `--check`: the lock report, no database needed.
    private func checkLocks() throws {
        let findings = MigrationLockCheck.findings(in: try database.migrations())
        for finding in findings {
            let verdict = finding.refused ? "REFUSED" : finding.reason.map { "ok: \($0)" } ?? "applied before the check"
            print(
                String(format: "%04d", finding.version)
                    + "  \(finding.lock.rawValue) on \(finding.table)  \(finding.statement)  [\(verdict)]")
        }
        let refused = findings.filter(\.refused)
        guard refused.isEmpty else {
            throw ConfigurationError(
                "\(refused.count) statement(s) of a new migration lock a hot table without a `-- lock: <reason>` comment; "
                    + "rewrite them (CREATE INDEX CONCURRENTLY, ADD CONSTRAINT … NOT VALID then VALIDATE) or say why (docs/upgrades.md)")
        }
        print("no new migration locks events, connectors or ha_groups without saying why")
    }
}
