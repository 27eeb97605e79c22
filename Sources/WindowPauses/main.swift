import Foundation
import TandemCore

// The longest pause a segment's departure causes in the dedup window (scripts/window-pauses):
// the window is used under the event pipeline's lock, so every stream waits that long. Feeds
// `keys` events per minute of device time through a ``Deduplicator`` (arrive, then settle as
// stored) for `minutes` minutes and prints, per minute, the longest single call.
//   tandem-window-pauses KEYS MINUTES expire|evict|pair
// expire: one unpaired line, a window large enough that segments leave as it moves on;
// evict: the same with the default capacity (4,000,000 keys), so full segments are evicted;
// pair: two lines of one source delivering every event, segments leave as the window moves on.

let arguments = CommandLine.arguments
guard arguments.count == 4, let keys = Int(arguments[1]), let minutes = Int(arguments[2]), keys > 0, minutes > 0,
    ["expire", "evict", "pair"].contains(arguments[3])
else {
    print("usage: tandem-window-pauses KEYS MINUTES expire|evict|pair")
    exit(2)
}
let scenario = arguments[3]
let minuteMicros: Int64 = 60_000_000
var deduplicator = Deduplicator(configuration: scenario == "evict" ? .init() : .init(capacity: 1_000_000_000))
let start = (Int64(Date().timeIntervalSince1970) / 60) * minuteMicros - Int64(minutes + 1) * minuteMicros
deduplicator.advanceClock(serverTimeMicros: start + Int64(minutes + 2) * minuteMicros)
let (tenant, group) = (TenantID.random(), TokenID.random())
let lines = (0..<(scenario == "pair" ? 2 : 1)).map { _ in
    DeliveryLine(tenant: tenant, group: group, connector: ConnectorID.random(), sourceDevice: "10.0.0.1", channel: .controller)
}
let clock = ContinuousClock()
var longest: Duration = .zero
var number: UInt64 = 0
for minute in 0..<minutes {
    var longestThisMinute: Duration = .zero
    for index in 0..<keys {
        number += 1
        let deviceTime = start + Int64(minute) * minuteMicros + Int64(index) * minuteMicros / Int64(keys)
        let identity = EventIdentity(
            key: withUnsafeBytes(of: (number.littleEndian, (number &* 0x9E37_79B9_7F4A_7C15).littleEndian)) { bytes in
                UUID(uuid: bytes.load(as: uuid_t.self))
            })
        for (copy, line) in lines.enumerated() {
            let started = clock.now
            let arrival = deduplicator.arrive(line, identity: identity, deviceTimeMicros: deviceTime, arrivalMillis: 0)
            if !arrival.isKnownDuplicate {
                deduplicator.settle(identity, line: arrival.line, deviceTimeMicros: deviceTime, arrivalMillis: 0, stored: copy == 0)
            }
            longestThisMinute = max(longestThisMinute, clock.now - started)
        }
    }
    longest = max(longest, longestThisMinute)
    print("minute \(minute + 1): longest call \(longestThisMinute), window \(deduplicator.window.count) keys")
}
print("\(scenario), \(keys) keys a minute: longest call \(longest)")
