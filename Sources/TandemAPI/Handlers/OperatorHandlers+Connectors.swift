import Foundation
import TandemCore
import TandemOpenAPI
import TandemStore

/// `GET /api/v1/connectors` (paged, filtered by status, network and a search) and
/// `GET /api/v1/connectors/{id}`: the connector details view (the product document's Figure 8).
extension OperatorHandlers {
    func listConnectors(_ input: Operations.ListConnectors.Input) async throws -> Operations.ListConnectors.Output {
        let (tenant, _) = try Self.request()
        let query = input.query
        let filter = try ConnectorFilter(status: query.status?.rawValue, network: query.network?.rawValue, search: query.search)
        let (after, limit) = try Self.page(limit: query.limit, cursor: query.cursor, keyParts: 2) { key in
            TokenID(key[0]).flatMap { token in ConnectorID(key[1]).map { (token, $0) } }
        }
        let page = try await store.connectors.list(tenant: tenant, filter: filter, after: after, limit: limit)
        return .ok(
            .init(body: .json(.init(connectors: page.items.map(Components.Schemas.ConnectorSummary.init), nextCursor: page.nextCursor))))
    }

    func getConnector(_ input: Operations.GetConnector.Input) async throws -> Operations.GetConnector.Output {
        let (tenant, _) = try Self.request()
        guard let id = ConnectorID(input.path.id), let connector = try await store.connectors.find(tenant: tenant, id: id) else {
            throw APIError.notFound("connector")
        }
        return .ok(.init(body: .json(.init(connector, now: Date()))))
    }
}
