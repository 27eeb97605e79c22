import Crypto
import Foundation

/// A bearer secret (an operator API key or a connector token) as the caller holds it.
///
/// Secrets are 32 random bytes, base64url-encoded behind a short prefix that says what they
/// are for (`tdk_` for API keys, `tdt_` for tokens). Tandem never stores one: only its
/// ``SecretHash`` is kept. `description` is redacted so a secret can't reach a log by accident.
public struct Secret: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// What a secret authorises; it decides the prefix.
    public enum Kind: String, Sendable {
        /// An operator API key: it authorises the tenant's HTTP API.
        case apiKey = "tdk_"
        /// A connector token: it authorises one HA group's gRPC channels.
        case connectorToken = "tdt_"
        /// A dashboard session id, kept in an HTTP-only cookie.
        case dashboardSession = "tds_"
        /// The password of an analyst's PostgreSQL login (PostgreSQL keeps its SCRAM verifier).
        case analystPassword = "tda_"
    }

    /// The full secret text, prefix included. Show it once, to its owner.
    public let revealed: String

    /// Wraps secret text received from a caller.
    public init(_ revealed: String) { self.revealed = revealed }

    /// The secret of an `Authorization: Bearer <secret>` value (scheme case-insensitive);
    /// `nil` for anything else.
    public init?(authorization header: String?) {
        guard let header, header.count > 7, header.prefix(7).lowercased() == "bearer " else { return nil }
        self.init(String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces))
    }

    /// Generates a new high-entropy secret (256 bits from the system's secure generator).
    public static func generate(_ kind: Kind) -> Secret {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let body = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return Secret(kind.rawValue + body)
    }

    /// The SHA-256 of the secret's UTF-8 bytes: what the database keeps.
    public var hash: SecretHash { SecretHash(bytes: Array(SHA256.hash(data: Data(revealed.utf8)))) }

    public var description: String { "Secret(redacted)" }
    public var debugDescription: String { "Secret(redacted)" }
}

/// The SHA-256 of a ``Secret``; the only form in which secrets are stored.
public struct SecretHash: Sendable, Hashable {
    /// The 32 digest bytes.
    public let bytes: [UInt8]

    /// Wraps digest bytes read back from storage.
    public init(bytes: [UInt8]) { self.bytes = bytes }

    /// Compares two hashes in time independent of where they first differ.
    public func constantTimeEquals(_ other: SecretHash) -> Bool {
        guard bytes.count == other.bytes.count else { return false }
        var difference: UInt8 = 0
        for index in bytes.indices { difference |= bytes[index] ^ other.bytes[index] }
        return difference == 0
    }
}
