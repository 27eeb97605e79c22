import Foundation
import TandemAPI
import Testing

@Suite("HumanTime: durations and times as people read them")
struct HumanTimeTests {
    @Test(
        "durations in whole units, largest first, zero units left out",
        arguments: [
            (325_882, "3 days 18 hours 31 minutes 22 seconds"), (0, "0 seconds"), (-5, "0 seconds"), (1, "1 second"),
            (60, "1 minute"), (3_601, "1 hour 1 second"), (86_400, "1 day"), (172_860, "2 days 1 minute"),
        ])
    func duration(seconds: Int, expected: String) {
        #expect(HumanTime.duration(seconds: seconds) == expected)
    }

    @Test(
        "times before now in their largest unit",
        arguments: [
            (0, "just now"), (9, "just now"), (-30, "just now"), (42, "42 s ago"), (180, "3 min ago"), (3_599, "59 min ago"),
            (18_000, "5 h ago"), (86_400, "1 day ago"), (200_000, "2 days ago"),
        ])
    func ago(secondsBefore: Int, expected: String) {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(HumanTime.ago(now.addingTimeInterval(-Double(secondsBefore)), now: now) == expected)
    }
}
