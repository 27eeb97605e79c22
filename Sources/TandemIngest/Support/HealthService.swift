import GRPCCore
import SwiftProtobuf
import TandemProtocol
import TandemStore

/// The standard `grpc.health.v1.Health` service, so a balancer, a Kubernetes probe or
/// `grpc_health_probe` can ask a node whether it takes connectors.
///
/// A node is `SERVING` while it is not draining and its database answers with every migration
/// applied; `NOT_SERVING` otherwise. It knows the server as a whole (`""`) and each channel
/// service by its full name; any other name fails with `NOT_FOUND`. `Watch` sends the status,
/// then each change (checked every second), and ends once the node drains so it never holds a
/// shutdown up.
struct HealthService: Grpc_Health_V1_Health.SimpleServiceProtocol {
    typealias Status = Grpc_Health_V1_HealthCheckResponse.ServingStatus

    let store: Store
    let registry: SessionRegistry

    /// The services a check may name.
    static let services: Set<String> = [
        "", Tandem_V1_ControlChannel.descriptor.fullyQualifiedService, Tandem_V1_DataChannel.descriptor.fullyQualifiedService,
    ]

    func check(
        request: Grpc_Health_V1_HealthCheckRequest, context: ServerContext
    ) async throws -> Grpc_Health_V1_HealthCheckResponse {
        try Self.requireKnown(request.service)
        let status = await status(draining: registry.isDraining)
        return .with { $0.status = status }
    }

    func watch(
        request: Grpc_Health_V1_HealthCheckRequest, response: RPCWriter<Grpc_Health_V1_HealthCheckResponse>,
        context: ServerContext
    ) async throws {
        guard Self.services.contains(request.service) else {
            try await response.write(.with { $0.status = .serviceUnknown })
            return
        }
        var last: Status?
        while !Task.isCancelled {
            // The drain flag is read once per round, before the status: a drain that begins
            // while the database is being asked must still be told (`NOT_SERVING`) before the
            // stream ends, not end it after a stale `SERVING`.
            let draining = registry.isDraining
            let now = await status(draining: draining)
            if now != last {
                try await response.write(.with { $0.status = now })
                last = now
            }
            if draining { return }
            try await Task.sleep(for: .seconds(1))
        }
    }

    /// The node's status now, given whether it drains.
    private func status(draining: Bool) async -> Status {
        if draining { return .notServing }
        return await store.readiness().ready ? .serving : .notServing
    }

    private static func requireKnown(_ service: String) throws {
        guard services.contains(service) else {
            throw IngestError.unknownService(service, known: services.sorted().dropFirst().joined(separator: ", "))
        }
    }
}
