import Foundation
import GRPCCore
import PostgresNIO
import TandemConnector
import TandemCore
import TandemIngest
import TandemProtocol
import TandemStore
import Testing

@Suite("Connector channels over real gRPC and PostgreSQL")
struct ChannelTests {
    @Test("two connectors of one token get the same tenant id and share one HA Active list")
    func pairSharesHAActive() async throws {
        try await TandemHarness.run { tandem in
            let site = try await tandem.site()
            let first = try await tandem.connect(site, ip: "10.0.0.1")
            let second = try await tandem.connect(site, ip: "10.0.0.2")
            #expect(first.welcome.tenantID == site.tenant.description)
            #expect(second.welcome.tenantID == first.welcome.tenantID)
            #expect(first.welcome.connectorID != second.welcome.connectorID)
            #expect(second.welcome.haActive.ipAddresses == ["10.0.0.1", "10.0.0.2"])
            let update = try await nextCommand(first.commands) { $0.haActive.ipAddresses.count == 2 }
            #expect(update.haActive.ipAddresses == ["10.0.0.1", "10.0.0.2"])
            #expect(try await tandem.store.connectors.haActive(tenant: site.tenant, token: site.tokenID) == ["10.0.0.1", "10.0.0.2"])
            first.kill()
            second.kill()
        }
    }

    @Test("a configuration change reaches both connected members within 1 second")
    func configurationPushedToBoth() async throws {
        try await TandemHarness.run { tandem in
            let site = try await tandem.site()
            let first = try await tandem.connect(site, ip: "10.0.0.1")
            let second = try await tandem.connect(site, ip: "10.0.0.2")
            try await tandem.withAPI { api in
                let response = try await api.send(
                    .put, "/api/v1/ha-groups/\(site.tokenID)/controllers", apiKey: site.apiKey,
                    body: #"{"devices": [{"ipAddress": "172.20.239.66", "name": "wlc-1"}, {"ipAddress": "172.20.239.67"}]}"#)
                #expect(response.status == .ok)
            }
            for stream in [first, second] {
                let pushed = try await nextCommand(stream.commands, within: .seconds(1)) { $0.configuration.controllers.count == 2 }
                #expect(pushed.configuration.controllers.map(\.ipAddress) == ["172.20.239.66", "172.20.239.67"])
                #expect(pushed.configuration.network == .wireless)
            }
            first.kill()
            second.kill()
        }
    }

    @Test(
        "pairing rules refuse with FAILED_PRECONDITION naming the rule and the values",
        arguments: [
            ("10.0.0.1", "2.3.460", "unique-ip", "10.0.0.1"),
            ("10.0.0.2", "2.3.461", "same-ova-version", "2.3.461"),
            ("10.0.0.2", "2.2.100", "ova-minimum-version", "2.2.100"),
        ])
    func pairingRulesRefuse(ip: String, version: String, rule: String, value: String) async throws {
        try await TandemHarness.run { tandem in
            let site = try await tandem.site()
            let first = try await tandem.connect(site, ip: "10.0.0.1")
            let error = await #expect(throws: RPCError.self) { try await tandem.connect(site, ip: ip, version: version) }
            #expect(error?.code == .failedPrecondition)
            #expect(error?.message.contains(rule) == true)
            #expect(error?.message.contains(value) == true)
            #expect(try await tandem.store.connectors.haActive(tenant: site.tenant, token: site.tokenID) == ["10.0.0.1"])
            first.kill()
        }
    }

    @Test("a group holds at most two active connectors; a lone connector below 2.3 may connect")
    func groupFullAndLoneOldConnector() async throws {
        try await TandemHarness.run { tandem in
            let site = try await tandem.site()
            let first = try await tandem.connect(site, ip: "10.0.0.1")
            let second = try await tandem.connect(site, ip: "10.0.0.2")
            let error = await #expect(throws: RPCError.self) { try await tandem.connect(site, ip: "10.0.0.3") }
            #expect(error?.code == .failedPrecondition)
            #expect(error?.message.contains("group-full") == true)

            let lone = try await tandem.site(name: "old-site")
            let old = try await tandem.connect(lone, ip: "10.1.0.1", version: "2.2.100")
            #expect(old.welcome.haActive.ipAddresses == ["10.1.0.1"])
            for stream in [first, second, old] { stream.kill() }
        }
    }

    @Test("a connector reconnecting with its instance id replaces its old session instead of becoming a third member")
    func reconnectReplaces() async throws {
        try await TandemHarness.run { tandem in
            let site = try await tandem.site()
            // Without heartbeats, the old session can only end by being replaced (not by a
            // heartbeat finding its row taken over, which ends it UNAVAILABLE).
            let first = try await tandem.connect(site, ip: "10.0.0.1", instanceID: "connector-a", heartbeatEvery: nil)
            let second = try await tandem.connect(site, ip: "10.0.0.2", instanceID: "connector-b")
            let again = try await tandem.connect(site, ip: "10.0.0.1", instanceID: "connector-a")
            #expect(again.welcome.connectorID == first.welcome.connectorID)
            #expect(again.welcome.haActive.ipAddresses == ["10.0.0.1", "10.0.0.2"])
            let ended = await #expect(throws: RPCError.self) { try await first.ended() }
            #expect(ended?.code == .aborted, "\(String(describing: ended))")
            // The replaced session's end must not mark the connector lost. The server decides
            // (and records any loss) before it ends the stream, so the decision is made by now.
            #expect(try await tandem.store.connectors.haActive(tenant: site.tenant, token: site.tokenID) == ["10.0.0.1", "10.0.0.2"])
            let history = try #require(try await tandem.store.groups.state(tenant: site.tenant, token: site.tokenID)).history
            #expect(history.map(\.kind).filter { $0 != .joined }.isEmpty, "\(history.map(\.kind))")
            again.kill()
            second.kill()
        }
    }

    @Test("killing one connector records a failover and reprovision flags; the survivor's events keep being stored")
    func failover() async throws {
        try await TandemHarness.run { tandem in
            let site = try await tandem.site()
            let doomed = try await tandem.connect(site, ip: "10.0.0.1")
            let survivor = try await tandem.connect(site, ip: "10.0.0.2")
            let data = DataStream.open(
                client: tandem.client, token: site.token, instanceID: try await instanceID(of: survivor, tandem, site))
            let before = makeBatch(sequence: 1, events: 50)
            #expect(try await data.write(before).stored == 50)

            doomed.kill()
            try await eventually("the failover to be recorded") {
                try await tandem.store.connectors.haActive(tenant: site.tenant, token: site.tokenID) == ["10.0.0.2"]
            }
            let update = try await nextCommand(survivor.commands) { $0.haActive.ipAddresses == ["10.0.0.2"] }
            #expect(update.haActive.ipAddresses == ["10.0.0.2"])
            let after = makeBatch(sequence: 2, events: 50, offset: 50)
            #expect(try await data.write(after).stored == 50)
            #expect(try await tandem.storedEvents(site.tenant) == 100)

            let state = try #require(try await tandem.store.groups.state(tenant: site.tenant, token: site.tokenID))
            #expect(state.hyperlocationNeedsReprovision && state.iotNeedsReprovision)
            #expect(state.fastLocateState == .reEstablishing)
            #expect(state.history.prefix(2).map(\.kind) == [.failover, .lost])
            #expect(state.history.first?.peerConnectorID?.description == survivor.welcome.connectorID)

            try await tandem.withAPI { api in
                let cleared = try await api.send(
                    .post, "/api/v1/ha-groups/\(site.tokenID)/reprovision", apiKey: site.apiKey,
                    body: #"{"services": ["hyperlocation", "iot"]}"#)
                #expect(cleared.status == .ok)
                #expect((cleared.json["reprovision"] as? [String: Bool]) == ["hyperlocation": false, "iot": false])
            }
            let request = try await nextCommand(survivor.commands) { $0.reprovision.services.count == 2 }
            #expect(request.reprovision.services == ["hyperlocation", "iot"])
            // FastLocate flows again once the group's location events arrive.
            // A stream reports location events at most once a second: keep sending until it has.
            var sequence: UInt64 = 3
            let deadline = ContinuousClock.now + .seconds(10)
            while try await tandem.store.groups.state(tenant: site.tenant, token: site.tokenID)?.fastLocateState != .flowing {
                try #require(ContinuousClock.now < deadline, "FastLocate never flowed again")
                let ack = try await data.write(makeBatch(sequence: sequence, events: 1, offset: 500 + Int(sequence), kind: .clientLocation))
                #expect(ack.stored == 1)
                sequence += 1
                try await Task.sleep(for: .milliseconds(100))  // a poll interval, not a wait for the condition
            }
            data.finish()
            survivor.kill()
        }
    }

    @Test("a silent connector is declared lost after the liveness timeout, its data stream ends, and its peer takes over")
    func livenessTimeout() async throws {
        try await TandemHarness.run(configure: {
            $0.heartbeatInterval = .milliseconds(200)
            $0.livenessTimeout = .seconds(2)
        }) { tandem in
            let site = try await tandem.site()
            let silent = try await tandem.connect(site, ip: "10.0.0.1", instanceID: "silent", heartbeatEvery: nil)
            let alive = try await tandem.connect(site, ip: "10.0.0.2", heartbeatEvery: .milliseconds(100))
            let silentData = DataStream.open(client: tandem.client, token: site.token, instanceID: "silent")
            #expect(try await silentData.write(makeBatch(sequence: 1, events: 5)).stored == 5)
            let sweeper = LivenessSweeper(
                store: tandem.store, registry: tandem.ingest.registry,
                // Long enough that the live member's heartbeats (written every 500 ms, batched)
                // are never late by it, even with the whole suite running on two cores.
                configuration: {
                    var c = IngestConfiguration()
                    c.livenessTimeout = .seconds(2)
                    return c
                }(),
                logger: TestDatabase.logger)
            // Generous: at the start of the suite every test runs at once on two cores.
            try await eventually("the silent connector to be lost", timeout: .seconds(30)) {
                try await sweeper.sweep()
                return try await tandem.store.connectors.haActive(tenant: site.tenant, token: site.tokenID) == ["10.0.0.2"]
            }
            let ended = await #expect(throws: RPCError.self) { try await silent.ended() }
            #expect(ended?.code == .unavailable)
            // The lost member's data stream ends with it: its batches are no longer acked.
            let dataEnded = await #expect(throws: RPCError.self) {
                try await silentData.write(makeBatch(sequence: 2, events: 5, offset: 5))
            }
            #expect(dataEnded?.code == .unavailable, "\(String(describing: dataEnded))")
            let state = try #require(try await tandem.store.groups.state(tenant: site.tenant, token: site.tokenID))
            #expect(state.history.first?.kind == .failover)
            alive.kill()
        }
    }

    @Test(
        "after a database outage (a write failed) silence is not judged for one liveness timeout, so a failover of PostgreSQL records no connector loss; after it, silence is judged again"
    )
    func noLossJudgedRightAfterADatabaseOutage() async throws {
        try await TandemHarness.run { tandem in
            // As the database finds them when it is back: nobody heard for a long time, because
            // the heartbeats that arrived meanwhile could not be written.
            let site = try await Self.pairUnheardForAnHour(tandem)
            var configuration = IngestConfiguration()
            configuration.livenessTimeout = .seconds(15)
            let sweeper = LivenessSweeper(
                store: tandem.store, registry: tandem.ingest.registry, configuration: configuration, logger: TestDatabase.logger)
            let failedAt = ContinuousClock.now
            tandem.ingest.registry.outages.failed(at: failedAt)
            try await sweeper.sweepUnlessRecentOutage(now: failedAt + .seconds(14))
            #expect(try await tandem.store.connectors.haActive(tenant: site.tenant, token: site.tokenID) == ["10.0.0.1", "10.0.0.2"])
            let state = try #require(try await tandem.store.groups.state(tenant: site.tenant, token: site.tokenID))
            #expect(!state.history.contains { $0.kind == .lost || $0.kind == .failover })
            // One timeout of working writes later, the same silence is a loss.
            try await sweeper.sweepUnlessRecentOutage(now: failedAt + .seconds(15))
            #expect(try await tandem.store.connectors.haActive(tenant: site.tenant, token: site.tokenID) == [])
        }
    }

    @Test(
        "a sweep whose read waits on a stalled database (a frozen primary, here a lock held 3 s) judges nothing and holds judging back one liveness timeout"
    )
    func noLossJudgedFromAStalledRead() async throws {
        try await TandemHarness.run { tandem in
            // What the read finds when the database thaws, before the heartbeats held back with
            // it are written: nobody heard for a long time.
            let site = try await Self.pairUnheardForAnHour(tandem)
            var configuration = IngestConfiguration()
            configuration.heartbeatInterval = .milliseconds(500)
            configuration.livenessTimeout = .seconds(2)
            let sweeper = LivenessSweeper(
                store: tandem.store, registry: tandem.ingest.registry, configuration: configuration, logger: TestDatabase.logger)
            #expect(sweeper.stalledRead == .milliseconds(1_500))
            try await tandem.store.database.client.withConnection { stall in
                try await stall.query("BEGIN", logger: TestDatabase.logger)
                try await stall.query("LOCK TABLE connectors IN ACCESS EXCLUSIVE MODE", logger: TestDatabase.logger)
                async let sweep: Void = sweeper.sweep()
                // The stall: the sweep's read waits this long for the lock.
                try await Task.sleep(for: .seconds(3))
                try await stall.query("COMMIT", logger: TestDatabase.logger)
                try await sweep
            }
            #expect(try await tandem.store.connectors.haActive(tenant: site.tenant, token: site.tokenID) == ["10.0.0.1", "10.0.0.2"])
            let state = try #require(try await tandem.store.groups.state(tenant: site.tenant, token: site.tokenID))
            #expect(!state.history.contains { $0.kind == .lost || $0.kind == .failover })
            let failure = try #require(tandem.ingest.registry.outages.lastFailure, "the stalled read counts as an outage")
            #expect(
                !tandem.ingest.registry.outages.allowsJudging(at: failure + .milliseconds(1_999), timeout: configuration.livenessTimeout))
            // A read that answers in time judges the same silence (a sweeper whose stalled-read
            // bound is 29 s, so a busy machine's slow read is not taken for a stall).
            var patient = IngestConfiguration()
            patient.heartbeatInterval = .seconds(1)
            patient.livenessTimeout = .seconds(30)
            try await LivenessSweeper(
                store: tandem.store, registry: tandem.ingest.registry, configuration: patient, logger: TestDatabase.logger
            ).sweep()
            #expect(try await tandem.store.connectors.haActive(tenant: site.tenant, token: site.tokenID) == [])
        }
    }

    /// A pair of connectors that send no heartbeats, both last heard an hour ago.
    static func pairUnheardForAnHour(_ tandem: TandemHarness) async throws -> TandemHarness.Site {
        let site = try await tandem.site()
        _ = try await tandem.connect(site, ip: "10.0.0.1", instanceID: "a", heartbeatEvery: nil)
        _ = try await tandem.connect(site, ip: "10.0.0.2", instanceID: "b", heartbeatEvery: nil)
        try await tandem.store.database.client.query("UPDATE connectors SET last_heard = now() - interval '1 hour'")
        return site
    }

    @Test("a resent batch adds no row, and the pair's two copies are stored once")
    func resendAndPairCopies() async throws {
        try await TandemHarness.run { tandem in
            let site = try await tandem.site()
            let first = try await tandem.connect(site, ip: "10.0.0.1", instanceID: "a")
            let second = try await tandem.connect(site, ip: "10.0.0.2", instanceID: "b")
            let dataA = DataStream.open(client: tandem.client, token: site.token, instanceID: "a")
            let dataB = DataStream.open(client: tandem.client, token: site.token, instanceID: "b")
            let batch = makeBatch(sequence: 7, events: 200)
            let ackA = try await dataA.write(batch)
            #expect(ackA.sequence == 7 && ackA.stored == 200 && ackA.duplicates == 0)
            let resent = try await dataA.write(batch)
            #expect(resent.stored == 0 && resent.duplicates == 200)
            var copy = batch
            for index in copy.events.indices {
                copy.events[index].receivedAtMicros += 1_234
                copy.events[index].connectorSequence += 10_000
            }
            copy.events.reverse()
            let ackB = try await dataB.write(copy)
            #expect(ackB.stored == 0 && ackB.duplicates == 200)
            #expect(try await tandem.storedEvents(site.tenant) == 200)
            for stream in [dataA, dataB] { stream.finish() }
            first.kill()
            second.kill()
        }
    }

    @Test("wrong token, oversized and malformed messages are refused without disturbing another stream")
    func badInputIsolated() async throws {
        try await TandemHarness.run(configure: { $0.maximumMessageSize = 64 * 1024 }) { tandem in
            let site = try await tandem.site()
            let control = try await tandem.connect(site, ip: "10.0.0.1", instanceID: "good")
            let good = DataStream.open(client: tandem.client, token: site.token, instanceID: "good")
            #expect(try await good.write(makeBatch(sequence: 1, events: 10)).stored == 10)

            let wrongToken = await #expect(throws: RPCError.self) {
                try await ControlStream.open(
                    client: tandem.client, token: Secret.generate(.connectorToken).revealed,
                    identity: ConnectorIdentity(hostname: "x", ipAddress: "10.9.9.9"))
            }
            #expect(wrongToken?.code == .unauthenticated)

            let oversized = DataStream.open(client: tandem.client, token: site.token, instanceID: "good")
            let huge = makeBatch(sequence: 1, events: 1).with { $0.events[0].body = Data(count: 100 * 1024) }
            let tooBig = await #expect(throws: RPCError.self) { try await oversized.write(huge) }
            #expect(tooBig?.code == .resourceExhausted, "\(String(describing: tooBig))")

            let malformed = DataStream.open(client: tandem.client, token: site.token, instanceID: "good")
            let invalid = makeBatch(sequence: 1, events: 3).with { $0.events[1].kind = .unspecified }
            let refused = await #expect(throws: RPCError.self) { try await malformed.write(invalid) }
            #expect(refused?.code == .invalidArgument)
            #expect(refused?.message.contains("event 1") == true)

            let beforeOpen = DataStream.open(client: tandem.client, token: site.token, instanceID: "never-said-hello")
            let unknown = await #expect(throws: RPCError.self) { try await beforeOpen.write(makeBatch(sequence: 1, events: 1)) }
            #expect(unknown?.code == .failedPrecondition)

            #expect(try await good.write(makeBatch(sequence: 2, events: 10, offset: 10)).stored == 10)
            #expect(try await tandem.storedEvents(site.tenant) == 20)
            good.finish()
            control.kill()
        }
    }

    @Test("events with absurd device times go to quarantine, are acked, and don't fail their batch")
    func quarantine() async throws {
        try await TandemHarness.run { tandem in
            let site = try await tandem.site()
            let control = try await tandem.connect(site, ip: "10.0.0.1", instanceID: "q")
            let data = DataStream.open(client: tandem.client, token: site.token, instanceID: "q")
            var batch = makeBatch(sequence: 1, events: 4)
            batch.events[1].deviceTimeMicros = Int64(Date().addingTimeInterval(3 * 86_400).timeIntervalSince1970 * 1e6)
            batch.events[2].deviceTimeMicros = -5
            let ack = try await data.write(batch)
            #expect(ack.stored == 2 && ack.quarantined == 2)
            let again = try await data.write(batch)
            #expect(again.stored == 0 && again.quarantined == 2)
            let rows = try await tandem.store.database.client.query(
                "SELECT count(*) FROM events_quarantine WHERE tenant_id = \(site.tenant.rawValue)")
            for try await count in rows.decode(Int.self) { #expect(count == 2) }
            data.finish()
            control.kill()
        }
    }

    /// The instance id the harness gave a stream is not in the Welcome; read it back.
    private func instanceID(of stream: ControlStream, _ tandem: TandemHarness, _ site: TandemHarness.Site) async throws -> String {
        let connector = try #require(ConnectorID(stream.welcome.connectorID))
        return try #require(try await tandem.store.connectors.find(tenant: site.tenant, id: connector)).instanceID
    }
}

extension Tandem_V1_EventBatch {
    func with(_ change: (inout Tandem_V1_EventBatch) -> Void) -> Tandem_V1_EventBatch {
        var copy = self
        change(&copy)
        return copy
    }
}
