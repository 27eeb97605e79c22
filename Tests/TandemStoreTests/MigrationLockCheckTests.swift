import Foundation
import Testing

@testable import TandemStore

/// `tandem migrate --check`: which statements stop a hot table, and when a new migration is
/// refused for them.
@Suite("Migration lock check: statements that stop events, connectors or ha_groups")
struct MigrationLockCheckTests {
    static let cases: [(sql: String, expected: (table: String, lock: MigrationLockCheck.Lock)?)] = [
        ("ALTER TABLE connectors ADD COLUMN node_id text", ("connectors", .accessExclusive)),
        ("alter table if exists only public.ha_groups\n  add column v bigint", ("ha_groups", .accessExclusive)),
        ("ALTER TABLE events DROP CONSTRAINT events_pkey, ADD PRIMARY KEY (tenant_id, identity)", ("events", .accessExclusive)),
        ("ALTER TABLE events_p20261208 ADD COLUMN x int", ("events_p20261208", .accessExclusive)),
        ("ALTER TABLE events VALIDATE CONSTRAINT events_kind_check", nil),
        ("ALTER TABLE events ATTACH PARTITION events_p20261209 FOR VALUES FROM ('2026-12-09') TO ('2026-12-10')", nil),
        ("ALTER TABLE events DETACH PARTITION events_p20261101", ("events", .accessExclusive)),
        ("ALTER TABLE events DETACH PARTITION events_p20261101 CONCURRENTLY", nil),
        ("ALTER TABLE pair_statistics ADD COLUMN x int", nil),
        ("CREATE INDEX events_subject ON events (tenant_id, subject)", ("events", .blocksWrites)),
        ("CREATE UNIQUE INDEX IF NOT EXISTS c ON ONLY connectors (x)", ("connectors", .blocksWrites)),
        ("CREATE INDEX CONCURRENTLY events_subject ON events (tenant_id, subject)", nil),
        ("CREATE INDEX events_kind ON ONLY events (tenant_id, kind)", nil),
        ("CREATE INDEX events_p20261208_kind ON events_p20261208 (tenant_id, kind)", ("events_p20261208", .blocksWrites)),
        ("CREATE INDEX tokens_by_hash ON tokens (token_hash)", nil),
        ("CREATE TRIGGER t BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION f()", nil),
        ("DROP INDEX events_subject", ("index events_subject", .accessExclusive)),
        ("DROP INDEX CONCURRENTLY events_subject", nil),
        ("LOCK TABLE ha_groups", ("ha_groups", .accessExclusive)),
        ("LOCK TABLE ha_groups IN SHARE ROW EXCLUSIVE MODE", nil),
        ("TRUNCATE events", ("events", .accessExclusive)),
        ("DROP TABLE IF EXISTS connectors", ("connectors", .accessExclusive)),
        ("VACUUM FULL events", ("events", .accessExclusive)),
        ("REINDEX TABLE events", ("events", .blocksWrites)),
        ("REINDEX TABLE CONCURRENTLY events", nil),
        ("-- ALTER TABLE events ADD COLUMN commented out\nSELECT 1", nil),
        ("UPDATE connectors SET node_id = NULL", nil),
    ]

    @Test("each statement is classified by the lock it takes on a hot table", arguments: cases.indices)
    func classified(index: Int) {
        let (sql, expected) = Self.cases[index]
        let findings = MigrationLockCheck.findings(in: Migration(version: 20, name: "0020_x.sql", sql: sql))
        #expect(findings.first?.table == expected?.table, "\(sql)")
        #expect(findings.first?.lock == expected?.lock, "\(sql)")
        #expect(findings.count == (expected == nil ? 0 : 1), "\(sql)")
    }

    @Test("a new migration's lock is refused unless a `-- lock:` line right before it says why; an old one is reported only")
    func refusedUnlessExplained() throws {
        let sql = """
            CREATE TABLE firehose (n bigint);
            -- lock: connectors has a few thousand rows; the new column has no default, so no rewrite
            ALTER TABLE connectors ADD COLUMN firehose bigint;
            ALTER TABLE ha_groups ADD COLUMN firehose bigint;
            """
        let new = MigrationLockCheck.findings(in: Migration(version: 13, name: "0013_x.sql", sql: sql))
        #expect(new.map(\.table) == ["connectors", "ha_groups"])
        #expect(new[0].reason == "connectors has a few thousand rows; the new column has no default, so no rewrite")
        #expect(!new[0].refused)
        #expect(new[1].reason == nil)
        #expect(new[1].refused)
        #expect(new[1].statement == "ALTER TABLE ha_groups ADD COLUMN firehose bigint")
        let old = MigrationLockCheck.findings(in: Migration(version: 12, name: "0012_x.sql", sql: sql))
        #expect(old.allSatisfy { !$0.refused })
    }

    @Test("the repository's migrations: every lock is in one applied before the check, none is refused")
    func repositoryMigrations() throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Migrations")
        let findings = MigrationLockCheck.findings(in: try Migration.load(from: directory))
        #expect(findings.contains { $0.version == 11 && $0.table == "events" && $0.lock == .accessExclusive })
        #expect(findings.contains { $0.version == 7 && $0.table == "events" && $0.lock == .blocksWrites })
        #expect(findings.allSatisfy { !$0.refused })
    }
}
