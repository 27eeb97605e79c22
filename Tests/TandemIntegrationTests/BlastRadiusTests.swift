import Foundation
import GRPCCore
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import Synchronization
import TandemConnector
import TandemCore
import TandemIngest
import TandemProtocol
import TandemStore
import Testing

/// Bad input of one connector costs exactly its own batch: regression tests for the defects
/// found by an independent client (issue 13), each over real gRPC and PostgreSQL.
@Suite("Blast radius of bad input")
struct BlastRadiusTests {
    @Test(
        "an event at Int64.min (or min+1, or max) refuses its batch INVALID_ARGUMENT naming the field; serve and another tenant's stream carry on",
        arguments: [Int64.min, .min + 1, .max])
    func absurdDeviceTimeIsRefusedNotFatal(deviceTime: Int64) async throws {
        try await TandemHarness.run { tandem in
            let (hostile, good) = (try await tandem.site(name: "hostile"), try await tandem.site(name: "good"))
            let hostileControl = try await tandem.connect(hostile, ip: "10.0.0.1", instanceID: "h")
            let goodControl = try await tandem.connect(good, ip: "10.0.1.1", instanceID: "g")
            let goodStream = DataStream.open(client: tandem.client, token: good.token, instanceID: "g")
            #expect(try await goodStream.write(makeBatch(sequence: 1, events: 10)).stored == 10)

            let hostileStream = DataStream.open(client: tandem.client, token: hostile.token, instanceID: "h")
            let batch = makeBatch(sequence: 7, events: 3).with { $0.events[2].deviceTimeMicros = deviceTime }
            let refused = await #expect(throws: RPCError.self) { try await hostileStream.write(batch) }
            #expect(refused?.code == .invalidArgument)
            #expect(refused?.message.contains("batch 7, event 2: deviceTimeMicros") == true, "\(String(describing: refused))")

            // The same batch resent on a new stream is refused again, and nothing else is hurt.
            let resend = DataStream.open(client: tandem.client, token: hostile.token, instanceID: "h")
            await #expect(throws: RPCError.self) { try await resend.write(batch) }
            #expect(try await goodStream.write(makeBatch(sequence: 2, events: 10, offset: 10)).stored == 10)
            #expect(try await tandem.storedEvents(good.tenant) == 20)
            #expect(try await tandem.storedEvents(hostile.tenant) == 0)
            goodStream.finish()
            hostileControl.kill()
            goodControl.kill()
        }
    }

    @Test(
        "a control character in sourceDevice or subject refuses the batch INVALID_ARGUMENT (permanent), never UNAVAILABLE",
        arguments: [("sourceDevice", "172.20.239.66\u{0}"), ("subject", "aa:bb\u{0}:cc"), ("subject", "line\nbreak")])
    func controlCharactersArePermanentErrors(field: String, value: String) async throws {
        try await TandemHarness.run { tandem in
            let site = try await tandem.site()
            let control = try await tandem.connect(site, ip: "10.0.0.1", instanceID: "n")
            let stream = DataStream.open(client: tandem.client, token: site.token, instanceID: "n")
            let batch = makeBatch(sequence: 3, events: 2).with {
                if field == "sourceDevice" { $0.events[1].sourceDevice = value } else { $0.events[1].subject = value }
            }
            let refused = await #expect(throws: RPCError.self) { try await stream.write(batch) }
            #expect(refused?.code == .invalidArgument)
            #expect(refused?.message.contains("batch 3, event 1: \(field)") == true, "\(String(describing: refused))")
            #expect(try await tandem.storedEvents(site.tenant) == 0)
            control.kill()
        }
    }

    @Test(
        "a Hello with an empty instance id, or an address that is not exactly an IP, is refused INVALID_ARGUMENT",
        arguments: [
            ("", "10.0.0.1", "instanceId"), ("i-1", "10.0.0.061", "ipAddress"), ("i-1", " 10.0.0.1", "ipAddress"),
            ("i-1", "1.2.3", "ipAddress"), ("i-1", "999.1.1.1", "ipAddress"),
        ])
    func badHelloIsRefused(instanceID: String, ip: String, field: String) async throws {
        try await TandemHarness.run { tandem in
            let site = try await tandem.site()
            let refused = await #expect(throws: RPCError.self) {
                try await tandem.connect(site, ip: ip, instanceID: instanceID)
            }
            #expect(refused?.code == .invalidArgument)
            #expect(refused?.message.contains(field) == true, "\(String(describing: refused))")
        }
    }

    @Test("an IPv4-mapped IPv6 spelling of a member's address is the same address: the unique-IP rule refuses it")
    func mappedAddressClashes() async throws {
        try await TandemHarness.run { tandem in
            let site = try await tandem.site()
            let first = try await tandem.connect(site, ip: "192.0.2.61", instanceID: "a")
            let clash = await #expect(throws: RPCError.self) {
                try await tandem.connect(site, ip: "::ffff:192.0.2.61", instanceID: "b")
            }
            #expect(clash?.code == .failedPrecondition)
            #expect(try await tandem.store.connectors.haActive(tenant: site.tenant, token: site.tokenID) == ["192.0.2.61"])
            first.kill()
        }
    }

    @Test("a batch PostgreSQL refuses fails alone, rejected (permanent), while the other tenant's batch in the same flush is stored")
    func refusedRowFailsOnlyItsBatch() async throws {
        try await TestDatabase.withStore { store, _ in
            try await store.partitions.maintain()
            func records(_ name: String, subject: String) async throws -> [EventRecord] {
                let (tenant, token) = try await TestDatabase.group(in: store, name: name)
                let now = Int64(Date().timeIntervalSince1970 * 1e6)
                return (0..<5).map { index in
                    // Built past the edge's validation, as a defect elsewhere might let a row through.
                    EventRecord(
                        tenant: tenant.id, token: token.id, connector: ConnectorID.random(),
                        event: DeviceEvent(
                            channel: .controller, sourceDevice: "10.0.0.1", kind: .clientRSSI, deviceTimeMicros: now - Int64(index),
                            subject: index == 3 ? subject : "aa:\(index)", body: [1], receivedAtMicros: now, connectorSequence: 0))
                }
            }
            let bad = try await records("bad", subject: "nul\u{0}")
            let good = try await records("good", subject: "fine")
            var configuration = EventPipeline.Configuration()
            configuration.flushDelay = .milliseconds(200)  // both submissions land in one flush
            let pipeline = EventPipeline(store: store.events, statistics: nil, configuration: configuration, logger: TestDatabase.logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await pipeline.run() }
                async let badOutcome = Result { try await pipeline.submit(bad) }
                async let goodOutcome = Result { try await pipeline.submit(good) }
                let (badResult, goodResult) = await (badOutcome, goodOutcome)
                #expect(try goodResult.get() == Array(repeating: .stored, count: 5))
                #expect(throws: StoreError.self) { try badResult.get() }
                if case .failure(let error) = badResult { #expect(StoreError.isRejection(error), "\(error)") }
                pipeline.stop()
                try await group.waitForAll()
            }
        }
    }

    @Test(
        "one home per identity: a copy quarantined as too far ahead keeps the event out of events when a later copy is in range, and a stored event is never quarantined later"
    )
    func oneHomePerIdentity() async throws {
        try await TestDatabase.withStore { store, _ in
            try await store.partitions.maintain()
            let (tenant, token) = try await TestDatabase.group(in: store)
            let now = Date()
            func record(_ deviceTime: Date) -> EventRecord {
                EventRecord(
                    tenant: tenant.id, token: token.id, connector: .random(),
                    event: DeviceEvent(
                        channel: .controller, sourceDevice: "10.0.0.1", kind: .clientRSSI,
                        deviceTimeMicros: Int64(deviceTime.timeIntervalSince1970 * 1e6), subject: "aa", body: [1],
                        receivedAtMicros: Int64(now.timeIntervalSince1970 * 1e6), connectorSequence: 0))
            }
            func count(_ table: String) async throws -> Int {
                var result = -1
                for try await value in try await store.database.client.query(
                    PostgresQuery(
                        unsafeSQL: "SELECT count(*) FROM \(table) WHERE tenant_id = '\(tenant.id)'")
                ).decode(Int.self) { result = value }
                return result
            }
            // 24 h 8 s ahead: quarantined. The same event 12 s later is inside the tolerance: still one home.
            let ahead = record(now.addingTimeInterval(86_408))
            #expect(try await store.events.write([ahead], now: now) == [.quarantined])
            #expect(try await store.events.write([ahead], now: now.addingTimeInterval(12)) == [.duplicate])
            #expect(try await count("events") == 0)
            #expect(try await count("events_quarantine") == 1)
            // Stored today; a copy that comes after today left the retention is not quarantined.
            let today = record(now.addingTimeInterval(-60))
            #expect(try await store.events.write([today], now: now) == [.stored])
            #expect(try await store.events.write([today], now: now.addingTimeInterval(31 * 86_400)) == [.quarantined])
            #expect(try await count("events") == 1)
            #expect(try await count("events_quarantine") == 1)
        }
    }

    @Test("an event 23 hours ahead (legal) from one tenant leaves every other tenant's window entries in place")
    func futureEventKeepsTheWindow() async throws {
        try await TandemHarness.run { tandem in
            let (hostile, good) = (try await tandem.site(name: "hostile"), try await tandem.site(name: "good"))
            let hostileControl = try await tandem.connect(hostile, ip: "10.0.0.1", instanceID: "h")
            let goodControl = try await tandem.connect(good, ip: "10.0.1.1", instanceID: "g")
            let goodStream = DataStream.open(client: tandem.client, token: good.token, instanceID: "g")
            let present = makeBatch(sequence: 1, events: 2_000)
            #expect(try await goodStream.write(present).stored == 2_000)
            #expect(tandem.ingest.pipeline.windowSize.keys == 2_000)

            let hostileStream = DataStream.open(client: tandem.client, token: hostile.token, instanceID: "h")
            let future = Int64(Date().addingTimeInterval(23 * 3_600).timeIntervalSince1970 * 1e6)
            #expect(try await hostileStream.write(makeBatch(sequence: 1, events: 1, deviceTimeMicros: future)).stored == 1)
            #expect(tandem.ingest.pipeline.windowSize.keys == 2_000)
            // Every copy of the good tenant's events is still answered by the window, not the database.
            let again = try await goodStream.write(present.with { $0.sequence = 2 })
            #expect(again.duplicates == 2_000)
            #expect(tandem.ingest.pipeline.windowSize.keys == 2_000)
            goodStream.finish()
            hostileStream.finish()
            hostileControl.kill()
            goodControl.kill()
        }
    }

    @Test(
        "PUT …/controllers refuses what is not exactly an IP address (400 naming the entry) and stores IPv4-mapped IPv6 as IPv4",
        arguments: ["B", "abc", "1.2.3", "999.1.1.1", "1.2.3.4.5", "192.0.2.061", " 192.0.2.61", ""])
    func controllerAddressesAreParsed(bad: String) async throws {
        try await TandemHarness.run { tandem in
            let site = try await tandem.site()
            let headers: HTTPFields = [.authorization: "Bearer \(site.apiKey)", .contentType: "application/json"]
            try await tandem.withAPI { api in
                try await api.execute(
                    uri: "/api/v1/ha-groups/\(site.tokenID)/controllers", method: .put, headers: headers,
                    body: .init(string: #"{"devices": [{"ipAddress": "192.0.2.1"}, {"ipAddress": "\#(bad)"}]}"#)
                ) { response in
                    #expect(response.status == .badRequest)
                    #expect(String(buffer: response.body).contains("devices[1].ipAddress"))
                }
                try await api.execute(
                    uri: "/api/v1/ha-groups/\(site.tokenID)/controllers", method: .put, headers: headers,
                    body: .init(string: #"{"devices": [{"ipAddress": "::ffff:192.0.2.61"}, {"ipAddress": "2001:DB8::0:1"}]}"#)
                ) { response in
                    #expect(response.status == .ok)
                    let body = String(buffer: response.body)
                    #expect(body.contains("\"192.0.2.61\"") && body.contains("\"2001:db8::1\""), "\(body)")
                }
            }
        }
    }

    @Test("a heartbeat with NUL in a controller's status is cleaned and stored, not lost")
    func heartbeatControlCharactersAreCleaned() async throws {
        try await TandemHarness.run { tandem in
            let site = try await tandem.site()
            let stream = try await ControlStream.open(
                client: tandem.client, token: site.token,
                identity: ConnectorIdentity(instanceID: "hb", hostname: "h", ipAddress: "10.0.0.1"),
                heartbeatEvery: .milliseconds(200),
                heartbeat: {
                    .with {
                        $0.nmspMessagesReceived = 7
                        $0.controllers = [
                            .with {
                                $0.ipAddress = "172.20.239.066\u{0}"
                                $0.status = "ACT\u{0}IVE"
                            }
                        ]
                    }
                })
            try await eventually("the heartbeat's statistics to be stored") {
                let (reports, _) = try await tandem.store.connectors.controllerReports(tenant: site.tenant)
                return reports.first?.statistics.controllers.first?.status == "ACTIVE"
            }
            stream.kill()
        }
    }
}

/// Two Hellos of one instance at once (a reconnect racing its own old session).
@Suite("Same-instance Hello race")
struct HelloRaceTests {
    @Test("two simultaneous Hellos of one instance end with exactly one live session, one 'joined' and no loss, 25 rounds")
    func sameInstanceRace() async throws {
        try await TandemHarness.run { tandem in
            for round in 0..<25 {
                let site = try await tandem.site(name: "race \(round)")
                async let first = tandem.connect(site, ip: "10.0.0.1", instanceID: "same", heartbeatEvery: .milliseconds(200))
                async let second = tandem.connect(site, ip: "10.0.0.1", instanceID: "same", heartbeatEvery: .milliseconds(200))
                let streams = [try? await first, try? await second].compactMap { $0 }
                #expect(!streams.isEmpty)
                let ended = EndedCount()
                let watchers = streams.map { stream in
                    Task {
                        _ = try? await stream.ended()
                        ended.increment()
                    }
                }
                if streams.count == 2 {
                    try await eventually("the older of the two sessions to be ended as replaced") { ended.value == 1 }
                }
                // The survivor is live: its connector is active and takes data.
                let data = DataStream.open(client: tandem.client, token: site.token, instanceID: "same")
                #expect(try await data.write(makeBatch(sequence: 1, events: 2, offset: round * 10)).stored == 2)
                data.finish()
                let state = try #require(try await tandem.store.groups.state(tenant: site.tenant, token: site.tokenID))
                #expect(state.haActive == ["10.0.0.1"], "round \(round)")
                #expect(state.history.map(\.kind) == [.joined], "round \(round): \(state.history.map(\.kind))")
                #expect(!state.hyperlocationNeedsReprovision, "round \(round)")
                #expect(ended.value == streams.count - 1, "round \(round)")
                for stream in streams { stream.kill() }
                for watcher in watchers { _ = await watcher.value }
            }
        }
    }
}

/// Streams that ended, counted from their watcher tasks.
final class EndedCount: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
