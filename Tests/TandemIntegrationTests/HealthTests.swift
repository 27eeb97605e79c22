import GRPCCore
import TandemProtocol
import Testing

/// The standard grpc.health.v1 service of a node, over real gRPC.
@Suite("gRPC health service")
struct HealthTests {
    @Test("Check says SERVING for the server and both channels, NOT_FOUND for other names; Watch turns NOT_SERVING and ends on drain")
    func healthAndDrain() async throws {
        try await TestCluster.run(nodes: 1) { cluster in
            let node = cluster.nodes[0]
            let health = Grpc_Health_V1_Health.Client(wrapping: node.client)
            for service in ["", "tandem.v1.ControlChannel", "tandem.v1.DataChannel"] {
                let response = try await health.check(.with { $0.service = service })
                #expect(response.status == .serving, "\(service)")
            }
            do {
                _ = try await health.check(.with { $0.service = "tandem.v1.Nothing" })
                Issue.record("an unknown service was answered")
            } catch let error as RPCError {
                #expect(error.code == .notFound)
                #expect(error.message.contains("tandem.v1.Nothing"))
            }
            let statuses = try await health.watch(.with { $0.service = "" }) { response in
                var seen: [Grpc_Health_V1_HealthCheckResponse.ServingStatus] = []
                for try await message in response.messages {
                    seen.append(message.status)
                    if seen.count == 1 { Task { await node.drain() } }
                }
                return seen
            }
            #expect(statuses == [.serving, .notServing])
        }
    }
}
