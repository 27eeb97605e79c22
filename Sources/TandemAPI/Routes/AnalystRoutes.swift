import Foundation
import Hummingbird
import Logging
import TandemCore
import TandemOpenAPI
import TandemStore

/// `POST/GET /api/v1/analysts`, `DELETE /api/v1/analysts/{id}`: the authenticated tenant's
/// analyst logins (PostgreSQL roles that read this tenant's `analyst_*` views and nothing else).
struct AnalystRoutes {
    let analysts: AnalystRepository
    /// Connection limit and statement timeout of each new login.
    let limits: AnalystRepository.Limits

    func add(to group: RouterGroup<OperatorContext>) {
        group.post("analysts", use: create)
        group.get("analysts", use: list)
        group.delete("analysts/{id}", use: revoke)
    }

    @Sendable func create(_ request: Request, context: OperatorContext) async throws -> EditedResponse<Components.Schemas.IssuedAnalyst> {
        let tenant = try context.requireTenant()
        let body = try await request.decodeJSON(context: context, AnalystRequest.init(json:))
        let (analyst, password) = try await analysts.create(tenant: tenant, name: body.name, limits: limits)
        context.logger.info("created analyst login", metadata: [LogKey.analyst: "\(analyst.id)", "role": "\(analyst.role)"])
        return EditedResponse(status: .created, response: .init(IssuedAnalyst(analyst, password: password)))
    }

    /// A page of the tenant's analysts, newest first.
    @Sendable func list(_ request: Request, context: OperatorContext) async throws -> ListPage<Components.Schemas.Analyst> {
        let tenant = try context.requireTenant()
        let (after, limit) = try request.page(keyParts: 2) { key in
            Int64(key[0]).flatMap { micros in AnalystID(key[1]).map { (micros, $0) } }
        }
        return ListPage("analysts", try await analysts.list(tenant: tenant, after: after, limit: limit), Components.Schemas.Analyst.init)
    }

    @Sendable func revoke(_ request: Request, context: OperatorContext) async throws -> Components.Schemas.Analyst {
        let tenant = try context.requireTenant()
        guard let text = context.parameters.get("id"), let id = AnalystID(text),
            let analyst = try await analysts.revoke(tenant: tenant, id: id)
        else { throw APIError.notFound("analyst") }
        context.logger.info("revoked analyst login", metadata: [LogKey.analyst: "\(analyst.id)"])
        return .init(analyst)
    }
}
