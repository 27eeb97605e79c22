import Synchronization

/// Slows down guessing: after ``Policy/maximumFailures`` failed authentications from one
/// address within ``Policy/window``, every further *failed* attempt from that address is
/// answered 429 / RESOURCE_EXHAUSTED (with how long to wait) instead of 401 until the window
/// that started with its first failure is over. A valid credential is never refused: behind a
/// load balancer or a NAT many clients share one address, and one of them guessing must not
/// lock the others out. Other addresses are not affected. Memory is bounded: at most
/// ``Policy/maximumAddresses`` addresses are tracked, the stalest forgotten first.
public final class AuthenticationThrottle: Sendable {
    /// The counter both listeners count failed authentications in, labelled `listener`
    /// (`grpc`, `http`): declared once here, beside the rule it feeds.
    public static let failuresMetric = "tandem_auth_failures_total"

    public struct Policy: Sendable {
        /// Failures allowed per address and window (default 20).
        public var maximumFailures: Int = 20
        /// The window (default 60 s).
        public var window: Duration = .seconds(60)
        /// Addresses tracked at once (default 100,000).
        public var maximumAddresses: Int = 100_000

        public init(maximumFailures: Int = 20, window: Duration = .seconds(60), maximumAddresses: Int = 100_000) {
            self.maximumFailures = maximumFailures
            self.window = window
            self.maximumAddresses = maximumAddresses
        }
    }

    private struct Record {
        var failures: Int
        var windowStart: ContinuousClock.Instant
    }

    public let policy: Policy
    private let records = Mutex<[String: Record]>([:])

    public init(policy: Policy = .init()) {
        self.policy = policy
    }

    /// Whole seconds `address` must wait before trying again, or `nil` when it may try now.
    public func retryAfter(_ address: String, now: ContinuousClock.Instant = .now) -> Int? {
        records.withLock { records in
            guard let record = records[address] else { return nil }
            let end = record.windowStart + policy.window
            if now >= end {
                records[address] = nil
                return nil
            }
            guard record.failures >= policy.maximumFailures else { return nil }
            return max(1, Int((end - now).components.seconds) + 1)
        }
    }

    /// Answers a failed authentication from `address`: when the address is already past its
    /// failures, the whole seconds to wait (and nothing more is counted); else `nil`, after
    /// counting this failure.
    public func fail(_ address: String, now: ContinuousClock.Instant = .now) -> Int? {
        if let wait = retryAfter(address, now: now) { return wait }
        recordFailure(address, now: now)
        return nil
    }

    /// Counts a failed authentication from `address`.
    public func recordFailure(_ address: String, now: ContinuousClock.Instant = .now) {
        records.withLock { records in
            if var record = records[address], now < record.windowStart + policy.window {
                record.failures += 1
                records[address] = record
                return
            }
            if records.count >= policy.maximumAddresses {
                let stale = records.filter { now >= $0.value.windowStart + policy.window }.keys
                for key in stale { records[key] = nil }
                if records.count >= policy.maximumAddresses, let oldest = records.min(by: { $0.value.windowStart < $1.value.windowStart }) {
                    records[oldest.key] = nil
                }
            }
            records[address] = Record(failures: 1, windowStart: now)
        }
    }
}
