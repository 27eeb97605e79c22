/// A human-chosen name (a tenant's or a connector's): 1 to 128 characters after trimming,
/// no control characters. Anything else is stored as given and escaped where shown.
public struct DisplayName: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The longest name accepted, in characters.
    public static let maximumLength = 128

    /// The validated text.
    public let value: String

    /// Validates `text` as the value of `field`.
    /// - Throws: ``ValidationError`` naming `field` when the name is empty, too long or holds
    ///   control characters.
    public init(_ text: String, field: String) throws {
        let trimmed = text.trimmingWhitespace()
        guard !trimmed.isEmpty else {
            throw ValidationError(field: field, message: "must not be empty")
        }
        guard trimmed.count <= Self.maximumLength else {
            throw ValidationError(
                field: field,
                message: "must be at most \(Self.maximumLength) characters (got \(trimmed.count))"
            )
        }
        guard !trimmed.containsControlCharacter else {
            throw ValidationError(field: field, message: "must not contain control characters")
        }
        self.value = trimmed
    }

    public var description: String { value }

    public init(from decoder: any Decoder) throws {
        try self.init(try String(from: decoder), field: "name")
    }

    public func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
