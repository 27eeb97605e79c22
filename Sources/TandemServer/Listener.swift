import GRPCCore
import NIOCore
import ServiceLifecycle

/// A listening service (the gRPC or the HTTP server) whose start failure names the listener
/// and its address: "could not listen for HTTP on 127.0.0.1:8080: address already in use",
/// not a bare `bind(…)` error. Any failure ends the whole service group, so `serve` exits
/// non-zero at once and stops the embedded PostgreSQL on its way out.
struct Listener: Service {
    let name: String
    let address: String
    let service: any Service

    func run() async throws {
        do {
            try await service.run()
        } catch {
            guard let io = Self.ioError(in: error) else { throw error }
            throw ListenerError(description: "could not listen for \(name) on \(address): \(Self.reason(io))")
        }
    }

    /// The socket error under `error` (gRPC wraps it in the cause of a `RuntimeError` or an `RPCError`).
    private static func ioError(in error: any Error) -> IOError? {
        if let io = error as? IOError { return io }
        if let rpc = error as? RPCError, let cause = rpc.cause { return ioError(in: cause) }
        if let runtime = error as? RuntimeError, let cause = runtime.cause { return ioError(in: cause) }
        return nil
    }

    private static func reason(_ error: IOError) -> String {
        switch error.errnoCode {
        case 98: "address already in use (another process listens there; pick another port)"
        case 13: "permission denied (ports below 1024 need privileges)"
        case 99: "address not available on this machine"
        default: "\(error)"
        }
    }
}

/// A listener could not start.
struct ListenerError: Error, CustomStringConvertible {
    let description: String
}
