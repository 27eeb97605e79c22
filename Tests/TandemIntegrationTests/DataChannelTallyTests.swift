import Foundation
import PostgresNIO
import TandemCore
import TandemStore
import Testing

@testable import TandemIngest

/// The node's data streams report what they delivered through one tally, written for all of
/// them at once, never on a batch's way to its ack.
@Suite("Data channel tally")
struct DataChannelTallyTests {
    /// Joins one connector per request and returns their ids, in order.
    static func join(_ requests: [HAJoinRequest], _ store: Store) async throws -> [ConnectorID] {
        try await store.connectors.join(requests).map { try $0.get().connectorID }
    }

    /// Each connector's `data_channel_events`.
    static func delivered(_ store: Store, tenant: TenantID) async throws -> [ConnectorID: Int64] {
        let rows = try await store.database.client.query(
            "SELECT connector_id, data_channel_events FROM connectors WHERE tenant_id = \(tenant.rawValue)",
            logger: TestDatabase.logger)
        var delivered: [ConnectorID: Int64] = [:]
        for try await (connector, events) in rows.decode((UUID, Int64).self) { delivered[ConnectorID(connector)] = events }
        return delivered
    }

    static func tally(_ store: Store) -> DataChannelTally {
        // An interval no test waits for: the tests flush by hand.
        DataChannelTally(
            connectors: store.connectors, groups: store.groups, interval: .seconds(3_600), outages: DatabaseOutages(),
            logger: TestDatabase.logger)
    }

    @Test(
        "many batches of four connectors in two groups, one flush: each connector's total is added, FastLocate flows only in the group that sent a location"
    )
    func oneFlushForManyStreams() async throws {
        try await TestDatabase.withStore { store, _ in
            let (tenant, first, second, _) = try await JoinRoundTests.threeGroups(store, thirdNetwork: .wireless)
            let ids = try await Self.join(
                [
                    try JoinRoundTests.request(first, 1), try JoinRoundTests.request(first, 2),
                    try JoinRoundTests.request(second, 3), try JoinRoundTests.request(second, 4),
                ], store)
            _ = try await store.database.client.query(
                "UPDATE ha_groups SET fastlocate_state = 're-establishing', fastlocate_since = now() WHERE tenant_id = \(tenant.id.rawValue)",
                logger: TestDatabase.logger)
            let tally = Self.tally(store)
            for _ in 0..<3 { tally.add(events: 100, connector: ids[0], token: first.id, tenant: tenant.id, location: false) }
            tally.add(events: 7, connector: ids[1], token: first.id, tenant: tenant.id, location: true)
            tally.add(events: 50, connector: ids[2], token: second.id, tenant: tenant.id, location: false)
            tally.add(events: 50, connector: ids[2], token: second.id, tenant: tenant.id, location: false)
            await tally.flush()
            #expect(try await Self.delivered(store, tenant: tenant.id) == [ids[0]: 300, ids[1]: 7, ids[2]: 100, ids[3]: 0])
            #expect(try await store.groups.state(tenant: tenant.id, token: first.id)?.fastLocateState == .flowing)
            #expect(try await store.groups.state(tenant: tenant.id, token: second.id)?.fastLocateState == .reEstablishing)
            await tally.flush()
            #expect(
                try await Self.delivered(store, tenant: tenant.id)[ids[0]] == 300, "a flush with nothing new adds nothing")
        }
    }

    @Test("a write the database refuses keeps its counts: the next flush adds them to what came meanwhile")
    func failedWriteIsKept() async throws {
        try await TestDatabase.withStore { store, _ in
            let (tenant, token) = try await TestDatabase.group(in: store)
            let ids = try await Self.join([try JoinRoundTests.request(token, 1)], store)
            _ = try await store.database.client.query(
                """
                CREATE FUNCTION refuse_count() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'refused' USING ERRCODE = '23514'; END $$
                """, logger: TestDatabase.logger)
            _ = try await store.database.client.query(
                """
                CREATE TRIGGER refuse_count BEFORE UPDATE OF data_channel_events ON connectors
                FOR EACH ROW EXECUTE FUNCTION refuse_count()
                """, logger: TestDatabase.logger)
            let tally = Self.tally(store)
            tally.add(events: 40, connector: ids[0], token: token.id, tenant: tenant.id, location: false)
            await tally.flush()
            #expect(try await Self.delivered(store, tenant: tenant.id)[ids[0]] == 0, "the refused write stored nothing")
            tally.add(events: 2, connector: ids[0], token: token.id, tenant: tenant.id, location: false)
            _ = try await store.database.client.query("DROP TRIGGER refuse_count ON connectors", logger: TestDatabase.logger)
            await tally.flush()
            #expect(try await Self.delivered(store, tenant: tenant.id)[ids[0]] == 42)
        }
    }
}
