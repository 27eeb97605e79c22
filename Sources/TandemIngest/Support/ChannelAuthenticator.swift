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

    init(tokens: TokenRepository, metrics: IngestMetrics) {
        self.tokens = tokens
        self.metrics = metrics
    }

    func authenticate(_ metadata: Metadata) async throws -> Token {
        let header = metadata[stringValues: "authorization"].first(where: { _ in true }) ?? ""
        guard header.count > 7, header.prefix(7).lowercased() == "bearer " else {
            metrics.authenticationFailed(listener: "grpc")
            throw RPCError(code: .unauthenticated, message: "missing token: send metadata 'authorization: Bearer <token>'")
        }
        let secret = Secret(String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces))
        guard let token = try await tokens.authenticate(secret: secret) else {
            metrics.authenticationFailed(listener: "grpc")
            throw RPCError(code: .unauthenticated, message: "unknown or revoked token: configure a live token from the operator API")
        }
        return token
    }
}
