import HTTPTypes
import Hummingbird
import TandemCore

/// Behind a trusted balancer, replaces the request's client address (the throttle key) with
/// the one the balancer forwarded in `X-Forwarded-For`; from anyone else the header is ignored.
struct ClientAddressMiddleware: RouterMiddleware {
    let trusted: TrustedProxies

    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!

    func handle(
        _ request: Request, context: OperatorContext, next: (Request, OperatorContext) async throws -> Response
    ) async throws -> Response {
        guard !trusted.addresses.isEmpty, let peer = context.remoteAddress else { return try await next(request, context) }
        var context = context
        context.remoteAddress = trusted.clientAddress(peer: peer, forwardedFor: request.headers[values: Self.forwardedFor])
        return try await next(request, context)
    }
}
