import Synchronization

/// An asynchronous lock per key: bodies with the same key run one after the other, in the
/// order they asked; bodies with different keys run at once.
///
/// Ingest nodes serialise the membership changes of each HA group with it: those are applied
/// optimistically in PostgreSQL (a change loaded from a version that moved is recomputed), and
/// both members of a pair say Hello at the same moment after a node loss, on the same node
/// (the balancer keeps a pair together), so without it nearly every pair's second Hello would
/// be computed twice in a reconnect storm. Other nodes can still race; the database's version
/// check settles those.
public final class KeyedLock<Key: Hashable & Sendable>: Sendable {
    /// Held keys, each with the bodies waiting for it in order.
    private let held = Mutex<[Key: [CheckedContinuation<Void, Never>]]>([:])

    /// A lock with no key held.
    public init() {}

    /// Runs `body` holding `key`: after every body of `key` that asked before has finished.
    public func withLock<T: Sendable>(_ key: Key, _ body: () async throws -> T) async rethrows -> T {
        await acquire(key)
        defer { release(key) }
        return try await body()
    }

    /// Whether a body holds `key` now.
    public func isHeld(_ key: Key) -> Bool { held.withLock { $0[key] != nil } }

    /// How many bodies wait for `key` now.
    public func waiters(for key: Key) -> Int { held.withLock { $0[key]?.count ?? 0 } }

    private func acquire(_ key: Key) async {
        let acquired = held.withLock { held -> Bool in
            guard held[key] == nil else { return false }
            held[key] = []
            return true
        }
        if acquired { return }
        await withCheckedContinuation { continuation in
            let now = held.withLock { held -> Bool in
                guard held[key] != nil else {
                    held[key] = []  // released meanwhile: take it
                    return true
                }
                held[key]!.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    /// Hands `key` to the first waiter, or frees it.
    private func release(_ key: Key) {
        let next = held.withLock { held -> CheckedContinuation<Void, Never>? in
            guard var waiting = held[key], !waiting.isEmpty else {
                held[key] = nil
                return nil
            }
            let first = waiting.removeFirst()
            held[key] = waiting
            return first
        }
        next?.resume()
    }
}
