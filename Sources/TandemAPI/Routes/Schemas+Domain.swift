import Foundation
import Hummingbird
import TandemCore
import TandemOpenAPI
import TandemStore

// The operator API's responses are the types OpenAPI/openapi.json defines (generated into
// `Components.Schemas` by scripts/generate-openapi): each is built here from the domain value
// it shows, so the document and the JSON on the wire cannot drift apart.

extension Components.Schemas.NetworkKind {
    init(_ network: NetworkKind) {
        switch network {
        case .wireless: self = .wireless
        case .wired: self = .wired
        }
    }
}

extension NetworkKind {
    init(_ network: Components.Schemas.NetworkKind) {
        switch network {
        case .wireless: self = .wireless
        case .wired: self = .wired
        }
    }
}

extension Components.Schemas.HealthLevel {
    init(_ level: HAGroupHealth.Level) {
        switch level {
        case .healthy: self = .healthy
        case .degraded: self = .degraded
        case .down: self = .down
        case .neverConnected: self = .neverConnected
        }
    }
}

extension Components.Schemas.HAHistoryEntry.KindPayload {
    init(_ kind: HAEventKind) {
        switch kind {
        case .joined: self = .joined
        case .lost: self = .lost
        case .left: self = .left
        case .failover: self = .failover
        case .handover: self = .handover
        case .recovered: self = .recovered
        case .down: self = .down
        }
    }
}

extension Components.Schemas.HAGroup.FastLocatePayload.StatePayload {
    init(_ state: FastLocateState) {
        switch state {
        case .flowing: self = .flowing
        case .reEstablishing: self = .reEstablishing
        case .overdue: self = .overdue
        case .stopped: self = .stopped
        }
    }
}

extension Components.Schemas.Token {
    /// A token as listed (never its secret).
    init(_ token: Token) {
        self.init(
            id: token.id.description, tenantId: token.tenantID.description, connectorName: token.connectorName.value,
            network: .init(token.network), createdAt: token.createdAt, revokedAt: token.revokedAt, active: token.isActive)
    }
}

extension Components.Schemas.IssuedToken {
    /// A token as issued: the one time its secret is shown.
    init(_ issued: IssuedToken) {
        self.init(
            id: issued.id.description, token: issued.token, tenantId: issued.tenantId.description, connectorName: issued.connectorName,
            network: .init(issued.network), createdAt: issued.createdAt)
    }
}

extension Components.Schemas.Analyst {
    /// An analyst as listed (never its password).
    init(_ analyst: Analyst) {
        self.init(
            id: analyst.id.description, tenantId: analyst.tenantID.description, role: analyst.role, name: analyst.name.value,
            createdAt: analyst.createdAt, revokedAt: analyst.revokedAt, active: analyst.isActive)
    }
}

extension Components.Schemas.IssuedAnalyst {
    /// An analyst login as created: the one time its password is shown.
    init(_ issued: IssuedAnalyst) {
        self.init(
            id: issued.id.description, role: issued.role, password: issued.password, tenantId: issued.tenantId.description,
            name: issued.name, createdAt: issued.createdAt)
    }
}

extension Components.Schemas.ChannelStatus {
    /// A channel's state, with how long it has been up when it is.
    init(_ state: Connector.ChannelState, now: Date) {
        self.init(
            status: state.active ? .active : .inactive, connectedAt: state.connectedAt,
            connectionDurationSeconds: state.active ? state.connectedAt.map { max(0, Int(now.timeIntervalSince($0))) } : nil,
            lostAt: state.lostAt)
    }
}

extension Components.Schemas.ConnectorSummary {
    /// One connector in the list.
    init(_ connector: Connector) {
        self.init(
            id: connector.id.description, name: connector.name, version: connector.dockerVersion, ovaVersion: connector.ovaVersion,
            ipAddress: connector.ipAddress, numberOfControllers: connector.configuredDevices,
            numberOfAPs: Int(connector.statistics.accessPointChannel.activeConnections),
            status: connector.controlChannel.active ? "active" : "inactive", group: connector.tokenID.description)
    }
}

extension Components.Schemas.ConnectorDetails {
    /// Every field of the details view (the product document's Figure 8), plus hostname,
    /// tenant, channels and the statistics of the connector's heartbeats.
    init(_ connector: Connector, now: Date) {
        // A connector that is not an active member relays nothing now: its figures say so.
        let live = connector.controlChannel.active
        let statistics = connector.statistics.now(live: live)
        let accessPoints = statistics.accessPointChannel
        self.init(
            connectorName: connector.name, connectorVersion: connector.dockerVersion, ovaVersion: connector.ovaVersion,
            connectorId: connector.id.description, numberOfAssociatedControllers: statistics.controllers.count,
            controlChannel: .init(connector.controlChannel, now: now), dataChannel: .init(connector.dataChannel, now: now),
            lastModified: connector.lastModified, lastHeard: connector.lastHeard, macAddress: connector.macAddress,
            ipAddress: connector.ipAddress, dataChannelNmspMessages: Int(connector.dataChannelEvents),
            nmspMessagesReceived: Int(clamping: statistics.nmspMessagesReceived), haActive: connector.haActive,
            hostname: connector.hostname, tenantId: connector.tenantID.description, tokenId: connector.tokenID.description,
            instanceId: connector.instanceID, channels: connector.channels.names,
            controllers: statistics.controllers.map {
                .init(ipAddress: $0.ipAddress, connectedAt: $0.connectedAt, messageRate: $0.messageRate, status: $0.status)
            },
            tdlIncomingCount: Int(clamping: statistics.tdlIncomingCount), tdlIncomingRate: statistics.tdlIncomingRate,
            accessPointChannel: .init(
                incomingCount: Int(clamping: accessPoints.incomingCount), incomingRate: accessPoints.incomingRate,
                outgoingCount: Int(clamping: accessPoints.outgoingCount), outgoingRate: accessPoints.outgoingRate,
                activeConnections: Int(accessPoints.activeConnections)),
            figuresLive: live, figuresReportedAt: connector.lastHeard)
    }
}

extension Components.Schemas.Controller {
    /// A controller of the tenant with the connectors connected to it (Figure 10's view).
    init(_ view: ControllerView) {
        self.init(
            ipAddress: view.ipAddress, names: view.names, configuredIn: view.configuredIn.map(\.description),
            connections: view.connections.map {
                .init(
                    connectorId: $0.connectorId.description, hostname: $0.hostname, connectorIpAddress: $0.connectorIpAddress,
                    groupId: $0.groupId.description, active: $0.active, status: $0.status, connectedAt: $0.connectedAt,
                    messageRate: $0.messageRate)
            },
            activeConnections: view.activeConnections, seenByOneMemberOnly: view.seenByOneMemberOnly.map(\.description),
            flagged: view.flagged)
    }
}

extension Components.Schemas.HAGroupSummary {
    /// One group of the fleet list.
    init(_ group: FleetRepository.Group) {
        self.init(
            tokenId: group.token.description, connectorName: group.name, network: .init(group.network),
            health: .init(group.health), haActive: group.members.filter(\.active).map(\.ipAddress),
            members: group.members.map {
                .init(
                    connectorId: $0.id.description, hostname: $0.hostname, ipAddress: $0.ipAddress, status: $0.active ? .active : .inactive,
                    lastHeard: $0.lastHeard)
            },
            lastFailover: group.lastFailover, eventsPerSecond: group.eventsPerSecond)
    }
}

extension Components.Schemas.HAGroup {
    /// A group: its members, HA Active list, health, reprovision flags, FastLocate and history.
    init(_ state: HAGroupState, token: TokenID, members: [Connector]) {
        self.init(
            tokenId: token.description, connectorName: state.token.connectorName.value, network: .init(state.token.network),
            haActive: state.haActive, health: .init(state.health.level),
            splitAcrossNodes: state.health.splitAcrossNodes,
            members: members.map {
                .init(
                    connectorId: $0.id.description, ipAddress: $0.ipAddress, status: $0.controlChannel.active ? "active" : "inactive",
                    ovaVersion: $0.ovaVersion, channels: $0.channels.names, lastHeard: $0.lastHeard)
            },
            reprovision: .init(hyperlocation: state.hyperlocationNeedsReprovision, iot: state.iotNeedsReprovision),
            fastLocate: .init(state: .init(state.fastLocateState), since: state.fastLocateSince),
            configurationModifiedAt: state.configurationModifiedAt,
            history: state.history.map {
                .init(
                    kind: .init($0.kind), connectorId: $0.connectorID.description,
                    peerConnectorId: $0.peerConnectorID?.description, ipAddress: $0.ipAddress, detail: $0.detail,
                    occurredAt: $0.occurredAt)
            })
    }
}

extension Components.Schemas.Devices {
    /// A group's controllers or switches as configured.
    init(_ configuration: HAGroupConfiguration) {
        self.init(
            network: .init(configuration.network), devices: configuration.devices.map { .init(ipAddress: $0.ipAddress, name: $0.name) },
            modifiedAt: configuration.modifiedAt)
    }
}

extension Components.Schemas.Health: ResponseEncodable {
    /// What "acked" means on the database (``DatabaseReplication``).
    static func database(_ replication: DatabaseReplication) -> DatabasePayload {
        .init(
            commitsSynchronous: replication.isSynchronous, synchronousStandbys: replication.synchronousStandbys,
            standbys: replication.standbys, summary: replication.description)
    }
}
