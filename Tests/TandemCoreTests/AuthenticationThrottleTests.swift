import TandemCore
import Testing

@Suite("Authentication throttle")
struct AuthenticationThrottleTests {
    @Test("an address past its failures waits out the window; another address is not affected")
    func throttlesOneAddress() {
        let throttle = AuthenticationThrottle(policy: .init(maximumFailures: 3, window: .seconds(60)))
        let start = ContinuousClock.now
        for _ in 0..<3 {
            #expect(throttle.retryAfter("10.0.0.9", now: start) == nil)
            throttle.recordFailure("10.0.0.9", now: start)
        }
        #expect(throttle.retryAfter("10.0.0.9", now: start + .seconds(10)) == 51)
        #expect(throttle.retryAfter("10.0.0.10", now: start + .seconds(10)) == nil)
        #expect(throttle.retryAfter("10.0.0.9", now: start + .seconds(61)) == nil)
    }

    @Test("memory stays bounded: the stalest address goes first")
    func bounded() {
        let throttle = AuthenticationThrottle(policy: .init(maximumFailures: 1, window: .seconds(60), maximumAddresses: 2))
        let start = ContinuousClock.now
        throttle.recordFailure("a", now: start)
        throttle.recordFailure("b", now: start + .seconds(1))
        throttle.recordFailure("c", now: start + .seconds(2))
        #expect(throttle.retryAfter("a", now: start + .seconds(3)) == nil)
        #expect(throttle.retryAfter("c", now: start + .seconds(3)) != nil)
    }
}
