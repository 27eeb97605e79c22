/// Input that breaks a rule of the domain. Says which field is wrong and why, so an HTTP
/// handler can answer 400 with the same words.
public struct ValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The name of the offending field as the caller spelled it (e.g. `connectorName`).
    public let field: String
    /// What is wrong and what is allowed.
    public let message: String

    /// Creates a validation error for `field`.
    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}
