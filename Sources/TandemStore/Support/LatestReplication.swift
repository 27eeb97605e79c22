import Synchronization

/// The replication state read last (by the node's `ReplicationMonitor`), shared by whoever
/// reports it, so `/readyz`, which balancers call every second, asks PostgreSQL nothing more.
public final class LatestReplication: Sendable {
    private let state = Mutex<DatabaseReplication?>(nil)

    public init() {}

    /// The state read last; `nil` before the first read.
    public var current: DatabaseReplication? { state.withLock { $0 } }

    /// Stores `replication` and returns the state before it.
    @discardableResult
    public func record(_ replication: DatabaseReplication) -> DatabaseReplication? {
        state.withLock { stored in
            defer { stored = replication }
            return stored
        }
    }
}
