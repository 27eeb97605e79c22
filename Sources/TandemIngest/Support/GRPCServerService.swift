public import GRPCCore
public import GRPCNIOTransportHTTP2
public import Logging
public import ServiceLifecycle

/// Runs a gRPC server as a `Service`: serves until graceful shutdown, then stops accepting
/// new streams and lets the open ones finish.
public struct GRPCServerService: Service {
    private let server: GRPCServer<HTTP2ServerTransport.Posix>
    private let logger: Logger

    public init(server: GRPCServer<HTTP2ServerTransport.Posix>, logger: Logger) {
        self.server = server
        self.logger = logger
    }

    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await server.serve()
        } onGracefulShutdown: {
            server.beginGracefulShutdown()
        }
    }
}
