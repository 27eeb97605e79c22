import Hummingbird
import Logging
import TandemCore
import TandemOpenAPI
import TandemStore

/// Maps errors to JSON answers once, at the edge: validation → 400, store not-found → 404,
/// Hummingbird's own errors keep their status with a JSON body, and anything unexpected → 500
/// with a request id instead of internals.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = OperatorContext

    func handle(
        _ request: Request, context: OperatorContext,
        next: (Request, OperatorContext) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as ValidationError {
            throw APIError.invalid(error)
        } catch let error as StoreError where error.code == .notFound {
            throw APIError.notFound("resource")
        } catch let error as HTTPError {
            throw APIError(
                error.status, code: error.status == .notFound ? .notFound : .httpError,
                message: error.body ?? error.status.reasonPhrase)
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(String(reflecting: type(of: error)))"])
            throw APIError(.internalServerError, code: ._internal, message: "internal error; request id \(context.id)")
        }
    }
}
