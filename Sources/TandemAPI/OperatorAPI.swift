public import Hummingbird
public import Logging
public import TandemCore
public import TandemStore

/// The operator HTTP API: builds the router with every route and its middleware.
public struct OperatorAPI: Sendable {
    private let store: Store

    /// Creates the API over `store`.
    public init(store: Store) {
        self.store = store
    }

    /// The router: `/healthz`, `/readyz` in the open, `/api/v1/…` behind the API key.
    public func makeRouter() -> Router<OperatorContext> {
        let router = Router(context: OperatorContext.self)
        router.add(middleware: ErrorMiddleware())
        HealthRoutes(store: store).add(to: router)
        let api = router.group("api/v1").add(middleware: OperatorAuthenticator(tenants: store.tenants))
        TokenRoutes(tokens: store.tokens).add(to: api)
        return router
    }

    /// An application serving the API on `host`:`port`.
    public func makeApplication(host: String, port: Int, logger: Logger) -> some ApplicationProtocol {
        Application(
            router: makeRouter(),
            configuration: .init(address: .hostname(host, port: port), serverName: "tandem"),
            logger: logger)
    }
}

extension IssuedToken: ResponseEncodable {}
