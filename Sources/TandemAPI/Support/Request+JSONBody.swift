import Hummingbird
import TandemCore
import TandemOpenAPI

extension Request {
    /// The largest JSON body an operator route accepts.
    static let maximumJSONBodySize = 64 * 1024

    /// Reads the body as JSON and hands its bytes to `parse` (one of the validated request
    /// types of `TandemCore`), answering 400/413/415 with a message that says what is wrong
    /// (which field, which rule) instead of a generic failure.
    func decodeJSON<T>(
        context: OperatorContext, _ parse: ([UInt8]) throws(RequestBodyError) -> T
    ) async throws -> T {
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
            return try parse(Array(buffer.readableBytesView))
        } catch {
            throw APIError(error)
        }
    }
}
