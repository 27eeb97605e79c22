import Foundation
import Hummingbird

extension Request {
    /// The largest JSON body an operator route accepts.
    static let maximumJSONBodySize = 64 * 1024

    /// Decodes the body as JSON of type `T`, answering 400/413/415 with a message that says
    /// what is wrong (which field, which type) instead of a generic failure.
    func decodeJSON<T: Decodable>(_ type: T.Type, context: OperatorContext) async throws -> T {
        if let contentType = headers[.contentType], !contentType.lowercased().hasPrefix("application/json") {
            throw APIError(.unsupportedMediaType, code: .unsupportedMediaType, message: "send Content-Type: application/json")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await body.collect(upTo: Self.maximumJSONBodySize)
        } catch {
            throw APIError.bodyTooLarge(limit: Self.maximumJSONBodySize)
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch let DecodingError.keyNotFound(key, _) {
            throw APIError(.badRequest, code: .invalidField, message: "\(key.stringValue): is required", field: key.stringValue)
        } catch let DecodingError.typeMismatch(expected, detail), let DecodingError.valueNotFound(expected, detail) {
            let field = detail.codingPath.map(\.stringValue).joined(separator: ".")
            throw APIError(
                .badRequest, code: .invalidField, message: "\(field): must be a \(Self.jsonName(of: expected))",
                field: field)
        } catch {
            throw APIError(.badRequest, code: .invalidJSON, message: "request body is not a valid JSON object")
        }
    }

    private static func jsonName(of type: Any.Type) -> String {
        switch type {
        case is String.Type: "string"
        case is Array<Any>.Type, is [String].Type: "array"
        case is Int.Type, is Double.Type: "number"
        case is Bool.Type: "boolean"
        default: "JSON object"
        }
    }
}
