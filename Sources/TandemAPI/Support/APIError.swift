import Foundation
package import Hummingbird
package import TandemCore
package import TandemOpenAPI
import TandemStore

/// An error the operator API returns: an HTTP status and a JSON body
/// `{"error": {"code": "…", "message": "…", "field": "…"}}` that says what went wrong.
package struct APIError: Error, HTTPResponseError, Sendable, CustomStringConvertible {
    /// The HTTP status.
    package let status: HTTPResponse.Status
    /// The stable machine-readable codes of the error body, as OpenAPI/openapi.json lists them
    /// (`Error.error.code`); clients switch on them.
    package typealias Code = Components.Schemas._Error._ErrorPayload.CodePayload

    /// A stable machine-readable code, e.g. `invalid_field`.
    package let code: Code
    /// What went wrong and what to do, for a person.
    package let message: String
    /// The request field at fault, when there is one.
    package let field: String?
    /// Seconds to wait before retrying (sent as `Retry-After`), for 429.
    package var retryAfter: Int?
    /// The methods the path takes (sent as `Allow`), for 405.
    package var allow: [HTTPRequest.Method]?

    /// Creates an error.
    package init(_ status: HTTPResponse.Status, code: Code, message: String, field: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
    }

    /// 401: no API key, an unknown one, or a revoked one (the three are not told apart).
    package static let unauthorized = APIError(
        .unauthorized, code: .unauthorized,
        message: "missing, unknown or revoked API key: send Authorization: Bearer <operator API key>")

    /// 429: too many failed authentications from this address.
    package static func tooManyFailures(retryAfter seconds: Int) -> APIError {
        var error = APIError(
            .tooManyRequests, code: .tooManyFailedAuthentications,
            message: "too many failed authentications from this address: retry after \(seconds) s")
        error.retryAfter = seconds
        return error
    }

    /// 413 for a request body larger than `limit` bytes.
    package static func bodyTooLarge(limit: Int) -> APIError {
        APIError(.contentTooLarge, code: .bodyTooLarge, message: "request body is larger than \(limit) bytes")
    }

    /// 408 for a request body that did not arrive within `timeout`.
    static func requestTimeout(after timeout: Duration) -> APIError {
        APIError(
            .requestTimeout, code: .requestTimeout,
            message: "the request body did not arrive within \(timeout.components.seconds) s; send it at once")
    }

    /// 404 for a resource this tenant does not have (whether another tenant has it is not told).
    package static func notFound(_ what: String) -> APIError {
        APIError(.notFound, code: .notFound, message: "\(what) not found")
    }

    /// 405 for a method the path does not take; `allowed` are those it does.
    static func methodNotAllowed(_ method: HTTPRequest.Method, allowed: [HTTPRequest.Method]) -> APIError {
        var error = APIError(
            .methodNotAllowed, code: .methodNotAllowed,
            message: "\(method.rawValue) is not allowed here; allowed: \(allowed.map(\.rawValue).joined(separator: ", "))")
        error.allow = allowed
        return error
    }

    /// 415 for a request body that is not JSON.
    static let unsupportedMediaType = APIError(
        .unsupportedMediaType, code: .unsupportedMediaType, message: "send Content-Type: application/json")

    /// 400 for a request body that is not JSON of the expected shape or breaks a rule.
    init(_ error: RequestBodyError) {
        switch error {
        case .malformed: self.init(.badRequest, code: .invalidJson, message: error.description)
        case .invalid(let field): self = .invalid(field)
        }
    }

    /// 400 for a field that breaks a rule.
    package static func invalid(_ error: ValidationError) -> APIError {
        APIError(.badRequest, code: .invalidField, message: "\(error.field): \(error.message)", field: error.field)
    }

    package func response(from request: Request, context: some RequestContext) throws -> Response {
        // Sorted keys: the same error is byte for byte the same body, whatever the cause.
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
        if let retryAfter { headers[.retryAfter] = "\(retryAfter)" }
        if let allow { headers[.allow] = allow.map(\.rawValue).joined(separator: ", ") }
        return Response(status: status, headers: headers, body: .init(byteBuffer: try jsonBody()))
    }

    /// The JSON body of the answer.
    func jsonBody() throws -> ByteBuffer {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return ByteBuffer(bytes: try encoder.encode(Components.Schemas._Error(error: .init(code: code, message: message, field: field))))
    }

    package var description: String { "\(status.code) \(code.rawValue): \(message)" }
}
