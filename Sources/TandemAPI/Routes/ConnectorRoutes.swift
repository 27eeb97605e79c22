import Foundation
import Hummingbird
import Logging
import TandemCore
import TandemOpenAPI
import TandemStore

/// `GET /api/v1/connectors` (paged, filtered by status, network and a search) and
/// `GET /api/v1/connectors/{id}`: the connector details view (the product document's Figure 8)
/// for the authenticated tenant.
struct ConnectorRoutes {
    let connectors: ConnectorRepository

    func add(to group: RouterGroup<OperatorContext>) {
        group.get("connectors") { request, context -> ListPage<Components.Schemas.ConnectorSummary> in
            let tenant = try context.requireTenant()
            let query = request.uri.queryParameters
            let filter: ConnectorFilter
            do {
                filter = try ConnectorFilter(status: query.get("status"), network: query.get("network"), search: query.get("search"))
            } catch let error as ValidationError {
                throw APIError.invalid(error)
            }
            let (after, limit) = try request.page(keyParts: 2) { key in
                TokenID(key[0]).flatMap { token in ConnectorID(key[1]).map { (token, $0) } }
            }
            let page = try await connectors.list(tenant: tenant, filter: filter, after: after, limit: limit)
            return ListPage("connectors", page, Components.Schemas.ConnectorSummary.init)
        }
        group.get("connectors/{id}") { _, context -> Components.Schemas.ConnectorDetails in
            let tenant = try context.requireTenant()
            guard let text = context.parameters.get("id"), let id = ConnectorID(text),
                let connector = try await connectors.find(tenant: tenant, id: id)
            else { throw APIError.notFound("connector") }
            return .init(connector, now: Date())
        }
    }
}
