import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import TandemConnector
import TandemCore
import TandemIngest
import TandemProtocol
import TandemServer
import TandemStore

/// Several Tandem nodes on one test database, each running its full set of ingest services
/// (lease, cluster listener, liveness and revocation sweepers, gRPC listener), built as `serve`
/// builds one (``TandemNode``), with a gRPC client connected to it.
final class TestCluster: Sendable {
    /// One node.
    struct Node: Sendable {
        let id: NodeID
        let ingest: IngestServer
        let client: GRPCClient<HTTP2ClientTransport.Posix>
        let node: TandemNode
        let task: Task<Void, any Error>

        /// Stops the node the way a crash does: everything is cancelled, nothing recorded as
        /// lost, the lease not given up (it lapses).
        func kill() {
            client.beginGracefulShutdown()
            task.cancel()
        }

        /// Stops the node the way SIGTERM does, and waits until it has.
        func drain() async {
            await node.triggerGracefulShutdown()
            _ = await task.result
            client.beginGracefulShutdown()
        }
    }

    let store: Store
    let nodes: [Node]

    private init(store: Store, nodes: [Node]) {
        self.store = store
        self.nodes = nodes
    }

    /// Starts `count` nodes named `node-0`, `node-1`, …, runs `body`, stops everything.
    static func run(
        nodes count: Int, configure: @Sendable (inout IngestConfiguration) -> Void = { _ in },
        _ body: @Sendable (TestCluster) async throws -> Void
    ) async throws {
        let logger = TestDatabase.logger
        try await TestDatabase.withStore { store, url in
            try await store.partitions.maintain()
            try await withThrowingTaskGroup(of: Void.self) { group in
                var nodes: [Node] = []
                for index in 0..<count {
                    var configuration = IngestConfiguration()
                    configuration.nodeID = try NodeID("node-\(index)")
                    configuration.reconnectGrace = .zero
                    configure(&configuration)
                    var settings = TandemNode.Configuration()
                    settings.ingest = configuration
                    settings.grpcPort = 0
                    settings.httpPort = nil
                    settings.clustered = true
                    settings.shutdownTimeout = .seconds(10)
                    let node = try TandemNode(store: store, runsDatabase: false, configuration: settings, logger: logger)
                    let task = Task { try await node.run() }
                    let port = try await node.grpcPort()
                    let client = GRPCClient(
                        transport: try .http2NIOPosix(
                            target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext))
                    group.addTask { try await client.runConnections() }
                    nodes.append(Node(id: configuration.nodeID, ingest: node.ingest, client: client, node: node, task: task))
                }
                let cluster = TestCluster(store: store, nodes: nodes)
                let outcome = await Result(catching: { try await body(cluster) })
                // The clients end first, then each node drains: a connection a server accepts
                // while its task is cancelled trips SwiftNIO's "Deinited NIOAsyncWriter without
                // calling finish()" (apple/swift-nio#2637; see TandemHarness).
                for node in nodes { node.client.beginGracefulShutdown() }
                group.cancelAll()
                while await group.nextResult() != nil {}
                for node in nodes {
                    await node.node.triggerGracefulShutdown()
                    _ = await node.task.result
                }
                try outcome.get()
            }
        }
    }

    /// Opens a connector's control channel on `node`.
    func connect(
        _ site: TandemHarness.Site, to node: Int, ip: String, instanceID: String, heartbeatEvery: Duration = .milliseconds(200)
    ) async throws -> ControlStream {
        try await ControlStream.open(
            client: nodes[node].client, token: site.token,
            identity: ConnectorIdentity(
                instanceID: instanceID, hostname: "connector-\(ip)", ipAddress: ip, ovaVersion: "2.3.460",
                carriesController: true, carriesAccessPoint: true),
            heartbeatEvery: heartbeatEvery)
    }

    /// Creates a tenant and a token.
    func site(name: String = "site") async throws -> TandemHarness.Site {
        let (tenant, key) = try await store.tenants.create(name: try DisplayName("tenant of \(name)", field: "name"))
        let (token, secret) = try await store.tokens.create(
            tenant: tenant.id, connectorName: try DisplayName(name, field: "name"), network: .wireless)
        return TandemHarness.Site(tenant: tenant.id, apiKey: key.revealed, tokenID: token.id, token: secret.revealed)
    }
}
