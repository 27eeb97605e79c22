public import ArgumentParser
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
public import Logging
import TandemCore
import TandemProtocol
public import TandemSimulator
import TandemStore

/// `tandem-lab simulate`: sites with pairs of connectors over the real protocol, faults on demand,
/// and a verification of what PostgreSQL holds against what was acked.
public struct SimulateRun: LabRun {
    public static let command = CommandConfiguration(
        commandName: "simulate",
        abstract: "Play active-active connector pairs against a running tandem serve and verify exactly-once storage.")

    @Option(help: "gRPC address of tandem serve.") var grpc = "127.0.0.1:7443"
    @Option(help: "HTTP URL of tandem serve.") var http = "http://127.0.0.1:8080"
    @Option(name: .customLong("api-key"), help: "Operator API key (env TANDEM_API_KEY).") var apiKey: String?
    @Option(help: "Sites, each one pair of connectors with its own token.") var sites = 1
    @Option(help: "Seconds of traffic.") var duration = 20
    @Option(help: "Distinct events per second per site.") var rate = 257
    @Option(help: "Seed of every random choice.") var seed: UInt64 = 1
    @Option(name: .customLong("loss-rate"), help: "Each connector's independent loss rate.") var lossRate = 0.001
    @Option(name: .customLong("kill-connector-after"), help: "Kill connector B of site 0 after SECONDS (abrupt).")
    var killAfter: Int?
    @Option(name: .customLong("restart-connector-after"), help: "Bring it back after SECONDS, resending un-acked batches.")
    var restartAfter: Int?
    @Flag(name: .customLong("channel-split"), help: "A carries only the controller channel, B only the AP channel.")
    var channelSplit = false
    @Option(
        name: .customLong("refused-peer"),
        help: "Before the run, show a pairing refusal on an extra token: wrong-version or duplicate-ip.")
    var refusedPeer: RefusedPeer?
    @Option(
        name: .customLong("reconnect-grace"),
        help: "The server's reconnect grace in seconds, for the truth check (a restart within it is no failover).")
    var reconnectGrace = 5
    @Flag(name: .customLong("show-details"), help: "Print connector details of each site and the HA history of site 0.")
    var showDetails = false
    @Option(help: "Write the summary as JSON to FILE.") public var json: String?

    public init() {}

    /// It runs against a running `tandem serve`: its cluster must exist.
    public static var createsCluster: Bool { false }

    public func run(on lab: LabDatabase, logger: Logger) async throws -> SimulationReport {
        guard let key = apiKey ?? ProcessInfo.processInfo.environment["TANDEM_API_KEY"] else {
            throw ValidationError("an operator API key is needed: --api-key or TANDEM_API_KEY")
        }
        guard let base = URL(string: http) else { throw ValidationError("--http must be a URL") }
        let parts = grpc.split(separator: ":")
        guard parts.count == 2, let port = Int(parts[1]) else { throw ValidationError("--grpc must be HOST:PORT") }
        let api = OperatorHTTPClient(baseURL: base, apiKey: key)
        // The summary reads the database at the end: a wrong --data-dir is refused before streaming.
        try await lab.withStore(logger: logger) { _ in }

        var plan = SimulationPlan()
        plan.sites = sites
        plan.duration = .seconds(duration)
        plan.rate = rate
        plan.seed = seed
        plan.lossRate = lossRate
        plan.killConnectorAfter = killAfter.map { .seconds($0) }
        plan.restartConnectorAfter = restartAfter.map { .seconds($0) }
        plan.channelSplit = channelSplit

        var siteSetups: [Simulation<HTTP2ClientTransport.Posix>.Site] = []
        var tenantID: TenantID?
        for index in 0..<sites {
            let created =
                try await api.request(
                    "POST", "api/v1/tokens", body: ["connectorName": "sim-\(seed)-site-\(index)", "network": "wireless"]) as? [String: Any]
            guard let id = created?["id"] as? String, let token = created?["token"] as? String,
                let tenantText = created?["tenantId"] as? String
            else { throw OperatorHTTPClient.Failure(description: "unexpected answer to POST /api/v1/tokens") }
            tenantID = TenantID(tenantText)
            // The site's controllers, configured before its connectors start: they come with
            // the Welcome, and the connectors report each one in their heartbeats.
            let devices = EventGenerator.controllerAddresses(site: index).enumerated().map { number, address in
                ["ipAddress": address, "name": "WLC \(index)-\(number + 1)"]
            }
            _ = try await api.request("PUT", "api/v1/ha-groups/\(id)/controllers", body: ["devices": devices])
            siteSetups.append(.init(tokenID: id, token: token))
        }

        guard let tenant = tenantID else { throw ValidationError("--sites must be at least 1") }
        // One client (one HTTP/2 connection) per connector, as real connectors have, and one
        // for the refusal demonstration.
        let clients = try (0...(2 * sites)).map { _ in
            try GRPCClient(
                transport: .http2NIOPosix(
                    target: .ipv4(address: String(parts[0]), port: port), transportSecurity: .plaintext))
        }
        let client = clients[2 * sites]
        var report = SimulationReport()
        let simulation = Simulation(plan: plan, sites: siteSetups) { site, role in clients[2 * site + role - 1] }
        // The clients' connections live as long as the connectors: everything runs inside.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for client in clients { group.addTask { try await client.runConnections() } }
            defer { for client in clients { client.beginGracefulShutdown() } }
            // The connectors go first, also when the run fails: their streams would hold the
            // clients' graceful shutdown open.
            defer { simulation.stop() }
            if let refusedPeer {
                let created =
                    try await api.request(
                        "POST", "api/v1/tokens", body: ["connectorName": "refusal demo \(seed)", "network": "wireless"]) as? [String: Any]
                guard let token = created?["token"] as? String else {
                    throw OperatorHTTPClient.Failure(description: "unexpected answer to POST /api/v1/tokens")
                }
                let refusal = try await refusedPeer.demonstrate(client: client, token: token)
                say("a \(refusedPeer.rawValue) peer: " + (refusal.map { "refused, \($0)" } ?? "ACCEPTED (pairing rules not enforced!)"))
            }
            say("simulating \(sites) site(s) × 2 connectors, \(rate) events/s per site, \(duration) s, seed \(seed)")
            _ = try await simulation.run(report: &report) { connected, total in
                say("  \(connected) of \(total) connectors connected")
            } progress: { progress in
                let active = progress.haActive.prefix(3).enumerated()
                    .map { "site\($0)=[\($1.joined(separator: ","))]" }.joined(separator: " ")
                say(
                    "  t=\(progress.elapsed)s events/s generated \(progress.generatedPerSecond) sent \(progress.sentPerSecond) acked \(progress.ackedPerSecond) (total acked \(progress.acked)) HA Active \(active)\(progress.haActive.count > 3 ? " …" : "")"
                )
            }
            // The planned end of the run: every connector says Goodbye at once, as in a
            // maintenance window. Tandem must record each group down, with no failover.
            await simulation.leave(.shutdown)
            try await awaitGroupsDown(api: api, sites: siteSetups)
            try await verify(&report, simulation: simulation, api: api, sites: siteSetups, tenant: tenant, lab: lab, logger: logger)
        }
        return report
    }

    public func table(_ report: SimulationReport) -> String {
        """

        distinct events generated: \(report.distinctEvents) (\(report.sentByNeither) sent by neither member: dropped by both, or by the only live one), \(String(format: "%.0f", report.achievedRate)) events/s of \(String(format: "%.0f", report.plannedRate)) planned\(report.fellBehind ? " — the simulator FELL BEHIND its rate (a busy machine)" : "")
        copies sent: A \(report.copiesSent["A"] ?? 0), B \(report.copiesSent["B"] ?? 0)
        acked (distinct): \(report.acked) of the \(report.distinctEvents - report.sentByNeither) sent    stored rows: \(report.stored)    duplicates dropped: \(report.duplicatesDropped)
        delivered by one member only: \(report.missedByPeer)    failovers: \(report.failovers)
        \(report.verification)
        \(report.truth)
        """
    }

    public func passed(_ report: SimulationReport) -> Bool {
        report.missing == 0 && report.duplicated == 0 && report.truthful
    }

    /// Waits until Tandem judged every site's group down after the Goodbyes (one grace, and a
    /// liveness timeout at most for a member the judgement waits for), at most a minute.
    private func awaitGroupsDown(api: OperatorHTTPClient, sites: [Simulation<HTTP2ClientTransport.Posix>.Site]) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        var pending = sites.map(\.tokenID)
        while !pending.isEmpty, ContinuousClock.now < deadline {
            var still: [String] = []
            for token in pending {
                let group = try await api.request("GET", "api/v1/ha-groups/\(token)") as? [String: Any] ?? [:]
                if group["health"] as? String != "down" { still.append(token) }
            }
            pending = still
            if !pending.isEmpty { try await Task.sleep(for: .milliseconds(250)) }
        }
        if !pending.isEmpty { say("truth check: \(pending.count) group(s) not judged down a minute after every connector left") }
    }

    /// The failovers that really happened at `site`: one when connector B of site 0 was killed,
    /// stayed away longer than the grace, and its peer was still live when the grace ended (the
    /// run ends with every connector's Goodbye: a peer that leaves within the killed one's grace
    /// leaves a group that is down, not failed over). `nil` when a time falls within a second of
    /// the grace, too close to say.
    private func expectedFailovers(site: Int) -> Int? {
        guard site == 0, let killAfter else { return 0 }
        let grace = Double(reconnectGrace)
        func judged(_ seconds: Int) -> Bool? {
            let seconds = Double(seconds)
            if seconds > grace + 1 { return true }
            if seconds < grace - 1 { return false }
            return nil
        }
        if let restartAfter {
            guard let away = judged(restartAfter - killAfter) else { return nil }
            if !away { return 0 }
        }
        guard let peerOutlived = judged(duration - killAfter) else { return nil }
        return peerOutlived ? 1 : 0
    }

    /// Reads back PostgreSQL and the HA groups, and fills the verification part of `report`.
    private func verify(
        _ report: inout SimulationReport, simulation: Simulation<HTTP2ClientTransport.Posix>, api: OperatorHTTPClient,
        sites siteSetups: [Simulation<HTTP2ClientTransport.Posix>.Site], tenant: TenantID, lab: LabDatabase, logger: Logger
    ) async throws {
        let (ackedPerSite, singleDelivered) = simulation.acked()
        report.missedByPeer = singleDelivered
        let tokenIDs = siteSetups.compactMap { TokenID($0.tokenID) }
        let stored = try await lab.withStore(logger: logger) { store in
            try await store.events.storedKeys(tenant: tenant, tokens: tokenIDs)
        }
        report.verify(
            ackedPerSite: ackedPerSite,
            stored: stored.map { key, rows in
                (
                    SimulatedConnector<HTTP2ClientTransport.Posix>.key(
                        source: key.sourceDevice, kind: Int(key.kind), deviceTimeMicros: key.deviceTimeMicros,
                        subject: key.subject, body: key.body), rows
                )
            })

        for (index, site) in siteSetups.enumerated() {
            let group = try await api.request("GET", "api/v1/ha-groups/\(site.tokenID)") as? [String: Any] ?? [:]
            let history = group["history"] as? [[String: Any]] ?? []
            let failovers = history.filter { $0["kind"] as? String == "failover" }.count
            let handovers = history.filter { $0["kind"] as? String == "handover" }.count
            report.failovers += failovers
            if let expected = expectedFailovers(site: index) {
                report.falseFailovers += max(0, failovers + handovers - expected)
                report.missedFailovers += max(0, expected - failovers)
            }
            let pair = simulation.pairs[index]
            report.sites.append(
                .init(
                    tokenId: site.tokenID, connectorIds: [pair.a.welcome?.connectorID, pair.b.welcome?.connectorID].compactMap { $0 },
                    haActive: group["haActive"] as? [String] ?? [], failovers: failovers))
            if showDetails, let connector = pair.a.welcome?.connectorID {
                say("\nconnector details, site \(index) (GET /api/v1/connectors/\(connector)):")
                say(OperatorHTTPClient.pretty(try await api.request("GET", "api/v1/connectors/\(connector)")))
                if index == 0 {
                    say("\nHA history of site 0 (newest first):")
                    for entry in history {
                        say("  \(entry["occurredAt"] ?? "") \(entry["kind"] ?? "") \(entry["ipAddress"] ?? "") \(entry["detail"] ?? "")")
                    }
                }
            }
        }
        // Pair statistics and live figures against what the connectors did.
        let cutoff = Int64((Date().timeIntervalSince1970 - 660) * 1_000_000)  // the default window and a minute
        let pairs = siteSetups.enumerated().compactMap { index, site -> PairTruthCheck.Pair<String>? in
            let pair = simulation.pairs[index]
            guard let group = TokenID(site.tokenID) else { return nil }
            let members = [pair.a, pair.b].compactMap { member -> PairTruthCheck.Member<String>? in
                guard let id = member.welcome.flatMap({ ConnectorID($0.connectorID) }) else { return nil }
                return .init(connector: id, delivered: Set(member.ackedKeys.joined()))
            }
            return .init(group: group, members: members)
        }
        let misses = try await lab.withStore(logger: logger) { store in
            try await PairTruthCheck.misses(store: store, tenant: tenant, pairs: pairs) { key in
                key.split(separator: "|", omittingEmptySubsequences: false).dropFirst(2).first.flatMap { Int64($0) }.map { $0 < cutoff }
                    ?? false
            }
        }
        (report.falseMisses, report.unreportedMisses) = (misses.falseMisses, misses.unreportedMisses)
        report.staleLiveFigures = try await PairTruthCheck.staleLiveFigures(
            api: api, connectors: pairs.flatMap { $0.members.map(\.connector.description) })
    }
}
