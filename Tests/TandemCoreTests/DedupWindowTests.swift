import TandemCore
import Testing

/// The window on device times that came over the wire: no value traps, and a device time
/// from the future can't move the window on for everyone.
@Suite("Dedup window on untrusted device times")
struct DedupWindowTests {
    let tenant = TenantID.random()
    /// 2026-11-26T00:00:00Z in microseconds: the server's "now" in these scenarios.
    let now: Int64 = 1_795_651_200_000_000

    func identity(_ deviceTimeMicros: Int64, subject: String = "aa:bb:cc:00:00:01") -> EventIdentity {
        EventIdentity(
            tenant: tenant,
            event: DeviceEvent(
                channel: .controller, sourceDevice: "10.0.0.1", kind: .clientRSSI, deviceTimeMicros: deviceTimeMicros,
                subject: subject, body: [1, 2, 3], receivedAtMicros: 0, connectorSequence: 0))
    }

    static let extremeDeviceTimes: [Int64] = [
        .min, .min + 1, .min + 59_999_999, -86_400_000_000, -1, 0, 1, 59_999_999, 60_000_000, .max - 1, .max,
    ]

    @Test("locate floors every device time without trapping and keeps the offset inside the segment", arguments: extremeDeviceTimes)
    func locateNeverTraps(deviceTime: Int64) {
        let window = DedupWindow()
        let (segment, position) = window.locate(deviceTime)
        let width = window.configuration.segmentMicros
        // The segment's start is at or below the device time (checked without overflow).
        let (start, overflow) = segment.multipliedReportingOverflow(by: width)
        if !overflow { #expect(start <= deviceTime && deviceTime - start < width) }
        #expect(window.deviceTime(segment: segment, position: position) <= deviceTime || overflow)
        #expect(PairStatistics.minute(of: deviceTime) <= deviceTime || deviceTime < .min + 60_000_000)
    }

    @Test("inserting and observing extreme device times neither traps nor disturbs present entries", arguments: extremeDeviceTimes)
    func extremeInsertsAreHarmless(deviceTime: Int64) {
        var window = DedupWindow()
        window.advanceClock(serverTimeMicros: now)
        let present = identity(now)
        window.insert(present, deviceTimeMicros: now, line: 0, arrivalMillis: 0)
        window.insert(identity(deviceTime), deviceTimeMicros: deviceTime, line: 1, arrivalMillis: 1)
        _ = window.observeCopy(identity(deviceTime), deviceTimeMicros: deviceTime, line: 2, arrivalMillis: 2)
        #expect(window.observeCopy(present, deviceTimeMicros: now, line: 3, arrivalMillis: 3) != nil)
        #expect(window.expired == 0)
    }

    @Test("a legal event 23 hours ahead of the server's clock expires nothing and is not remembered")
    func futureEventDoesNotExpirePresentOnes() {
        var window = DedupWindow()
        window.advanceClock(serverTimeMicros: now)
        for second in 0..<2_000 as Range<Int64> {
            window.insert(
                identity(now - second * 100_000, subject: "s\(second)"), deviceTimeMicros: now - second * 100_000,
                line: 0, arrivalMillis: 0)
        }
        let future = now + 23 * 3_600_000_000
        let departed = window.insert(identity(future), deviceTimeMicros: future, line: 1, arrivalMillis: 0)
        #expect(departed.isEmpty)
        #expect(window.count == 2_000 && window.expired == 0)
        #expect(window.observeCopy(identity(future), deviceTimeMicros: future, line: 2, arrivalMillis: 0) == nil)
    }

    @Test(
        "device times up to one segment ahead of the server are remembered (clock skew), further ones are not",
        arguments: [
            (Int64(0), true), (30_000_000, true), (60_000_000, true), (119_999_999, true), (120_000_000, false),
            (3_600_000_000, false),
        ])
    func skewTolerance(ahead: Int64, remembered: Bool) {
        var window = DedupWindow()
        window.advanceClock(serverTimeMicros: now)
        window.insert(identity(now + ahead), deviceTimeMicros: now + ahead, line: 0, arrivalMillis: 0)
        #expect((window.count == 1) == remembered)
    }

    @Test("before the clock is set the window follows device times as it always did")
    func unclockedWindowFollowsDeviceTimes() {
        var window = DedupWindow()
        window.insert(identity(now), deviceTimeMicros: now, line: 0, arrivalMillis: 0)
        window.insert(identity(now + 3_600_000_000), deviceTimeMicros: now + 3_600_000_000, line: 0, arrivalMillis: 0)
        #expect(window.count == 1 && window.expired == 1)
    }

    @Test("a tenant streaming far-future device times leaves no coverage or lines behind")
    func futureCoverageIsBounded() {
        var deduplicator = Deduplicator()
        deduplicator.advanceClock(serverTimeMicros: now)
        let hostile = DeliveryLine(
            tenant: tenant, group: TokenID.random(), connector: ConnectorID.random(), sourceDevice: "h", channel: .controller)
        for hour in 1...500 as ClosedRange<Int64> {
            let time = now + hour * 3_600_000_000
            let arrival = deduplicator.arrive(hostile, identity: identity(time), deviceTimeMicros: time, arrivalMillis: 0)
            deduplicator.settle(identity(time), line: arrival.line, deviceTimeMicros: time, arrivalMillis: 0, stored: true)
        }
        #expect(deduplicator.window.count == 0)
        _ = deduplicator.drainStatistics()
        _ = deduplicator.drainStatistics()
        #expect(deduplicator.lineCount == 0)
    }
}
