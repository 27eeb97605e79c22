import Foundation
import TandemCore
import Testing

/// Pair statistics against a reference computed from what each member actually sent, with the
/// pipeline's concurrency modelled: many groups of several tenants, copies taken into flushes of
/// random size, flushes that commit in random order, a copy that finds its event in another
/// flush's write waiting for it and settled a random while later, and the window moved on by
/// groups streaming current events beside one that sends events 8½ minutes old. Whatever the
/// interleaving, each member's missed count is exactly the events its peer delivered that it
/// never sent while carrying that source, and its delivered copies are all accounted for.
@Suite("Pair statistics model: exact under concurrent flushes")
struct PairStatisticsModelTests {
    /// A deterministic generator (SplitMix64), so a failing seed replays.
    struct Random: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
        mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
    }

    /// One copy: what a member sent of one event.
    struct Copy {
        let line: DeliveryLine
        let identity: EventIdentity
        let deviceTimeMicros: Int64
        let arrivalMillis: UInt32
    }

    /// A flush in the model: the copies it writes, and those waiting for another flush.
    final class Flush {
        var toWrite: [(copy: Copy, line: UInt32)] = []
        var waiting: [(copy: Copy, line: UInt32, on: Flush)] = []
        var stepsLeft: Int
        var done = false
        init(stepsLeft: Int) { self.stepsLeft = stepsLeft }
    }

    struct Member {
        let line: DeliveryLine
        var sent: Set<EventIdentity> = []
    }

    @Test("every member's statistics equal the reference, over 25 seeds", arguments: 1...25)
    func statisticsEqualTheReference(seed: Int) throws {
        var random = Random(state: UInt64(seed))
        var deduplicator = Deduplicator()
        let tenants = (0..<3).map { _ in TenantID.random() }
        // Group 0 sends old events (a backfill, 8½ minutes behind); the others current ones.
        let groups = (0..<6).map { index in
            (tenant: tenants[index % 3], token: TokenID.random(), members: [ConnectorID.random(), ConnectorID.random()])
        }
        var members: [[Member]] = groups.map { group in
            group.members.map {
                Member(
                    line: DeliveryLine(
                        tenant: group.tenant, group: group.token, connector: $0, sourceDevice: "10.0.0.1", channel: .controller))
            }
        }
        var events: [EventIdentity: (group: Int, deviceTimeMicros: Int64)] = [:]
        var database: Set<EventIdentity> = []
        var writing: [EventIdentity: Flush] = [:]
        var pending: [Copy] = []
        var flushes: [Flush] = []
        /// Waiting copies whose flush ended, to settle a random number of steps later.
        var settling: [(copy: Copy, line: UInt32, stepsLeft: Int)] = []
        let start: Int64 = 29_000_000 * 60_000_000
        var millis: UInt32 = 0

        func settle(_ copy: Copy, line: UInt32, stored: Bool, awaited: Bool = false, into deduplicator: inout Deduplicator) {
            deduplicator.settle(
                copy.identity, line: line, deviceTimeMicros: copy.deviceTimeMicros, arrivalMillis: copy.arrivalMillis, stored: stored,
                awaited: awaited)
        }

        func complete(_ flush: Flush, into deduplicator: inout Deduplicator) {
            var outcomes: [(Copy, UInt32, Bool)] = []
            for (copy, line) in flush.toWrite {
                outcomes.append((copy, line, database.insert(copy.identity).inserted))
            }
            for stored in [true, false] {
                for (copy, line, outcome) in outcomes where outcome == stored {
                    settle(copy, line: line, stored: stored, into: &deduplicator)
                }
            }
            for (copy, _) in flush.toWrite where writing[copy.identity] === flush { writing[copy.identity] = nil }
            flush.done = true
        }

        for step in 0..<900 {
            let now = start + Int64(step) * 1_000_000
            millis &+= 1_000
            deduplicator.advanceClock(serverTimeMicros: now)
            // Each group's pair sends one batch; each member drops an event now and then.
            for (index, group) in groups.enumerated() where step < 840 {
                let deviceTime = index == 0 ? now - 510_000_000 : now
                for number in 0..<4 {
                    let event = DeviceEvent(
                        channel: .controller, sourceDevice: "10.0.0.1", kind: .clientRSSI,
                        deviceTimeMicros: deviceTime + Int64(number) * 200_000, subject: "g\(index)-\(step)-\(number)",
                        body: Array("e".utf8), receivedAtMicros: 0, connectorSequence: 0)
                    let identity = EventIdentity(tenant: group.tenant, event: event)
                    events[identity] = (index, event.deviceTimeMicros)
                    for member in 0..<2 where !random.chance(3) {
                        members[index][member].sent.insert(identity)
                        pending.append(
                            Copy(
                                line: members[index][member].line, identity: identity, deviceTimeMicros: event.deviceTimeMicros,
                                arrivalMillis: millis &+ UInt32(random.below(50))))
                    }
                }
            }
            // Flushes start with what is pending, in chunks of random size, in order.
            while !pending.isEmpty {
                let take = min(pending.count, 1 + random.below(12))
                let flush = Flush(stepsLeft: random.below(4))
                for copy in pending.prefix(take) {
                    let arrival = deduplicator.arrive(
                        copy.line, identity: copy.identity, deviceTimeMicros: copy.deviceTimeMicros, arrivalMillis: copy.arrivalMillis)
                    if arrival.isKnownDuplicate { continue }
                    if let other = writing[copy.identity], other !== flush {
                        flush.waiting.append((copy, arrival.line, other))
                        deduplicator.awaits(copy.identity, line: arrival.line, deviceTimeMicros: copy.deviceTimeMicros)
                    } else {
                        writing[copy.identity] = flush
                        flush.toWrite.append((copy, arrival.line))
                    }
                }
                pending.removeFirst(take)
                flushes.append(flush)
            }
            // Flushes end in any order; their waiting copies settle a while later.
            for flush in flushes.shuffled(using: &random) where !flush.done {
                if flush.stepsLeft > 0 {
                    flush.stepsLeft -= 1
                    continue
                }
                if flush.waiting.contains(where: { !$0.on.done }) { continue }
                complete(flush, into: &deduplicator)
                for (copy, line, _) in flush.waiting { settling.append((copy, line, random.below(90))) }
            }
            flushes.removeAll { $0.done }
            for index in settling.indices.reversed() where settling[index].stepsLeft <= 0 {
                settle(settling[index].copy, line: settling[index].line, stored: false, awaited: true, into: &deduplicator)
                settling.remove(at: index)
            }
            for index in settling.indices { settling[index].stepsLeft -= 1 }
        }
        // Everything settles; then a sentinel far ahead moves every segment out of the window.
        for flush in flushes where !flush.done { complete(flush, into: &deduplicator) }
        for (copy, line, _) in settling { settle(copy, line: line, stored: false, awaited: true, into: &deduplicator) }
        let end = start + 3_600_000_000
        deduplicator.advanceClock(serverTimeMicros: end)
        let sentinel = DeliveryLine(
            tenant: tenants[0], group: TokenID.random(), connector: ConnectorID.random(), sourceDevice: "s", channel: .controller)
        let identity = EventIdentity(key: UUID())
        let arrival = deduplicator.arrive(sentinel, identity: identity, deviceTimeMicros: end, arrivalMillis: millis)
        deduplicator.settle(identity, line: arrival.line, deviceTimeMicros: end, arrivalMillis: millis, stored: true)
        var rows: [DeliveryLine: (delivered: Int64, first: Int64, duplicates: Int64, missed: Int64)] = [:]
        for row in deduplicator.drainStatistics() {
            rows[row.line, default: (0, 0, 0, 0)].delivered += row.delivered
            rows[row.line, default: (0, 0, 0, 0)].first += row.firstDeliveries
            rows[row.line, default: (0, 0, 0, 0)].duplicates += row.duplicates
            rows[row.line, default: (0, 0, 0, 0)].missed += row.missed
        }

        // The reference: a member missed an event its peer sent and it did not, whose place in
        // its segment lies between the first and last it sent of that segment.
        let window = deduplicator.window
        for (index, pair) in members.enumerated() {
            for member in 0..<2 {
                let own = pair[member]
                let peer = pair[1 - member]
                var coverage: [Int64: ClosedRange<UInt16>] = [:]
                for identity in own.sent {
                    let (segment, position) = window.locate(events[identity]!.deviceTimeMicros)
                    coverage[segment] =
                        coverage[segment].map { min($0.lowerBound, position)...max($0.upperBound, position) } ?? position...position
                }
                var missed: Int64 = 0
                for identity in peer.sent.subtracting(own.sent) {
                    let (segment, position) = window.locate(events[identity]!.deviceTimeMicros)
                    if coverage[segment]?.contains(position) == true { missed += 1 }
                }
                let row = rows[own.line] ?? (0, 0, 0, 0)
                let name = "seed \(seed), group \(index)\(index == 0 ? " (backfill)" : ""), member \(member)"
                #expect(row.delivered == Int64(own.sent.count), "\(name): delivered")
                #expect(row.first + row.duplicates == row.delivered, "\(name): every copy is a first or a duplicate")
                #expect(row.missed == missed, "\(name): missed \(row.missed), reference \(missed)")
            }
            let firsts = (0..<2).map { rows[pair[$0].line]?.first ?? 0 }.reduce(0, +)
            #expect(firsts == Int64(pair[0].sent.union(pair[1].sent).count), "group \(index): each event's row made once")
        }
    }
}
