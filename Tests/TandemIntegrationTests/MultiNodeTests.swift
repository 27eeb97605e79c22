import Foundation
import GRPCCore
import PostgresNIO
import TandemConnector
import TandemCore
import TandemIngest
import TandemProtocol
import TandemStore
import Testing

/// Several nodes on one PostgreSQL: pushes cross nodes, a dead node's sessions are watched by
/// the others, a lost listener catches up. Real nodes, real gRPC, real LISTEN/NOTIFY.
@Suite("Cluster of nodes")
struct MultiNodeTests {
    @Test("a join on one node reaches the HA Active list of the pair's session on another node, and both nodes record their sessions")
    func haActiveCrossesNodes() async throws {
        try await TestCluster.run(nodes: 2) { cluster in
            let site = try await cluster.site()
            let a = try await cluster.connect(site, to: 0, ip: "10.0.0.1", instanceID: "a")
            let b = try await cluster.connect(site, to: 1, ip: "10.0.0.2", instanceID: "b")
            #expect(b.welcome.haActive.ipAddresses == ["10.0.0.1", "10.0.0.2"])
            let update = try await nextCommand(a.commands, within: .seconds(10)) { $0.haActive.ipAddresses.count == 2 }
            #expect(update.haActive.ipAddresses == ["10.0.0.1", "10.0.0.2"])

            let rows = try await cluster.store.database.client.query(
                "SELECT instance_id, node_id FROM connectors WHERE tenant_id = \(site.tenant.rawValue) ORDER BY instance_id")
            var holders: [String] = []
            for try await (instance, node) in rows.decode((String, String).self) { holders.append("\(instance)@\(node)") }
            #expect(holders == ["a@node-0", "b@node-1"])
            let controlOnly = try #require(try await cluster.store.groups.state(tenant: site.tenant, token: site.tokenID))
            #expect(!controlOnly.health.splitAcrossNodes, "control streams on two nodes, no data stream: nothing split to measure")
            // The data streams, one on each node: now the pair's statistics can't be measured.
            let dataA = DataStream.open(client: cluster.nodes[0].client, token: site.token, instanceID: "a")
            let dataB = DataStream.open(client: cluster.nodes[1].client, token: site.token, instanceID: "b")
            #expect(try await dataA.write(makeBatch(sequence: 1, events: 2)).stored == 2)
            #expect(try await dataB.write(makeBatch(sequence: 1, events: 2)).duplicates == 2)
            let split = try #require(try await cluster.store.groups.state(tenant: site.tenant, token: site.tokenID))
            #expect(split.health.splitAcrossNodes, "the pair's data streams are on different nodes")
            dataA.finish()
            dataB.finish()
            let nodes = try await cluster.store.nodes.list()
            #expect(nodes.filter(\.live).map(\.id) == ["node-0", "node-1"])

            b.kill()
            let after = try await nextCommand(a.commands, within: .seconds(10)) { $0.haActive.ipAddresses == ["10.0.0.1"] }
            #expect(after.haActive.ipAddresses == ["10.0.0.1"])
            a.kill()
        }
    }

    @Test("configuration, reprovision and revocation made through one node reach the sessions on another (revocation sweep off)")
    func pushesCrossNodes() async throws {
        try await TestCluster.run(nodes: 2, configure: { $0.revocationCheckInterval = .seconds(3_600) }) { cluster in
            let site = try await cluster.site()
            let a = try await cluster.connect(site, to: 0, ip: "10.0.0.1", instanceID: "a")
            let origin = cluster.nodes[1].ingest.registry

            _ = try await cluster.store.groups.replaceDevices(
                tenant: site.tenant, token: site.tokenID, network: .wireless,
                devices: [.init(ipAddress: "172.20.0.1", name: "wlc-1"), .init(ipAddress: "172.20.0.2", name: "wlc-2")])
            await origin.configurationChanged(tenant: site.tenant, token: site.tokenID)
            let configuration = try await nextCommand(a.commands, within: .seconds(10)) { $0.configuration.controllers.count == 2 }
            #expect(configuration.configuration.controllers.map(\.ipAddress) == ["172.20.0.1", "172.20.0.2"])

            await origin.reprovisionRequested(tenant: site.tenant, token: site.tokenID, services: ["hyperlocation", "iot"])
            let reprovision = try await nextCommand(a.commands, within: .seconds(10)) { !$0.reprovision.services.isEmpty }
            #expect(reprovision.reprovision.services == ["hyperlocation", "iot"])

            _ = try await cluster.store.tokens.revoke(tenant: site.tenant, id: site.tokenID)
            let revokedAt = ContinuousClock.now
            await origin.tokenRevoked(tenant: site.tenant, token: site.tokenID)
            do {
                try await a.ended()
                Issue.record("the session on the other node stayed open")
            } catch let error as RPCError {
                #expect(error.code == .unauthenticated)
            }
            #expect(ContinuousClock.now - revokedAt < .seconds(60), "closed by the notification, not the hourly sweep")
        }
    }

    @Test("a dead node: the connector that reconnects elsewhere in time is not lost; the one that doesn't is lost exactly once")
    func nodeLoss() async throws {
        try await TestCluster.run(
            nodes: 2,
            configure: {
                $0.heartbeatInterval = .milliseconds(250)
                $0.livenessTimeout = .seconds(2)
                $0.nodeLease = .seconds(1)
            }
        ) { cluster in
            let site = try await cluster.site()
            let a = try await cluster.connect(site, to: 0, ip: "10.0.0.1", instanceID: "a")
            let b = try await cluster.connect(site, to: 0, ip: "10.0.0.2", instanceID: "b")
            cluster.nodes[0].kill()
            _ = try? await a.ended()
            _ = try? await b.ended()
            // `a` comes back through the balancer on node-1; `b` never does.
            let again = try await cluster.connect(site, to: 1, ip: "10.0.0.1", instanceID: "a")
            #expect(again.welcome.haActive.ipAddresses == ["10.0.0.1", "10.0.0.2"], "b is still a member until its silence is noticed")
            try await eventually("b recorded lost by the surviving node", timeout: .seconds(10)) {
                try await cluster.store.connectors.haActive(tenant: site.tenant, token: site.tokenID) == ["10.0.0.1"]
            }
            let update = try await nextCommand(again.commands, within: .seconds(10)) { $0.haActive.ipAddresses == ["10.0.0.1"] }
            #expect(update.haActive.ipAddresses == ["10.0.0.1"])
            let state = try #require(try await cluster.store.groups.state(tenant: site.tenant, token: site.tokenID))
            let losses = state.history.filter { $0.kind == .lost }
            #expect(losses.map(\.ipAddress) == ["10.0.0.2"], "\(state.history.map { "\($0.kind) \($0.ipAddress)" })")
            #expect(state.history.filter { $0.kind == .failover }.count == 1)
            #expect(state.history.filter { $0.kind == .joined }.count == 2, "a's reconnect is not a new join")
            again.kill()
        }
    }

    @Test("a listener whose connection is terminated reconnects and catches up with what it missed")
    func listenerCatchesUp() async throws {
        try await TestCluster.run(nodes: 2) { cluster in
            let site = try await cluster.site()
            let a = try await cluster.connect(site, to: 0, ip: "10.0.0.1", instanceID: "a")
            let listener = ClusterListener.applicationName(cluster.nodes[0].id)
            try await eventually("node-0 listening", timeout: .seconds(30)) { try await Self.backends(listener, cluster.store) == 1 }
            let terminated = try await cluster.store.database.client.query(
                "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = \(listener) AND datname = current_database()) t"
            )
            for try await count in terminated.decode(Int.self) { #expect(count == 1) }
            // While node-0 is not listening, b joins through node-1: that notification is lost.
            let b = try await cluster.connect(site, to: 1, ip: "10.0.0.2", instanceID: "b")
            let update = try await nextCommand(a.commands, within: .seconds(20)) { $0.haActive.ipAddresses.count == 2 }
            #expect(update.haActive.ipAddresses == ["10.0.0.1", "10.0.0.2"])
            try await eventually("node-0 listening again", timeout: .seconds(30)) { try await Self.backends(listener, cluster.store) == 1 }
            a.kill()
            b.kill()
        }
    }

    @Test("a drained node gives its lease up at once and records no loss for its connectors")
    func drainReleasesLease() async throws {
        try await TestCluster.run(nodes: 2) { cluster in
            let site = try await cluster.site()
            let a = try await cluster.connect(site, to: 0, ip: "10.0.0.1", instanceID: "a")
            await cluster.nodes[0].drain()
            do {
                try await a.ended()
                Issue.record("the drained node's session ended without telling the connector to reconnect")
            } catch let error as RPCError {
                #expect(error.code == .unavailable)
            }
            let nodes = try await cluster.store.nodes.list()
            #expect(nodes.first { $0.id == "node-0" }?.live == false)
            #expect(nodes.first { $0.id == "node-1" }?.live == true)
            let state = try #require(try await cluster.store.groups.state(tenant: site.tenant, token: site.tokenID))
            #expect(state.history.map(\.kind) == [.joined])
        }
    }

    @Test(
        "a broken stream whose connector comes back (on another node) within the grace records no loss; one that doesn't is lost after it")
    func reconnectGrace() async throws {
        try await TestCluster.run(nodes: 2, configure: { $0.reconnectGrace = .seconds(1) }) { cluster in
            let site = try await cluster.site()
            let a = try await cluster.connect(site, to: 0, ip: "10.0.0.1", instanceID: "a")
            let b = try await cluster.connect(site, to: 0, ip: "10.0.0.2", instanceID: "b")
            a.kill()
            let again = try await cluster.connect(site, to: 1, ip: "10.0.0.1", instanceID: "a")
            let brokenAt = ContinuousClock.now
            b.kill()
            try await eventually("b recorded lost after the grace", timeout: .seconds(5)) {
                try await cluster.store.connectors.haActive(tenant: site.tenant, token: site.tokenID) == ["10.0.0.1"]
            }
            #expect(ContinuousClock.now - brokenAt >= .seconds(1), "the loss waited for the grace")
            let state = try #require(try await cluster.store.groups.state(tenant: site.tenant, token: site.tokenID))
            #expect(
                state.history.filter { $0.kind == .lost }.map(\.ipAddress) == ["10.0.0.2"],
                "\(state.history.map { "\($0.kind) \($0.ipAddress)" })")
            #expect(state.history.filter { $0.kind == .failover }.count == 1)
            again.kill()
        }
    }

    @Test("a session replaced by a reconnect on another node ends at its next batched heartbeat, with UNAVAILABLE and no loss")
    func replacedElsewhere() async throws {
        try await TestCluster.run(nodes: 2, configure: { $0.heartbeatWriteInterval = .milliseconds(100) }) { cluster in
            let site = try await cluster.site()
            let old = try await cluster.connect(site, to: 0, ip: "10.0.0.1", instanceID: "a", heartbeatEvery: .milliseconds(100))
            let new = try await cluster.connect(site, to: 1, ip: "10.0.0.1", instanceID: "a", heartbeatEvery: .milliseconds(100))
            do {
                try await old.ended()
                Issue.record("the replaced session stayed open")
            } catch let error as RPCError {
                #expect(error.code == .unavailable)
                #expect(error.message.contains("replaced"))
            }
            let state = try #require(try await cluster.store.groups.state(tenant: site.tenant, token: site.tokenID))
            #expect(state.history.map(\.kind) == [.joined], "\(state.history.map(\.kind))")
            #expect(state.haActive == ["10.0.0.1"])
            new.kill()
        }
    }

    static func backends(_ applicationName: String, _ store: Store) async throws -> Int {
        let rows = try await store.database.client.query(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = \(applicationName) AND datname = current_database()")
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }
}
