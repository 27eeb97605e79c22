import Hummingbird
import TandemCore
import TandemOpenAPI
import TandemStore

/// `GET /api/v1/controllers` (paged) and `GET /api/v1/controllers/{ip}`: each controller of the
/// tenant with the connectors connected to it and their counters as the connectors report
/// them (the cloud-side equivalent of the controller's `show nmsp status`, Figure 10), flagged
/// when only one member of an active pair sees it.
struct ControllerRoutes {
    let connectors: ConnectorRepository

    func add(to group: RouterGroup<OperatorContext>) {
        // Paged by IP address (the list is built in memory from the configurations and the
        // heartbeats, then cut after the cursor's address).
        group.get("controllers") { request, context -> ListPage<Components.Schemas.Controller> in
            let (after, limit) = try request.page(keyParts: 1) { $0[0].isEmpty ? nil : $0[0] }
            let sorted = try await views(context.requireTenant()).sorted { $0.ipAddress < $1.ipAddress }
            let fetched = Array(sorted.drop { view in after.map { view.ipAddress <= $0 } ?? false }.prefix(limit + 1))
            return ListPage("controllers", Page(fetched: fetched, limit: limit) { [$0.ipAddress] }, Components.Schemas.Controller.init)
        }
        group.get("controllers/{ip}") { _, context -> Components.Schemas.Controller in
            guard let ip = context.parameters.get("ip"),
                let view = try await views(context.requireTenant()).first(where: { $0.ipAddress == ip })
            else {
                throw APIError.notFound("controller")
            }
            return .init(view)
        }
    }

    private func views(_ tenant: TenantID) async throws -> [ControllerView] {
        let (reports, configured) = try await connectors.controllerReports(tenant: tenant)
        return ControllerView.build(reports: reports, configured: configured)
    }
}
