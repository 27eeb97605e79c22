public import Logging
import PostgresNIO
import TandemCore

/// Applies the numbered migrations in order, each in its own transaction (or, when its first
/// line is ``Migration/noTransactionMarker``, statement by statement), and records each in
/// `schema_migrations` with its checksum.
///
/// Re-running is a no-op; a migration whose file changed after it was applied is refused.
/// Concurrent runners (two `serve` processes starting together) serialise on an advisory lock.
public struct MigrationRunner: Sendable {
    /// The migrations this binary knows, in order.
    public let migrations: [Migration]
    private let database: Database
    private let logger: Logger

    /// Advisory-lock key taken while migrating ("tandem" in ASCII).
    private static let lockKey: Int64 = 0x7461_6e64_656d

    /// Creates a runner over `migrations` for the database of `database`.
    public init(migrations: [Migration], database: Database, logger: Logger) {
        self.migrations = migrations
        self.database = database
        self.logger = logger
    }

    /// The outcome of a run.
    public struct Report: Sendable, Equatable {
        /// Names of the migrations applied by this run.
        public var applied: [String] = []
        /// Names of the migrations that were already applied.
        public var alreadyApplied: [String] = []
    }

    /// Applies every pending migration.
    /// - Returns: what was applied and what had been already.
    /// - Throws: ``StoreError`` `.migrationEdited` when an applied file changed,
    ///   `.migrationFailed` when a migration's SQL fails (that migration is rolled back).
    @discardableResult
    public func run() async throws -> Report {
        try await database.withConnection { connection in
            try await connection.statement(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version    integer PRIMARY KEY,
                    name       text        NOT NULL,
                    checksum   text        NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """, logger: logger)
            // Another runner may hold the lock for as long as its migrations take.
            try await connection.statement("SELECT pg_advisory_lock(\(Self.lockKey))", logger: logger, deadline: nil)
            do {
                let report = try await apply(on: connection)
                try await connection.statement("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
                return report
            } catch {
                _ = try? await connection.statement("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
                throw error
            }
        }
    }

    /// The migrations not applied yet (empty when the schema is current).
    /// - Throws: ``StoreError`` `.migrationEdited` when an applied file changed.
    public func pending() async throws -> [Migration] {
        let applied = try await database.withConnection { try await appliedChecksums(on: $0) }
        try verify(applied)
        return migrations.filter { applied[$0.version] == nil }
    }

    private func apply(on connection: DatabaseConnection) async throws -> Report {
        let applied = try await appliedChecksums(on: connection)
        try verify(applied)
        var report = Report()
        for migration in migrations {
            if applied[migration.version] != nil {
                report.alreadyApplied.append(migration.name)
                continue
            }
            if migration.runsInTransaction {
                try await applyInTransaction(migration, on: connection)
            } else {
                try await applyStatementByStatement(migration, on: connection)
            }
            logger.info("applied migration", metadata: [LogKey.migration: "\(migration.name)"])
            report.applied.append(migration.name)
        }
        return report
    }

    /// Runs `migration` and records it in one transaction: all of it or nothing.
    private func applyInTransaction(_ migration: Migration, on connection: DatabaseConnection) async throws {
        do {
            // No statement deadline: a migration may rewrite a large table.
            try await connection.transaction(logger: logger, deadline: nil) { transaction in
                for statement in SQLScript.statements(of: migration.sql) {
                    try await transaction.statement(PostgresQuery(unsafeSQL: statement), logger: logger, deadline: nil)
                }
                try await record(migration, on: transaction)
            }
        } catch {
            throw StoreError(.migrationFailed, "migration \(migration.name) failed and was rolled back: \(Self.cause(error))")
        }
    }

    /// Runs `migration`'s statements one by one, each committed on its own (``Migration/noTransactionMarker``),
    /// and records it once all have run. A failure leaves the statements before it applied and
    /// the migration unrecorded, so the next run starts it again: each statement must be safe
    /// to run twice (`IF NOT EXISTS`; an index a failed `CONCURRENTLY` build left INVALID is
    /// dropped first).
    private func applyStatementByStatement(_ migration: Migration, on connection: DatabaseConnection) async throws {
        let statements = SQLScript.statements(of: migration.sql)
        for (index, statement) in statements.enumerated() {
            do {
                try await connection.statement(PostgresQuery(unsafeSQL: statement), logger: logger, deadline: nil)
            } catch {
                throw StoreError(
                    .migrationFailed,
                    "migration \(migration.name) (outside a transaction) failed at statement \(index + 1) of \(statements.count), "
                        + "after the \(index) before it were applied; it runs again from the start next time: \(Self.cause(error))")
            }
        }
        try await record(migration, on: connection)
    }

    private func record(_ migration: Migration, on connection: DatabaseConnection) async throws {
        try await connection.statement(
            "INSERT INTO schema_migrations (version, name, checksum) VALUES (\(migration.version), \(migration.name), \(migration.checksum))",
            logger: logger)
    }

    /// What PostgreSQL said, or the error itself.
    private static func cause(_ error: any Error) -> String {
        (error as? PSQLError)?.serverInfo?[.message] ?? String(reflecting: error)
    }

    private func appliedChecksums(on connection: DatabaseConnection) async throws -> [Int: String] {
        let exists = try await connection.statement("SELECT to_regclass('schema_migrations') IS NOT NULL", logger: logger)
        for try await present in exists.decode(Bool.self) where !present { return [:] }
        var checksums: [Int: String] = [:]
        let rows = try await connection.statement("SELECT version, checksum FROM schema_migrations", logger: logger)
        for try await (version, checksum) in rows.decode((Int, String).self) { checksums[version] = checksum }
        return checksums
    }

    private func verify(_ applied: [Int: String]) throws {
        for migration in migrations {
            if let recorded = applied[migration.version], recorded != migration.checksum {
                throw StoreError(
                    .migrationEdited,
                    """
                    migration \(migration.name) was edited after it was applied \
                    (recorded checksum \(recorded.prefix(12)), file now \(migration.checksum.prefix(12))); \
                    restore the original file and put the change in a new migration
                    """)
            }
        }
        let known = Set(migrations.map(\.version))
        if let unknown = applied.keys.filter({ !known.contains($0) }).max() {
            logger.warning(
                "database has a migration this binary does not know; is an older tandem running against a newer schema?",
                metadata: [LogKey.version: "\(unknown)"])
        }
    }
}
