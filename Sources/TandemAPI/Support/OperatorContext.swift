public import Hummingbird
import NIOCore
public import TandemCore

/// The request context of the operator API: Hummingbird's core storage plus the tenant that
/// the request's API key authenticated (set by ``OperatorAuthenticator``).
public struct OperatorContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The authenticated tenant; `nil` before authentication and on public routes.
    public var tenantID: TenantID?
    /// The client's IP address (for throttling failed authentications); `nil` when unknown.
    /// Behind a trusted balancer, the address it forwarded (``ClientAddressMiddleware``).
    public internal(set) var remoteAddress: String?
    /// The client's connection (closed early when a request body comes too slowly).
    let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.tenantID = nil
        self.remoteAddress = source.channel.remoteAddress?.ipAddress
        self.channel = source.channel
    }

    /// The context of the request being handled, for the `/api/v1` handlers (``OperatorHandlers``),
    /// which the generated code calls with their operation's input only; set by
    /// ``OperatorAuthenticator`` around them.
    @TaskLocal static var current: OperatorContext?

    /// The key failed authentications are counted under.
    var throttleKey: String { remoteAddress ?? "unknown" }

    /// The authenticated tenant, or a 401 when the route was reached without one.
    public func requireTenant() throws -> TenantID {
        guard let tenantID else { throw APIError.unauthorized }
        return tenantID
    }
}
