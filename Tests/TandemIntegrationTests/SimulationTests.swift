import Foundation
import GRPCNIOTransportHTTP2
import PostgresNIO
import TandemCore
import TandemSimulator
import TandemStore
import Testing

@Suite("The simulator's verification, against a real Tandem")
struct SimulationTests {
    @Test(
        "simulated connectors take their controllers from the configuration Tandem pushes and report in their heartbeats what they relayed: per controller, TDL/NMSP and AP-channel counts that add up to the copies they sent"
    )
    func heartbeatsReportWhatWasRelayed() async throws {
        try await TandemHarness.run { tandem in
            let site = try await tandem.site(name: "sim-stats")
            let controllers = EventGenerator.controllerAddresses(site: 0)
            _ = try await tandem.store.groups.replaceDevices(
                tenant: site.tenant, token: site.tokenID, network: .wireless,
                devices: controllers.map { HAGroupConfiguration.Device(ipAddress: $0, name: "WLC") })
            let (simulation, report) = try await Self.simulate(tandem, site, seconds: 2, rate: 300, lossRate: 0)
            defer { simulation.stop() }
            let sent = report.copiesSent["A", default: 0]
            #expect(sent > 0)
            // The next heartbeats carry the final counts; the node writes them within a second.
            try await eventually("connector A's heartbeat to count every copy it sent", timeout: .seconds(10)) {
                let connectors = try await tandem.store.connectors.list(tenant: site.tenant, token: site.tokenID)
                guard let a = connectors.first(where: { $0.hostname == "site0-connector1" }) else { return false }
                let statistics = a.statistics
                return statistics.tdlIncomingCount + statistics.accessPointChannel.incomingCount == UInt64(sent)
            }
            let a = try #require(
                try await tandem.store.connectors.list(tenant: site.tenant, token: site.tokenID).first { $0.hostname == "site0-connector1" }
            )
            #expect(a.statistics.controllers.map(\.ipAddress) == controllers)
            #expect(a.statistics.controllers.allSatisfy { $0.status == "ACTIVE" && $0.connectedAt != nil && $0.messageRate > 0 })
            #expect(a.statistics.nmspMessagesReceived == a.statistics.tdlIncomingCount && a.statistics.tdlIncomingCount > 0)
            #expect(a.statistics.accessPointChannel.activeConnections == 25, "the site's 25 access points")
            for pair in simulation.pairs {
                pair.a.kill()
                pair.b.kill()
            }
        }
    }

    /// Runs one site's pair for `seconds` at `rate` with `lossRate`; stop the simulation after.
    static func simulate(
        _ tandem: TandemHarness, _ site: TandemHarness.Site, seconds: Int, rate: Int, lossRate: Double
    ) async throws -> (Simulation<HTTP2ClientTransport.Posix>, SimulationReport) {
        var plan = SimulationPlan()
        plan.duration = .seconds(seconds)
        plan.rate = rate
        plan.lossRate = lossRate
        let simulation = Simulation(
            plan: plan, client: tandem.client, sites: [.init(tokenID: site.tokenID.description, token: site.token)])
        var report = SimulationReport()
        do {
            _ = try await simulation.run(report: &report) { _ in }
        } catch {
            simulation.stop()
            throw error
        }
        return (simulation, report)
    }

    @Test("the plan's rate is kept whatever the tick: 257 events/s at 10 ticks/s is 257 a second, not 250")
    func rateKept() {
        var plan = SimulationPlan()
        plan.rate = 257
        #expect(plan.eventsDue(afterTicks: 10) == 257)
        #expect(plan.eventsDue(afterTicks: 100) == 2_570)
        plan.rate = 3
        #expect(plan.eventsDue(afterTicks: 10) == 3, "a rate below the tick rate too")
    }

    @Test("the summary adds up: events both members dropped are reported as sent by neither, and every sent one is acked")
    func summaryAddsUp() async throws {
        try await TandemHarness.run { tandem in
            let site = try await tandem.site(name: "sim-lossy")
            let (simulation, report) = try await Self.simulate(tandem, site, seconds: 1, rate: 400, lossRate: 0.5)
            defer { simulation.stop() }
            let acked = simulation.acked().perSite.reduce(0) { $0 + $1.count }
            #expect(report.sentByNeither > 0, "a quarter of the events is dropped by both at a 50 % loss rate")
            #expect(acked == report.distinctEvents - report.sentByNeither, "generated = acked + sent by neither")
            #expect(report.plannedRate == 400 && report.achievedRate > 0)
        }
    }

    @Test("a short simulation with a killed and restarted connector verifies 0 missing and 0 duplicated; a deleted row is reported missing")
    func verification() async throws {
        try await TandemHarness.run { tandem in
            let first = try await tandem.site(name: "sim-0")
            let (second, secret) = try await tandem.store.tokens.create(
                tenant: first.tenant, connectorName: try DisplayName("sim-1", field: "n"), network: .wireless)
            var plan = SimulationPlan()
            plan.sites = 2
            plan.duration = .seconds(4)
            plan.rate = 400
            plan.seed = 7
            plan.killConnectorAfter = .seconds(1)
            plan.restartConnectorAfter = .seconds(2)
            let simulation = Simulation(
                plan: plan, client: tandem.client,
                sites: [
                    .init(tokenID: first.tokenID.description, token: first.token),
                    .init(tokenID: second.id.description, token: secret.revealed),
                ])
            var report = SimulationReport()
            defer { simulation.stop() }
            _ = try await simulation.run(report: &report) { _ in }
            let (acked, _) = simulation.acked()

            func stored() async throws -> [(key: String, rows: Int)] {
                try await tandem.store.events.storedKeys(tenant: first.tenant, tokens: [first.tokenID, second.id]).map { key, rows in
                    (
                        SimulatedConnector<HTTP2ClientTransport.Posix>.key(
                            source: key.sourceDevice, kind: Int(key.kind), deviceTimeMicros: key.deviceTimeMicros,
                            subject: key.subject, body: key.body), rows
                    )
                }
            }
            report.verify(ackedPerSite: acked, stored: try await stored())
            // A floor, not a throughput check: 3,200 events are generated, and on a loaded
            // 2-core machine (the chaos runs beside it) fewer are acked within the 4 s.
            #expect(report.acked > 1_000)
            #expect(report.missing == 0)
            #expect(report.duplicated == 0)
            #expect(report.verification.hasPrefix("verified: \(report.acked) distinct events stored exactly once"))
            let history = try #require(try await tandem.store.groups.state(tenant: first.tenant, token: first.tokenID)).history
            #expect(history.contains { $0.kind == .failover })
            #expect(history.contains { $0.kind == .recovered })

            // Corrupt the store: one acked event deleted must be reported missing.
            try await tandem.store.database.client.query(
                """
                DELETE FROM events WHERE tenant_id = \(first.tenant.rawValue)
                  AND identity = (SELECT identity FROM events WHERE tenant_id = \(first.tenant.rawValue) LIMIT 1)
                """)
            var corrupted = SimulationReport()
            corrupted.verify(ackedPerSite: acked, stored: try await stored())
            #expect(corrupted.missing == 1)
            #expect(corrupted.verification.hasPrefix("NOT verified"))
            for pair in simulation.pairs {
                pair.a.kill()
                pair.b.kill()
            }
        }
    }
}
