import Foundation
public import Logging
import PostgresNIO
public import ServiceLifecycle
public import TandemCore
public import TandemStore

/// Hears what the other nodes changed, through PostgreSQL `LISTEN` on a connection of its own
/// (the pool has no LISTEN), and pushes it to this node's sessions within a second.
///
/// Notifications are wake-ups: on each, the node re-reads what it needs. When the listening
/// connection is lost, the listener reconnects (every second until it succeeds) and, once it
/// listens again, re-reads the membership and configuration of every group it serves, so a
/// notification missed meanwhile delays a push but never loses it. Revocations missed are
/// also caught by the ``RevocationSweeper``.
public struct ClusterListener: Service {
    private let database: DatabaseURL
    private let registry: SessionRegistry
    private let node: NodeID
    private let logger: Logger

    /// Creates the listener of `registry`'s node.
    public init(database: DatabaseURL, registry: SessionRegistry, logger: Logger) {
        self.database = database
        self.registry = registry
        self.node = registry.node
        var logger = logger
        logger[metadataKey: LogKey.node] = "\(registry.node)"
        self.logger = logger
    }

    /// The `application_name` of the listening connection (shown in `pg_stat_activity`).
    public static func applicationName(_ node: NodeID) -> String { "tandem-listener \(node)" }

    public func run() async throws {
        let configuration = try database.singleConnection(applicationName: Self.applicationName(node))
        await cancelWhenGracefulShutdown {
            var connectionNumber = 0
            while !Task.isCancelled {
                connectionNumber += 1
                do {
                    try await listen(configuration, id: connectionNumber)
                } catch  where Task.isCancelled {
                    return
                } catch {
                    logger.warning(
                        "cluster listener lost its connection; reconnecting", metadata: [LogKey.error: "\(StoreError.loggable(error))"])
                }
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    private func listen(_ configuration: PostgresConnection.Configuration, id: Int) async throws {
        let connection = try await PostgresConnection.connect(configuration: configuration, id: id, logger: logger)
        // The notification sequence does not end when its task is cancelled: closing the
        // connection ends it (with an error), so a shutdown never waits on it.
        try await withTaskCancellationHandler {
            // Unstructured on purpose (here and below): a cancelled task's close must still run to
            // its end, and PostgresConnection traps if it is released before it has closed (the
            // future-returning close does not keep it alive: tried, it crashed the suite).
            defer { Task { try? await connection.close() } }
            try await connection.listen(on: ClusterMessage.channel) { notifications in
                logger.info("cluster listener listening", metadata: [LogKey.channel: "\(ClusterMessage.channel)"])
                await catchUp()
                for try await notification in notifications {
                    for message in ClusterMessage.messages(in: notification.payload) where message.origin != node {
                        await handle(message)
                    }
                }
            }
        } onCancel: {
            Task { try? await connection.close() }
        }
        throw StoreError(.unavailable, "the listening connection ended")
    }

    /// Acts on one message from another node.
    func handle(_ message: ClusterMessage) async {
        switch message.kind {
        case .configuration: await registry.pushConfiguration(tenant: message.tenant, token: message.token)
        case .haActive: await registry.pushMembership(tenant: message.tenant, token: message.token)
        case .reprovision: registry.pushReprovision(tenant: message.tenant, token: message.token, services: message.services)
        case .revoked: registry.closeRevoked(tenant: message.tenant, token: message.token)
        }
    }

    /// Re-reads the membership and configuration of every group with channels on this node.
    private func catchUp() async {
        for (tenant, token) in registry.liveGroups {
            await registry.pushMembership(tenant: tenant, token: token)
            await registry.pushConfiguration(tenant: tenant, token: token)
        }
    }
}
