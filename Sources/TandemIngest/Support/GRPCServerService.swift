public import GRPCCore
public import GRPCNIOTransportHTTP2
public import Logging
public import ServiceLifecycle

/// Runs a gRPC server as a `Service`: serves until graceful shutdown, then stops accepting
/// new streams and ends the open ones through `registry` (connectors' streams never end by
/// themselves: without it a shutdown waits for them forever).
public struct GRPCServerService: Service {
    private let server: GRPCServer<HTTP2ServerTransport.Posix>
    private let registry: SessionRegistry
    private let logger: Logger

    public init(server: GRPCServer<HTTP2ServerTransport.Posix>, registry: SessionRegistry, logger: Logger) {
        self.server = server
        self.registry = registry
        self.logger = logger
    }

    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await server.serve()
        } onGracefulShutdown: {
            server.beginGracefulShutdown()
            registry.drain()
        }
    }
}
