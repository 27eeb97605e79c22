public import Foundation
public import TandemCore

/// The outcome of a connector joining its group at Hello.
public struct HAJoin: Sendable {
    /// The cloud's id of the connector (stable across reconnects of the same instance).
    public let connectorID: ConnectorID
    /// The group's HA Active list after the join, in join order.
    public let haActive: [String]
    /// The group's health after the join.
    public let health: HAGroupHealth
    /// Whether this join restored a pair that had lost a member.
    public let recovered: Bool
    /// Whether the HA Active list changed (the other nodes must hear it).
    public let haActiveChanged: Bool
    /// The session's generation for this connector: a later join of the same connector has a
    /// higher one (joins of a group are serialised by the group lock).
    public let generation: Int64
    /// The group's configuration (its controllers or switches), read with the group: the
    /// Welcome carries it.
    public let configuration: HAGroupConfiguration
}

/// A connector's Hello to admit to its group, for ``ConnectorRepository/join(_:)``.
public struct HAJoinRequest: Sendable {
    public let tenant: TenantID
    public let token: TokenID
    public let hello: ConnectorHello
    /// The control-channel session that will own the connector.
    public let session: UUID
    /// The node holding the session.
    public let node: NodeID
    public let rules: PairingRules

    /// A request to admit the connector that said `hello` on `token` under `session`, held by `node`.
    public init(tenant: TenantID, token: TokenID, hello: ConnectorHello, session: UUID, node: NodeID, rules: PairingRules) {
        self.tenant = tenant
        self.token = token
        self.hello = hello
        self.session = session
        self.node = node
        self.rules = rules
    }
}

/// The outcome of judging a connector's leave (stream closed or silent too long): what
/// ``HAGroup/leave(_:session:reason:at:liveness:)`` recorded.
public struct HALoss: Sendable {
    /// The connector judged.
    public let connectorID: ConnectorID
    /// Its IP address.
    public let ipAddress: String
    /// Every connector whose membership ended: the one judged, and its peers when the group went
    /// down with them.
    public let ended: [ConnectorID]
    /// The group's HA Active list after the loss.
    public let haActive: [String]
    /// The group's health after the loss.
    public let health: HAGroupHealth
    /// The live peer the group failed over to, after an unplanned loss.
    public let failoverTo: ConnectorID?
    /// The live peer the group was handed over to, after a Goodbye.
    public let handoverTo: ConnectorID?
    /// The history kinds recorded, in order.
    public let kinds: [HAEventKind]
}

/// A control-channel session to end because the connector fell silent.
public struct ExpiredSession: Sendable, Hashable {
    public let tenant: TenantID
    public let token: TokenID
    public let connectorID: ConnectorID
    public let sessionID: UUID
}
