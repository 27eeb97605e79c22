import Synchronization

/// The server process of the moment (a crash replaces it) and the highest peak RSS seen.
final class ServerHolder: Sendable {
    private let state: Mutex<(server: ServerProcess, peak: Int)>

    init(_ server: ServerProcess) { state = Mutex((server, 0)) }

    var current: ServerProcess { state.withLock { $0.server } }
    var peakRSS: Int { state.withLock { $0.peak } }

    func replace(_ server: ServerProcess) { state.withLock { $0.server = server } }

    /// Reads the current server's peak RSS into the maximum.
    func sample() {
        state.withLock { $0.peak = max($0.peak, $0.server.peakRSSBytes) }
    }
}
