public import Logging
public import ServiceLifecycle
public import TandemCore
public import TandemStore

/// Hears what the other nodes changed, through PostgreSQL `LISTEN` (``Database/listen(on:applicationName:_:)``),
/// and pushes it to this node's sessions within a second.
///
/// Notifications are wake-ups: on each, the node re-reads what it needs. When the listening
/// connection is lost, the listener reconnects (every second until it succeeds) and, once it
/// listens again, re-reads the membership and configuration of every group it serves, so a
/// notification missed meanwhile delays a push but never loses it. Revocations missed are
/// also caught by the ``RevocationSweeper``.
public struct ClusterListener: Service {
    private let database: Database
    private let registry: SessionRegistry
    private let node: NodeID
    private let logger: Logger

    /// Creates the listener of `registry`'s node on `database`.
    public init(database: Database, registry: SessionRegistry, logger: Logger) {
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
        try await database.listen(on: ClusterMessage.channel, applicationName: Self.applicationName(node)) { notice in
            switch notice {
            case .listening:
                await catchUp()
            case .notification(let payload):
                for message in ClusterMessage.messages(in: payload) where message.origin != node {
                    await handle(message)
                }
            }
        }
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
