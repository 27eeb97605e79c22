import Foundation

/// What a request body that did not decode says: the field at fault instead of Foundation's
/// `DecodingError` (the operator API's generated types decode the bodies; TandemCore's request
/// types then apply the rules).
public enum RequestBody {
    /// What a failed decoding of a request says: the field that is missing, of the wrong type
    /// or of a value the API does not take; `.malformed` when the body is not JSON or not an
    /// object at all.
    public static func error(_ error: DecodingError) -> RequestBodyError {
        switch error {
        case .keyNotFound(let key, let detail):
            return .invalid(ValidationError(field: path(detail.codingPath + [key]), message: "is required"))
        case .typeMismatch(let expected, let detail), .valueNotFound(let expected, let detail):
            return .invalid(ValidationError(field: path(detail.codingPath), message: "must be \(jsonName(of: expected))"))
        case .dataCorrupted(let detail) where !detail.codingPath.isEmpty:
            return .invalid(ValidationError(field: path(detail.codingPath), message: "has a value this API does not take"))
        default:
            return .malformed
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
