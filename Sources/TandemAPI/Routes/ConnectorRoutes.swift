import Foundation
import Hummingbird
import Logging
import TandemCore
import TandemStore

/// `GET /api/v1/connectors` (paged, filtered by status, network and a search) and
/// `GET /api/v1/connectors/{id}`: the connector details view (the product document's Figure 8)
/// for the authenticated tenant.
struct ConnectorRoutes {
    let connectors: ConnectorRepository

    /// A channel's state: `{status, connectedAt, connectionDurationSeconds}`.
    struct ChannelStatus: Encodable {
        let status: String
        let connectedAt: Date?
        let connectionDurationSeconds: Int?

        init(_ state: Connector.ChannelState, now: Date) {
            status = state.active ? "active" : "inactive"
            connectedAt = state.connectedAt
            connectionDurationSeconds = state.active ? state.connectedAt.map { max(0, Int(now.timeIntervalSince($0))) } : nil
        }
    }

    /// One connector in the list.
    struct Summary: ResponseEncodable {
        let id: ConnectorID
        let name: String
        let version: String
        let ovaVersion: String
        let ipAddress: String
        let numberOfControllers: Int
        let numberOfAPs: Int
        let status: String
        let group: TokenID

        init(_ connector: Connector) {
            id = connector.id
            name = connector.name
            version = connector.dockerVersion
            ovaVersion = connector.ovaVersion
            ipAddress = connector.ipAddress
            numberOfControllers = connector.configuredDevices
            numberOfAPs = Int(connector.statistics.accessPointChannel.activeConnections)
            status = connector.controlChannel.active ? "active" : "inactive"
            group = connector.tokenID
        }
    }

    /// Every field of the details view (Figure 8), plus hostname, tenant, channels and the
    /// statistics of the connector's heartbeats.
    struct Details: ResponseEncodable {
        let connectorName: String
        let connectorVersion: String
        let ovaVersion: String
        let connectorId: ConnectorID
        let numberOfAssociatedControllers: Int
        let controlChannel: ChannelStatus
        let dataChannel: ChannelStatus
        let lastModified: Date
        let lastHeard: Date?
        let macAddress: String
        let ipAddress: String
        let dataChannelNmspMessages: Int64
        let nmspMessagesReceived: UInt64
        let haActive: [String]
        let hostname: String
        let tenantId: TenantID
        let tokenId: TokenID
        let instanceId: String
        let channels: [String]
        let controllers: [ConnectorStatistics.Controller]
        let tdlIncomingCount: UInt64
        let tdlIncomingRate: Double
        let accessPointChannel: ConnectorStatistics.AccessPointChannel

        init(_ connector: Connector, now: Date) {
            connectorName = connector.name
            connectorVersion = connector.dockerVersion
            ovaVersion = connector.ovaVersion
            connectorId = connector.id
            numberOfAssociatedControllers = connector.statistics.controllers.count
            controlChannel = ChannelStatus(connector.controlChannel, now: now)
            dataChannel = ChannelStatus(connector.dataChannel, now: now)
            lastModified = connector.lastModified
            lastHeard = connector.lastHeard
            macAddress = connector.macAddress
            ipAddress = connector.ipAddress
            dataChannelNmspMessages = connector.dataChannelEvents
            nmspMessagesReceived = connector.statistics.nmspMessagesReceived
            haActive = connector.haActive
            hostname = connector.hostname
            tenantId = connector.tenantID
            tokenId = connector.tokenID
            instanceId = connector.instanceID
            channels = connector.channels.names
            controllers = connector.statistics.controllers
            tdlIncomingCount = connector.statistics.tdlIncomingCount
            tdlIncomingRate = connector.statistics.tdlIncomingRate
            accessPointChannel = connector.statistics.accessPointChannel
        }
    }

    func add(to group: RouterGroup<OperatorContext>) {
        group.get("connectors") { request, context -> ListPage<Summary> in
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
            return ListPage("connectors", page, Summary.init)
        }
        group.get("connectors/{id}") { _, context -> Details in
            let tenant = try context.requireTenant()
            guard let text = context.parameters.get("id"), let id = ConnectorID(text),
                let connector = try await connectors.find(tenant: tenant, id: id)
            else { throw APIError.notFound("connector") }
            return Details(connector, now: Date())
        }
    }
}
