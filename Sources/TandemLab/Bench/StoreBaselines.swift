import Foundation
import TandemCore
import TandemIngest
import TandemProtocol
import TandemSimulator
import TandemStore
import TandemWire

/// The two baselines every benchmark compares Tandem with, each on a freshly emptied events
/// table: a bare `COPY` of the unique rows (the storage ceiling) and one
/// `INSERT … ON CONFLICT DO NOTHING` per event copy (the naive path).
struct StoreBaselines {
    let store: TandemStore.Store

    /// `count` distinct events as connectors send them, split over `pairs` sites, one per
    /// millisecond of device time back from `now` (so partitions and the window see a
    /// realistic range).
    static func wireEvents(count: Int, pairs: Int = 1, seed: UInt64, now: Date = Date()) -> [[Tandem_V1_Event]] {
        (0..<pairs).map { pair in
            var generator = EventGenerator(seed: seed, site: pair, controllers: 4)
            let share = count / pairs + (pair < count % pairs ? 1 : 0)
            var events: [Tandem_V1_Event] = []
            events.reserveCapacity(share)
            for start in stride(from: 0, to: share, by: 1_000) {
                for (offset, var event) in generator.next(min(1_000, share - start), now: now).enumerated() {
                    event.receivedAtMicros = event.deviceTimeMicros
                    event.deviceTimeMicros -= Int64(start + offset) * 1_000
                    event.connectorSequence = UInt64(start + offset)
                    events.append(event)
                }
            }
            return events
        }
    }

    /// The same events as the service maps them.
    static func events(count: Int, seed: UInt64) throws -> [DeviceEvent] {
        try wireEvents(count: count, seed: seed)[0].map { try DeviceEvent($0) }
    }

    /// Rows per second of a bare `COPY` of `records` (the text is prepared before the clock starts).
    func copyRowsPerSecond(_ records: [EventRecord]) async throws -> Double {
        let text = EventStore.copyText(records)
        let clock = ContinuousClock()
        let started = clock.now
        try await store.events.copyBaseline(text)
        let rate = Double(records.count) / (clock.now - started).inSeconds
        try await store.events.truncateForBenchmark()
        return rate
    }

    /// Rows per second of one `INSERT … ON CONFLICT DO NOTHING` per copy: `sample / 2` events, each twice.
    func naiveRowsPerSecond(_ records: [EventRecord], sample: Int) async throws -> Double {
        let half = Array(records.prefix(sample / 2))
        let copies = half + half
        let clock = ContinuousClock()
        let started = clock.now
        for record in copies { try await store.events.insertOneBaseline(record) }
        let rate = Double(copies.count) / (clock.now - started).inSeconds
        try await store.events.truncateForBenchmark()
        return rate
    }
}
