import Hummingbird

/// Answers a request whose path is routed but not for its method with 405 and an `Allow`
/// header listing the methods that are (HEAD wherever GET is), instead of the router's 404.
///
/// Added to the router last, it wraps only the router's not-found path: requests that found
/// their route never pass through it.
struct AllowedMethods: RouterMiddleware {
    typealias Context = OperatorContext

    private let routes: [(path: RouterPath, method: HTTPRequest.Method)]

    /// The methods of every route of `router` so far.
    init(of router: Router<OperatorContext>) {
        routes = router.routes.map { ($0.path, $0.method) }
    }

    /// The methods routed for `path` (HEAD included wherever GET is), sorted; empty when none is.
    func methods(for path: String) -> [HTTPRequest.Method] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        var methods: Set<String> = []
        for route in routes where route.path.components.count == segments.count {
            if zip(route.path.components, segments).allSatisfy({ $0 ~= $1 }) { methods.insert(route.method.rawValue) }
        }
        if methods.contains("GET") { methods.insert("HEAD") }
        return methods.sorted().compactMap { HTTPRequest.Method($0) }
    }

    func handle(
        _ request: Request, context: OperatorContext, next: (Request, OperatorContext) async throws -> Response
    ) async throws -> Response {
        let allowed = methods(for: request.uri.path)
        guard !allowed.isEmpty, !allowed.contains(request.method) else { return try await next(request, context) }
        throw APIError.methodNotAllowed(request.method, allowed: allowed)
    }
}
