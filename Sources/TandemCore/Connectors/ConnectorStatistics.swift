public import Foundation

/// The live statistics a connector reports in its heartbeats (the connector UI's controller
/// channel and AP channel panels).
public struct ConnectorStatistics: Sendable, Hashable, Codable {
    /// One controller (or switch) the connector is connected to.
    public struct Controller: Sendable, Hashable, Codable {
        public var ipAddress: String
        public var connectedAt: Date?
        public var messageRate: Double
        public var status: String

        public init(ipAddress: String, connectedAt: Date?, messageRate: Double, status: String) {
            self.ipAddress = ipAddress
            self.connectedAt = connectedAt
            self.messageRate = messageRate
            self.status = status
        }
    }

    /// The AP channel's gRPC counters.
    public struct AccessPointChannel: Sendable, Hashable, Codable {
        public var incomingCount: UInt64
        public var incomingRate: Double
        public var outgoingCount: UInt64
        public var outgoingRate: Double
        public var activeConnections: UInt32

        public init(incomingCount: UInt64, incomingRate: Double, outgoingCount: UInt64, outgoingRate: Double, activeConnections: UInt32) {
            self.incomingCount = incomingCount
            self.incomingRate = incomingRate
            self.outgoingCount = outgoingCount
            self.outgoingRate = outgoingRate
            self.activeConnections = activeConnections
        }
    }

    /// Controllers the connector is connected to, as it reports them.
    public var controllers: [Controller]
    /// TDL/NMSP messages received, in total.
    public var tdlIncomingCount: UInt64
    /// TDL/NMSP messages per second.
    public var tdlIncomingRate: Double
    /// AP channel counters.
    public var accessPointChannel: AccessPointChannel
    /// NMSP messages received from controllers, in total.
    public var nmspMessagesReceived: UInt64

    public init(
        controllers: [Controller] = [], tdlIncomingCount: UInt64 = 0, tdlIncomingRate: Double = 0,
        accessPointChannel: AccessPointChannel = .init(
            incomingCount: 0, incomingRate: 0, outgoingCount: 0, outgoingRate: 0, activeConnections: 0),
        nmspMessagesReceived: UInt64 = 0
    ) {
        self.controllers = controllers
        self.tdlIncomingCount = tdlIncomingCount
        self.tdlIncomingRate = tdlIncomingRate
        self.accessPointChannel = accessPointChannel
        self.nmspMessagesReceived = nmspMessagesReceived
    }
}

extension ConnectorStatistics {
    /// The status a controller connection shows while its connector is not an active member.
    public static let connectorDown = "CONNECTOR DOWN"

    /// These figures as they are true now for a connector that is `live` (an active member) or
    /// not: a connector that is gone relays nothing, so its rates, its AP connections and its
    /// controller connections are shown as they are now (0, ``connectorDown``); its counts are
    /// totals and stay. The one rule the connector details and the controllers view share.
    public func now(live: Bool) -> ConnectorStatistics {
        guard !live else { return self }
        var figures = self
        figures.controllers = controllers.map {
            Controller(ipAddress: $0.ipAddress, connectedAt: $0.connectedAt, messageRate: 0, status: Self.connectorDown)
        }
        figures.tdlIncomingRate = 0
        figures.accessPointChannel.incomingRate = 0
        figures.accessPointChannel.outgoingRate = 0
        figures.accessPointChannel.activeConnections = 0
        return figures
    }
}
