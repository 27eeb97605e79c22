import Foundation
import Hummingbird
import Logging
import TandemCore
import TandemOpenAPI
import TandemStore

/// `POST/GET /api/v1/tokens`, `DELETE /api/v1/tokens/{id}`: issuing, listing and revoking
/// connector tokens of the authenticated tenant.
struct TokenRoutes {
    let tokens: TokenRepository
    /// Closes the revoked token's live channels.
    let notifier: any HAGroupNotifier

    func add(to group: RouterGroup<OperatorContext>) {
        group.post("tokens", use: create)
        group.get("tokens", use: list)
        group.get("tokens/{id}", use: show)
        group.delete("tokens/{id}", use: revoke)
    }

    @Sendable func create(_ request: Request, context: OperatorContext) async throws -> EditedResponse<Components.Schemas.IssuedToken> {
        let tenant = try context.requireTenant()
        let body = try await request.decodeJSON(context: context, TokenRequest.init(json:))
        let (token, secret) = try await tokens.create(tenant: tenant, connectorName: body.connectorName, network: body.network)
        context.logger.info("issued token", metadata: [LogKey.token: "\(token.id)"])
        return EditedResponse(status: .created, response: .init(IssuedToken(token, secret: secret)))
    }

    /// A page of the tenant's tokens, newest first.
    @Sendable func list(_ request: Request, context: OperatorContext) async throws -> ListPage<Components.Schemas.Token> {
        let tenant = try context.requireTenant()
        let (after, limit) = try request.page(keyParts: 2) { key in
            Int64(key[0]).flatMap { micros in TokenID(key[1]).map { (micros, $0) } }
        }
        return ListPage("tokens", try await tokens.list(tenant: tenant, after: after, limit: limit), Components.Schemas.Token.init)
    }

    @Sendable func show(_ request: Request, context: OperatorContext) async throws -> Components.Schemas.Token {
        let tenant = try context.requireTenant()
        guard let token = try await tokens.find(tenant: tenant, id: try Self.tokenID(context)) else {
            throw APIError.notFound("token")
        }
        return .init(token)
    }

    @Sendable func revoke(_ request: Request, context: OperatorContext) async throws -> Components.Schemas.Token {
        let tenant = try context.requireTenant()
        guard let token = try await tokens.revoke(tenant: tenant, id: try Self.tokenID(context)) else {
            throw APIError.notFound("token")
        }
        context.logger.info("revoked token", metadata: [LogKey.token: "\(token.id)"])
        await notifier.tokenRevoked(tenant: tenant, token: token.id)
        return .init(token)
    }

    /// A token id path parameter; a malformed id is answered 404 like an unknown one.
    static func tokenID(_ context: OperatorContext, parameter: String = "id", what: String = "token") throws -> TokenID {
        guard let text = context.parameters.get(parameter), let id = TokenID(text) else { throw APIError.notFound(what) }
        return id
    }
}
