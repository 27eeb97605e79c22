import Hummingbird

/// Limits of the operator HTTP listener against slow and idle clients.
public struct HTTPLimits: Sendable {
    /// How long a request body may take to arrive in full (default 10 s); past it the client
    /// gets 408 and its connection is closed.
    public var bodyTimeout: Duration = .seconds(10)
    /// How long a connection may stay idle, or hang in the middle of its headers, before it is
    /// closed (default 60 s).
    public var idleTimeout: Duration = .seconds(60)
    /// Connections open at once; further clients wait in the listen queue (default 1,000).
    public var maximumConnections = 1_000
    /// The largest request body accepted: that of a JSON body (64 KiB; the sign-in form is far smaller).
    public var maximumBodySize = 64 * 1024

    public init() {}
}
