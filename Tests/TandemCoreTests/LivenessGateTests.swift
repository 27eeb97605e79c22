import TandemCore
import Testing

@Suite("LivenessGate: silence is judged only after one timeout of working writes")
struct LivenessGateTests {
    @Test(
        "judging is allowed with no failure, and only a full timeout after the latest one",
        arguments: [
            // (failures at seconds, now, expected)
            ([Int](), 0, true),
            ([10], 10, false),
            ([10], 24, false),
            ([10], 25, true),
            ([10, 20], 26, false),  // the later failure counts
            ([20, 10], 30, false),  // out of order: still the latest
            ([20, 10], 35, true),
        ])
    func table(failures: [Int], now: Int, expected: Bool) {
        let origin = ContinuousClock.now
        var gate = LivenessGate()
        for second in failures { gate.failed(at: origin + .seconds(second)) }
        #expect(gate.allowsJudging(at: origin + .seconds(now), timeout: .seconds(15)) == expected)
    }
}
