import Synchronization
import TandemCore

/// When this node last failed to reach its database, as the heartbeat writes, the event writes,
/// the Hellos and the liveness sweeps found out; one per node, on the ``SessionRegistry``.
///
/// Silence is judged only once the database has been reachable again for one liveness timeout
/// (``TandemCore/LivenessGate``): during a PostgreSQL failover connectors can neither beat nor
/// say Hello again, and that is not their loss.
public final class DatabaseOutages: Sendable {
    private let gate = Mutex(LivenessGate())

    public init() {}

    /// A statement failed because the database could not be reached or did not answer
    /// (``TandemStore/StoreError/isUnavailability(_:)``: never a refusal of one tenant's data, so
    /// no input can hold judging back).
    public func failed(at instant: ContinuousClock.Instant = .now) {
        gate.withLock { $0.failed(at: instant) }
    }

    /// The latest failure, if any.
    public var lastFailure: ContinuousClock.Instant? { gate.withLock { $0.lastFailure } }

    /// Whether silence longer than `timeout` may be judged at `now`.
    public func allowsJudging(at now: ContinuousClock.Instant = .now, timeout: Duration) -> Bool {
        gate.withLock { $0.allowsJudging(at: now, timeout: timeout) }
    }
}
