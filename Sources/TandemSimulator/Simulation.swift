import Foundation
public import GRPCCore
import SwiftProtobuf
import TandemConnector
public import TandemProtocol

/// Plays the connectors' side of many sites over the real gRPC protocol: each site's pair
/// relays the same generated events, each connector with its own batching, jitter, reordering
/// and loss, with faults injected as the plan says.
public final class Simulation<Transport: ClientTransport>: Sendable {
    /// A site as set up through the operator API.
    public struct Site: Sendable {
        public let tokenID: String
        public let token: String

        public init(tokenID: String, token: String) {
            self.tokenID = tokenID
            self.token = token
        }
    }

    /// Per-second progress for a terminal: totals so far, and the rates of the last second.
    public struct Progress: Sendable {
        public let elapsed: Int
        public let generated: Int
        /// Copies sent by all connectors.
        public let sent: Int
        /// Copies acked by Tandem.
        public let acked: Int
        public let generatedPerSecond: Int
        public let sentPerSecond: Int
        public let ackedPerSecond: Int
        /// Per site, the HA Active list as Tandem last pushed it.
        public let haActive: [[String]]
    }

    public let plan: SimulationPlan
    public let pairs: [(a: SimulatedConnector<Transport>, b: SimulatedConnector<Transport>)]
    private let sites: [Site]

    /// Creates the simulation with every connector on `client`'s connection (tests).
    public convenience init(plan: SimulationPlan, client: GRPCClient<Transport>, sites: [Site]) {
        self.init(plan: plan, sites: sites) { _, _ in client }
    }

    /// Creates the simulation with each connector on the client `client(site, role)` gives
    /// (roles 1 and 2): one HTTP/2 connection per connector, as real connectors on their own
    /// hosts have, instead of hundreds of streams multiplexed on one connection.
    public init(plan: SimulationPlan, sites: [Site], client: (_ site: Int, _ role: Int) -> GRPCClient<Transport>) {
        self.plan = plan
        self.sites = sites
        pairs = sites.enumerated().map { index, site in
            func identity(_ role: Int) -> ConnectorIdentity {
                ConnectorIdentity(
                    instanceID: "sim-\(plan.seed)-\(site.tokenID.prefix(8))-\(role)", hostname: "site\(index)-connector\(role)",
                    ipAddress: "10.0.\(index % 250).\(role)", macAddress: String(format: "00:0c:29:%02x:00:%02x", index % 256, role),
                    carriesController: !plan.channelSplit || role == 1, carriesAccessPoint: !plan.channelSplit || role == 2)
            }
            return (
                SimulatedConnector(client: client(index, 1), token: site.token, identity: identity(1)),
                SimulatedConnector(client: client(index, 2), token: site.token, identity: identity(2))
            )
        }
    }

    /// Runs the plan; returns the generated event keys per site (what the store must hold
    /// once acked) and fills the copy counts of `report`.
    /// `connecting` is told how many connectors are connected so far, after every 50 and at the end.
    public func run(
        report: inout SimulationReport, connecting: @Sendable (_ connected: Int, _ of: Int) -> Void = { _, _ in },
        progress: @Sendable (Progress) -> Void
    ) async throws -> [Set<String>] {
        for (index, pair) in pairs.enumerated() {
            try await pair.a.start(maximumJitter: plan.maximumJitter, seed: plan.seed &+ UInt64(index * 2))
            try await pair.b.start(maximumJitter: plan.maximumJitter, seed: plan.seed &+ UInt64(index * 2 + 1))
            if (index + 1) % 25 == 0 || index == pairs.count - 1 { connecting(2 * (index + 1), 2 * pairs.count) }
        }
        var generators = sites.indices.map { EventGenerator(seed: plan.seed, site: $0) }
        var random = SplitMix64(seed: plan.seed ^ 0xFEED)
        var generated = sites.map { _ in Set<String>() }
        var sent = sites.map { _ in Set<String>() }
        var sequence: UInt64 = 0
        let start = ContinuousClock.now
        var killed = false
        var restarted = false
        var lastSecond = 0
        var previous = (generated: 0, sent: 0, acked: 0)

        while ContinuousClock.now - start < plan.duration {
            let elapsed = ContinuousClock.now - start
            if let after = plan.killConnectorAfter, !killed, elapsed >= after {
                pairs[0].b.kill()
                killed = true
            }
            if let after = plan.restartConnectorAfter, killed, !restarted, elapsed >= after {
                try await pairs[0].b.start(maximumJitter: plan.maximumJitter, seed: plan.seed &+ 99)
                restarted = true
            }
            sequence += 1
            for (index, pair) in pairs.enumerated() {
                let events = generators[index].next(
                    plan.eventsDue(afterTicks: sequence) - plan.eventsDue(afterTicks: sequence - 1), now: Date())
                if events.isEmpty { continue }
                for event in events { generated[index].insert(SimulatedConnector<Transport>.key(event)) }
                for (role, connector) in [(1, pair.a), (2, pair.b)] where connector.isAlive {
                    var copy = events.filter { event in
                        let carries = !plan.channelSplit || (event.channel == .controller) == (role == 1)
                        return carries && Double(random.next() % 1_000_000) / 1_000_000 >= plan.lossRate
                    }
                    for event in copy { sent[index].insert(SimulatedConnector<Transport>.key(event)) }
                    // Each connector reorders locally, stamps its own receive time and sequence.
                    if copy.count > 1 { copy.swapAt(0, Int(random.next() % UInt64(copy.count))) }
                    let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
                    for i in copy.indices {
                        copy[i].receivedAtMicros = now + Int64(random.next() % 5_000)
                        copy[i].connectorSequence = sequence * 100_000 + UInt64(i)
                    }
                    connector.submit(
                        .with {
                            $0.sequence = sequence
                            $0.events = copy
                        })
                }
            }
            let second = Int(elapsed.inSeconds)
            if second > lastSecond {
                lastSecond = second
                let now = (
                    generated: generated.reduce(0) { $0 + $1.count },
                    sent: pairs.reduce(0) { $0 + $1.a.copiesSent + $1.b.copiesSent },
                    acked: pairs.reduce(0) { $0 + $1.a.ackedCopies + $1.b.ackedCopies }
                )
                progress(
                    Progress(
                        elapsed: second, generated: now.generated, sent: now.sent, acked: now.acked,
                        generatedPerSecond: now.generated - previous.generated, sentPerSecond: now.sent - previous.sent,
                        ackedPerSecond: now.acked - previous.acked,
                        haActive: pairs.map { $0.a.isAlive ? $0.a.haActive : $0.b.haActive }))
                previous = now
            }
            // Ticks keep to the plan's clock, not to the work's: a slow tick is caught up, so the
            // rate is the planned one unless the machine can't keep up (reported, not hidden).
            let next = start + plan.batchInterval * Double(sequence)
            if next > ContinuousClock.now { try await Task.sleep(until: next, clock: .continuous) }
        }
        let elapsed = (ContinuousClock.now - start).inSeconds
        for pair in pairs {
            await pair.a.drain()
            await pair.b.drain()
        }
        report.distinctEvents = generated.reduce(0) { $0 + $1.count }
        report.sentByNeither = zip(generated, sent).reduce(0) { $0 + $1.0.subtracting($1.1).count }
        report.plannedRate = Double(plan.rate * pairs.count)
        report.achievedRate = elapsed > 0 ? Double(report.distinctEvents) / elapsed : 0
        report.copiesSent = [
            "A": pairs.reduce(0) { $0 + $1.a.copiesSent }, "B": pairs.reduce(0) { $0 + $1.b.copiesSent },
        ]
        report.duplicatesDropped = pairs.reduce(0) { $0 + $1.a.duplicates + $1.b.duplicates }
        return generated
    }

    /// Every live connector says Goodbye with `reason` and closes its channels, all at once: the
    /// planned end of a run (a maintenance window), which Tandem must not take for failovers.
    public func leave(_ reason: Tandem_V1_Goodbye.Reason = .shutdown) async {
        await withTaskGroup(of: Void.self) { group in
            for pair in pairs {
                group.addTask { await pair.a.leave(reason) }
                group.addTask { await pair.b.leave(reason) }
            }
        }
    }

    /// Drops every connector (the simulation is over; its connectors reconnect no more).
    public func stop() {
        for pair in pairs {
            pair.a.kill()
            pair.b.kill()
        }
    }

    /// The distinct event keys acked per site, and how many were acked from one member only.
    public func acked() -> (perSite: [Set<String>], fromOneMemberOnly: Int) {
        var perSite: [Set<String>] = []
        var single = 0
        for pair in pairs {
            let a = Set(pair.a.ackedKeys.joined())
            let b = Set(pair.b.ackedKeys.joined())
            perSite.append(a.union(b))
            single += a.symmetricDifference(b).count
        }
        return (perSite, single)
    }
}
