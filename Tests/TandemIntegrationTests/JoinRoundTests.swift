import Foundation
import GRPCCore
import Prometheus
import TandemConnector
import TandemCore
import TandemStore
import Testing

/// Hellos are admitted in rounds, and channels' tokens looked up in rounds: one round answers
/// many connectors in one or two statements, and what it decides is what one at a time decided.
@Suite("Batched joins and token lookups")
struct JoinRoundTests {
    static let node = try! NodeID("test-node")

    static func request(_ token: Token, _ number: Int, session: UUID = UUID()) throws -> HAJoinRequest {
        HAJoinRequest(
            tenant: token.tenantID, token: token.id, hello: try PagingTests.hello(number, host: "host-\(number)"), session: session,
            node: node, rules: PairingRules())
    }

    /// A tenant with three tokens (groups) named first, second and third; the first two wireless.
    static func threeGroups(
        _ store: Store, thirdNetwork: NetworkKind
    ) async throws -> (tenant: Tenant, first: Token, second: Token, third: Token) {
        let (tenant, first) = try await TestDatabase.group(in: store, name: "first")
        let (second, _) = try await store.tokens.create(
            tenant: tenant.id, connectorName: try DisplayName("second", field: "name"), network: .wireless)
        let (third, _) = try await store.tokens.create(
            tenant: tenant.id, connectorName: try DisplayName("third", field: "name"), network: thirdNetwork)
        return (tenant, first, second, third)
    }

    @Test(
        "one round over three groups: each request gets its own outcome in order (joins, a refused third member, an unknown group); two Hellos of one group join one after the other"
    )
    func roundDecidesEachRequestAlone() async throws {
        try await TestDatabase.withStore { store, _ in
            let (tenant, first, second, third) = try await Self.threeGroups(store, thirdNetwork: .wired)
            let unknown = Token(
                id: TokenID(UUID()), tenantID: tenant.id, connectorName: try DisplayName("unknown", field: "name"), network: .wireless,
                createdAt: Date(), revokedAt: nil)
            let requests = [
                try Self.request(first, 1), try Self.request(second, 2), try Self.request(first, 3), try Self.request(third, 4),
                try Self.request(unknown, 5), try Self.request(third, 6), try Self.request(first, 7),
            ]
            let outcomes = try await store.connectors.join(requests)
            #expect(outcomes.count == requests.count)
            let joins = outcomes.map { try? $0.get() }
            #expect(joins[0]?.haActive == [requests[0].hello.ipAddress])
            #expect(joins[1]?.haActive == [requests[1].hello.ipAddress])
            #expect(
                joins[2]?.haActive == [requests[0].hello.ipAddress, requests[2].hello.ipAddress], "the group's second Hello sees the first")
            #expect(joins[2]?.haActiveChanged == true)
            #expect(joins[3]?.configuration.network == .wired)
            #expect(joins[5]?.haActive == [requests[3].hello.ipAddress, requests[5].hello.ipAddress])
            #expect(throws: PairingRefusal.self, "a third active member is refused, alone") { try outcomes[6].get() }
            #expect(
                throws: StoreError.self, "a group that does not exist fails alone",
                performing: { try outcomes[4].get() })
            #expect(Set(joins.compactMap { $0?.connectorID }).count == 5, "five connectors, each with its own id")

            for (token, expected) in [(first, [0, 2]), (second, [1]), (third, [3, 5])] {
                #expect(
                    try await store.connectors.haActive(tenant: tenant.id, token: token.id)
                        == expected.map { requests[$0].hello.ipAddress })
                let rows = try await store.database.client.query(
                    "SELECT kind FROM ha_history WHERE token_id = \(token.id.rawValue) ORDER BY history_id")
                var kinds: [String] = []
                for try await kind in rows.decode(String.self) { kinds.append(kind) }
                #expect(kinds == expected.map { _ in "joined" }, "one joined entry per admitted member of \(token.connectorName)")
            }

            // The same connector again in a later round: the same id, a new session generation.
            let again = try await store.connectors.join([try Self.request(first, 1)])
            let rejoin = try again[0].get()
            #expect(rejoin.connectorID == joins[0]?.connectorID)
            #expect(rejoin.generation > joins[0]?.generation ?? .max)
        }
    }

    @Test(
        "30 pairs saying Hello at once while the database holds every round: the first members fill at most two rounds and a queue (second members wait for their peer's join), all 60 welcomed"
    )
    func stormQueuesIntoRounds() async throws {
        try await TandemHarness.run { tandem in
            var sites: [TandemHarness.Site] = []
            for pair in 0..<30 { sites.append(try await tandem.site(name: "storm \(pair)")) }
            let pairs = sites
            let logger = TestDatabase.logger
            let streams = try await tandem.store.database.client.withConnection { lock in
                // Joins' writes wait for this lock (their loads do not), so the first two rounds
                // hold while the other first members arrive and queue; a pair's second member
                // waits for its peer's join on this node (the group's lock) before it queues.
                _ = try await lock.query("BEGIN", logger: logger)
                _ = try await lock.query("LOCK TABLE ha_groups IN EXCLUSIVE MODE", logger: logger)
                async let connected = withThrowingTaskGroup(of: ControlStream.self) { group in
                    for (pair, site) in pairs.enumerated() {
                        for member in 1...2 { group.addTask { try await tandem.connect(site, ip: "10.1.\(pair).\(member)") } }
                    }
                    var streams: [ControlStream] = []
                    for try await stream in group { streams.append(stream) }
                    return streams
                }
                // However the Hellos fall into rounds, every round started waits for the lock, at
                // most two run at once, and the 30 first members are in them or queued behind.
                try await eventually("every first member in a waiting round or queued for one", timeout: .seconds(30)) {
                    let text = HeartbeatTests.exposition(tandem.metrics)
                    let rounds = MetricsTests.value(text, "tandem_join_rounds_total") ?? 0
                    let inRounds = MetricsTests.value(text, "tandem_join_round_hellos_total") ?? 0
                    let waiting = MetricsTests.value(text, "tandem_join_waiting") ?? 0
                    let waiters = try await Self.lockWaiters(tandem)
                    // `rounds >= 1`: a moment with every Hello queued and no round started yet
                    // (the first not yet begun, on a busy machine) also has 0 waiters for 0 rounds.
                    return rounds >= 1 && inRounds + waiting == 30 && Double(waiters) == rounds
                }
                let held = try #require(MetricsTests.value(HeartbeatTests.exposition(tandem.metrics), "tandem_join_rounds_total"))
                #expect(held >= 1 && held <= 2, "\(held) rounds started while the lock was held")
                _ = try await lock.query("COMMIT", logger: logger)
                return try await connected
            }
            #expect(streams.count == 60)
            let rows = try await tandem.store.database.client.query("SELECT count(*) FROM connectors WHERE control_status = 'active'")
            for try await active in rows.decode(Int64.self) { #expect(active == 60) }
            let text = HeartbeatTests.exposition(tandem.metrics)
            #expect(MetricsTests.value(text, "tandem_join_round_hellos_total") == 60)
            // At most two rounds held by the lock, one for the first members that queued
            // meanwhile, and at most one per second member: 60 Hellos in at most 33 rounds.
            let rounds = try #require(MetricsTests.value(text, "tandem_join_rounds_total"))
            #expect(rounds <= 33, "\(rounds) rounds")
            #expect(MetricsTests.value(text, "tandem_join_waiting") == 0)
            for stream in streams { stream.kill() }
        }
    }

    @Test("a row the database refuses in a round refuses only its own connector: the others of the round are admitted")
    func refusedRowStaysAlone() async throws {
        try await TestDatabase.withStore { store, _ in
            let (tenant, first, second, third) = try await Self.threeGroups(store, thirdNetwork: .wireless)
            // A rule of the database's that the Hello's validation does not know, standing in
            // for any row PostgreSQL refuses (SQLSTATE class 23).
            _ = try await store.database.client.query(
                "ALTER TABLE connectors ADD CONSTRAINT no_refused_host CHECK (hostname <> 'host-2')", logger: TestDatabase.logger)
            let requests = [try Self.request(first, 1), try Self.request(second, 2), try Self.request(third, 3)]
            let outcomes = try await store.connectors.join(requests)
            #expect((try? outcomes[0].get())?.haActive == [requests[0].hello.ipAddress])
            let refusal = #expect(throws: StoreError.self, "the refused row's connector gets the refusal") { try outcomes[1].get() }
            #expect(refusal?.code == .rejected, "permanent: the same Hello fails every time")
            #expect((try? outcomes[2].get())?.haActive == [requests[2].hello.ipAddress])
            #expect(try await store.connectors.haActive(tenant: tenant.id, token: second.id) == [])
        }
    }

    @Test("a Hello the database refuses gets INVALID_ARGUMENT (permanent, not UNAVAILABLE) and its peer of the same pair still joins")
    func refusedHelloIsPermanent() async throws {
        try await TandemHarness.run { tandem in
            let site = try await tandem.site(name: "refused")
            _ = try await tandem.store.database.client.query(
                "ALTER TABLE connectors ADD CONSTRAINT no_refused_host CHECK (hostname <> 'connector-10.0.0.66')",
                logger: TestDatabase.logger)
            let error = await #expect(throws: RPCError.self) { try await tandem.connect(site, ip: "10.0.0.66") }
            #expect(error?.code == .invalidArgument)
            #expect(
                error?.message.contains("refused by the database (PostgreSQL refused the connector's Hello (SQLSTATE 23514)") == true,
                "\(String(describing: error?.message))")
            let peer = try await tandem.connect(site, ip: "10.0.0.67")
            #expect(peer.welcome.haActive.ipAddresses == ["10.0.0.67"])
            peer.kill()
        }
    }

    @Test("one lookup answers each secret in order: live tokens, nil for an unknown secret and for a revoked token, a repeat twice")
    func tokenLookupRound() async throws {
        try await TestDatabase.withStore { store, _ in
            let (tenant, _) = try await store.tenants.create(name: try DisplayName("lookups", field: "name"))
            var issued: [(Token, Secret)] = []
            for name in ["a", "b", "c"] {
                issued.append(
                    try await store.tokens.create(
                        tenant: tenant.id, connectorName: try DisplayName(name, field: "name"), network: .wireless))
            }
            _ = try await store.tokens.revoke(tenant: tenant.id, id: issued[2].0.id)
            let secrets = [issued[1].1, Secret.generate(.connectorToken), issued[0].1, issued[2].1, issued[1].1]
            let found = try await store.tokens.authenticate(secrets: secrets)
            #expect(found.map { $0?.id } == [issued[1].0.id, nil, issued[0].0.id, nil, issued[1].0.id])
            #expect(try await store.tokens.authenticate(secret: issued[0].1)?.id == issued[0].0.id)
        }
    }

    /// Backends of the test's database waiting for a lock.
    static func lockWaiters(_ tandem: TandemHarness) async throws -> Int64 {
        let rows = try await tandem.store.database.client.query(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()")
        for try await count in rows.decode(Int64.self) { return count }
        return 0
    }
}
