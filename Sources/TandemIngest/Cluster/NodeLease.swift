public import Logging
public import ServiceLifecycle
public import TandemCore
public import TandemStore

/// Keeps this node's row in `nodes` alive: registered at start, renewed every third of the
/// lease, given up at graceful shutdown (after the listeners stopped, as it stops before them),
/// so the other nodes watch this node's sessions at once. A node that dies simply stops
/// renewing; its lease lapses within ``IngestConfiguration/nodeLease``.
public struct NodeLease: Service {
    private let nodes: NodeRepository
    private let node: NodeID
    private let lease: Duration
    private let addresses: (grpc: String, http: String)
    private let logger: Logger

    /// Creates the lease of `node`, recording where it listens.
    public init(nodes: NodeRepository, node: NodeID, lease: Duration, grpcAddress: String, httpAddress: String, logger: Logger) {
        self.nodes = nodes
        self.node = node
        self.lease = lease
        self.addresses = (grpcAddress, httpAddress)
        var logger = logger
        logger[metadataKey: LogKey.node] = "\(node)"
        self.logger = logger
    }

    public func run() async throws {
        if try await nodes.register(node, grpcAddress: addresses.grpc, httpAddress: addresses.http, lease: lease) {
            logger.warning(
                "this node id had a live lease: another process may run under it, or this node restarted within its lease; give every node its own --node-id"
            )
        }
        logger.info("node registered", metadata: [LogKey.lease: "\(lease)"])
        try await runPeriodically(every: lease / 3, logger: logger, failure: "node lease not renewed; retrying") {
            if try await !nodes.renew(node, lease: lease) {
                try await nodes.register(node, grpcAddress: addresses.grpc, httpAddress: addresses.http, lease: lease)
            }
        }
        // Cancelled (not shut down gracefully): the lease lapses by itself, as a crash's would.
        guard !Task.isCancelled else { return }
        do {
            try await nodes.release(node)
            logger.info("node lease released")
        } catch {
            logger.warning("node lease not released; it lapses by itself", metadata: [LogKey.error: "\(StoreError.loggable(error))"])
        }
    }
}
