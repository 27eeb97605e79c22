public import Foundation

/// An analyst login: a PostgreSQL LOGIN role bound to one tenant, which reads that tenant's
/// deduplicated tables (the `analyst_*` views) with SQL and nothing else. The tenant comes from
/// the login role itself, so no setting of the session can change it.
public struct Analyst: Sendable, Hashable, Codable {
    /// The analyst's identity.
    public let id: AnalystID
    /// The tenant whose rows it reads.
    public let tenantID: TenantID
    /// The PostgreSQL role it logs in as.
    public let role: String
    /// A name to tell analysts apart (a person, a team, a tool).
    public let name: DisplayName
    /// When it was created.
    public let createdAt: Date
    /// When it was revoked, if it was: it can no longer log in.
    public let revokedAt: Date?

    /// Creates an analyst value.
    public init(id: AnalystID, tenantID: TenantID, role: String, name: DisplayName, createdAt: Date, revokedAt: Date?) {
        self.id = id
        self.tenantID = tenantID
        self.role = role
        self.name = name
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }

    /// Whether it may still log in.
    public var isActive: Bool { revokedAt == nil }

    /// The role name an analyst id gets: `tandem_analyst_` and the id's 32 hex digits, which
    /// PostgreSQL takes without quoting and which never clashes with another role of Tandem.
    public static func roleName(for id: AnalystID) -> String {
        "tandem_analyst_" + id.rawValue.uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    }
}

/// A freshly created analyst login as its owner sees it, once: the record and the password.
/// This is the JSON of `POST /api/v1/analysts` and of `tandem analyst create --json`.
public struct IssuedAnalyst: Sendable, Codable {
    /// The analyst's id.
    public let id: AnalystID
    /// The PostgreSQL role to log in as.
    public let role: String
    /// The password of the role. Never retrievable again.
    public let password: String
    /// The tenant whose rows it reads.
    public let tenantId: TenantID
    /// Its name.
    public let name: String
    /// When it was created.
    public let createdAt: Date

    /// Combines a stored analyst with its password.
    public init(_ record: Analyst, password: Secret) {
        id = record.id
        role = record.role
        self.password = password.revealed
        tenantId = record.tenantID
        name = record.name.value
        createdAt = record.createdAt
    }
}
