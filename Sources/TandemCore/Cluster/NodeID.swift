public import Foundation

/// The name of one `tandem serve` process in a cluster: 1 to 64 characters of letters,
/// digits, `.`, `_` and `-`, so it can travel in a notification and a log line unquoted.
public struct NodeID: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The name.
    public let value: String

    /// Validates `value`.
    /// - Throws: ``ValidationError`` naming `field` when it is empty, too long or holds other characters.
    public init(_ value: String, field: String = "nodeId") throws(ValidationError) {
        guard (1...64).contains(value.utf8.count),
            value.utf8.allSatisfy({ Self.allowed.contains($0) })
        else {
            throw ValidationError(field: field, message: "must be 1 to 64 letters, digits, '.', '_' or '-' (got \(value.utf8.count) bytes)")
        }
        self.value = value
    }

    /// A name for a node started without one: the host name (cut to fit) and 8 random hex digits,
    /// new at each start, so a restarted node never mistakes another's sessions for its own.
    public static func generated(hostname: String = ProcessInfo.processInfo.hostName) -> NodeID {
        let host = String(decoding: hostname.utf8.filter { allowed.contains($0) }.prefix(48), as: UTF8.self)
        let suffix = String(UInt32.random(in: .min ... .max), radix: 16)
        let padded = String(repeating: "0", count: 8 - suffix.count) + suffix
        return try! NodeID(host.isEmpty ? "node-\(padded)" : "\(host)-\(padded)")
    }

    public var description: String { value }

    private static let allowed: Set<UInt8> = Set(Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-".utf8))
}
