/// Why the body of an operator request was refused: it is not JSON of the expected shape, or
/// one of its fields breaks a rule. Both are permanent: the same body is refused again.
public enum RequestBodyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The body is not a JSON object of the expected shape.
    case malformed
    /// A field is missing, of the wrong type, or breaks a rule.
    case invalid(ValidationError)

    public var description: String {
        switch self {
        case .malformed: "request body is not a valid JSON object"
        case .invalid(let error): error.description
        }
    }
}
