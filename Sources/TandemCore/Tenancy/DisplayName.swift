/// A human-chosen name (a tenant's or a connector's): 1 to 128 characters after trimming,
/// no control characters. Anything else is stored as given and escaped where shown.
///
/// Characters are counted as PostgreSQL's `length()` counts them, the way its CHECK constraint
/// measures the stored name: Unicode code points, not what Swift calls characters (an `e`
/// followed by a combining accent is one Swift character but two code points).
public struct DisplayName: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The longest name accepted, in code points.
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
        let length = trimmed.unicodeScalars.count
        guard length <= Self.maximumLength else {
            throw ValidationError(
                field: field,
                message: "must be at most \(Self.maximumLength) characters, counted as Unicode code points (got \(length))"
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
