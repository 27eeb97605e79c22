public import ArgumentParser
import Foundation
public import Logging
import PostgresNIO
import Synchronization
import TandemConnector
import TandemCore
import TandemIngest
import TandemProtocol
import TandemSimulator
import TandemStore
import TandemWire

/// `tandem-lab chaos`: pairs of connectors stream at a steady rate into a `tandem serve` child
/// process while faults strike at seeded times; at the end every acked event must be stored
/// exactly once (or be in quarantine when its device time is absurd). Jepsen's terms: an
/// acked event missing at the end is lost, a row stored twice is duplicated, an unacked event
/// that was stored is fine.
///
/// With `--postgres patroni` the database is Patroni + etcd + HAProxy (`scripts/patroni`) and
/// the faults fail its primary over; the run also reports each failover's write gap (the
/// longest time without any ack).
public struct ChaosRun: LabRun {
    public static let command = CommandConfiguration(
        commandName: "chaos", abstract: "Inject faults into a live run and count lost and duplicated acked events.")

    @Option(help: "Connector pairs.") var pairs = 3
    @Option(help: "Distinct events per second per pair.") var rate = 400
    @Option(help: "Seconds of traffic (faults strike within them).") var duration = 60
    @Option(help: "Seed of the event stream and the fault times.") var seed: UInt64 = 1
    @Option(name: .customLong("stall-seconds"), help: "How long the PostgreSQL stall lasts.") var stallSeconds = 20
    @Option(
        name: .customLong("fault"),
        help: "A fault to inject (repeatable; default all): \(ChaosFault.allCases.map(\.rawValue).joined(separator: ", ")).")
    var faults: [ChaosFault] = []
    @Option(
        help:
            "Nodes behind HAProxy (1: one node, no balancer). With 2 or more, node-kill, rolling-restart and haproxy-restart replace serve-kill."
    )
    var nodes = 1
    @Option(
        name: .customLong("cluster-script"), help: "The script whose haproxy-config configures HAProxy (with --nodes ≥ 2).")
    var clusterScript = "scripts/cluster"
    @Option(
        help:
            "The database: embedded (or --database-url), or patroni: Patroni + etcd + HAProxy started by --patroni-script, whose primary the faults primary-kill, switchover, primary-stall and partition-kill fail over."
    )
    var postgres: ChaosDatabase = .embedded
    @Flag(
        name: .customLong("async-replication"),
        help: "With --postgres patroni: asynchronous replication (synchronous_mode off), for comparison only.")
    var asyncReplication = false
    @Option(name: .customLong("patroni-script"), help: "The script that runs the Patroni tier.") var patroniScript = "scripts/patroni"
    @Option(name: .customLong("patroni-port"), help: "First loopback port of the Patroni tier (see scripts/patroni).") var patroniPort =
        5440
    @Option(
        name: .customLong("patroni-dir"), help: "Directory of the Patroni tier (default .tandem/chaos-patroni-SEED; removed at the end).")
    var patroniDirectory: String?
    @Option(name: .customLong("repeat"), help: "Inject each fault this many times.") var repetitions = 1
    @Option(help: "Write the result as JSON to FILE.") public var json: String?

    public init() {}

    public struct Line: Codable, Sendable {
        var fault: String
        var at = 0.0
        var acked = 0
        var lost = 0
        var duplicated = 0
        var quarantined = 0
        /// Failovers recorded although no connector failed.
        var falseFailovers = 0
        /// Outages of connectors (a failed session until the next Welcome).
        var reconnects = 0
        var reconnectP50Seconds = 0.0
        var reconnectP99Seconds = 0.0
        /// Changes of the database's primary (Patroni faults).
        var failovers = 0
        /// The longest time without any ack that overlaps the fault.
        var writeGapSeconds = 0.0
        /// From the fault until the database was whole again (every member back, a
        /// synchronous standby named): the old primary's return as a standby.
        var recoverySeconds = 0.0
    }

    public struct Result: Codable, Sendable {
        var seed: UInt64 = 0
        var durationSeconds = 0
        var pairs = 0
        var nodes = 1
        var acked = 0
        var lost = 0
        var duplicated = 0
        var falseFailovers = 0
        /// Connector losses longer than the reconnect grace (and 2 s) with no failover recorded.
        var missedFailovers = 0
        /// Misses charged to a member beyond what it really did not deliver (``PairTruthCheck``).
        var falseMisses = 0
        /// Real misses whose minute left the window before the end, not charged.
        var unreportedMisses = 0
        /// Connectors that had stopped whose details still showed live figures.
        var staleLiveFigures = 0
        var reconnectP99Seconds = 0.0
        /// `embedded` (one server) or `patroni`.
        var database = ChaosDatabase.embedded.rawValue
        /// What "acked" meant at the start (``DatabaseReplication``).
        var replication = ""
        /// Changes of the database's primary.
        var failovers = 0
        /// The largest write gap of any fault.
        var writeGapSeconds = 0.0
        var faults: [Line] = []
        var total = Line(fault: "total")
        var generated = 0
        var storedRows = 0
        var unackedAtEnd = 0
        var reconnects = 0
        var serverPeakRssBytes = 0
    }

    public func run(on lab: LabDatabase, logger: Logger) async throws -> Result {
        var lab = lab
        var tier: PatroniTier?
        if postgres == .patroni {
            let directory = URL(fileURLWithPath: patroniDirectory ?? ".tandem/chaos-patroni-\(seed)")
            say("starting the Patroni tier (\(asyncReplication ? "asynchronous" : "synchronous") replication) in \(directory.path)")
            let started = try await PatroniTier.start(
                script: URL(fileURLWithPath: patroniScript), directory: directory, port: patroniPort,
                synchronous: !asyncReplication,
                log: FileManager.default.temporaryDirectory.appendingPathComponent("tandem-chaos-patroni-\(seed).log"))
            tier = started
            lab = lab.on(try DatabaseURL(started.url))
        }
        let result: Result
        do {
            let patroni = tier
            let migrations = lab.migrationsDirectory
            result = try await ScratchDatabase.with(lab, logger: logger) { store, url, embedded in
                try await chaos(store, url: url, migrations: migrations, embedded: embedded, tier: patroni)
            }
        } catch {
            await tier?.stop()
            throw error
        }
        await tier?.stop()
        return result
    }

    public func table(_ result: Result) -> String { Self.table(result) }

    /// Exactly-once decides the exit status; the truth figures are in the JSON and the last line
    /// (a fault's false failovers depend on how long the machine took to reconnect).
    public func passed(_ result: Result) -> Bool { result.total.lost == 0 && result.total.duplicated == 0 }

    /// One node, or `nodes` nodes (ids `node-0`…, trusting the balancer's forwarded address)
    /// behind HAProxy.
    private func startServers(url: DatabaseURL, migrations: String?, serveLog: URL) async throws -> ServerHolder {
        guard nodes >= 2 else {
            return ServerHolder([try await ServerProcess.start(database: url, migrations: migrations, logFile: serveLog)])
        }
        var started: [ServerProcess] = []
        for index in 0..<nodes { started.append(try await startNode(index, url: url, migrations: migrations, serveLog: serveLog)) }
        let balancer = try await BalancerProcess.start(
            clusterScript: URL(fileURLWithPath: clusterScript), nodes: started.map { ($0.grpcPort, $0.httpPort) },
            logFile: serveLog.deletingPathExtension().appendingPathExtension("haproxy.log"))
        return ServerHolder(started, balancer: balancer)
    }

    private func startNode(
        _ index: Int, url: DatabaseURL, migrations: String?, serveLog: URL, ports: (grpc: Int, http: Int)? = nil
    ) async throws -> ServerProcess {
        try await ServerProcess.start(
            database: url, migrations: migrations,
            extraArguments: ["--node-id", "node-\(index)", "--trusted-proxy", "127.0.0.1", "--shutdown-timeout", "15"],
            logFile: serveLog, ports: ports)
    }

    private func chaos(
        _ store: TandemStore.Store, url: DatabaseURL, migrations: String?, embedded: EmbeddedPostgres?, tier: PatroniTier?
    ) async throws -> Result {
        var result = Result()
        (result.seed, result.durationSeconds, result.pairs, result.nodes) = (seed, duration, pairs, nodes)
        result.database = postgres.rawValue
        result.replication = try await store.replication().description
        say("database: \(result.replication)")
        var random = SplitMix64(seed: seed)
        let clustered = nodes >= 2
        let defaults =
            tier != nil
            ? ChaosFault.allCases.filter(\.needsPatroni)
            : ChaosFault.allCases.filter { (clustered ? $0 != .serveKill : !$0.needsCluster) && !$0.needsPatroni }
        let repeated = (faults.isEmpty ? defaults : faults).flatMap { Array(repeating: $0, count: max(1, repetitions)) }
        let selected = repeated.filter { fault in
            if fault.needsEmbeddedPostgres && embedded == nil {
                say("skipping \(fault.rawValue): it needs the embedded PostgreSQL (no --database-url)")
                return false
            }
            if fault.needsCluster && !clustered {
                say("skipping \(fault.rawValue): it needs --nodes 2 or more")
                return false
            }
            if fault.needsPatroni && tier == nil {
                say("skipping \(fault.rawValue): it needs --postgres patroni")
                return false
            }
            return true
        }
        // Fault times: spread over the run, leaving 10 s at the end to settle.
        let span = max(1, duration - 15)
        let schedule = selected.map { ($0, 5.0 + Double(random.next() % UInt64(span * 10)) / 10) }.sorted { $0.1 < $1.1 }

        let (tenant, apiKey) = try await store.tenants.create(name: try DisplayName("chaos", field: "name"))
        let serveLog = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-chaos-serve-\(seed).log")
        try? FileManager.default.removeItem(at: serveLog)
        let server = try await startServers(url: url, migrations: migrations, serveLog: serveLog)
        defer { server.stopAll() }
        let port = server.grpcPort
        let wallStart = Date()
        say(
            "chaos: \(pairs) pairs × \(rate) events/s for \(duration) s\(clustered ? " through HAProxy to \(nodes) nodes" : ""), seed \(seed); faults at "
                + schedule.map { "\($0.0.rawValue)@\(String(format: "%.1f", $0.1))s" }.joined(separator: ", "))

        var connectors: [(ChaosConnector, ChaosConnector)] = []
        for pair in 0..<pairs {
            let (_, secret) = try await store.tokens.create(
                tenant: tenant.id, connectorName: try DisplayName("chaos pair \(pair)", field: "name"), network: .wireless)
            func member(_ number: Int) -> ChaosConnector {
                ChaosConnector(
                    identity: ConnectorIdentity(
                        instanceID: "chaos-\(seed)-\(pair)-\(number)", hostname: "chaos-\(pair)-\(number)",
                        ipAddress: "10.\(pair % 250).0.\(number)"),
                    token: secret.revealed, tenant: tenant.id, port: port)
            }
            connectors.append((member(1), member(2)))
        }
        let members = connectors.flatMap { [$0.0, $0.1] }
        let ledger = ChaosLedger()
        let clock = ContinuousClock()
        let start = clock.now
        let elapsed: @Sendable () -> Double = { (clock.now - start).inSeconds }

        try await withThrowingTaskGroup(of: Void.self) { group in
            for member in members { group.addTask { await member.run() } }
            // Peak memory of every server process the run starts.
            group.addTask {
                while !Task.isCancelled {
                    server.sample()
                    try? await Task.sleep(for: .milliseconds(500))
                }
            }
            // The devices: every 100 ms each pair's events go to both members.
            let rate = self.rate
            let duration = self.duration
            let pairs = self.pairs
            let seed = self.seed
            let connectors = connectors
            // Unstructured on purpose: the generator runs beside the faults and is cancelled after them.
            let generatorTask = Task {
                var generators = (0..<pairs).map { EventGenerator(seed: seed, site: $0) }
                var sequence: UInt64 = 0
                while elapsed() < Double(duration) {
                    sequence += 1
                    let now = Date()
                    for (pair, (a, b)) in connectors.enumerated() {
                        var events = generators[pair].next(max(1, rate / 10), now: now)
                        for index in events.indices { events[index].connectorSequence = sequence }
                        let marks = events.compactMap { try? DeviceEvent($0) }.map { EventIdentity(tenant: tenant.id, event: $0).key }
                        ledger.generated(marks, at: elapsed())
                        var batch = Tandem_V1_EventBatch()
                        batch.sequence = sequence
                        batch.events = events
                        a.enqueue(batch)
                        b.enqueue(batch)
                    }
                    try? await Task.sleep(for: .milliseconds(100))
                }
            }
            // The faults, in time order.
            for (fault, at) in schedule {
                let wait = at - elapsed()
                if wait > 0 { try await Task.sleep(for: .milliseconds(Int(wait * 1_000))) }
                let began = elapsed()
                say(String(format: "  t=%5.1fs %@", began, fault.rawValue))
                try await inject(
                    fault, connectors: connectors, server: server, store: store, embedded: embedded, tier: tier, url: url,
                    migrations: migrations, serveLog: serveLog, tenant: tenant.id, ledger: ledger,
                    elapsed: elapsed)
                ledger.window(fault, from: began, to: elapsed())
            }
            await generatorTask.value
            say("  t=\(Int(elapsed()))s traffic ends; draining")
            for member in members { member.finish() }
            // Drain: every queued batch acked, or give up after 3 minutes (reported, not lost).
            let deadline = clock.now + .seconds(180)
            while members.contains(where: { $0.pending > 0 }), clock.now < deadline {
                try await Task.sleep(for: .milliseconds(200))
            }
            group.cancelAll()
        }

        // Verification against PostgreSQL.
        var stored: [UUID: Int] = [:]
        for try await (key, count) in try await store.database.client.query(
            "SELECT identity, count(*)::int8 FROM events WHERE tenant_id = \(tenant.id.rawValue) GROUP BY identity"
        ).decode((UUID, Int64).self) { stored[key] = Int(count) }
        var quarantined = Set<UUID>()
        for try await key in try await store.database.client.query(
            "SELECT identity FROM events_quarantine WHERE tenant_id = \(tenant.id.rawValue)"
        ).decode(UUID.self) { quarantined.insert(key) }

        // Failovers recorded, as seconds into the run.
        var failovers: [Double] = []
        for try await at in try await store.database.client.query(
            "SELECT occurred_at FROM ha_history WHERE tenant_id = \(tenant.id.rawValue) AND kind = 'failover'"
        ).decode(Date.self) { failovers.append(at.timeIntervalSince(wallStart)) }
        let outages = members.flatMap(\.outages).map { ((($0.began - start).inSeconds), $0.seconds) }

        let acked = Set(members.flatMap(\.acked))
        let ackTimes = members.flatMap(\.ackTimes).map { ($0 - start).inSeconds }.sorted()
        let databaseFailovers = ledger.databaseFailovers
        let (times, specials, windows) = ledger.snapshot
        // A failover is genuine when it falls in a connector-loss window (up to the liveness timeout after).
        let genuine = windows.filter { $0.0.lossIsGenuine }.map { ($0.1 - 0.5, $0.2 + 20) }
        let isFalse: (Double) -> Bool = { at in !genuine.contains { at >= $0.0 && at <= $0.1 } }
        func reconnectFigures(_ line: inout Line, _ durations: [Double]) {
            let sorted = durations.sorted()
            line.reconnects = sorted.count
            guard !sorted.isEmpty else { return }
            line.reconnectP50Seconds = sorted[min(sorted.count - 1, sorted.count / 2)]
            line.reconnectP99Seconds = sorted[min(sorted.count - 1, Int((Double(sorted.count) * 0.99).rounded(.up)) - 1)]
        }
        func line(_ name: String, _ keys: Set<UUID>) -> Line {
            var line = Line(fault: name)
            let ackedHere = keys.intersection(acked)
            line.acked = ackedHere.count
            line.lost =
                ackedHere.filter { key in
                    specials[key] == .absurdTimestamps ? !quarantined.contains(key) : stored[key] == nil
                }.count
            line.duplicated = keys.filter { (stored[$0] ?? 0) > 1 }.count
            line.quarantined = keys.intersection(quarantined).count
            return line
        }
        for (fault, began, ended) in windows {
            let keys: Set<UUID> =
                fault == .midnightBurst || fault == .absurdTimestamps
                ? Set(specials.filter { $0.value == fault }.keys)
                : Set(times.filter { $0.value >= began - 1 && $0.value <= ended + 5 }.keys)
            var faultLine = line(fault.rawValue, keys)
            faultLine.at = began
            // What the fault caused: failovers up to the liveness timeout (15 s) and a lease after it.
            faultLine.falseFailovers =
                fault.lossIsGenuine ? 0 : failovers.filter { $0 >= began - 0.5 && $0 <= ended + 30 && isFalse($0) }.count
            reconnectFigures(&faultLine, outages.filter { $0.0 >= began - 0.5 && $0.0 <= ended + 1 }.map(\.1))
            // A fault that struck after the traffic ended has nothing to ack: no write gap.
            faultLine.writeGapSeconds = began < Double(duration) ? Self.longestSilence(ackTimes, from: began, to: ended) : 0
            if fault.needsPatroni {
                faultLine.failovers = databaseFailovers.filter { $0 >= began && $0 <= ended }.count
                faultLine.recoverySeconds = ended - began
            }
            result.faults.append(faultLine)
        }
        result.total = line("total", Set(times.keys))
        result.total.falseFailovers = failovers.filter(isFalse).count
        reconnectFigures(&result.total, outages.map(\.1))
        (result.acked, result.lost, result.duplicated) = (result.total.acked, result.total.lost, result.total.duplicated)
        (result.falseFailovers, result.reconnectP99Seconds) = (result.total.falseFailovers, result.total.reconnectP99Seconds)
        result.failovers = databaseFailovers.count
        result.writeGapSeconds = result.faults.map(\.writeGapSeconds).max() ?? 0
        (result.total.failovers, result.total.writeGapSeconds) = (result.failovers, result.writeGapSeconds)
        result.generated = times.count
        result.storedRows = stored.values.reduce(0, +)

        // The rest of the truth check: failovers that happened but were not recorded, pair
        // statistics against what each member delivered, and the figures of stopped connectors.
        let grace = 5.0
        let victimOutages = connectors.first.map { $0.1.outages.map { (($0.began - start).inSeconds, $0.seconds) } } ?? []
        result.missedFailovers =
            windows.filter { $0.0 == .connectorLoss }.filter { _, began, ended in
                // The victim is away for the 5 s loss and then until its next Welcome.
                let away = 5 + (victimOutages.first { $0.0 >= began - 0.5 && $0.0 <= ended + 1 }?.1 ?? 0)
                return away > grace + 2 && !failovers.contains { $0 >= began - 0.5 && $0 <= ended + 30 }
            }.count
        var ids: [String: (connector: ConnectorID, group: TokenID)] = [:]
        for try await (instance, connector, token) in try await store.database.client.query(
            "SELECT instance_id, connector_id, token_id FROM connectors WHERE tenant_id = \(tenant.id.rawValue)"
        ).decode((String, UUID, UUID).self) { ids[instance] = (ConnectorID(connector), TokenID(token)) }
        let pairs = connectors.compactMap { a, b -> PairTruthCheck.Pair<UUID>? in
            guard let first = ids[a.identity.instanceID], let second = ids[b.identity.instanceID] else { return nil }
            return .init(
                group: first.group,
                members: [
                    .init(connector: first.connector, delivered: Set(a.acked)), .init(connector: second.connector, delivered: Set(b.acked)),
                ])
        }
        let judgedBefore = elapsed() - 660  // the default window and a minute, in seconds into the run
        let misses = try await PairTruthCheck.misses(store: store, tenant: tenant.id, pairs: pairs) { key in
            (times[key] ?? .infinity) < judgedBefore
        }
        (result.falseMisses, result.unreportedMisses) = (misses.falseMisses, misses.unreportedMisses)
        // Once every stopped member is judged (a grace, or a liveness timeout at most), none may show live figures.
        let judgedBy = clock.now + .seconds(60)
        while clock.now < judgedBy {
            let active = try await store.database.client.query(
                "SELECT count(*)::int8 FROM connectors WHERE tenant_id = \(tenant.id.rawValue) AND control_status = 'active'"
            ).decode(Int64.self).reduce(0, +)
            if active == 0 { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        if let http = server.nodes.first?.httpPort, let base = URL(string: "http://127.0.0.1:\(http)") {
            result.staleLiveFigures = try await PairTruthCheck.staleLiveFigures(
                api: OperatorHTTPClient(baseURL: base, apiKey: apiKey.revealed),
                connectors: pairs.flatMap { $0.members.map(\.connector.description) })
        }
        result.unackedAtEnd = members.reduce(0) { $0 + $1.pending }
        result.reconnects = members.reduce(0) { $0 + $1.reconnects }
        result.serverPeakRssBytes = server.peakRSS
        return result
    }

    private func inject(
        _ fault: ChaosFault, connectors: [(ChaosConnector, ChaosConnector)], server: ServerHolder, store: TandemStore.Store,
        embedded: EmbeddedPostgres?, tier: PatroniTier?, url: DatabaseURL, migrations: String?, serveLog: URL, tenant: TenantID,
        ledger: ChaosLedger, elapsed: () -> Double
    ) async throws {
        switch fault {
        case .serveKill:
            let old = server.current
            server.sample()
            old.crash()
            try await Task.sleep(for: .seconds(1))
            server.replace(
                try await ServerProcess.start(
                    database: url, migrations: migrations, logFile: serveLog, ports: (old.grpcPort, old.httpPort)))
        case .nodeKill:
            // The node holding the most live sessions: a node with none would prove nothing.
            var index = 0
            let busiest = try await store.database.client.query(
                """
                SELECT node_id FROM connectors WHERE tenant_id = \(tenant.rawValue) AND control_status = 'active'
                GROUP BY node_id ORDER BY count(*) DESC, node_id LIMIT 1
                """)
            for try await node in busiest.decode(String?.self) {
                index = node.flatMap { Int($0.dropFirst("node-".count)) } ?? 0
            }
            let old = server.nodes[index]
            server.sample()
            say("    node-\(index) killed")
            old.crash()
            try await Task.sleep(for: .seconds(2))
            server.replace(
                node: index,
                with: try await startNode(
                    index, url: url, migrations: migrations, serveLog: serveLog, ports: (old.grpcPort, old.httpPort)))
        case .rollingRestart:
            for (index, old) in server.nodes.enumerated() {
                server.sample()
                old.stop()
                server.replace(
                    node: index,
                    with: try await startNode(
                        index, url: url, migrations: migrations, serveLog: serveLog, ports: (old.grpcPort, old.httpPort)))
                say(String(format: "    node-%d restarted at %.1fs", index, elapsed()))
            }
        case .balancerRestart:
            guard let old = server.balancer else { return }
            old.stop()
            try await Task.sleep(for: .milliseconds(500))
            server.replace(
                balancer: try await BalancerProcess.start(
                    clusterScript: URL(fileURLWithPath: clusterScript), nodes: server.nodes.map { ($0.grpcPort, $0.httpPort) },
                    logFile: serveLog.deletingPathExtension().appendingPathExtension("haproxy.log"), ports: (old.grpcPort, old.httpPort)))
        case .postgresRestart:
            try embedded?.restartImmediately()
        case .postgresStall:
            let processes = embedded?.serverProcessIDs() ?? []
            for pid in processes { kill(pid, SIGSTOP) }
            try await Task.sleep(for: .seconds(stallSeconds))
            for pid in processes { kill(pid, SIGCONT) }
        case .primaryKill, .switchover, .primaryStall, .partitionKill:
            guard let tier else { return }
            let before = try await tier.primary()
            switch fault {
            case .primaryKill: try await tier.killPrimary()
            case .switchover: try await tier.switchover()
            case .partitionKill: try await tier.partitionAndKillPrimary(seconds: 2)
            default: try await tier.stallPrimary(seconds: stallSeconds)
            }
            // The old primary back as a standby, a synchronous one named, before the next fault.
            try await tier.waitHealthy()
            let after = try await tier.primary()
            if after != before { ledger.databaseFailover(at: elapsed()) }
            say("    primary \(before) → \(after)")
        case .connectorLoss:
            let victim = connectors[0].1
            victim.lose()
            try await Task.sleep(for: .seconds(5))
            victim.restore()
        case .slowConsumer:
            connectors[connectors.count > 1 ? 1 : 0].0.stall(for: .seconds(5))
            try await Task.sleep(for: .seconds(5))
        case .midnightBurst, .absurdTimestamps:
            let now = Date()
            let midnight = (Int64(now.timeIntervalSince1970) / 86_400) * 86_400 * 1_000_000
            var generator = EventGenerator(seed: seed &+ 77, site: 900)
            var events = generator.next(200, now: now)
            for index in events.indices {
                let offset = Int64(index) * 20_000 - 2_000_000  // −2 s … +2 s around midnight
                if fault == .midnightBurst {
                    events[index].deviceTimeMicros = midnight + offset
                } else {
                    events[index].deviceTimeMicros =
                        index % 2 == 0
                        ? Int64(now.timeIntervalSince1970 * 1e6) + 2 * 365 * 86_400_000_000 + offset
                        : 31_536_000_000_000 + offset
                }
            }
            let keys = events.compactMap { try? DeviceEvent($0) }.map { EventIdentity(tenant: tenant, event: $0).key }
            ledger.special(keys, fault)
            ledger.generated(keys, at: elapsed())
            var batch = Tandem_V1_EventBatch()
            batch.sequence = UInt64(Date().timeIntervalSince1970 * 1_000)
            batch.events = events
            for (a, b) in connectors.prefix(1) {
                a.enqueue(batch)
                b.enqueue(batch)
            }
        }
    }

    /// The longest time without any ack (`acks`: seconds into the run, sorted) that overlaps
    /// `[began, ended]`, counted from `began` at the earliest; up to `ended` when no ack came after.
    static func longestSilence(_ acks: [Double], from began: Double, to ended: Double) -> Double {
        var longest = 0.0
        var previous = began
        for time in acks where time > began {
            longest = max(longest, time - previous)
            previous = time
            if time > ended { return longest }
        }
        return max(longest, ended - previous)
    }

    static func table(_ result: Result) -> String {
        let database = result.database == ChaosDatabase.patroni.rawValue
        var lines = [
            "",
            "| fault | at | acked | lost | duplicated | quarantined | false failovers | reconnects | reconnect p50 / p99 | write gap |"
                + (database ? " db failovers | recovery |" : ""),
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|" + (database ? "---:|---:|" : ""),
        ]
        for line in result.faults + [result.total] {
            let at = line.fault == "total" ? "" : String(format: "%.1f s", line.at)
            let reconnect = line.reconnects == 0 ? "–" : String(format: "%.2f / %.2f s", line.reconnectP50Seconds, line.reconnectP99Seconds)
            let recovery = line.fault == "total" ? "" : String(format: "%.1f s", line.recoverySeconds)
            lines.append(
                "| \(line.fault) | \(at) | \(line.acked) | \(line.lost) | \(line.duplicated) | \(line.quarantined) | \(line.falseFailovers) | \(line.reconnects) | \(reconnect) | "
                    + String(format: "%.2f s |", line.writeGapSeconds) + (database ? " \(line.failovers) | \(recovery) |" : ""))
        }
        lines.append("database: \(result.database), \(result.replication)")
        lines.append(
            "generated \(result.generated) distinct events, \(result.storedRows) rows stored, \(result.unackedAtEnd) batches unacked at the end, \(result.reconnects) reconnects, server peak RSS \(result.serverPeakRssBytes >> 20) MiB"
        )
        lines.append(
            (result.total.lost == 0 && result.total.duplicated == 0
                ? "chaos: 0 lost, 0 duplicated" : "chaos: \(result.total.lost) LOST, \(result.total.duplicated) DUPLICATED")
                + ", \(result.falseFailovers) false failovers, \(result.missedFailovers) missed failovers, \(result.falseMisses) false misses, \(result.unreportedMisses) unreported misses, \(result.staleLiveFigures) stale live figures"
        )
        return lines.joined(separator: "\n")
    }
}
