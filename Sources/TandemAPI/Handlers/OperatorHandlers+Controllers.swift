import TandemCore
import TandemOpenAPI
import TandemStore

/// `GET /api/v1/controllers` (paged) and `GET /api/v1/controllers/{ip}`: each controller of the
/// tenant with the connectors connected to it and their counters as the connectors report
/// them (the cloud-side equivalent of the controller's `show nmsp status`, Figure 10), flagged
/// when only one member of an active pair sees it.
extension OperatorHandlers {
    /// Paged by IP address: the list is built in memory from the configurations and the
    /// heartbeats, then cut after the cursor's address.
    func listControllers(_ input: Operations.ListControllers.Input) async throws -> Operations.ListControllers.Output {
        let (tenant, _) = try Self.request()
        let (after, limit) = try Self.page(limit: input.query.limit, cursor: input.query.cursor, keyParts: 1) {
            $0[0].isEmpty ? nil : $0[0]
        }
        let sorted = try await controllers(of: tenant).sorted { $0.ipAddress < $1.ipAddress }
        let fetched = Array(sorted.drop { view in after.map { view.ipAddress <= $0 } ?? false }.prefix(limit + 1))
        let page = Page(fetched: fetched, limit: limit) { [$0.ipAddress] }
        return .ok(.init(body: .json(.init(controllers: page.items.map(Components.Schemas.Controller.init), nextCursor: page.nextCursor))))
    }

    func getController(_ input: Operations.GetController.Input) async throws -> Operations.GetController.Output {
        let (tenant, _) = try Self.request()
        guard let view = try await controllers(of: tenant).first(where: { $0.ipAddress == input.path.ip }) else {
            throw APIError.notFound("controller")
        }
        return .ok(.init(body: .json(.init(view))))
    }

    private func controllers(of tenant: TenantID) async throws -> [ControllerView] {
        let (reports, configured) = try await store.connectors.controllerReports(tenant: tenant)
        return ControllerView.build(reports: reports, configured: configured)
    }
}
