import Foundation
import Logging
import TandemCore
import TandemOpenAPI
import TandemStore

/// `POST/GET /api/v1/analysts`, `DELETE /api/v1/analysts/{id}`: the authenticated tenant's
/// analyst logins (PostgreSQL roles that read this tenant's `analyst_*` views and nothing else).
extension OperatorHandlers {
    func createAnalyst(_ input: Operations.CreateAnalyst.Input) async throws -> Operations.CreateAnalyst.Output {
        let (tenant, logger) = try Self.request()
        let body =
            switch input.body {
            case .json(let json): json
            }
        let request = try AnalystRequest(name: body.name)
        let (analyst, password) = try await store.analysts.create(tenant: tenant, name: request.name, limits: analystLimits)
        logger.info("created analyst login", metadata: [LogKey.analyst: "\(analyst.id)", LogKey.role: "\(analyst.role)"])
        return .created(.init(body: .json(.init(IssuedAnalyst(analyst, password: password)))))
    }

    /// A page of the tenant's analysts, newest first.
    func listAnalysts(_ input: Operations.ListAnalysts.Input) async throws -> Operations.ListAnalysts.Output {
        let (tenant, _) = try Self.request()
        let (after, limit) = try Self.page(
            limit: input.query.limit, cursor: input.query.cursor, keyParts: 2, Self.newestFirst { AnalystID($0) })
        let page = try await store.analysts.list(tenant: tenant, after: after, limit: limit)
        return .ok(.init(body: .json(.init(analysts: page.items.map(Components.Schemas.Analyst.init), nextCursor: page.nextCursor))))
    }

    /// Revokes the login (idempotent): it can no longer log in and its sessions are ended.
    func revokeAnalyst(_ input: Operations.RevokeAnalyst.Input) async throws -> Operations.RevokeAnalyst.Output {
        let (tenant, logger) = try Self.request()
        guard let id = AnalystID(input.path.id), let analyst = try await store.analysts.revoke(tenant: tenant, id: id) else {
            throw APIError.notFound("analyst")
        }
        logger.info("revoked analyst login", metadata: [LogKey.analyst: "\(analyst.id)"])
        return .ok(.init(body: .json(.init(analyst))))
    }
}
