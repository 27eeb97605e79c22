import Foundation
import PostgresNIO
import TandemCore
import Testing

@testable import TandemStore

/// What Tandem sees of a PostgreSQL failover behind one address (HAProxy in front of Patroni):
/// connections that now lead to a read-only server, and whether commits are replicated. The
/// failover itself, with Patroni, etcd and HAProxy, is `tandem-lab chaos --postgres patroni`.
@Suite("Database failover: read-only servers and synchronous replication")
struct DatabaseFailoverTests {
    static func record(_ tenant: TenantID, _ token: TokenID, _ index: Int) -> EventRecord {
        let now = Int64(Date().timeIntervalSince1970 * 1e6)
        return EventRecord(
            tenant: tenant, token: token, connector: ConnectorID.random(),
            event: DeviceEvent(
                channel: .controller, sourceDevice: "10.0.0.1", kind: .clientRSSI, deviceTimeMicros: now - Int64(index),
                subject: "aa:\(index)", body: [1], receivedAtMicros: now, connectorSequence: 0))
    }

    @Test(
        "an event write refused by a read-only server (SQLSTATE 25006, a demoted primary) is retryable, closes its connection, and the next write reaches a writable server through the same pool"
    )
    func readOnlyServerIsRetryableAndReconnects() async throws {
        try await TestDatabase.withStore { store, url in
            try await store.partitions.maintain()
            let (tenant, token) = try await TestDatabase.group(in: store, name: "pair")
            let databaseName = try #require(url.configuration.database)
            // Connections opened from now on are read-only, as on a standby.
            try await store.database.client.query(
                PostgresQuery(unsafeSQL: "ALTER DATABASE \(databaseName) SET default_transaction_read_only = on"),
                logger: TestDatabase.logger)
            try await TestDatabase.withDatabase(url, maximumConnections: 1) { database in
                let events = EventStore(database: database, policy: .init(), logger: TestDatabase.logger)
                let error = await #expect(throws: StoreError.self) {
                    try await events.write([Self.record(tenant.id, token.id, 1)])
                }
                #expect(error?.code == .unavailable, "a read-only server must never be a permanent rejection")
                #expect(error?.message.contains("read-only") == true)
                // The new primary: connections opened now are writable.
                try await store.database.client.query(
                    PostgresQuery(unsafeSQL: "ALTER DATABASE \(databaseName) RESET default_transaction_read_only"),
                    logger: TestDatabase.logger)
                // The pool's only connection was read-only; had it been kept, this write would fail again.
                let outcomes = try await events.write([Self.record(tenant.id, token.id, 2)])
                #expect(outcomes == [.stored])
            }
            let stored = try await store.database.client.query(
                "SELECT count(*)::int8 FROM events WHERE tenant_id = \(tenant.id.rawValue)", logger: TestDatabase.logger)
            for try await count in stored.decode(Int64.self) { #expect(count == 1) }
        }
    }

    @Test(
        "only an unreachable database counts as an outage (it holds silence judging back); a refused, missing or cancelled one never does")
    func unavailabilityRule() {
        #expect(StoreError.isUnavailability(StoreError(.unavailable, "down")))
        #expect(!StoreError.isUnavailability(StoreError(.rejected, "bad data")))
        #expect(!StoreError.isUnavailability(StoreError(.notFound, "no such token")))
        #expect(!StoreError.isUnavailability(StoreError(.conflict, "taken")))
        #expect(!StoreError.isUnavailability(CancellationError()))
    }

    @Test("a single server reports its commits as unreplicated: isSynchronous false, no standby")
    func singleServerIsNotSynchronous() async throws {
        try await TestDatabase.withStore { store, _ in
            let replication = try await store.replication()
            #expect(!replication.isSynchronous)
            #expect(replication.standbys == 0)
            #expect(replication.description.hasPrefix("single server"))
        }
    }

    @Test(
        "commits count as synchronous only with standby names set, a waiting synchronous_commit and a synchronous standby connected",
        arguments: [
            ("on", "\"member-1\"", 1, 2, true),
            ("remote_apply", "ANY 1 (a, b)", 1, 2, true),
            ("on", "\"member-1\"", 0, 1, false),  // the named standby is gone: commits wait or Patroni clears the name
            ("local", "\"member-1\"", 1, 1, false),  // commits do not wait for it
            ("off", "\"member-1\"", 1, 1, false),
            ("on", "", 0, 2, false),  // asynchronous standbys
            ("on", " ", 0, 0, false),
        ])
    func synchronousRule(commit: String, names: String, synchronous: Int, standbys: Int, expected: Bool) {
        let replication = DatabaseReplication(
            synchronousCommit: commit, synchronousStandbyNames: names, synchronousStandbys: synchronous, standbys: standbys)
        #expect(replication.isSynchronous == expected)
        let waiting = ["on", "remote_apply"].contains(commit) && names.contains { $0 != " " } && synchronous == 0
        #expect(
            replication.description.hasPrefix(
                expected ? "synchronous" : waiting ? "waiting" : standbys > 0 ? "asynchronous" : "single server"))
    }
}
