import Foundation
import Hummingbird
import Logging
import TandemCore
import TandemStore

/// `/api/v1/ha-groups` (a page of groups with their health, filtered) and
/// `/api/v1/ha-groups/{tokenId}`: a group's HA Active list, members, history, reprovision
/// flags and FastLocate state; its controllers or switches; reprovisioning.
struct HAGroupRoutes {
    let store: Store
    let notifier: any HAGroupNotifier

    struct HistoryEntry: Encodable {
        let kind: HAEventKind
        let connectorId: ConnectorID
        let peerConnectorId: ConnectorID?
        let ipAddress: String
        let detail: String
        let occurredAt: Date
    }

    struct Member: Encodable {
        let connectorId: ConnectorID
        let ipAddress: String
        let status: String
        let ovaVersion: String
        let channels: [String]
        let lastHeard: Date?
    }

    struct Group: ResponseEncodable {
        let tokenId: TokenID
        let connectorName: String
        let network: NetworkKind
        let haActive: [String]
        let health: String
        let splitAcrossNodes: Bool
        let members: [Member]
        let reprovision: [String: Bool]
        let fastLocate: [String: String?]
        let configurationModifiedAt: Date
        let history: [HistoryEntry]
    }

    /// A group as the list shows it: its health and members.
    struct Summary: Encodable, Sendable {
        struct Member: Encodable, Sendable {
            let connectorId: ConnectorID
            let hostname: String
            let ipAddress: String
            let status: String
            let lastHeard: Date?
        }
        let tokenId: TokenID
        let connectorName: String
        let network: NetworkKind
        let health: HAGroupHealth.Level
        let haActive: [String]
        let members: [Member]
        let lastFailover: Date?
        /// Distinct events per second stored over the last 5 minutes.
        let eventsPerSecond: Double

        init(_ group: FleetRepository.Group) {
            tokenId = group.token
            connectorName = group.name
            network = group.network
            health = group.health
            haActive = group.members.filter(\.active).map(\.ipAddress)
            members = group.members.map {
                Member(
                    connectorId: $0.id, hostname: $0.hostname, ipAddress: $0.ipAddress, status: $0.active ? "active" : "inactive",
                    lastHeard: $0.lastHeard)
            }
            lastFailover = group.lastFailover
            eventsPerSecond = group.eventsPerSecond
        }
    }

    struct Devices: ResponseEncodable {
        let network: NetworkKind
        let devices: [HAGroupConfiguration.Device]
        let modifiedAt: Date
    }

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
    @Sendable func list(_ request: Request, context: OperatorContext) async throws -> ListPage<Summary> {
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
        return ListPage("groups", try await store.fleet.list(tenant: tenant, filter: filter, after: after, limit: limit), Summary.init)
    }

    @Sendable func show(_ request: Request, context: OperatorContext) async throws -> Group {
        let tenant = try context.requireTenant()
        let token = try TokenRoutes.tokenID(context, parameter: "tokenId", what: "HA group")
        guard let state = try await store.groups.state(tenant: tenant, token: token) else {
            throw APIError.notFound("HA group")
        }
        let members = try await store.connectors.list(tenant: tenant, token: token)
        return Group(
            tokenId: token, connectorName: state.token.connectorName.value, network: state.token.network,
            haActive: state.haActive,
            health: state.health.level.rawValue, splitAcrossNodes: state.health.splitAcrossNodes,
            members: members.map {
                Member(
                    connectorId: $0.id, ipAddress: $0.ipAddress, status: $0.controlChannel.active ? "active" : "inactive",
                    ovaVersion: $0.ovaVersion, channels: $0.channels.names, lastHeard: $0.lastHeard)
            },
            reprovision: ["hyperlocation": state.hyperlocationNeedsReprovision, "iot": state.iotNeedsReprovision],
            fastLocate: [
                "state": state.fastLocateState.rawValue, "since": state.fastLocateSince.map { ISO8601DateFormatter().string(from: $0) },
            ],
            configurationModifiedAt: state.configurationModifiedAt,
            history: state.history.map {
                HistoryEntry(
                    kind: $0.kind, connectorId: $0.connectorID, peerConnectorId: $0.peerConnectorID,
                    ipAddress: $0.ipAddress, detail: $0.detail, occurredAt: $0.occurredAt)
            })
    }

    func replace(_ request: Request, context: OperatorContext, network: NetworkKind) async throws -> Devices {
        let tenant = try context.requireTenant()
        let token = try TokenRoutes.tokenID(context, parameter: "tokenId", what: "HA group")
        let body = try await request.decodeJSON(context: context, DeviceListRequest.init(json:))
        let devices = body.devices.map { HAGroupConfiguration.Device(ipAddress: $0.ipAddress, name: $0.name) }
        guard
            let configuration = try await store.groups.replaceDevices(
                tenant: tenant, token: token, network: network, devices: devices)
        else { throw APIError.notFound("HA group") }
        await notifier.configurationChanged(tenant: tenant, token: token)
        return Devices(network: configuration.network, devices: configuration.devices, modifiedAt: configuration.modifiedAt)
    }

    @Sendable func reprovision(_ request: Request, context: OperatorContext) async throws -> Group {
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
