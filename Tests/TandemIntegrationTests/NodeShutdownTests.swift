import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import ServiceLifecycleTestKit
import TandemConnector
import TandemCore
import TandemServer
import Testing

/// The node's one shutdown bound, in process: a graceful shutdown ends the node within
/// ``TandemNode/Configuration/shutdownTimeout`` (plus the cancellation bound), whatever its
/// connectors do, and every stream it served has ended by then.
@Suite("Node shutdown: one bound, in process", .serialized)
struct NodeShutdownTests {
    @Test(
        "a graceful shutdown with connectors' control and data streams open ends the node within its bound, and their streams end",
        .timeLimit(.minutes(1)))
    func boundedShutdown() async throws {
        try await TestDatabase.withStore { store, _ in
            try await store.partitions.maintain()
            let (tenant, _) = try await store.tenants.create(name: try DisplayName("shutdown", field: "name"))
            let (_, secret) = try await store.tokens.create(
                tenant: tenant.id, connectorName: try DisplayName("pair", field: "name"), network: .wireless)
            var configuration = TandemNode.Configuration()
            configuration.grpcPort = 0
            configuration.httpPort = nil
            configuration.shutdownTimeout = .seconds(2)
            configuration.cancellationTimeout = .seconds(1)
            let node = try TandemNode(store: store, runsDatabase: false, configuration: configuration, logger: TestDatabase.logger)
            try await testGracefulShutdown { trigger in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await node.run() }
                    let port = try await node.grpcPort()
                    let client = try GRPCClient(
                        transport: .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext))
                    group.addTask { try await client.runConnections() }
                    let streams = try await (0..<2).asyncMap { index in
                        try await ControlStream.open(
                            client: client, token: secret.revealed,
                            identity: ConnectorIdentity(
                                instanceID: UUID().uuidString, hostname: "member-\(index)", ipAddress: "10.0.0.\(index + 1)",
                                ovaVersion: "2.3.460", carriesController: true, carriesAccessPoint: true),
                            heartbeatEvery: .milliseconds(200))
                    }
                    let started = ContinuousClock.now
                    trigger.triggerGracefulShutdown()
                    try await group.next()
                    let took = ContinuousClock.now - started
                    // The bound is 2 s, then 1 s of cancellation; 10 s more for a busy 2-core machine,
                    // far below the minute an unbounded drain would take to hit the time limit.
                    #expect(took < .seconds(2) + .seconds(1) + .seconds(10), "took \(took)")
                    // Ended by the server, not by us: a stream still open would hang here (time limit).
                    for stream in streams { _ = try? await stream.ended() }
                    client.beginGracefulShutdown()
                    group.cancelAll()
                }
            }
        }
    }
}

extension Sequence where Element: Sendable {
    /// The results of `transform` on each element, one after the other.
    fileprivate func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
