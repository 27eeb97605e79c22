import Foundation

/// Finds the statements of a migration that would stop the service's hot tables (`events`
/// and its daily partitions, `connectors`, `ha_groups`) under a running cluster: those taking
/// an ACCESS EXCLUSIVE lock (every read and write waits, and every later statement queues
/// behind the lock too) and those that block writes while they build (`CREATE INDEX` without
/// `CONCURRENTLY`). `tandem migrate --check` refuses them in a new migration unless the
/// statement says why, in a comment line `-- lock: <reason>` right before it (docs/upgrades.md).
///
/// It reads the SQL, not the catalog: a statement it does not know is not reported, and an
/// index dropped by name is reported whatever its table (PostgreSQL takes ACCESS EXCLUSIVE on
/// the table of an index dropped without `CONCURRENTLY`).
public enum MigrationLockCheck {
    /// The first migration the check refuses in. Those before were applied with their locks
    /// already (a file can't change once applied: its checksum is verified); they are reported,
    /// not refused.
    public static let firstChecked = 13

    /// The tables a migration must not stop.
    public static let hotTables = ["events", "connectors", "ha_groups"]

    /// What a statement does to a hot table.
    public enum Lock: String, Sendable, Equatable {
        /// Every read and write of the table waits until the transaction ends.
        case accessExclusive = "ACCESS EXCLUSIVE"
        /// Writes to the table wait while the statement runs (an index build).
        case blocksWrites = "blocks writes"
    }

    /// One statement that locks a hot table.
    public struct Finding: Sendable, Equatable {
        /// The migration's version.
        public let version: Int
        /// The table (or, for a dropped index, the index's name).
        public let table: String
        public let lock: Lock
        /// The statement's first line, as written.
        public let statement: String
        /// The `-- lock:` reason given, if any.
        public let reason: String?

        /// Whether `tandem migrate --check` refuses it: a new migration's lock without a reason.
        public var refused: Bool { version >= MigrationLockCheck.firstChecked && reason == nil }
    }

    /// The findings of every migration, in order.
    public static func findings(in migrations: [Migration]) -> [Finding] {
        migrations.flatMap { findings(in: $0) }
    }

    /// The findings of `migration`'s statements.
    public static func findings(in migration: Migration) -> [Finding] {
        SQLScript.statements(of: migration.sql).compactMap { statement in
            guard let (table, lock) = classify(code(of: statement)) else { return nil }
            let firstLine =
                statement.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
                .first { !$0.hasPrefix("--") && !$0.isEmpty } ?? ""
            return Finding(version: migration.version, table: table, lock: lock, statement: firstLine, reason: reason(in: statement))
        }
    }

    /// The statement without comments, upper-cased, its whitespace collapsed.
    static func code(of statement: String) -> String {
        statement.split(separator: "\n").map { line in
            line.range(of: "--").map { String(line[..<$0.lowerBound]) } ?? String(line)
        }.joined(separator: " ").uppercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// The reason of a `-- lock: <reason>` comment line in `statement`, if any.
    static func reason(in statement: String) -> String? {
        for line in statement.split(separator: "\n") {
            let text = line.trimmingCharacters(in: .whitespaces)
            guard text.lowercased().hasPrefix("-- lock:") else { continue }
            let reason = text.dropFirst("-- lock:".count).trimmingCharacters(in: .whitespaces)
            return reason.isEmpty ? nil : reason
        }
        return nil
    }

    /// The hot table `code` locks and how, if it does.
    static func classify(_ code: String) -> (String, Lock)? {
        let words = code.split(separator: " ").map(String.init)
        func hotTable(after index: Int) -> String? {
            var position = index
            while position < words.count, ["IF", "EXISTS", "ONLY", "TABLE"].contains(words[position]) { position += 1 }
            guard position < words.count else { return nil }
            let name = words[position].trimmingCharacters(in: CharacterSet(charactersIn: "\";,()")).lowercased()
            let bare = name.split(separator: ".").last.map(String.init) ?? name
            if hotTables.contains(bare) { return bare }
            if bare.hasPrefix("events_p"), bare.dropFirst("events_p".count).allSatisfy(\.isNumber) { return bare }
            return nil
        }
        switch (words.first, words.count > 1 ? words[1] : nil) {
        case ("ALTER", "TABLE"):
            guard let table = hotTable(after: 2) else { return nil }
            // The forms of ALTER TABLE that take less than ACCESS EXCLUSIVE.
            let lighter = ["VALIDATE CONSTRAINT", "SET STATISTICS", "ATTACH PARTITION", "DETACH PARTITION"]
            let actions = code.split(separator: ",").map(String.init)
            let allLighter = actions.allSatisfy { action in
                lighter.contains { action.contains($0) } && (!action.contains("DETACH PARTITION") || action.contains("CONCURRENTLY"))
            }
            return allLighter ? nil : (table, .accessExclusive)
        case ("DROP", "TABLE"), ("TRUNCATE", _), ("CLUSTER", _):
            return hotTable(after: words.first == "DROP" ? 2 : 1).map { ($0, .accessExclusive) }
        case ("LOCK", _):
            guard let table = hotTable(after: 1) else { return nil }
            // LOCK without a mode takes ACCESS EXCLUSIVE.
            return !code.contains(" IN ") || code.contains("ACCESS EXCLUSIVE") ? (table, .accessExclusive) : nil
        case ("VACUUM", "FULL"):
            return hotTable(after: 2).map { ($0, .accessExclusive) }
        case ("REINDEX", _):
            guard !code.contains("CONCURRENTLY"), let table = hotTable(after: 2) else { return nil }
            return (table, .blocksWrites)
        case ("CREATE", _):
            guard let on = words.firstIndex(of: "ON"), words.contains("INDEX"), !words.contains("CONCURRENTLY") else { return nil }
            // `ON ONLY events`: the partitioned parent's index alone, built empty at once (each
            // partition's is built CONCURRENTLY and attached: docs/upgrades.md).
            if on + 2 < words.count, words[on + 1] == "ONLY", hotTable(after: on + 2) == "events" { return nil }
            return hotTable(after: on + 1).map { ($0, .blocksWrites) }
        case ("DROP", "INDEX"):
            guard !words.contains("CONCURRENTLY") else { return nil }
            let name = words.last { $0 != "CASCADE" && $0 != "RESTRICT" }?.lowercased() ?? "?"
            return ("index \(name)", .accessExclusive)
        default:
            return nil
        }
    }
}
