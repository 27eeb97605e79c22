import Foundation
import Logging
import TandemCore
import TandemOpenAPI
import TandemStore

/// `POST/GET /api/v1/tokens`, `GET/DELETE /api/v1/tokens/{id}`: issuing, listing, reading and
/// revoking connector tokens of the authenticated tenant.
extension OperatorHandlers {
    func createToken(_ input: Operations.CreateToken.Input) async throws -> Operations.CreateToken.Output {
        let (tenant, logger) = try Self.request()
        let body =
            switch input.body {
            case .json(let json): json
            }
        let request = try TokenRequest(connectorName: body.connectorName, network: body.network.map(NetworkKind.init) ?? .wireless)
        let (token, secret) = try await store.tokens.create(
            tenant: tenant, connectorName: request.connectorName, network: request.network)
        logger.info("issued token", metadata: [LogKey.token: "\(token.id)"])
        return .created(.init(body: .json(.init(IssuedToken(token, secret: secret)))))
    }

    /// A page of the tenant's tokens, newest first.
    func listTokens(_ input: Operations.ListTokens.Input) async throws -> Operations.ListTokens.Output {
        let (tenant, _) = try Self.request()
        let (after, limit) = try Self.page(
            limit: input.query.limit, cursor: input.query.cursor, keyParts: 2, Self.newestFirst { TokenID($0) })
        let page = try await store.tokens.list(tenant: tenant, after: after, limit: limit)
        return .ok(.init(body: .json(.init(tokens: page.items.map(Components.Schemas.Token.init), nextCursor: page.nextCursor))))
    }

    func getToken(_ input: Operations.GetToken.Input) async throws -> Operations.GetToken.Output {
        let (tenant, _) = try Self.request()
        guard let token = try await store.tokens.find(tenant: tenant, id: try Self.tokenID(input.path.id, what: "token")) else {
            throw APIError.notFound("token")
        }
        return .ok(.init(body: .json(.init(token))))
    }

    /// Revokes the token (idempotent) and closes its live channels.
    func revokeToken(_ input: Operations.RevokeToken.Input) async throws -> Operations.RevokeToken.Output {
        let (tenant, logger) = try Self.request()
        guard let token = try await store.tokens.revoke(tenant: tenant, id: try Self.tokenID(input.path.id, what: "token")) else {
            throw APIError.notFound("token")
        }
        logger.info("revoked token", metadata: [LogKey.token: "\(token.id)"])
        await notifier.tokenRevoked(tenant: tenant, token: token.id)
        return .ok(.init(body: .json(.init(token))))
    }
}
