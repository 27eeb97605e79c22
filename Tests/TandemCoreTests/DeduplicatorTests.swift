import Foundation
import TandemCore
import Testing

/// Pair statistics computed from the window, on constructed scenarios.
@Suite("Deduplicator pair statistics")
struct DeduplicatorTests {
    let tenant = TenantID.random()
    let group = TokenID.random()
    let memberA = ConnectorID.random()
    let memberB = ConnectorID.random()
    /// The start of a minute of device time.
    let minute: Int64 = 29_000_000 * 60_000_000

    func line(_ connector: ConnectorID, source: String = "10.0.0.1", channel: EventChannel = .controller) -> DeliveryLine {
        DeliveryLine(tenant: tenant, group: group, connector: connector, sourceDevice: source, channel: channel)
    }

    func event(second: Int64, source: String = "10.0.0.1", channel: EventChannel = .controller) -> DeviceEvent {
        DeviceEvent(
            channel: channel, sourceDevice: source, kind: .clientRSSI, deviceTimeMicros: minute + second * 1_000_000,
            subject: "aa:bb:cc:00:00:01", body: Array("rssi \(second)".utf8), receivedAtMicros: 0, connectorSequence: 0)
    }

    /// Delivers `event` on `line` the way the pipeline does: ask the window, write if unknown.
    func deliver(_ event: DeviceEvent, on line: DeliveryLine, at millis: UInt32, into deduplicator: inout Deduplicator) {
        let identity = EventIdentity(tenant: tenant, event: event)
        let arrival = deduplicator.arrive(line, identity: identity, deviceTimeMicros: event.deviceTimeMicros, arrivalMillis: millis)
        if !arrival.isKnownDuplicate {
            deduplicator.settle(identity, line: arrival.line, deviceTimeMicros: event.deviceTimeMicros, arrivalMillis: millis, stored: true)
        }
    }

    /// Pushes the scenario's minute out of the (10-minute) window.
    func expireScenarioMinute(_ deduplicator: inout Deduplicator) {
        deliver(event(second: 11 * 60), on: line(memberA), at: 1_000_000, into: &deduplicator)
    }

    func row(_ rows: [PairStatistics], _ connector: ConnectorID) -> PairStatistics? {
        rows.first { $0.line.connector == connector && $0.minuteMicros == minute }
    }

    @Test("a member that drops an event its peer delivered, while carrying that source, is charged with one miss")
    func missedByPeer() throws {
        var deduplicator = Deduplicator()
        for second in 0..<10 as Range<Int64> {
            deliver(event(second: second), on: line(memberA), at: UInt32(second * 10), into: &deduplicator)
            if second != 5 {
                deliver(event(second: second), on: line(memberB), at: UInt32(second * 10 + 20), into: &deduplicator)
            }
        }
        expireScenarioMinute(&deduplicator)
        let rows = deduplicator.drainStatistics()
        let a = try #require(row(rows, memberA))
        let b = try #require(row(rows, memberB))
        #expect((a.delivered, a.firstDeliveries, a.duplicates, a.missed) == (10, 10, 0, 0))
        #expect((b.delivered, b.firstDeliveries, b.duplicates, b.missed) == (9, 0, 9, 1))
        let bucket = try #require(PairStatistics.lagBucketUpperBoundsMillis.firstIndex(of: 25))
        #expect(b.lagBuckets[bucket] == 9)
        #expect(b.lagCount == 9 && b.lagSumMillis == 180)
        #expect(a.lagCount == 0)
    }

    @Test(
        "one segment leaving with misses of two sources: each member is charged with the misses of the source it dropped, none of the other's"
    )
    func missesOfTwoSourcesInOneSegment() throws {
        var deduplicator = Deduplicator()
        let other = "10.0.0.2"
        for second in 0..<10 as Range<Int64> {
            // Source 1: B drops second 3. Source 2: A drops seconds 6 and 7.
            deliver(event(second: second), on: line(memberA), at: UInt32(second * 10), into: &deduplicator)
            if second != 3 { deliver(event(second: second), on: line(memberB), at: UInt32(second * 10 + 5), into: &deduplicator) }
            deliver(event(second: second, source: other), on: line(memberB, source: other), at: UInt32(second * 10), into: &deduplicator)
            if second != 6 && second != 7 {
                deliver(
                    event(second: second, source: other), on: line(memberA, source: other), at: UInt32(second * 10 + 5), into: &deduplicator
                )
            }
        }
        expireScenarioMinute(&deduplicator)
        let rows = deduplicator.drainStatistics()
        func missed(_ connector: ConnectorID, _ source: String) -> Int64? {
            rows.first { $0.line.connector == connector && $0.line.sourceDevice == source && $0.minuteMicros == minute }?.missed
        }
        #expect(missed(memberB, "10.0.0.1") == 1)
        #expect(missed(memberA, "10.0.0.1") == 0)
        #expect(missed(memberA, other) == 2)
        #expect(missed(memberB, other) == 0)
    }

    @Test("a member alone on this node (its peer on another node) is never charged with misses, nor is the absent peer")
    func loneMemberOnThisNode() throws {
        var deduplicator = Deduplicator()
        for second in 0..<10 as Range<Int64> {
            deliver(event(second: second), on: line(memberA), at: UInt32(second * 10), into: &deduplicator)
        }
        expireScenarioMinute(&deduplicator)
        let rows = deduplicator.drainStatistics()
        let a = try #require(row(rows, memberA))
        #expect((a.delivered, a.firstDeliveries, a.missed) == (10, 10, 0))
        #expect(row(rows, memberB) == nil)
        #expect(rows.allSatisfy { $0.missed == 0 })
    }

    @Test("a member that died midway is not charged with the events after its death")
    func failoverIsNotAMiss() throws {
        var deduplicator = Deduplicator()
        for second in 0..<10 as Range<Int64> {
            deliver(event(second: second), on: line(memberA), at: UInt32(second * 10), into: &deduplicator)
            if second < 5 {
                deliver(event(second: second), on: line(memberB), at: UInt32(second * 10 + 3), into: &deduplicator)
            }
        }
        expireScenarioMinute(&deduplicator)
        let rows = deduplicator.drainStatistics()
        #expect(try #require(row(rows, memberB)).missed == 0)
        #expect(try #require(row(rows, memberA)).missed == 0)
    }

    @Test("with the channels split, neither member has copies of the other's events and nothing is missed")
    func channelSplit() {
        var deduplicator = Deduplicator()
        for second in 0..<10 as Range<Int64> {
            deliver(event(second: second), on: line(memberA), at: UInt32(second), into: &deduplicator)
            let apEvent = event(second: second, source: "00:11:22:33:44:55", channel: .accessPoint)
            deliver(apEvent, on: line(memberB, source: "00:11:22:33:44:55", channel: .accessPoint), at: UInt32(second), into: &deduplicator)
        }
        expireScenarioMinute(&deduplicator)
        let rows = deduplicator.drainStatistics()
        #expect(rows.allSatisfy { $0.missed == 0 && $0.duplicates == 0 })
        #expect(rows.filter { $0.minuteMicros == minute }.map(\.firstDeliveries).reduce(0, +) == 20)
    }

    @Test("a member's own resend is a duplicate but not a peer copy: no copy lag")
    func resendIsNotPeerLag() throws {
        var deduplicator = Deduplicator()
        deliver(event(second: 1), on: line(memberA), at: 0, into: &deduplicator)
        deliver(event(second: 1), on: line(memberA), at: 500, into: &deduplicator)
        let a = try #require(row(deduplicator.drainStatistics(), memberA))
        #expect((a.delivered, a.firstDeliveries, a.duplicates, a.lagCount) == (2, 1, 1, 0))
    }

    @Test("two copies in the same write: the one the database stored is first, the other a duplicate with its lag")
    func copiesInOneWrite() throws {
        var deduplicator = Deduplicator()
        let copy = event(second: 2)
        let identity = EventIdentity(tenant: tenant, event: copy)
        let first = deduplicator.arrive(line(memberA), identity: identity, deviceTimeMicros: copy.deviceTimeMicros, arrivalMillis: 100)
        let second = deduplicator.arrive(line(memberB), identity: identity, deviceTimeMicros: copy.deviceTimeMicros, arrivalMillis: 107)
        #expect(!first.isKnownDuplicate && !second.isKnownDuplicate)
        deduplicator.settle(identity, line: first.line, deviceTimeMicros: copy.deviceTimeMicros, arrivalMillis: 100, stored: true)
        deduplicator.settle(identity, line: second.line, deviceTimeMicros: copy.deviceTimeMicros, arrivalMillis: 107, stored: false)
        let rows = deduplicator.drainStatistics()
        let b = try #require(row(rows, memberB))
        #expect((b.duplicates, b.lagCount, b.lagSumMillis) == (1, 1, 7))
        #expect(try #require(row(rows, memberA)).firstDeliveries == 1)
    }

    @Test("lines that left the window are forgotten at the first drain after a period without copies")
    func linesAreForgotten() {
        var deduplicator = Deduplicator()
        deliver(event(second: 1), on: line(memberB), at: 0, into: &deduplicator)
        expireScenarioMinute(&deduplicator)
        _ = deduplicator.drainStatistics()
        #expect(deduplicator.lineCount == 2)  // memberB delivered in this period: a write may still hold its number
        _ = deduplicator.drainStatistics()
        #expect(deduplicator.lineCount == 1)  // memberA's line for the newest minute stays
    }
}

extension DeduplicatorTests {
    @Test("a copy that arrived before the first but was settled after it has no lag, not a wrapped-around one")
    func earlierArrivalSettledLater() throws {
        var deduplicator = Deduplicator()
        let copy = event(second: 3)
        let identity = EventIdentity(tenant: tenant, event: copy)
        let late = deduplicator.arrive(line(memberB), identity: identity, deviceTimeMicros: copy.deviceTimeMicros, arrivalMillis: 90)
        let first = deduplicator.arrive(line(memberA), identity: identity, deviceTimeMicros: copy.deviceTimeMicros, arrivalMillis: 100)
        deduplicator.settle(identity, line: first.line, deviceTimeMicros: copy.deviceTimeMicros, arrivalMillis: 100, stored: true)
        deduplicator.settle(identity, line: late.line, deviceTimeMicros: copy.deviceTimeMicros, arrivalMillis: 90, stored: false)
        let b = try #require(row(deduplicator.drainStatistics(), memberB))
        #expect((b.lagCount, b.lagSumMillis, b.lagBuckets[0]) == (1, 0, 1))
    }
}
