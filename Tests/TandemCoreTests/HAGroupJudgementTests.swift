import Foundation
import TandemCore
import Testing

/// The HA rule that judges a group, not a member: a failover needs a *live* survivor. Every
/// ordering of two members stopping, coming back and falling silent, with a 15 s liveness
/// timeout and a 5 s reconnect grace, and what the history must say.
@Suite("HA group judgement: failovers only to a live peer")
struct HAGroupJudgementTests {
    typealias T = HAGroupTests
    static let liveness = HALiveness(timeout: .seconds(15), grace: .seconds(5))

    /// One thing that happens to the pair, at seconds after t0.
    enum Step: Sendable, CustomStringConvertible {
        /// The member's control stream (session) closed, with the Goodbye reason if any.
        case departs(ConnectorID, UUID, at: TimeInterval, planned: PlannedLeave? = nil)
        /// The member said Hello again under a new session.
        case hello(String, String, UUID, at: TimeInterval)
        /// The member's leave is judged (its grace ended, or the sweeper found it silent).
        case judged(ConnectorID, UUID, at: TimeInterval)

        var description: String {
            switch self {
            case .departs(let id, _, let at, let planned): "\(id) departs at \(at) \(planned.map(\.rawValue) ?? "")"
            case .hello(let instance, _, _, let at): "\(instance) says Hello at \(at)"
            case .judged(let id, _, let at): "\(id) judged at \(at)"
            }
        }
    }

    struct Scenario: Sendable, CustomTestStringConvertible {
        let name: String
        /// Seconds after t0 each member was last heard (a, b).
        var heard: (TimeInterval, TimeInterval) = (0, 0)
        let steps: [Step]
        let history: [HAEventKind]
        let level: HAGroupHealth.Level
        let reprovision: Bool
        var testDescription: String { name }
    }

    static let scenarios: [Scenario] = [
        Scenario(
            name: "one crashes while its peer is live: lost, failover, reprovision",
            steps: [.departs(T.a, T.s1, at: 1), .judged(T.a, T.s1, at: 6)],
            history: [.lost, .failover], level: .degraded, reprovision: true),
        Scenario(
            name: "both close within one second: one down entry naming both, no failover",
            steps: [
                .departs(T.a, T.s1, at: 1), .departs(T.b, T.s2, at: 1.4), .judged(T.a, T.s1, at: 6), .judged(T.b, T.s2, at: 6.4),
            ],
            history: [.down], level: .down, reprovision: false),
        Scenario(
            name: "one closes during the other's grace: down once the later grace ends",
            steps: [.departs(T.a, T.s1, at: 1), .departs(T.b, T.s2, at: 4), .judged(T.a, T.s1, at: 6), .judged(T.b, T.s2, at: 9)],
            history: [.down], level: .down, reprovision: false),
        Scenario(
            name: "both close at the same instant, judged in either order: down",
            steps: [.departs(T.b, T.s2, at: 1), .departs(T.a, T.s1, at: 1), .judged(T.b, T.s2, at: 6), .judged(T.a, T.s1, at: 6)],
            history: [.down], level: .down, reprovision: false),
        Scenario(
            name: "one reconnects within its grace: nothing recorded",
            steps: [.departs(T.a, T.s1, at: 1), .hello("ia", "10.0.0.1", T.s3, at: 3), .judged(T.a, T.s1, at: 6)],
            history: [], level: .healthy, reprovision: false),
        Scenario(
            name: "both close, one comes back within its grace: the other's silence is a failover to it",
            steps: [
                .departs(T.a, T.s1, at: 1), .departs(T.b, T.s2, at: 2), .hello("ib", "10.0.0.2", T.s3, at: 4),
                .judged(T.a, T.s1, at: 6), .judged(T.b, T.s2, at: 7),
            ],
            history: [.lost, .failover], level: .degraded, reprovision: true),
        Scenario(
            name: "both close, the judgement waits, one comes back later: the sweeper's judgement fails over to it",
            steps: [
                .departs(T.a, T.s1, at: 1), .departs(T.b, T.s2, at: 2), .judged(T.a, T.s1, at: 6),
                .hello("ib", "10.0.0.2", T.s3, at: 6.5), .judged(T.b, T.s2, at: 7), .judged(T.a, T.s1, at: 16),
            ],
            history: [.lost, .failover], level: .degraded, reprovision: true),
        Scenario(
            name: "node restart with both silent: the sweep declares the group down once",
            steps: [.judged(T.a, T.s1, at: 40), .judged(T.b, T.s2, at: 40)],
            history: [.down], level: .down, reprovision: false),
        Scenario(
            name: "a silent peer is no survivor: down, not a failover to it",
            heard: (30, 0),
            steps: [.departs(T.a, T.s1, at: 31), .judged(T.a, T.s1, at: 36)],
            history: [.down], level: .down, reprovision: false),
        Scenario(
            name: "a planned restart with a live peer: left, then a handover, and the survivor's reprovision",
            steps: [.departs(T.a, T.s1, at: 1, planned: .restart), .judged(T.a, T.s1, at: 6)],
            history: [.left, .handover], level: .degraded, reprovision: true),
        Scenario(
            name: "both say Goodbye together: down, planned",
            steps: [
                .departs(T.a, T.s1, at: 1, planned: .shutdown), .departs(T.b, T.s2, at: 1.2, planned: .shutdown),
                .judged(T.a, T.s1, at: 6), .judged(T.b, T.s2, at: 6.2),
            ],
            history: [.down], level: .down, reprovision: false),
        Scenario(
            name: "the last member of a degraded group is lost alone",
            steps: [
                .departs(T.a, T.s1, at: 1), .judged(T.a, T.s1, at: 6), .departs(T.b, T.s2, at: 30), .judged(T.b, T.s2, at: 35),
            ],
            history: [.lost, .failover, .lost], level: .down, reprovision: true),
    ]

    @Test("every ordering records what really happened", arguments: scenarios)
    func judgement(_ scenario: Scenario) throws {
        var group = HAGroup(members: [
            Self.member(T.a, "ia", "10.0.0.1", session: T.s1, heard: scenario.heard.0),
            Self.member(T.b, "ib", "10.0.0.2", session: T.s2, heard: scenario.heard.1),
        ])
        var history: [HAEvent] = []
        for step in scenario.steps {
            switch step {
            case .departs(_, let session, let at, let planned):
                group.departed(session: session, planned: planned, at: T.t0.addingTimeInterval(at))
            case .hello(let instance, let ip, let session, let at):
                history += try group.join(
                    T.hello(instance, ip), session: session, newConnectorID: T.c, rules: PairingRules(), at: T.t0.addingTimeInterval(at))
            case .judged(let id, let session, let at):
                history += group.leave(
                    id, session: session, reason: "stream closed", at: T.t0.addingTimeInterval(at), liveness: Self.liveness)
            }
        }
        #expect(history.map(\.kind) == scenario.history, "\(scenario.name): \(history)")
        #expect(group.health(at: T.t0.addingTimeInterval(60)).level == scenario.level, "\(scenario.name)")
        #expect(group.reprovision.isEmpty == !scenario.reprovision, "\(scenario.name)")
        if let down = history.first(where: { $0.kind == .down }) {
            #expect(down.peerConnectorID != nil && down.peerConnectorID != down.connectorID, "a down entry names both members")
            #expect(group.activeMembers.isEmpty)
        }
    }

    @Test("a down entry after Goodbyes says planned, and names the peer's address")
    func plannedDownDetail() {
        var group = HAGroup(members: [
            Self.member(T.a, "ia", "10.0.0.1", session: T.s1, heard: 0), Self.member(T.b, "ib", "10.0.0.2", session: T.s2, heard: 0),
        ])
        group.departed(session: T.s1, planned: .upgrade, at: T.t0)
        group.departed(session: T.s2, planned: .upgrade, at: T.t0)
        let events = group.leave(
            T.a, session: T.s1, reason: "control stream closed", at: T.t0.addingTimeInterval(5), liveness: Self.liveness)
        #expect(events.map(\.detail) == ["stopped together with 10.0.0.2 (planned upgrade): no member left to fail over to"])
    }

    @Test("a group nobody ever joined is never-connected, not down; after a join and a loss it is down")
    func neverConnected() throws {
        var group = HAGroup(members: [])
        #expect(group.health(at: T.t0).level == .neverConnected)
        _ = try group.join(T.hello("ia", "10.0.0.1"), session: T.s1, newConnectorID: T.a, rules: PairingRules(), at: T.t0)
        _ = group.leave(T.a, session: T.s1, reason: "closed", at: T.t0, liveness: Self.liveness)
        #expect(group.health(at: T.t0).level == .down)
        #expect(HAGroup(members: [], everConnected: true).health(at: T.t0).level == .down)
    }

    static func member(_ id: ConnectorID, _ instance: String, _ ip: String, session: UUID?, heard: TimeInterval) -> HAGroup.Member {
        .init(
            connectorID: id, instanceID: instance, ipAddress: ip, ovaVersion: OVAVersion("2.3.460")!, session: session,
            joinedAt: T.t0.addingTimeInterval(-100), lastHeard: T.t0.addingTimeInterval(heard))
    }
}
