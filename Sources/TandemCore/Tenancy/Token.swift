public import Foundation

/// A connector token as the cloud keeps it (never the secret itself). Every connector
/// configured with the same token joins the same HA group.
public struct Token: Sendable, Hashable, Codable {
    /// The token's identity (also its HA group's).
    public let id: TokenID
    /// The tenant that issued it.
    public let tenantID: TenantID
    /// The connector name chosen when the token was generated.
    public let connectorName: DisplayName
    /// Wireless or wired.
    public let network: NetworkKind
    /// When it was issued.
    public let createdAt: Date
    /// When it was revoked, if it was.
    public let revokedAt: Date?

    /// Creates a token value.
    public init(
        id: TokenID, tenantID: TenantID, connectorName: DisplayName, network: NetworkKind,
        createdAt: Date, revokedAt: Date?
    ) {
        self.id = id
        self.tenantID = tenantID
        self.connectorName = connectorName
        self.network = network
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }

    /// Whether the token still authorises connectors.
    public var isActive: Bool { revokedAt == nil }
}
