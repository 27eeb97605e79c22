import Foundation
import GRPCCore
import Logging
import TandemCore
import TandemStore

/// Authenticates a channel by its `authorization: Bearer <token>` metadata.
///
/// An unknown, revoked or missing token gets UNAUTHENTICATED and nothing is recorded for it
/// beyond the `tandem_auth_failures_total` counter; the token itself is never logged.
struct ChannelAuthenticator: Sendable {
    let tokens: TokenRepository
    let metrics: IngestMetrics
    let throttle: AuthenticationThrottle

    init(tokens: TokenRepository, metrics: IngestMetrics, throttle: AuthenticationThrottle) {
        self.tokens = tokens
        self.metrics = metrics
        self.throttle = throttle
    }

    /// The peer's address without its port (`ipv4:127.0.0.1:5000` → `ipv4:127.0.0.1`).
    static func address(ofPeer peer: String) -> String {
        guard let colon = peer.lastIndex(of: ":"), peer.hasPrefix("ipv4:") || peer.hasPrefix("ipv6:") else { return peer }
        return String(peer[..<colon])
    }

    func authenticate(_ metadata: Metadata, context: ServerContext) async throws -> Token {
        do {
            return try await check(metadata)
        } catch {
            // A valid token is never refused; failures past the address's limit are slowed down.
            if let wait = throttle.fail(Self.address(ofPeer: context.remotePeer)) {
                throw RPCError(
                    code: .resourceExhausted, message: "too many failed authentications from this address: retry after \(wait) s",
                    metadata: ["retry-after": "\(wait)"])
            }
            throw error
        }
    }

    private func check(_ metadata: Metadata) async throws -> Token {
        guard let secret = Secret(authorization: metadata[stringValues: "authorization"].first(where: { _ in true })) else {
            metrics.authenticationFailed(listener: "grpc")
            throw RPCError(code: .unauthenticated, message: "missing token: send metadata 'authorization: Bearer <token>'")
        }
        guard let token = try await tokens.authenticate(secret: secret) else {
            metrics.authenticationFailed(listener: "grpc")
            throw RPCError(code: .unauthenticated, message: "unknown or revoked token: configure a live token from the operator API")
        }
        return token
    }
}
