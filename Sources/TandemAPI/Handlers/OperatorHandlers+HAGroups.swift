import Foundation
import TandemCore
import TandemOpenAPI
import TandemStore

/// `/api/v1/ha-groups` (a page of groups with their health, filtered) and
/// `/api/v1/ha-groups/{tokenId}`: a group's HA Active list, members, history, reprovision
/// flags and FastLocate state; its controllers or switches; reprovisioning.
extension OperatorHandlers {
    /// A page of the tenant's live groups in token-id order, filtered by health, network and
    /// a search over names, hostnames and IP addresses.
    func listHAGroups(_ input: Operations.ListHAGroups.Input) async throws -> Operations.ListHAGroups.Output {
        let (tenant, _) = try Self.request()
        let query = input.query
        if query.search == "" { throw ValidationError(field: "search", message: "must be 1 to 128 characters") }
        let filter = try FleetFilter(health: query.health?.rawValue, network: query.network?.rawValue, search: query.search)
        let (after, limit) = try Self.page(limit: query.limit, cursor: query.cursor, keyParts: 1) { TokenID($0[0]) }
        let page = try await store.fleet.list(tenant: tenant, filter: filter, after: after, limit: limit)
        return .ok(.init(body: .json(.init(groups: page.items.map(Components.Schemas.HAGroupSummary.init), nextCursor: page.nextCursor))))
    }

    func getHAGroup(_ input: Operations.GetHAGroup.Input) async throws -> Operations.GetHAGroup.Output {
        let (tenant, _) = try Self.request()
        return .ok(.init(body: .json(try await group(tenant: tenant, token: try Self.tokenID(input.path.tokenId, what: "HA group")))))
    }

    func putControllers(_ input: Operations.PutControllers.Input) async throws -> Operations.PutControllers.Output {
        let body =
            switch input.body {
            case .json(let json): json
            }
        return .ok(.init(body: .json(try await replaceDevices(tokenId: input.path.tokenId, network: .wireless, with: body))))
    }

    func putSwitches(_ input: Operations.PutSwitches.Input) async throws -> Operations.PutSwitches.Output {
        let body =
            switch input.body {
            case .json(let json): json
            }
        return .ok(.init(body: .json(try await replaceDevices(tokenId: input.path.tokenId, network: .wired, with: body))))
    }

    /// Clears the group's reprovision flags for the services named and tells its connectors.
    func reprovision(_ input: Operations.Reprovision.Input) async throws -> Operations.Reprovision.Output {
        let (tenant, _) = try Self.request()
        let token = try Self.tokenID(input.path.tokenId, what: "HA group")
        let body =
            switch input.body {
            case .json(let json): json
            }
        let request = try ReprovisionRequest(services: body.services.map(\.rawValue))
        let services = request.services.map(\.rawValue).sorted()
        guard try await store.groups.clearReprovision(tenant: tenant, token: token, services: Set(services)) else {
            throw APIError.notFound("HA group")
        }
        await notifier.reprovisionRequested(tenant: tenant, token: token, services: services)
        return .ok(.init(body: .json(try await group(tenant: tenant, token: token))))
    }

    /// The group as `GET /api/v1/ha-groups/{tokenId}` shows it.
    private func group(tenant: TenantID, token: TokenID) async throws -> Components.Schemas.HAGroup {
        guard let state = try await store.groups.state(tenant: tenant, token: token) else { throw APIError.notFound("HA group") }
        return .init(state, token: token, members: try await store.connectors.list(tenant: tenant, token: token))
    }

    /// Replaces the group's controllers (wireless) or switches (wired) and pushes the new
    /// configuration to its connectors.
    private func replaceDevices(
        tokenId: String, network: NetworkKind, with body: Components.Schemas.DevicesRequest
    ) async throws -> Components.Schemas.Devices {
        let (tenant, _) = try Self.request()
        let token = try Self.tokenID(tokenId, what: "HA group")
        let request = try DeviceListRequest(devices: body.devices.map { ($0.ipAddress, $0.name) })
        let devices = request.devices.map { HAGroupConfiguration.Device(ipAddress: $0.ipAddress, name: $0.name) }
        guard let configuration = try await store.groups.replaceDevices(tenant: tenant, token: token, network: network, devices: devices)
        else { throw APIError.notFound("HA group") }
        await notifier.configurationChanged(tenant: tenant, token: token)
        return .init(configuration)
    }
}
