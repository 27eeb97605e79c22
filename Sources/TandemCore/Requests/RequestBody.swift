import Foundation

/// Decoding of operator request bodies: JSON bytes to a value, with an error that names the
/// field at fault instead of Foundation's `DecodingError`.
public enum RequestBody {
    /// Decodes `bytes` as JSON of type `T`.
    /// - Throws: `RequestBodyError.invalid` naming the field that is missing or of the wrong
    ///   type, `.malformed` for anything else (not JSON, not an object).
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: some Collection<UInt8>) throws(RequestBodyError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch let DecodingError.keyNotFound(key, detail) {
            let field = path(detail.codingPath + [key])
            throw .invalid(ValidationError(field: field, message: "is required"))
        } catch let DecodingError.typeMismatch(expected, detail), let DecodingError.valueNotFound(expected, detail) {
            throw .invalid(ValidationError(field: path(detail.codingPath), message: "must be \(jsonName(of: expected))"))
        } catch let error as ValidationError {
            throw .invalid(error)
        } catch {
            throw .malformed
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
