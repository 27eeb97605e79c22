public import Hummingbird
import HummingbirdCore
import HummingbirdTLS
public import Logging
import Metrics
import NIOCore
import NIOSSL
import OpenAPIHummingbird
import OpenAPIRuntime
import Prometheus
public import TandemCore
import TandemOpenAPI
public import TandemStore

/// The operator HTTP API: builds the router with every route and its middleware.
public struct OperatorAPI: Sendable {
    private let store: Store
    private let notifier: any HAGroupNotifier
    private let metrics: MetricsEndpoint?
    private let sessions = DashboardSessions()
    private let throttle = AuthenticationThrottle()
    private let limits: HTTPLimits
    private let analystLimits: AnalystRepository.Limits
    private let trustedProxies: TrustedProxies

    /// Creates the API over `store`; `notifier` pushes configuration changes and reprovision
    /// requests to the connectors (the ingest layer's session registry); `metrics`, when
    /// given, is served at `/metrics`; `limits` bound slow and idle clients; `analystLimits`
    /// are given to each analyst login created through the API; `trustedProxies` may name the
    /// client in `X-Forwarded-For`.
    public init(
        store: Store, notifier: any HAGroupNotifier, metrics: MetricsEndpoint? = nil, limits: HTTPLimits = .init(),
        analystLimits: AnalystRepository.Limits = .init(), trustedProxies: TrustedProxies = .init()
    ) {
        self.trustedProxies = trustedProxies
        self.store = store
        self.notifier = notifier
        self.metrics = metrics
        self.limits = limits
        self.analystLimits = analystLimits
    }

    /// The router: `/healthz`, `/readyz` in the open, `/metrics` (behind its own token when
    /// configured), `/api/v1/…` behind the API key.
    /// - Throws: only if the generated handlers could not be registered (a bad server URL).
    public func makeRouter(secureCookies: Bool = false) throws -> Router<OperatorContext> {
        let router = Router(context: OperatorContext.self, options: .autoGenerateHeadEndpoints)
        router.add(middleware: ErrorMiddleware())
        router.add(middleware: ClientAddressMiddleware(trusted: trustedProxies))
        router.add(middleware: RequestBodyDeadline(limits: limits))
        HealthRoutes(store: store).add(to: router)
        OpenAPIRoutes().add(to: router)
        DashboardRoutes(store: store, sessions: sessions, throttle: throttle, secureCookie: secureCookies).add(to: router)
        if let metrics { MetricsRoutes(endpoint: metrics).add(to: router) }
        let authenticator = OperatorAuthenticator(
            tenants: store.tenants,
            failures: Counter(
                label: AuthenticationThrottle.failuresMetric, dimensions: [("listener", "http")],
                factory: metrics.map { PrometheusMetricsFactory(registry: $0.registry) } ?? MetricsSystem.factory),
            throttle: throttle)
        // The /api/v1 operations, from OpenAPI/openapi.json (their paths are the spec's own).
        let api = router.group().add(middleware: authenticator).add(middleware: AcceptsJSON())
        // Compact JSON with sorted keys (the runtime pretty-prints by default).
        try OperatorHandlers(store: store, notifier: notifier, analystLimits: analystLimits)
            .registerHandlers(on: api, configuration: .init(jsonEncodingOptions: [.sortedKeys]))
        router.add(middleware: AllowedMethods(of: router))
        return router
    }

    /// An application serving the API on `host`:`port`, over TLS when `tls` names PEM files,
    /// closing idle connections and holding at most ``HTTPLimits/maximumConnections``.
    /// - Throws: when the certificate or key can't be read.
    public func makeApplication(
        host: String, port: Int, tls: (certificateChainPath: String, privateKeyPath: String)? = nil, logger: Logger
    ) throws -> some ApplicationProtocol {
        let http1 = HTTP1Channel.Configuration(idleTimeout: TimeAmount(limits.idleTimeout))
        var server: HTTPServerBuilder = .http1(configuration: http1)
        if let tls {
            let chain = try NIOSSLCertificate.fromPEMFile(tls.certificateChainPath).map { NIOSSLCertificateSource.certificate($0) }
            let key = try NIOSSLPrivateKey(file: tls.privateKeyPath, format: .pem)
            server = try .tls(
                .http1(configuration: http1),
                tlsConfiguration: .makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key)))
        }
        return Application(
            router: try makeRouter(secureCookies: tls != nil),
            server: server,
            configuration: .init(
                address: .hostname(host, port: port), serverName: "tandem",
                availableConnectionsDelegate: MaximumAvailableConnections(limits.maximumConnections)),
            logger: logger)
    }
}
