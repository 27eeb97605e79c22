import Hummingbird
import Logging
import OpenAPIRuntime
import TandemCore
import TandemOpenAPI
import TandemStore

/// Maps errors to JSON answers once, at the edge: validation → 400, store not-found → 404,
/// Hummingbird's own errors keep their status with a JSON body, what the generated `/api/v1`
/// code refused (a body or query that does not decode, a content type it does not take) → its
/// 4xx, and anything unexpected → 500 with a request id instead of internals.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = OperatorContext

    func handle(
        _ request: Request, context: OperatorContext,
        next: (Request, OperatorContext) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            throw Self.answer(to: error, context: context)
        }
    }

    /// The ``APIError`` that answers `error`.
    static func answer(to error: any Error, context: OperatorContext) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as ValidationError:
            return .invalid(error)
        case let error as RequestBodyError:
            return APIError(error)
        case let error as StoreError where error.code == .notFound:
            return .notFound("resource")
        case let error as HTTPError:
            return APIError(
                error.status, code: error.status == .notFound ? .notFound : .httpError,
                message: error.body ?? error.status.reasonPhrase)
        case let error as ServerError:
            return answer(to: error, context: context)
        case let error where StoreError.refusedField(error) != nil:
            // A value the edge's validation let through and PostgreSQL refused: the request's
            // fault, permanent, named as the field it concerns.
            let refusal = StoreError.refusedField(error)!
            context.logger.notice("request refused by the database", metadata: [LogKey.error: "\(StoreError.loggable(error))"])
            return .invalid(
                ValidationError(
                    field: refusal.field,
                    message: "was refused by the database (SQLSTATE \(refusal.sqlState)); the same value fails every time"))
        default:
            context.logger.error(
                "request failed",
                metadata: [LogKey.error: "\(StoreError.loggable(error))", LogKey.type: "\(String(reflecting: type(of: error)))"])
            return APIError(.internalServerError, code: ._internal, message: "internal error; request id \(context.id)")
        }
    }

    /// What the generated code threw: a handler's own error, or the request it could not take.
    private static func answer(to error: ServerError, context: OperatorContext) -> APIError {
        if error.operationInput != nil && error.operationOutput == nil {
            return answer(to: error.underlyingError, context: context)  // the handler's own
        }
        if let decoding = error.underlyingError as? DecodingError {
            // The query or the body: the generated code decodes the query first, and its error
            // names no parameter, so the spec's own rules find the one at fault.
            if let broken = QueryParameterRules.spec.firstBroken(operationID: error.operationID, target: error.request.path ?? "") {
                return .invalid(broken)
            }
            return APIError(RequestBodyError(decoding))
        }
        switch error.httpStatus {
        case .unsupportedMediaType:
            return .unsupportedMediaType
        case let status where (400..<500).contains(status.code):
            return APIError(.badRequest, code: .invalidRequest, message: error.causeDescription)
        default:
            return answer(to: error.underlyingError, context: context)
        }
    }
}
