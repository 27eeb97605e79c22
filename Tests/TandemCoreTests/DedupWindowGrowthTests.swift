import TandemCore
import Testing

/// How the window's segments hold their keys: spread over tables that grow alone, the live
/// segment sized from the last one, every key found and handed back.
@Suite("Dedup window segments: room reserved, keys spread")
struct DedupWindowGrowthTests {
    let tenant = TenantID.random()
    /// A segment start (1-minute segments): 2026-11-26T00:00:00Z in microseconds.
    let minute: Int64 = 1_795_651_200_000_000

    func identity(_ deviceTimeMicros: Int64, _ number: Int) -> EventIdentity {
        EventIdentity(
            tenant: tenant,
            event: DeviceEvent(
                channel: .controller, sourceDevice: "10.0.0.1", kind: .clientRSSI, deviceTimeMicros: deviceTimeMicros,
                subject: "s\(number)", body: [1], receivedAtMicros: 0, connectorSequence: 0))
    }

    @Test(
        "a new live segment starts with room for as many keys as the last one held; a late segment starts small; the memory estimate follows tables that grew"
    )
    func liveSegmentReservesTheLastOnesSize() {
        var window = DedupWindow()
        for number in 0..<20_000 {
            window.insert(identity(minute + Int64(number), number), deviceTimeMicros: minute + Int64(number), line: 0, arrivalMillis: 0)
        }
        let perKey = MemoryLayout<EventIdentity>.stride + MemoryLayout<DedupWindow.Entry>.stride
        let full = window.estimatedBytes
        // The first segment started small: its tables grew, and the estimate followed them.
        #expect(full >= 20_000 * perKey, "room for the 20,000 keys held, not \(full / perKey)")
        let next = minute + 60_000_000
        window.insert(identity(next, 0), deviceTimeMicros: next, line: 0, arrivalMillis: 0)
        let reserved = window.estimatedBytes - full
        #expect(reserved >= 20_000 * perKey, "room for 20,000 keys in the new live segment, not \(reserved / perKey)")
        let late = minute - 3 * 60_000_000
        window.insert(identity(late, 0), deviceTimeMicros: late, line: 0, arrivalMillis: 0)
        #expect(window.estimatedBytes - full - reserved < 1_000 * perKey, "a late segment holding one key stays small")
        #expect(window.count == 20_002)
    }

    @Test("every key of a segment spread over its tables is found, counted, and handed back when the segment leaves")
    func spreadKeysAreFoundAndDeparted() {
        var window = DedupWindow()
        let keys = (0..<5_000).map { identity(minute + Int64($0), $0) }
        for (number, key) in keys.enumerated() {
            window.insert(key, deviceTimeMicros: minute + Int64(number), line: 1, arrivalMillis: 0)
        }
        #expect(window.count == 5_000)
        let found = keys.enumerated().filter { number, key in
            window.observeCopy(key, deviceTimeMicros: minute + Int64(number), line: 2, arrivalMillis: 5) != nil
        }
        #expect(found.count == 5_000)
        let later = minute + 10 * 60_000_000
        let departed = window.insert(identity(later, 0), deviceTimeMicros: later, line: 1, arrivalMillis: 0)
        #expect(departed.map(\.entries.count) == [5_000])
        #expect(departed.first?.entries.allSatisfy { $0.copies == 2 && $0.hasPeerCopy } == true, "each observed copy kept")
        #expect(window.count == 1 && window.expired == 5_000)
    }
}
