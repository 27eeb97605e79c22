import Foundation
import Hummingbird
import Logging
import Metrics
import TandemCore
import TandemStore

/// Authenticates operator requests by their `Authorization: Bearer <API key>` header and sets
/// ``OperatorContext/tenantID``, also as ``OperatorContext/current`` for the generated
/// handlers; anything else is answered 401 before a handler runs.
struct OperatorAuthenticator: RouterMiddleware {
    typealias Context = OperatorContext
    let tenants: TenantRepository
    /// `tandem_auth_failures_total{listener="http"}`.
    let failures: Counter
    /// Answers failures from addresses with too many recent ones 429 (a valid key always passes).
    let throttle: AuthenticationThrottle

    func handle(
        _ request: Request, context: OperatorContext,
        next: (Request, OperatorContext) async throws -> Response
    ) async throws -> Response {
        guard let key = Secret(authorization: request.headers[.authorization]),
            let tenant = try await tenants.authenticate(apiKey: key)
        else {
            failures.increment()
            if let wait = throttle.fail(context.throttleKey) { throw APIError.tooManyFailures(retryAfter: wait) }
            throw APIError.unauthorized
        }
        var context = context
        context.tenantID = tenant
        context.logger[metadataKey: LogKey.tenant] = "\(tenant)"
        return try await OperatorContext.$current.withValue(context) { try await next(request, context) }
    }
}
