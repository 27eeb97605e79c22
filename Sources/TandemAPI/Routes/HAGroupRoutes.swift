import Foundation
import Hummingbird
import Logging
import TandemCore
import TandemOpenAPI
import TandemStore

/// `/api/v1/ha-groups` (a page of groups with their health, filtered) and
/// `/api/v1/ha-groups/{tokenId}`: a group's HA Active list, members, history, reprovision
/// flags and FastLocate state; its controllers or switches; reprovisioning.
struct HAGroupRoutes {
    let store: Store
    let notifier: any HAGroupNotifier

    func add(to group: RouterGroup<OperatorContext>) {
        group.get("ha-groups", use: list)
        group.get("ha-groups/{tokenId}", use: show)
        group.put("ha-groups/{tokenId}/controllers") { request, context in
            try await replace(request, context: context, network: .wireless)
        }
        group.put("ha-groups/{tokenId}/switches") { request, context in
            try await replace(request, context: context, network: .wired)
        }
        group.post("ha-groups/{tokenId}/reprovision", use: reprovision)
    }

    /// A page of the tenant's live groups in token-id order, filtered by health, network and
    /// a search over names, hostnames and IP addresses.
    @Sendable func list(_ request: Request, context: OperatorContext) async throws -> ListPage<Components.Schemas.HAGroupSummary> {
        let tenant = try context.requireTenant()
        let query = request.uri.queryParameters
        let filter: FleetFilter
        do {
            if query.get("search") == "" { throw ValidationError(field: "search", message: "must be 1 to 128 characters") }
            filter = try FleetFilter(health: query.get("health"), network: query.get("network"), search: query.get("search"))
        } catch let error as ValidationError {
            throw APIError.invalid(error)
        }
        let (after, limit) = try request.page(keyParts: 1) { TokenID($0[0]) }
        return ListPage(
            "groups", try await store.fleet.list(tenant: tenant, filter: filter, after: after, limit: limit),
            Components.Schemas.HAGroupSummary.init)
    }

    @Sendable func show(_ request: Request, context: OperatorContext) async throws -> Components.Schemas.HAGroup {
        let tenant = try context.requireTenant()
        let token = try TokenRoutes.tokenID(context, parameter: "tokenId", what: "HA group")
        guard let state = try await store.groups.state(tenant: tenant, token: token) else {
            throw APIError.notFound("HA group")
        }
        let members = try await store.connectors.list(tenant: tenant, token: token)
        return .init(state, token: token, members: members)
    }

    func replace(_ request: Request, context: OperatorContext, network: NetworkKind) async throws -> Components.Schemas.Devices {
        let tenant = try context.requireTenant()
        let token = try TokenRoutes.tokenID(context, parameter: "tokenId", what: "HA group")
        let body = try await request.decodeJSON(context: context, DeviceListRequest.init(json:))
        let devices = body.devices.map { HAGroupConfiguration.Device(ipAddress: $0.ipAddress, name: $0.name) }
        guard
            let configuration = try await store.groups.replaceDevices(
                tenant: tenant, token: token, network: network, devices: devices)
        else { throw APIError.notFound("HA group") }
        await notifier.configurationChanged(tenant: tenant, token: token)
        return .init(configuration)
    }

    @Sendable func reprovision(_ request: Request, context: OperatorContext) async throws -> Components.Schemas.HAGroup {
        let tenant = try context.requireTenant()
        let token = try TokenRoutes.tokenID(context, parameter: "tokenId", what: "HA group")
        let body = try await request.decodeJSON(context: context, ReprovisionRequest.init(json:))
        let services = body.services.map(\.rawValue).sorted()
        guard try await store.groups.clearReprovision(tenant: tenant, token: token, services: Set(services)) else {
            throw APIError.notFound("HA group")
        }
        await notifier.reprovisionRequested(tenant: tenant, token: token, services: services)
        return try await show(request, context: context)
    }
}
