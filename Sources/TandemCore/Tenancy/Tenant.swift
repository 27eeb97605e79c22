public import Foundation

/// An organisation using Tandem. Everything else hangs off a tenant.
public struct Tenant: Sendable, Hashable, Codable {
    /// The tenant's identity.
    public let id: TenantID
    /// Its display name.
    public let name: DisplayName
    /// When it was created.
    public let createdAt: Date

    /// Creates a tenant value.
    public init(id: TenantID, name: DisplayName, createdAt: Date) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
    }
}
