public import Hummingbird
public import TandemCore
import TandemStore

/// `GET /api/v1/controllers` and `GET /api/v1/controllers/{ip}`: each controller of the
/// tenant with the connectors connected to it and their counters as the connectors report
/// them (the cloud-side equivalent of the controller's `show nmsp status`, Figure 10), flagged
/// when only one member of an active pair sees it.
struct ControllerRoutes {
    let connectors: ConnectorRepository

    struct List: ResponseEncodable {
        let controllers: [ControllerView]
    }

    func add(to group: RouterGroup<OperatorContext>) {
        group.get("controllers") { _, context -> List in
            List(controllers: try await views(context.requireTenant()))
        }
        group.get("controllers/{ip}") { _, context -> ControllerView in
            guard let ip = context.parameters.get("ip"),
                let view = try await views(context.requireTenant()).first(where: { $0.ipAddress == ip })
            else {
                throw APIError.notFound("controller")
            }
            return view
        }
    }

    private func views(_ tenant: TenantID) async throws -> [ControllerView] {
        let (reports, configured) = try await connectors.controllerReports(tenant: tenant)
        return ControllerView.build(reports: reports, configured: configured)
    }
}

extension ControllerView: ResponseEncodable {}
