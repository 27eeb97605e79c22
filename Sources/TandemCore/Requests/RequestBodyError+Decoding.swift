import Foundation

/// A request body that did not decode (the operator API's generated types decode the bodies;
/// TandemCore's request types then apply the rules), said as the field at fault instead of
/// Foundation's `DecodingError`.
extension RequestBodyError {
    /// The field that is missing, of the wrong type or of a value the API does not take;
    /// `.malformed` when the body is not JSON or not an object at all.
    public init(_ error: DecodingError) {
        switch error {
        case .keyNotFound(let key, let detail):
            self = .invalid(ValidationError(field: Self.path(detail.codingPath + [key]), message: "is required"))
        case .typeMismatch(let expected, let detail), .valueNotFound(let expected, let detail):
            self = .invalid(ValidationError(field: Self.path(detail.codingPath), message: "must be \(Self.jsonName(of: expected))"))
        case .dataCorrupted(let detail) where !detail.codingPath.isEmpty:
            self = .invalid(ValidationError(field: Self.path(detail.codingPath), message: "has a value this API does not take"))
        default:
            self = .malformed
        }
    }

    /// `devices[2].ipAddress` for the coding path `devices`, `Index 2`, `ipAddress`.
    private static func path(_ keys: [any CodingKey]) -> String {
        var text = ""
        for key in keys {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return text.isEmpty ? "body" : text
    }

    private static func jsonName(of type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is [Any].Type, is [String].Type: "an array"
        case is Int.Type, is Double.Type: "a number"
        case is Bool.Type: "a boolean"
        default: "a JSON object"
        }
    }
}
