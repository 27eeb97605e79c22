import Foundation
import Prometheus
import TandemCore
import TandemIngest
import TandemStore
import Testing

/// The per-group series come from PostgreSQL, not from what a node heard since it started: a
/// restarted node reports its down groups at once; with two nodes each group (a split one
/// included) is reported by exactly one.
@Suite("HA group series across restarts and nodes")
struct HAGroupGaugesTests {
    static let liveness = HALiveness(timeout: .seconds(15), grace: .seconds(5))

    /// A tenant with a down group, a healthy group whose data streams are split over two nodes,
    /// and a never-connected group.
    static func fleet(_ store: Store) async throws -> (tenant: TenantID, down: TokenID, split: TokenID, never: TokenID) {
        let (tenant, _) = try await store.tenants.create(name: try DisplayName("gauges", field: "name"))
        var tokens: [TokenID] = []
        for name in ["down", "split", "never"] {
            tokens.append(
                try await store.tokens.create(tenant: tenant.id, connectorName: try DisplayName(name, field: "n"), network: .wireless).token
                    .id)
        }
        for member in 0..<2 {
            let session = UUID()
            let join = try await store.connectors.join(
                tenant: tenant.id, token: tokens[0], hello: try PagingTests.hello(member, host: "down-\(member)"), session: session,
                node: try NodeID("node-1"), rules: PairingRules())
            _ = try await store.connectors.leave(
                tenant: tenant.id, token: tokens[0], connector: join.connectorID, session: session, reason: "test", liveness: Self.liveness)
        }
        // Both control streams on one node, the data streams on two: split where the data is.
        for member in 0..<2 {
            _ = try await store.connectors.join(
                tenant: tenant.id, token: tokens[1], hello: try PagingTests.hello(10 + member, host: "split-\(member)"), session: UUID(),
                node: try NodeID("node-1"), rules: PairingRules())
            _ = try await store.connectors.openDataChannel(
                tenant: tenant.id, token: tokens[1], instanceID: "instance-\(10 + member)", node: try NodeID("node-\(member + 1)"))
        }
        return (tenant.id, tokens[0], tokens[1], tokens[2])
    }

    static func scrape(_ registry: PrometheusCollectorRegistry) -> String {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }

    static func members(_ text: String, _ tenant: TenantID, _ group: TokenID) -> Double? {
        MetricsTests.value(text, "tandem_ha_active_members{tenant=\"\(tenant)\",group=\"\(group)\"}")
    }

    @Test("a freshly started node reports a down group at 0, a healthy one at 2, and no series for a never-connected group")
    func restartedNodeReportsEveryGroup() async throws {
        try await TestDatabase.withStore { store, _ in
            let fleet = try await Self.fleet(store)
            let registry = PrometheusCollectorRegistry()
            let metrics = IngestMetrics(factory: PrometheusMetricsFactory(registry: registry))
            try await HAGroupGauges(
                store: store, node: try NodeID("fresh"), interval: .seconds(1), clustered: false, metrics: metrics,
                logger: TestDatabase.logger
            ).refresh()
            let text = Self.scrape(registry)
            #expect(Self.members(text, fleet.tenant, fleet.down) == 0)
            #expect(Self.members(text, fleet.tenant, fleet.split) == 2)
            #expect(Self.members(text, fleet.tenant, fleet.never) == nil)
            #expect(MetricsTests.value(text, "tandem_failovers_total{tenant=\"\(fleet.tenant)\"}") == 0, "the tenant's counter exists at 0")
        }
    }

    @Test("two nodes: each group is reported by exactly one of them, and the split group is counted once")
    func twoNodesReportEachGroupOnce() async throws {
        try await TestDatabase.withStore { store, _ in
            let fleet = try await Self.fleet(store)
            let nodes = [try NodeID("node-1"), try NodeID("node-2")]
            for node in nodes {
                _ = try await store.nodes.register(node, grpcAddress: "", httpAddress: "", lease: .seconds(60))
            }
            var texts: [String] = []
            for node in nodes {
                let registry = PrometheusCollectorRegistry()
                try await HAGroupGauges(
                    store: store, node: node, interval: .seconds(1), clustered: true,
                    metrics: IngestMetrics(factory: PrometheusMetricsFactory(registry: registry)), logger: TestDatabase.logger
                ).refresh()
                texts.append(Self.scrape(registry))
            }
            for group in [fleet.down, fleet.split] {
                #expect(texts.filter { Self.members($0, fleet.tenant, group) != nil }.count == 1, "one node reports \(group)")
            }
            let split = texts.compactMap { MetricsTests.value($0, "tandem_ha_split_groups{tenant=\"\(fleet.tenant)\"}") }
            #expect(split.reduce(0, +) == 1, "the split group counts once across the nodes: \(split)")
        }
    }
}
