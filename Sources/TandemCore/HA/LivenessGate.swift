/// When a node may turn a connector's silence into loss: only once its own view of the
/// heartbeats is complete again. While the database is unreachable (a failover, a restart), a
/// node's heartbeat writes and sweeps fail, so every connector looks silent when it is back,
/// and every other node's lease looks lapsed. Judging then would record a loss and a failover
/// for connectors that never failed. So after any failure the node waits one liveness timeout
/// of working writes before judging: by then every live connector has beaten again and every
/// live node has renewed its lease.
public struct LivenessGate: Sendable, Equatable {
    /// The latest failure to write heartbeats or to read the sessions, if any.
    public private(set) var lastFailure: ContinuousClock.Instant?

    public init(lastFailure: ContinuousClock.Instant? = nil) {
        self.lastFailure = lastFailure
    }

    /// A heartbeat write or a sweep failed at `instant`.
    public mutating func failed(at instant: ContinuousClock.Instant) {
        lastFailure = max(lastFailure ?? instant, instant)
    }

    /// Whether silence longer than `timeout` may be judged at `now`: no failure within the last
    /// `timeout`.
    public func allowsJudging(at now: ContinuousClock.Instant, timeout: Duration) -> Bool {
        guard let lastFailure else { return true }
        return now - lastFailure >= timeout
    }
}
