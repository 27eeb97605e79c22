import Foundation
import Hummingbird
public import Prometheus
public import TandemCore

/// What `GET /metrics` serves: the process's Prometheus registry and, when set, the bearer
/// token a scraper must present (compared by hash, in constant time).
public struct MetricsEndpoint: Sendable {
    public let registry: PrometheusCollectorRegistry
    public let bearerToken: Secret?
    /// The process's own series, read at each scrape.
    let process: ProcessMetrics

    /// Serves `registry`, with the process's series and `build`'s `tandem_build_info` added to it.
    public init(registry: PrometheusCollectorRegistry, bearerToken: Secret?, build: BuildInfo = BuildInfo(commit: nil)) {
        self.registry = registry
        self.bearerToken = bearerToken
        self.process = ProcessMetrics(registry: registry, build: build)
    }
}

/// `GET /metrics`: every series in the Prometheus text exposition format, each family with its
/// `# HELP` line (``MetricHelp``).
struct MetricsRoutes {
    let endpoint: MetricsEndpoint

    func add(to router: Router<OperatorContext>) {
        router.get("metrics") { request, _ -> Response in
            if let expected = endpoint.bearerToken {
                let presented = Secret(authorization: request.headers[.authorization]) ?? Secret("")
                guard presented.hash.constantTimeEquals(expected.hash) else { throw APIError.unauthorized }
            }
            endpoint.process.update()
            var text: [UInt8] = []
            text.reserveCapacity(16 * 1024)
            endpoint.registry.emit(into: &text)
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: .init(bytes: MetricHelp.annotate(text))))
        }
    }
}
