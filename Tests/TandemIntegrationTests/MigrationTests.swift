import Foundation
import PostgresNIO
import TandemCore
import TandemStore
import Testing

@Suite("Migrations against real PostgreSQL")
struct MigrationTests {
    @Test("applying on an empty database runs every migration; running again is a no-op")
    func applyThenReapply() async throws {
        try await TestDatabase.withStore(migrate: false) { store, _ in
            let first = try await store.migrations.run()
            #expect(first.applied == store.migrations.migrations.map(\.name))
            #expect(first.alreadyApplied.isEmpty)
            let second = try await store.migrations.run()
            #expect(second.applied.isEmpty)
            #expect(second.alreadyApplied == first.applied)
            #expect(try await store.migrations.pending().isEmpty)
        }
    }

    @Test("an applied migration whose file was edited is refused with a message naming it")
    func editedMigrationRefused() async throws {
        try await TestDatabase.withStore { store, _ in
            var edited = store.migrations.migrations
            let original = edited[0]
            edited[0] = Migration(version: original.version, name: original.name, sql: original.sql + "\n-- edited\n")
            let runner = MigrationRunner(migrations: edited, database: store.database, logger: TestDatabase.logger)
            let error = await #expect(throws: StoreError.self) { try await runner.run() }
            #expect(error?.code == .migrationEdited)
            #expect(error?.message.contains(original.name) == true)
            #expect(error?.message.contains("new migration") == true)
        }
    }

    @Test("a failing migration is rolled back whole and not recorded")
    func failingMigrationRolledBack() async throws {
        try await TestDatabase.withStore { store, _ in
            let broken = Migration(
                version: 9999, name: "9999_broken.sql",
                sql: "CREATE TABLE half_done (tenant_id uuid);\nSELECT 1 / 0;")
            let runner = MigrationRunner(
                migrations: store.migrations.migrations + [broken], database: store.database, logger: TestDatabase.logger)
            let error = await #expect(throws: StoreError.self) { try await runner.run() }
            #expect(error?.code == .migrationFailed)
            #expect(error?.message.contains("9999_broken.sql") == true)
            let rows = try await store.database.client.query(
                "SELECT to_regclass('half_done') IS NULL, (SELECT count(*) FROM schema_migrations WHERE version = 9999)")
            for try await (absent, recorded) in rows.decode((Bool, Int).self) {
                #expect(absent)
                #expect(recorded == 0)
            }
        }
    }

    @Test(
        "a migration marked '-- tandem: no transaction' runs statement by statement (CREATE INDEX CONCURRENTLY on connectors works); unmarked, the same fails and is rolled back; a failure part-way leaves it unrecorded and a fixed rerun completes it"
    )
    func migrationOutsideATransaction() async throws {
        try await TestDatabase.withStore { store, _ in
            let concurrently = "CREATE INDEX CONCURRENTLY IF NOT EXISTS connectors_by_node ON connectors (tenant_id, node_id);"
            let unmarked = Migration(version: 9998, name: "9998_kind.sql", sql: concurrently)
            #expect(unmarked.runsInTransaction)
            let refused = await #expect(throws: StoreError.self) {
                try await MigrationRunner(
                    migrations: store.migrations.migrations + [unmarked], database: store.database, logger: TestDatabase.logger
                ).run()
            }
            #expect(refused?.message.contains("cannot run inside a transaction block") == true, "\(refused?.message ?? "")")

            // Part-way: the index is built, then a statement fails; nothing is recorded.
            let failing = Migration(
                version: 9998, name: "9998_kind.sql", sql: "\(Migration.noTransactionMarker)\n\(concurrently)\nSELECT 1 / 0;")
            #expect(!failing.runsInTransaction)
            let failed = await #expect(throws: StoreError.self) {
                try await MigrationRunner(
                    migrations: store.migrations.migrations + [failing], database: store.database, logger: TestDatabase.logger
                ).run()
            }
            #expect(failed?.message.contains("failed at statement 2 of 2") == true, "\(failed?.message ?? "")")

            let marked = Migration(version: 9998, name: "9998_kind.sql", sql: "\(Migration.noTransactionMarker)\n\(concurrently)")
            let report = try await MigrationRunner(
                migrations: store.migrations.migrations + [marked], database: store.database, logger: TestDatabase.logger
            ).run()
            #expect(report.applied == ["9998_kind.sql"])
            let rows = try await store.database.client.query(
                """
                SELECT i.indisvalid, (SELECT count(*) FROM schema_migrations WHERE version = 9998)
                FROM pg_index i WHERE i.indexrelid = 'connectors_by_node'::regclass
                """)
            var checked = false
            for try await (valid, recorded) in rows.decode((Bool, Int).self) {
                #expect(valid)
                #expect(recorded == 1)
                checked = true
            }
            #expect(checked)
            #expect(MigrationLockCheck.findings(in: marked).isEmpty, "a concurrent build locks nothing the check refuses")
        }
    }

    @Test(
        "docs/upgrades.md's recipe for an index on the partitioned events table (ON ONLY, each partition CONCURRENTLY, attached) runs outside a transaction, passes the lock check and leaves a valid index"
    )
    func partitionedIndexRecipe() async throws {
        try await TestDatabase.withStore { store, _ in
            try await store.partitions.maintain()
            var partitions: [String] = []
            let rows = try await store.database.client.query(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'events'::regclass ORDER BY 1"
            )
            for try await name in rows.decode(String.self) { partitions.append(name) }
            #expect(!partitions.isEmpty)
            var sql = "\(Migration.noTransactionMarker)\nCREATE INDEX IF NOT EXISTS events_kind ON ONLY events (tenant_id, kind);\n"
            for partition in partitions {
                sql += "CREATE INDEX CONCURRENTLY IF NOT EXISTS \(partition)_kind ON \(partition) (tenant_id, kind);\n"
                sql += "ALTER INDEX events_kind ATTACH PARTITION \(partition)_kind;\n"
            }
            let migration = Migration(version: 9997, name: "9997_events_kind.sql", sql: sql)
            #expect(MigrationLockCheck.findings(in: migration).isEmpty)
            _ = try await MigrationRunner(
                migrations: store.migrations.migrations + [migration], database: store.database, logger: TestDatabase.logger
            ).run()
            let valid = try await store.database.client.query(
                "SELECT indisvalid FROM pg_index WHERE indexrelid = 'events_kind'::regclass")
            var checked = false
            for try await isValid in valid.decode(Bool.self) {
                #expect(isValid, "the parent index is valid once every partition's is attached")
                checked = true
            }
            #expect(checked)
        }
    }

    @Test("0011 rebuilds the events key in time order and carries every stored row; a copy of one still conflicts")
    func eventsKeyMigrationCarriesRows() async throws {
        try await TestDatabase.withStore(migrate: false) { store, _ in
            let before = store.migrations.migrations.filter { $0.version < 11 }
            let through11 = store.migrations.migrations.filter { $0.version <= 11 }
            #expect(through11.count == before.count + 1, "0011 exists")
            _ = try await MigrationRunner(migrations: before, database: store.database, logger: TestDatabase.logger).run()
            try await store.partitions.maintain()
            let (tenant, token) = try await TestDatabase.group(in: store, name: "pair")
            let records = (0..<50).map { DatabaseFailoverTests.record(tenant.id, token.id, $0) }
            #expect(try await store.events.write(records) == Array(repeating: .stored, count: 50))

            let report = try await MigrationRunner(migrations: through11, database: store.database, logger: TestDatabase.logger).run()
            #expect(report.applied == ["0011_events_key_time_first.sql"])
            #expect(try await store.events.countRows() == 50)
            let key = try await store.events.tableFigures().primaryKey
            #expect(key == "PRIMARY KEY (tenant_id, device_time, identity)")
            #expect(try await store.events.write(records) == Array(repeating: .duplicate, count: 50), "the same rule: each row once")
        }
    }

    @Test("every table but the reference tables (schema_migrations, nodes) leads with tenant_id and every unique key includes it")
    func tenantFirstSchema() async throws {
        try await TestDatabase.withStore { store, _ in
            let firstColumns = try await store.database.client.query(
                """
                SELECT c.relname, a.attname FROM pg_class c
                JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
                JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = 1
                WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relname NOT IN ('schema_migrations', 'nodes')
                """)
            var tables = 0
            for try await (table, column) in firstColumns.decode((String, String).self) {
                tables += 1
                #expect(column == "tenant_id", "table \(table) leads with \(column)")
            }
            #expect(tables >= 8)
            let uniqueKeys = try await store.database.client.query(
                """
                SELECT i.indexrelid::regclass::text,
                       bool_or(a.attname = 'tenant_id')
                FROM pg_index i
                JOIN pg_class c ON c.oid = i.indrelid
                JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
                JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
                WHERE i.indisunique AND c.relname NOT IN ('schema_migrations', 'nodes') AND NOT c.relispartition
                GROUP BY 1
                """)
            for try await (index, includesTenant) in uniqueKeys.decode((String, Bool).self) {
                #expect(includesTenant, "unique index \(index) does not include tenant_id")
            }
        }
    }
}
