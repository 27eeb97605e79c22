import Foundation
import TandemCore
import Testing

/// The HA rules as a value: every membership change of a group, without a database.
@Suite("HA group state machine")
struct HAGroupTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    static let a = ConnectorID(UUID(uuidString: "00000000-0000-0000-0000-00000000000a")!)
    static let b = ConnectorID(UUID(uuidString: "00000000-0000-0000-0000-00000000000b")!)
    static let c = ConnectorID(UUID(uuidString: "00000000-0000-0000-0000-00000000000c")!)
    static let s1 = UUID(uuidString: "10000000-0000-0000-0000-000000000001")!
    static let s2 = UUID(uuidString: "10000000-0000-0000-0000-000000000002")!
    static let s3 = UUID(uuidString: "10000000-0000-0000-0000-000000000003")!
    /// Members count as heard at their join: the rules' liveness never ends a peer in these tests.
    static let liveness = HALiveness(timeout: .seconds(1_000_000), grace: .seconds(5))

    static func hello(_ instance: String, _ ip: String, _ version: String = "2.3.460") -> ConnectorHello {
        try! ConnectorHello(
            instanceID: instance, hostname: "h-\(instance)", ipAddress: ip, macAddress: "m", ovaVersion: version,
            dockerVersion: "v2.0.446", channels: .both)
    }

    static func member(_ id: ConnectorID, _ instance: String, _ ip: String, session: UUID?, joined: TimeInterval = 0) -> HAGroup.Member {
        .init(
            connectorID: id, instanceID: instance, ipAddress: ip, ovaVersion: OVAVersion("2.3.460")!,
            session: session, joinedAt: t0.addingTimeInterval(joined))
    }

    /// A pair: `a` (10.0.0.1, session s1) joined first, `b` (10.0.0.2, session s2) second.
    static var pair: HAGroup {
        HAGroup(members: [member(b, "ib", "10.0.0.2", session: s2, joined: 10), member(a, "ia", "10.0.0.1", session: s1)])
    }

    /// One join, and what it must record: (name, group before, hello, expected kinds, HA Active after).
    static let joins: [(String, HAGroup, ConnectorHello, [HAEventKind], [String])] = [
        ("a first connector joins an empty group", HAGroup(members: []), hello("ia", "10.0.0.1"), [.joined], ["10.0.0.1"]),
        (
            "a second connector completes the pair, after the first",
            HAGroup(members: [member(a, "ia", "10.0.0.1", session: s1)]), hello("ib", "10.0.0.2"), [.joined], ["10.0.0.1", "10.0.0.2"]
        ),
        (
            "a lost member that comes back while its peer is active recovers the pair",
            HAGroup(members: [member(a, "ia", "10.0.0.1", session: s1), member(b, "ib", "10.0.0.2", session: nil)]),
            hello("ib", "10.0.0.2"), [.joined, .recovered], ["10.0.0.1", "10.0.0.2"]
        ),
        (
            "a known connector back in an empty group joins without recovering anything",
            HAGroup(members: [member(a, "ia", "10.0.0.1", session: nil)]), hello("ia", "10.0.0.1"), [.joined], ["10.0.0.1"]
        ),
        (
            "an active member reconnecting replaces its session silently and keeps its place",
            pair, hello("ia", "10.0.0.1"), [], ["10.0.0.1", "10.0.0.2"]
        ),
        (
            "a member reconnecting with a new address keeps its place under the new address",
            pair, hello("ia", "10.0.0.9"), [], ["10.0.0.9", "10.0.0.2"]
        ),
    ]

    @Test("joins record joined/recovered and keep the HA Active list in join order", arguments: joins)
    func join(_ name: String, _ before: HAGroup, _ hello: ConnectorHello, _ kinds: [HAEventKind], _ haActive: [String]) throws {
        var group = before
        let events = try group.join(
            hello, session: Self.s3, newConnectorID: Self.c, rules: PairingRules(), at: Self.t0.addingTimeInterval(60))
        #expect(events.map(\.kind) == kinds, "\(name)")
        #expect(group.haActive == haActive, "\(name)")
        #expect(group.members.first { $0.instanceID == hello.instanceID }?.session == Self.s3, "\(name)")
    }

    /// Joins the rules refuse: (hello, rule). The group is unchanged.
    static let refusals: [(ConnectorHello, PairingRefusal.Rule)] = [
        (hello("ic", "10.0.0.3"), .groupFull),
        (hello("ic", "10.0.0.1"), .groupFull),
    ]

    @Test("a full group refuses a third connector and stays as it was", arguments: refusals)
    func refusal(_ hello: ConnectorHello, _ rule: PairingRefusal.Rule) {
        var group = Self.pair
        do {
            _ = try group.join(hello, session: Self.s3, newConnectorID: Self.c, rules: PairingRules(), at: Self.t0)
            Issue.record("a full group admitted a third connector")
        } catch {
            #expect(error.rule == rule)
        }
        #expect(group == Self.pair)
    }

    @Test(
        "a join breaking a pairing rule records nothing",
        arguments: [
            (hello("ib", "10.0.0.1"), PairingRefusal.Rule.uniqueIPAddress),
            (hello("ib", "10.0.0.2", "2.3.461"), .sameVersion),
            (hello("ib", "10.0.0.2", "2.2.0"), .minimumVersion),
        ])
    func pairingRule(_ hello: ConnectorHello, _ rule: PairingRefusal.Rule) {
        let before = HAGroup(members: [Self.member(Self.a, "ia", "10.0.0.1", session: Self.s1)])
        var group = before
        do {
            _ = try group.join(hello, session: Self.s3, newConnectorID: Self.c, rules: PairingRules(), at: Self.t0)
            Issue.record("joined against rule \(rule)")
        } catch {
            #expect(error.rule == rule)
        }
        #expect(group == before)
    }

    /// One leave: (name, group before, connector, session, expected kinds, HA Active after,
    /// reprovision after, FastLocate re-establishing after).
    static let leaves: [(String, HAGroup, ConnectorID, UUID, [HAEventKind], [String], Bool)] = [
        ("losing one of a pair fails over to the survivor", pair, a, s1, [.lost, .failover], ["10.0.0.2"], true),
        ("losing the second of a pair fails over to the first", pair, b, s2, [.lost, .failover], ["10.0.0.1"], true),
        ("a stale session (replaced by a reconnect) records nothing", pair, a, s3, [], ["10.0.0.1", "10.0.0.2"], false),
        (
            "losing the last member records a loss and no failover",
            HAGroup(members: [member(a, "ia", "10.0.0.1", session: s1)]), a, s1, [.lost], [], false
        ),
        (
            "a revoked token cuts members off without a failover",
            HAGroup(members: pair.members, tokenRevoked: true), a, s1, [.lost], ["10.0.0.2"], false
        ),
        ("an unknown connector records nothing", pair, c, s1, [], ["10.0.0.1", "10.0.0.2"], false),
    ]

    @Test("leaves record lost/failover, set reprovision and FastLocate on a failover only", arguments: leaves)
    func leave(
        _ name: String, _ before: HAGroup, _ connector: ConnectorID, _ session: UUID, _ kinds: [HAEventKind],
        _ haActive: [String], _ failedOver: Bool
    ) {
        var group = before
        let now = Self.t0.addingTimeInterval(100)
        let events = group.leave(connector, session: session, reason: "stream closed", at: now, liveness: Self.liveness)
        #expect(events.map(\.kind) == kinds, "\(name)")
        #expect(group.haActive == haActive, "\(name)")
        #expect(group.reprovision == (failedOver ? Set(HAGroup.Service.allCases) : []), "\(name)")
        #expect(group.fastLocate == (failedOver ? .reEstablishing(since: now) : .flowing(since: nil)), "\(name)")
        if failedOver {
            #expect(events.last?.peerConnectorID == group.activeMembers.first?.connectorID, "\(name): failover names the survivor")
            #expect(events.allSatisfy { $0.connectorID == connector && $0.ipAddress != "" }, "\(name)")
        }
    }

    @Test("a second leave of the same session is a no-op: loss is recorded exactly once, whichever node notices")
    func leaveOnce() {
        var group = Self.pair
        let first = group.leave(Self.a, session: Self.s1, reason: "silent", at: Self.t0, liveness: Self.liveness)
        #expect(first.map(\.kind) == [.lost, .failover])
        let after = group
        let second = group.leave(Self.a, session: Self.s1, reason: "stream closed", at: Self.t0, liveness: Self.liveness)
        #expect(second.isEmpty)
        #expect(group == after)
    }

    /// FastLocate over time: (seconds since the failover, state).
    static let fastLocateTimes: [(TimeInterval, FastLocateState)] = [
        (0, .reEstablishing), (239, .reEstablishing), (240, .reEstablishing), (241, .overdue), (3_600, .overdue),
    ]

    @Test("FastLocate is re-establishing for 4 minutes after a failover, then overdue", arguments: fastLocateTimes)
    func fastLocate(_ elapsed: TimeInterval, _ state: FastLocateState) {
        var group = Self.pair
        _ = group.leave(Self.a, session: Self.s1, reason: "silent", at: Self.t0, liveness: Self.liveness)
        #expect(group.health(at: Self.t0.addingTimeInterval(elapsed)).fastLocate == state)
    }

    @Test("location events end re-establishing once; flowing stays flowing")
    func fastLocateFlowing() {
        var group = Self.pair
        let whileFlowing = group.fastLocateFlowing(at: Self.t0)
        #expect(!whileFlowing)
        _ = group.leave(Self.a, session: Self.s1, reason: "silent", at: Self.t0, liveness: Self.liveness)
        let afterFailover = group.fastLocateFlowing(at: Self.t0.addingTimeInterval(30))
        #expect(afterFailover)
        #expect(group.fastLocate == .flowing(since: Self.t0.addingTimeInterval(30)))
        let again = group.fastLocateFlowing(at: Self.t0.addingTimeInterval(31))
        #expect(!again)
    }

    @Test(
        "a pair is split where its data streams are: data on two nodes is split, data on one is not, unknown is not"
    )
    func splitAcrossNodes() throws {
        let one = try NodeID("node-1")
        let two = try NodeID("node-2")
        func pair(data: (NodeID?, NodeID?)) -> HAGroup {
            HAGroup(members: [
                .init(
                    connectorID: Self.a, instanceID: "ia", ipAddress: "10.0.0.1", ovaVersion: OVAVersion("2.3.460")!, session: Self.s1,
                    joinedAt: Self.t0, dataNode: data.0),
                .init(
                    connectorID: Self.b, instanceID: "ib", ipAddress: "10.0.0.2", ovaVersion: OVAVersion("2.3.460")!, session: Self.s2,
                    joinedAt: Self.t0, dataNode: data.1),
            ])
        }
        #expect(pair(data: (one, two)).health(at: Self.t0).splitAcrossNodes)
        #expect(
            !pair(data: (one, one)).health(at: Self.t0).splitAcrossNodes, "data together (the control streams don't count: MultiNodeTests)")
        #expect(!pair(data: (one, nil)).health(at: Self.t0).splitAcrossNodes, "one data stream only")
        #expect(!Self.pair.health(at: Self.t0).splitAcrossNodes, "members without a known node")
    }

    @Test("health: two active is healthy, one degraded, none down; reprovision pending after a failover until cleared")
    func health() {
        var group = Self.pair
        #expect(
            group.health(at: Self.t0) == HAGroupHealth(level: .healthy, activeMembers: 2, fastLocate: .flowing, reprovisionPending: false))
        _ = group.leave(Self.a, session: Self.s1, reason: "silent", at: Self.t0, liveness: Self.liveness)
        #expect(
            group.health(at: Self.t0)
                == HAGroupHealth(level: .degraded, activeMembers: 1, fastLocate: .reEstablishing, reprovisionPending: true))
        group.reprovisioned([.hyperlocation])
        #expect(group.health(at: Self.t0).reprovisionPending)
        group.reprovisioned([.iot])
        #expect(!group.health(at: Self.t0).reprovisionPending)
        _ = group.leave(Self.b, session: Self.s2, reason: "silent", at: Self.t0, liveness: Self.liveness)
        #expect(group.health(at: Self.t0).level == .down)
        // Whatever flowed last, a group with no active member has no location events.
        #expect(group.health(at: Self.t0).fastLocate == .stopped)
        #expect(group.health(at: Self.t0.addingTimeInterval(3_000)).fastLocate == .stopped)
    }

    @Test("a group that goes down while FastLocate flows reports it stopped, not flowing")
    func fastLocateOfADownGroup() {
        var group = Self.pair
        _ = group.leave(Self.a, session: Self.s1, reason: "silent", at: Self.t0, liveness: Self.liveness)
        _ = group.fastLocateFlowing(at: Self.t0.addingTimeInterval(30))
        #expect(group.health(at: Self.t0.addingTimeInterval(31)).fastLocate == .flowing)
        _ = group.leave(Self.b, session: Self.s2, reason: "silent", at: Self.t0.addingTimeInterval(60), liveness: Self.liveness)
        #expect(group.health(at: Self.t0.addingTimeInterval(61)).fastLocate == .stopped)
    }
}
