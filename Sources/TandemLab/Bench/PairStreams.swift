import TandemCore
import TandemProtocol
import TandemSimulator

/// Every pair's events sent through both of its members, all streams at once: member A sends
/// them in order, member B locally reordered (each event moved up to 2,000 places back), as
/// the two copies of an active-active pair arrive.
struct PairStreams {
    /// One member's stream: the connector and its batches in sending order.
    let plans: [(LoadConnector, [Tandem_V1_EventBatch])]
    /// Event copies in all batches (twice the distinct events).
    let copies: Int

    /// Splits each pair's `wire` events into batches of `batchSize` for both members of
    /// `connectors[pair]`; batch sequences start at `firstSequence` (they must increase along a
    /// stream's life, so a later call starts past the earlier one's last batch).
    init(
        _ wire: [[Tandem_V1_Event]], through connectors: [(LoadConnector, LoadConnector)], batchSize: Int, firstSequence: UInt64,
        seed: UInt64
    ) {
        var plans: [(LoadConnector, [Tandem_V1_EventBatch])] = []
        var random = SplitMix64(seed: seed)
        var copies = 0
        for (pair, events) in wire.enumerated() {
            var reordered = events
            for index in reordered.indices.dropFirst() {
                reordered.swapAt(index, index - Int(random.next() % UInt64(min(index, 2_000) + 1)))
            }
            for (member, list) in [(connectors[pair].0, events), (connectors[pair].1, reordered)] {
                let batches = stride(from: 0, to: list.count, by: batchSize).enumerated().map { number, start in
                    var batch = Tandem_V1_EventBatch()
                    batch.sequence = firstSequence + UInt64(number)
                    batch.events = Array(list[start..<min(start + batchSize, list.count)])
                    return batch
                }
                plans.append((member, batches))
                copies += list.count
            }
        }
        self.plans = plans
        self.copies = copies
    }

    /// Sends every stream at once and waits for every ack: as fast as acks allow without a
    /// `rate`, else paced to `rate` raw events/s in all, each stream at its own phase of the
    /// interval (a constant rate, not a burst of every stream at once).
    /// - Returns: raw events per second and each batch's latency (paced: from when it was due).
    func send(rate: Double?, batchSize: Int) async throws -> (rate: Double, latency: LatencySummary) {
        let interval: Duration? = rate.map { rate in .seconds(Double(batchSize) / (rate / Double(plans.count))) }
        let clock = ContinuousClock()
        let started = clock.now
        let latencies = try await withThrowingTaskGroup(of: [Duration].self) { group in
            let origin = clock.now
            for (index, (connector, batches)) in plans.enumerated() {
                let phase = Double(index) / Double(plans.count)
                group.addTask { try await connector.stream(batches, interval: interval, origin: origin, phase: phase) }
            }
            var all: [Duration] = []
            for try await part in group { all += part }
            return all
        }
        return (Double(copies) / (clock.now - started).inSeconds, LatencySummary(latencies))
    }
}
