public import Foundation

/// A typed UUID identity: `Identifier<Tenant>` and `Identifier<Token>` can't be mixed up.
///
/// Encoded as lowercase canonical UUID text, which is also how the API prints it.
public struct Identifier<Subject>: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// The UUID under the identifier.
    public let rawValue: UUID

    /// Wraps an existing UUID.
    public init(_ rawValue: UUID) { self.rawValue = rawValue }

    /// Parses canonical UUID text; returns `nil` for anything else.
    public init?(_ text: String) {
        guard let uuid = UUID(uuidString: text) else { return nil }
        self.rawValue = uuid
    }

    /// A fresh random identifier.
    public static func random() -> Self { Self(UUID()) }

    public var description: String { rawValue.uuidString.lowercased() }

    /// The UUIDs' order: any fixed order serves (lock ordering, stable output).
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    public init(from decoder: any Decoder) throws { rawValue = try UUID(from: decoder) }
    public func encode(to encoder: any Encoder) throws { try description.encode(to: encoder) }
}

/// The identity of a tenant: every row Tandem stores belongs to exactly one.
public typealias TenantID = Identifier<Tenant>
/// The identity of a token, which is also the identity of its HA group.
public typealias TokenID = Identifier<Token>
/// The cloud's identity of one connector (one installed OVA), stable across reconnects.
public typealias ConnectorID = Identifier<Connector>
/// The identity of an analyst login.
public typealias AnalystID = Identifier<Analyst>
