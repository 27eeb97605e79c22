import Synchronization

/// The chaos run's servers: one node, or several behind a balancer. A crash or a restart
/// replaces a node's process (same ports); the highest peak RSS of any node is kept.
final class ServerHolder: Sendable {
    private struct State {
        var nodes: [ServerProcess]
        var balancer: BalancerProcess?
        var peak = 0
    }

    private let state: Mutex<State>

    init(_ nodes: [ServerProcess], balancer: BalancerProcess? = nil) {
        state = Mutex(State(nodes: nodes, balancer: balancer))
    }

    /// The first node (the only one without a balancer).
    var current: ServerProcess { state.withLock { $0.nodes[0] } }
    /// Every node now.
    var nodes: [ServerProcess] { state.withLock { $0.nodes } }
    var balancer: BalancerProcess? { state.withLock { $0.balancer } }
    var peakRSS: Int { state.withLock { $0.peak } }
    /// Where connectors connect: the balancer when there is one.
    var grpcPort: Int { state.withLock { $0.balancer?.grpcPort ?? $0.nodes[0].grpcPort } }

    func replace(_ server: ServerProcess) { replace(node: 0, with: server) }
    func replace(node index: Int, with server: ServerProcess) { state.withLock { $0.nodes[index] = server } }
    func replace(balancer: BalancerProcess) { state.withLock { $0.balancer = balancer } }

    /// Reads every node's peak RSS into the maximum.
    func sample() {
        let nodes = self.nodes
        let peak = nodes.map(\.peakRSSBytes).max() ?? 0
        state.withLock { $0.peak = max($0.peak, peak) }
    }

    /// Stops every node (gracefully) and the balancer.
    func stopAll() {
        for node in nodes { node.stop() }
        balancer?.stop()
    }
}
