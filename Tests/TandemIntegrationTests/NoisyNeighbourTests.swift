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
/// stays up. The good pair streams at a steady rate; its acked events/s and ack latency with
/// and without the hostile tenant are printed (`NOISY_NEIGHBOUR_BATCHES=N` for a longer run by
/// hand); speed is reported, not asserted.
@Suite("Noisy neighbour: one hostile tenant can't hurt another", .serialized)
struct NoisyNeighbourTests {
    static let batches = Int(ProcessInfo.processInfo.environment["NOISY_NEIGHBOUR_BATCHES"] ?? "") ?? 40
    static let eventsPerBatch = 100
    /// G's pace: each member sends a batch this often (2,000 distinct events/s for the pair).
    static let interval = Duration.milliseconds(50)
    /// H's flood streams, each with a 1,000-event batch in flight: a backlog of H in the write
    /// path that G's batches must not wait behind.
    static let floodStreams = 6
    /// One device time for every event of the good pairs (they differ by subject and body), so
    /// a resend later in the test is the same events whatever minute it runs in.
    let deviceTime = Int64(Date().timeIntervalSince1970 * 1e6) - 60_000_000

    /// Both members of G's pair send the same batches (active-active) at a steady rate, one
    /// batch every ``interval`` each, without waiting for acks, as a connector with a buffer does.
    /// - Returns: G's acked events per second (distinct events from the first batch's due time
    ///   to the last ack) and each batch's ack latency, measured from when it was due.
    func runGoodPair(_ tandem: TandemHarness, _ good: TandemHarness.Site, tag: String) async throws -> GoodPairRun {
        let controls = [
            try await tandem.connect(good, ip: "10.1.0.1", instanceID: "\(tag)-a"),
            try await tandem.connect(good, ip: "10.1.0.2", instanceID: "\(tag)-b"),
        ]
        let clock = ContinuousClock()
        let started = clock.now.advanced(by: .milliseconds(10))
        let due: @Sendable (UInt64) -> ContinuousClock.Instant = { started.advanced(by: Self.interval * Int($0 - 1)) }
        let latencies = try await withThrowingTaskGroup(of: [Duration].self) { group in
            for member in ["a", "b"] {
                let stream = DataStream.open(client: tandem.client, token: good.token, instanceID: "\(tag)-\(member)")
                group.addTask {
                    for sequence in 0..<Self.batches {
                        try await clock.sleep(until: due(UInt64(sequence + 1)))
                        stream.send(
                            makeBatch(
                                sequence: UInt64(sequence + 1), events: Self.eventsPerBatch, offset: sequence * Self.eventsPerBatch,
                                deviceTimeMicros: deviceTime))
                    }
                    return []
                }
                group.addTask {
                    var latencies: [Duration] = []
                    while latencies.count < Self.batches, let ack = try await stream.nextAck() {
                        latencies.append(clock.now - due(ack.sequence))
                        #expect(Int(ack.stored + ack.duplicates) == Self.eventsPerBatch)
                    }
                    stream.finish()
                    return latencies
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        let elapsed = clock.now - started
        for control in controls { control.kill() }
        #expect(latencies.count == 2 * Self.batches, "a batch of the good pair was never acked")
        return GoodPairRun(eventsPerSecond: Double(Self.batches * Self.eventsPerBatch) / elapsed.inSeconds, latencies: latencies)
    }

    /// What one run of the good pair measured.
    struct GoodPairRun: CustomStringConvertible {
        let eventsPerSecond: Double
        let latencies: [Duration]

        func percentile(_ p: Double) -> Int {
            let sorted = latencies.sorted()
            guard !sorted.isEmpty else { return 0 }
            return Int(sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))].inMilliseconds)
        }

        var description: String {
            "\(Int(eventsPerSecond)) events/s acked, ack latency p50 \(percentile(0.5)) ms, p99 \(percentile(0.99)) ms"
        }
    }

    /// Tenant H's valid flood, per stream: distinct 1,000-event batches, as fast as they are acked.
    func runFlood(
        _ tandem: TandemHarness, _ hostile: TandemHarness.Site, instance: String, offset start: Int, stop: StopFlag
    ) async throws -> Int {
        let stream = DataStream.open(client: tandem.client, token: hostile.token, instanceID: instance)
        var events = 0
        while !stop.isSet && !Task.isCancelled {
            let offset = start + events
            guard (try? await stream.write(makeBatch(sequence: UInt64(events / 1_000 + 1), events: 1_000, offset: offset))) != nil else {
                break
            }
            events += 1_000
        }
        stream.kill()
        return events
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

    @Test(
        "tenant G's pair beside a hostile tenant H: every event once, exact pair statistics, the window answers every peer copy, no restart"
    )
    func hostileTenantHurtsNobody() async throws {
        try await TandemHarness.run(configure: { $0.maximumMessageSize = 128 * 1024 }) { tandem in
            let quiet = try await tandem.site(name: "quiet")
            let alone = try await runGoodPair(tandem, quiet, tag: "alone")

            let (good, hostile) = (try await tandem.site(name: "good"), try await tandem.site(name: "hostile"))
            let stop = StopFlag()
            // H's flood streams: its connectors on pairs of its own (two members per token).
            var floodSites: [TandemHarness.Site] = []
            var flooders: [ControlStream] = []
            for stream in 0..<Self.floodStreams {
                if stream % 2 == 0 { floodSites.append(try await tandem.anotherToken(of: hostile, name: "flood \(stream / 2)")) }
                flooders.append(try await tandem.connect(floodSites[stream / 2], ip: "10.9.1.\(stream)", instanceID: "flood-\(stream)"))
            }
            let floodPairs = floodSites
            async let attacked = Result { try await runGoodPair(tandem, good, tag: "attacked") }
            async let hostileRounds = Result { try await runHostile(tandem, hostile, stop: stop) }
            async let flooded = Result {
                try await withThrowingTaskGroup(of: Int.self) { group in
                    for stream in 0..<Self.floodStreams {
                        group.addTask {
                            try await runFlood(
                                tandem, floodPairs[stream / 2], instance: "flood-\(stream)", offset: 1_000_000 * (stream + 1), stop: stop)
                        }
                    }
                    return try await group.reduce(0, +)
                }
            }
            let besideResult = await attacked
            stop.set()  // before anything can throw: the hostile loops must end either way
            let beside = try besideResult.get()
            let rounds = try await hostileRounds.get()
            let floodEvents = try await flooded.get()
            for flooder in flooders { flooder.kill() }
            #expect(rounds > 0, "the hostile tenant never attacked: the scenario proves nothing")
            #expect(floodEvents > 0, "the hostile tenant never flooded: the scenario proves nothing")
            print(
                "noisy neighbour: good pair alone \(alone); beside the hostile tenant \(beside) (\(rounds) attack rounds, \(floodEvents) flood events); \(Self.batches) batches of \(Self.eventsPerBatch) every \(Self.interval.inMilliseconds) ms per member"
            )

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
                    let ack = try await stream.write(
                        makeBatch(
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
