import Foundation
import PostgresNIO
import TandemCore
import TandemStore
import Testing

/// What Tandem tells a connector (an ack, a Welcome) is committed first.
///
/// PostgresNIO ends a statement at its CommandComplete. Outside a transaction, PostgreSQL
/// commits only at the Sync that follows, after sending that CommandComplete, and a server
/// killed in between flushes it on its way out: a chaos run once acked 60 events a
/// `pg_ctl -m immediate` restart then lost. A constraint trigger deferred to COMMIT makes
/// the commit fail after the statement has answered, every time, so these tests tell an
/// answered statement from a committed one without racing a kill.
@Suite("Nothing is told before it is committed")
struct CommitTests {
    /// Makes every COMMIT of a transaction that inserted a row of `table` matching `condition`
    /// fail (SQLSTATE 23514), after the insert itself has been answered.
    static func refuseAtCommit(_ store: Store, table: String, when condition: String) async throws {
        _ = try await store.database.client.query(
            """
            CREATE FUNCTION refuse_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'refused at commit' USING ERRCODE = '23514'; END $$
            """, logger: TestDatabase.logger)
        _ = try await store.database.client.query(
            PostgresQuery(
                unsafeSQL: """
                    CREATE CONSTRAINT TRIGGER refuse_at_commit AFTER INSERT ON \(table) DEFERRABLE INITIALLY DEFERRED
                    FOR EACH ROW WHEN (\(condition)) EXECUTE FUNCTION refuse_at_commit()
                    """), logger: TestDatabase.logger)
    }

    @Test("an event flush whose COMMIT fails is not acked: the write throws and none of its rows is stored")
    func eventFlushCommitsBeforeItAcks() async throws {
        try await TestDatabase.withStore { store, _ in
            try await store.partitions.maintain()
            let (tenant, token) = try await TestDatabase.group(in: store)
            try await Self.refuseAtCommit(store, table: "events", when: "NEW.source_device = '172.20.0.9'")
            let now = Int64(Date().timeIntervalSince1970 * 1e6)
            let connector = ConnectorID.random()
            let records = (1...9).map { number in
                EventRecord(
                    tenant: tenant.id, token: token.id, connector: connector,
                    event: DeviceEvent(
                        channel: .controller, sourceDevice: "172.20.0.\(number)", kind: .clientRSSI, deviceTimeMicros: now - Int64(number),
                        subject: "aa:bb:cc:00:00:0\(number)", body: [UInt8(number)], receivedAtMicros: now,
                        connectorSequence: UInt64(number)))
            }
            let error = await #expect(throws: StoreError.self, "a flush that did not commit must not come back as stored") {
                try await store.events.write(records)
            }
            #expect(error?.code == .rejected, "the database refused the data: permanent, as a refusal of the insert itself is")
            let rows = try await store.database.client.query("SELECT count(*) FROM events WHERE tenant_id = \(tenant.id.rawValue)")
            for try await count in rows.decode(Int64.self) { #expect(count == 0) }
        }
    }

    @Test(
        "a join round whose COMMIT fails welcomes nobody it did not commit: the refused connector alone is refused, the others are joined")
    func joinRoundCommitsBeforeItWelcomes() async throws {
        try await TestDatabase.withStore { store, _ in
            let (tenant, first, second, third) = try await JoinRoundTests.threeGroups(store, thirdNetwork: .wireless)
            try await Self.refuseAtCommit(store, table: "connectors", when: "NEW.hostname = 'host-2'")
            let requests = [
                try JoinRoundTests.request(first, 1), try JoinRoundTests.request(second, 2), try JoinRoundTests.request(third, 3),
            ]
            let outcomes = try await store.connectors.join(requests)
            #expect((try? outcomes[0].get())?.haActive == [requests[0].hello.ipAddress])
            let refusal = #expect(throws: StoreError.self, "the connector whose row could not commit gets no Welcome") {
                try outcomes[1].get()
            }
            #expect(refusal?.code == .rejected)
            #expect((try? outcomes[2].get())?.haActive == [requests[2].hello.ipAddress])
            for (token, expected) in [(first, [requests[0].hello.ipAddress]), (second, []), (third, [requests[2].hello.ipAddress])] {
                #expect(try await store.connectors.haActive(tenant: tenant.id, token: token.id) == expected, "what was told is stored")
            }
        }
    }
}
