import Foundation
import GRPCCore
import Hummingbird
import HummingbirdTesting
import Synchronization
import TandemConnector
import TandemCore
import TandemProtocol
import Testing

/// A hostile tenant beside a good one: the good pair's events are all stored once, its pair
/// statistics are exact, the window answers every one of its peer copies, and the server
/// stays up. The good pair's throughput with and without the hostile tenant is printed
/// (`NOISY_NEIGHBOUR_BATCHES=N` for a longer run by hand); speed is reported, not asserted.
@Suite("Noisy neighbour: one hostile tenant can't hurt another", .serialized)
struct NoisyNeighbourTests {
    static let batches = Int(ProcessInfo.processInfo.environment["NOISY_NEIGHBOUR_BATCHES"] ?? "") ?? 40
    static let eventsPerBatch = 100
    /// One device time for every event of the good pairs (they differ by subject and body), so
    /// a resend later in the test is the same events whatever minute it runs in.
    let deviceTime = Int64(Date().timeIntervalSince1970 * 1e6) - 60_000_000

    /// Both members of G's pair send the same batches (active-active), as fast as they are acked.
    /// - Returns: G's events per second (distinct events over the wall time).
    func runGoodPair(_ tandem: TandemHarness, _ good: TandemHarness.Site, tag: String) async throws -> Double {
        let controls = [
            try await tandem.connect(good, ip: "10.1.0.1", instanceID: "\(tag)-a"),
            try await tandem.connect(good, ip: "10.1.0.2", instanceID: "\(tag)-b"),
        ]
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for member in ["a", "b"] {
                group.addTask {
                    let stream = DataStream.open(client: tandem.client, token: good.token, instanceID: "\(tag)-\(member)")
                    for sequence in 0..<Self.batches {
                        let ack = try await stream.write(makeBatch(
                            sequence: UInt64(sequence + 1), events: Self.eventsPerBatch, offset: sequence * Self.eventsPerBatch,
                            deviceTimeMicros: deviceTime))
                        #expect(Int(ack.stored + ack.duplicates) == Self.eventsPerBatch)
                    }
                    stream.finish()
                }
            }
            try await group.waitForAll()
        }
        let elapsed = ContinuousClock.now - started
        for control in controls { control.kill() }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Double(Self.batches * Self.eventsPerBatch) / seconds
    }

    /// Tenant H: every defect class of issue 13, floods and oversized batches, on fresh streams
    /// as each one is refused, until `stop` is set.
    func runHostile(_ tandem: TandemHarness, _ hostile: TandemHarness.Site, stop: StopFlag) async throws -> Int {
        let control = try await tandem.connect(hostile, ip: "10.9.0.1", instanceID: "h")
        let future = Int64(Date().addingTimeInterval(23 * 3_600).timeIntervalSince1970 * 1e6)
        let attacks: [(String, Tandem_V1_EventBatch)] = [
            ("Int64.min", makeBatch(sequence: 1, events: 3).with { $0.events[1].deviceTimeMicros = .min }),
            ("NUL", makeBatch(sequence: 1, events: 3).with { $0.events[2].subject = "x\u{0}y" }),
            ("received at Int64.min", makeBatch(sequence: 1, events: 2).with { $0.events[0].receivedAtMicros = .min }),
            ("oversized", makeBatch(sequence: 1, events: 1).with { $0.events[0].body = Data(count: 200 * 1024) }),
            ("future", makeBatch(sequence: 1, events: 50, offset: 7_000, deviceTimeMicros: future)),
            ("flood", makeBatch(sequence: 1, events: 1_000, offset: 10_000)),
            ("same sequence again", makeBatch(sequence: 1, events: 1_000, offset: 20_000)),
        ]
        var rounds = 0
        while !stop.isSet && !Task.isCancelled {
            for (_, batch) in attacks {
                let stream = DataStream.open(client: tandem.client, token: hostile.token, instanceID: "h")
                _ = try? await stream.write(batch)
                stream.kill()
            }
            // A Hello with an empty instance id and one with a second spelling of a member's IP.
            _ = try? await tandem.connect(hostile, ip: "10.9.0.2", instanceID: "")
            _ = try? await tandem.connect(hostile, ip: "::ffff:10.9.0.1", instanceID: "h2")
            rounds += 1
        }
        control.kill()
        return rounds
    }

    @Test("tenant G's pair beside a hostile tenant H: every event once, exact pair statistics, the window answers every peer copy, no restart")
    func hostileTenantHurtsNobody() async throws {
        try await TandemHarness.run(configure: { $0.maximumMessageSize = 128 * 1024 }) { tandem in
            let quiet = try await tandem.site(name: "quiet")
            let alone = try await runGoodPair(tandem, quiet, tag: "alone")

            let (good, hostile) = (try await tandem.site(name: "good"), try await tandem.site(name: "hostile"))
            let stop = StopFlag()
            async let attacked = Result { try await runGoodPair(tandem, good, tag: "attacked") }
            async let hostileRounds = Result { try await runHostile(tandem, hostile, stop: stop) }
            let besideResult = await attacked
            stop.set()  // before anything can throw: the hostile loop must end either way
            let beside = try besideResult.get()
            let rounds = try await hostileRounds.get()
            #expect(rounds > 0, "the hostile tenant never attacked: the scenario proves nothing")
            print("noisy neighbour: good pair \(Int(alone)) events/s alone, \(Int(beside)) events/s beside the hostile tenant (\(rounds) attack rounds); \(Self.batches) batches of \(Self.eventsPerBatch)")

            // Every event of G stored exactly once.
            let total = Self.batches * Self.eventsPerBatch
            #expect(try await tandem.storedEvents(good.tenant) == total)
            // Pair statistics: each member delivered every event; one copy made each row, the other was a duplicate.
            await tandem.ingest.pipeline.writeStatistics()
            let totals = try await tandem.store.pairStatistics.totals(tenant: good.tenant, group: good.tokenID)
            #expect(totals.count == 2)
            #expect(totals.values.map(\.delivered) == [Int64(total), Int64(total)])
            #expect(totals.values.map(\.firstDeliveries).reduce(0, +) == Int64(total))
            #expect(totals.values.map(\.duplicates).reduce(0, +) == Int64(total))
            #expect(totals.values.map(\.missed).reduce(0, +) == 0)
            // After all H sent (far-future events among it), the window still holds every event of
            // G and of the quiet tenant: a resend of either is answered without the database.
            func windowHits(_ site: TandemHarness.Site) -> Double {
                var text = [UInt8]()
                tandem.metrics.emit(into: &text)
                return MetricsTests.value(
                    String(decoding: text, as: UTF8.self),
                    #"tandem_events_duplicates_dropped_total{tenant="\#(site.tenant)",stage="window"}"#) ?? 0
            }
            for (site, tag) in [(quiet, "alone"), (good, "attacked")] {
                let before = windowHits(site)
                let control = try await tandem.connect(site, ip: "10.1.0.9", instanceID: "\(tag)-resend")
                let stream = DataStream.open(client: tandem.client, token: site.token, instanceID: "\(tag)-resend")
                for sequence in 0..<Self.batches {
                    let ack = try await stream.write(makeBatch(
                        sequence: UInt64(sequence + 1), events: Self.eventsPerBatch, offset: sequence * Self.eventsPerBatch,
                        deviceTimeMicros: deviceTime))
                    #expect(Int(ack.duplicates) == Self.eventsPerBatch)
                }
                stream.finish()
                control.kill()
                #expect(windowHits(site) - before == Double(total), "a resend of \(tag) reached the database")
            }
            // The killed resender's loss is recorded after its stream ends: wait for it, or the
            // next Hello from the same IP is refused by the unique-IP rule (a race under load).
            try await eventually("the resender to leave", timeout: .seconds(30)) {
                try await !tandem.store.connectors.haActive(tenant: good.tenant, token: good.tokenID).contains("10.1.0.9")
            }
            // The server is the one that started: still serving G after everything H sent.
            let control = try await tandem.connect(good, ip: "10.1.0.9", instanceID: "after")
            let stream = DataStream.open(client: tandem.client, token: good.token, instanceID: "after")
            #expect(try await stream.write(makeBatch(sequence: 1, events: 10, offset: 900_000)).stored == 10)
            stream.finish()
            control.kill()
        }
    }
}

/// Set once, read from other tasks.
final class StopFlag: Sendable {
    private let state = Atomic(false)
    func set() { state.store(true, ordering: .relaxed) }
    var isSet: Bool { state.load(ordering: .relaxed) }
}
