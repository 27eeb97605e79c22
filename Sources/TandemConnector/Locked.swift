import Synchronization

/// A value behind a lock that closures can share (a `Mutex` itself cannot be captured: it is
/// not copyable): what the harness connectors keep of what their ``EdgeConnector`` tells them.
package final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    package init(_ value: Value) { mutex = Mutex(value) }

    package func withLock<Result: Sendable>(_ body: (inout sending Value) throws -> sending Result) rethrows -> Result {
        try mutex.withLock(body)
    }
}
