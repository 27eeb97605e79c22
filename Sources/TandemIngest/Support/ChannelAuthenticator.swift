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
    /// Looks tokens up by secret, many channels' in one statement.
    let lookup: RoundBatcher<Secret, Token?>
    let metrics: IngestMetrics
    let throttle: AuthenticationThrottle
    /// Balancers whose `x-forwarded-for` names the real client.
    let trustedProxies: TrustedProxies

    init(
        lookup: RoundBatcher<Secret, Token?>, metrics: IngestMetrics, throttle: AuthenticationThrottle, trustedProxies: TrustedProxies
    ) {
        self.lookup = lookup
        self.metrics = metrics
        self.throttle = throttle
        self.trustedProxies = trustedProxies
    }

    /// The peer's IP address without scheme and port (`ipv4:127.0.0.1:5000` → `127.0.0.1`,
    /// `ipv6:[::1]:5000` → `::1`); other peers (unix sockets) as they are.
    static func address(ofPeer peer: String) -> String {
        guard let colon = peer.lastIndex(of: ":"), peer.hasPrefix("ipv4:") || peer.hasPrefix("ipv6:") else { return peer }
        let host = peer[peer.index(peer.startIndex, offsetBy: 5)..<colon]
        return String(host.hasPrefix("[") && host.hasSuffix("]") ? host.dropFirst().dropLast() : host)
    }

    /// The client's address: the peer's, or behind a trusted balancer the one it forwarded.
    func clientAddress(_ metadata: Metadata, context: ServerContext) -> String {
        trustedProxies.clientAddress(
            peer: Self.address(ofPeer: context.remotePeer), forwardedFor: Array(metadata[stringValues: "x-forwarded-for"]))
    }

    func authenticate(_ metadata: Metadata, context: ServerContext) async throws -> Token {
        do {
            return try await check(metadata)
        } catch {
            // A valid token is never refused; failures past the address's limit are slowed down.
            if let wait = throttle.fail(clientAddress(metadata, context: context)) {
                throw IngestError.tooManyFailedAuthentications(retryAfter: wait)
            }
            throw error
        }
    }

    private func check(_ metadata: Metadata) async throws -> Token {
        guard let secret = Secret(authorization: metadata[stringValues: "authorization"].first(where: { _ in true })) else {
            metrics.authenticationFailed(listener: "grpc")
            throw IngestError.missingToken
        }
        guard let token = try await lookup(secret) else {
            metrics.authenticationFailed(listener: "grpc")
            throw IngestError.unknownToken
        }
        return token
    }
}
