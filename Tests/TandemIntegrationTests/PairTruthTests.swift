import Foundation
import GRPCCore
import TandemConnector
import TandemCore
import TandemIngest
import TandemProtocol
import TandemStore
import Testing

/// What Tandem records about a pair over real gRPC and PostgreSQL, with a 3 s reconnect grace
/// (wide enough that a busy machine writes the second member's departure well within the
/// first one's grace): a failover only to a live peer, both members stopping together as one
/// `down` entry, and a Goodbye as a planned leave.
@Suite("Pair truth: failovers only to a live peer, planned leaves as such")
struct PairTruthTests {
    static func configure(_ configuration: inout IngestConfiguration) {
        configuration.reconnectGrace = .seconds(3)
        configuration.heartbeatInterval = .seconds(2)
        configuration.livenessTimeout = .seconds(8)
    }

    static func history(_ tandem: TandemHarness, _ site: TandemHarness.Site) async throws -> [HAEventKind] {
        try await tandem.store.groups.state(tenant: site.tenant, token: site.tokenID)?.history.reversed().map { $0.kind } ?? []
    }

    /// The tenant's series `name` as the node's registry exposes it.
    static func failovers(_ tandem: TandemHarness, _ site: TandemHarness.Site, _ name: String = "tandem_failovers_total") -> Double? {
        var buffer: [UInt8] = []
        tandem.metrics.emit(into: &buffer)
        return MetricsTests.value(String(decoding: buffer, as: UTF8.self), "\(name){tenant=\"\(site.tenant)\"}")
    }

    @Test("both members close within a second: one down entry naming both, no failover, no reprovision, no failover counted")
    func bothStopTogether() async throws {
        try await TandemHarness.run(configure: Self.configure) { tandem in
            let site = try await tandem.site()
            let a = try await tandem.connect(site, ip: "10.0.0.1")
            let b = try await tandem.connect(site, ip: "10.0.0.2")
            a.kill()
            try await Task.sleep(for: .milliseconds(200))  // the scenario: the second member closes a moment later
            b.kill()
            try await eventually("the group to be judged down", timeout: .seconds(60)) {
                try await Self.history(tandem, site).contains(.down)
            }
            let state = try #require(try await tandem.store.groups.state(tenant: site.tenant, token: site.tokenID))
            #expect(state.history.reversed().map { $0.kind } == [.joined, .joined, .down])
            let down = try #require(state.history.first { $0.kind == .down })
            #expect(Set([down.connectorID, down.peerConnectorID]).count == 2, "the entry names both members")
            #expect(state.health.level == .down)
            #expect(!state.health.reprovisionPending)
            #expect(Self.failovers(tandem, site) ?? 0 == 0)
        }
    }

    @Test("a Goodbye with a live peer: left (planned restart), a planned handover, reprovision; no failover counted")
    func goodbyeWithLivePeer() async throws {
        try await TandemHarness.run(configure: Self.configure) { tandem in
            let site = try await tandem.site()
            let a = try await tandem.connect(site, ip: "10.0.0.1")
            let b = try await tandem.connect(site, ip: "10.0.0.2")
            await a.goodbye(.restart)
            try await eventually("the handover to be recorded", timeout: .seconds(60)) {
                try await Self.history(tandem, site).contains(.handover)
            }
            let state = try #require(try await tandem.store.groups.state(tenant: site.tenant, token: site.tokenID))
            #expect(state.history.reversed().map { $0.kind } == [.joined, .joined, .left, .handover])
            #expect(state.history.contains { $0.kind == .left && $0.detail == "left (planned restart)" })
            #expect(state.health.level == .degraded)
            #expect(state.health.reprovisionPending, "the survivor's reprovision rule still applies")
            #expect(Self.failovers(tandem, site) ?? 0 == 0)
            #expect(Self.failovers(tandem, site, "tandem_handovers_total") == 1)
            b.kill()
        }
    }

    @Test("one member crashes while its peer beats: lost, then a failover to the peer")
    func crashWithLivePeer() async throws {
        try await TandemHarness.run(configure: Self.configure) { tandem in
            let site = try await tandem.site()
            let a = try await tandem.connect(site, ip: "10.0.0.1")
            let b = try await tandem.connect(site, ip: "10.0.0.2")
            a.kill()
            try await eventually("the failover to be recorded", timeout: .seconds(60)) {
                try await Self.history(tandem, site).contains(.failover)
            }
            #expect(try await Self.history(tandem, site) == [.joined, .joined, .lost, .failover])
            b.kill()
        }
    }

    @Test("a Goodbye without a reason, or a message after a Goodbye, is refused with INVALID_ARGUMENT")
    func goodbyeRules() async throws {
        try await TandemHarness.run(configure: Self.configure) { tandem in
            let site = try await tandem.site()
            let a = try await tandem.connect(site, ip: "10.0.0.1")
            await a.goodbye(.unspecified)
            let error = await #expect(throws: RPCError.self) { try await a.ended() }
            #expect(error?.code == .invalidArgument)
            #expect(error?.message.contains("Goodbye.reason") == true)
        }
    }
}
