public import Foundation

/// A freshly issued token as its owner sees it, once: the record and the secret.
/// This is the JSON of `POST /api/v1/tokens` and of `tandem token create --json`.
public struct IssuedToken: Sendable, Codable {
    /// The token's id (its HA group's id).
    public let id: TokenID
    /// The secret to configure on the connectors. Never retrievable again.
    public let token: String
    /// The tenant that issued it.
    public let tenantId: TenantID
    /// The connector name.
    public let connectorName: String
    /// Wireless or wired.
    public let network: NetworkKind
    /// When it was issued.
    public let createdAt: Date

    /// Combines a stored token with its secret.
    public init(_ record: Token, secret: Secret) {
        id = record.id
        token = secret.revealed
        tenantId = record.tenantID
        connectorName = record.connectorName.value
        network = record.network
        createdAt = record.createdAt
    }
}
