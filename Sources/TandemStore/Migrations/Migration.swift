import Crypto
public import Foundation

/// One numbered plain-SQL file of `Migrations/` (`0001_foundation.sql`, …).
public struct Migration: Sendable, Hashable {
    /// The number the file name starts with; migrations apply in this order.
    public let version: Int
    /// The file name, e.g. `0001_foundation.sql`.
    public let name: String
    /// The file's SQL text.
    public let sql: String

    /// Creates a migration from its parts.
    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// The line that makes a migration run outside a transaction, statement by statement:
    /// what `CREATE INDEX CONCURRENTLY` and the like need (docs/upgrades.md).
    public static let noTransactionMarker = "-- tandem: no transaction"

    /// Whether the migration runs in one transaction (the default), or statement by statement
    /// because its first line is ``noTransactionMarker``.
    public var runsInTransaction: Bool {
        let firstLine = sql.split(separator: "\n").first { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        return firstLine?.trimmingCharacters(in: .whitespaces).lowercased() != Self.noTransactionMarker
    }

    /// Hex SHA-256 of the SQL text; an applied migration whose file no longer has this
    /// checksum was edited, and is refused.
    public var checksum: String {
        SHA256.hash(data: Data(sql.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// Loads every `NNNN_name.sql` file of `directory`, ordered by version.
    /// - Throws: ``StoreError`` `.invalidConfiguration` when the directory can't be read or two
    ///   files share a version number.
    public static func load(from directory: URL) throws -> [Migration] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw StoreError(
                .invalidConfiguration,
                "cannot read the migrations directory \(directory.path): set --migrations or TANDEM_MIGRATIONS_DIR"
            )
        }
        var migrations: [Migration] = []
        for name in names where name.hasSuffix(".sql") {
            guard let version = Int(name.prefix(while: \.isNumber)), name.prefix(while: \.isNumber).count == 4 else {
                throw StoreError(.invalidConfiguration, "migration file \(name) must be named NNNN_description.sql")
            }
            let sql = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
            migrations.append(Migration(version: version, name: name, sql: sql))
        }
        migrations.sort { $0.version < $1.version }
        for (previous, next) in zip(migrations, migrations.dropFirst()) where previous.version == next.version {
            throw StoreError(.invalidConfiguration, "migrations \(previous.name) and \(next.name) share version \(next.version)")
        }
        return migrations
    }
}
