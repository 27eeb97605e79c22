public import Foundation

/// A connector (one installed OVA) as the cloud knows it: what it said in its Hello, what its
/// heartbeats report, and the state of its channels. This is the connector details view.
public struct Connector: Sendable, Hashable {
    /// The state of one of its channels to the cloud.
    public struct ChannelState: Sendable, Hashable {
        /// Whether the channel is open now.
        public var active: Bool
        /// When it was last opened.
        public var connectedAt: Date?
        /// When it was last lost (the control channel: when the connector stopped being an
        /// active member), while it is not active.
        public var lostAt: Date?

        public init(active: Bool, connectedAt: Date?, lostAt: Date? = nil) {
            self.active = active
            self.connectedAt = connectedAt
            self.lostAt = active ? nil : lostAt
        }
    }

    public var id: ConnectorID
    public var tenantID: TenantID
    public var tokenID: TokenID
    /// The connector name of its token.
    public var name: String
    public var instanceID: String
    public var hostname: String
    public var ipAddress: String
    public var macAddress: String
    public var ovaVersion: String
    public var dockerVersion: String
    public var channels: ConnectorChannels
    public var controlChannel: ChannelState
    public var dataChannel: ChannelState
    /// Events received on its data channel.
    public var dataChannelEvents: Int64
    public var statistics: ConnectorStatistics
    public var lastHeard: Date?
    public var lastModified: Date
    /// The HA Active list of its group.
    public var haActive: [String]
    /// Controllers (or switches) configured for its group.
    public var configuredDevices: Int

    public init(
        id: ConnectorID, tenantID: TenantID, tokenID: TokenID, name: String, instanceID: String, hostname: String,
        ipAddress: String, macAddress: String, ovaVersion: String, dockerVersion: String, channels: ConnectorChannels,
        controlChannel: ChannelState, dataChannel: ChannelState, dataChannelEvents: Int64, statistics: ConnectorStatistics,
        lastHeard: Date?, lastModified: Date, haActive: [String], configuredDevices: Int
    ) {
        self.id = id
        self.tenantID = tenantID
        self.tokenID = tokenID
        self.name = name
        self.instanceID = instanceID
        self.hostname = hostname
        self.ipAddress = ipAddress
        self.macAddress = macAddress
        self.ovaVersion = ovaVersion
        self.dockerVersion = dockerVersion
        self.channels = channels
        self.controlChannel = controlChannel
        self.dataChannel = dataChannel
        self.dataChannelEvents = dataChannelEvents
        self.statistics = statistics
        self.lastHeard = lastHeard
        self.lastModified = lastModified
        self.haActive = haActive
        self.configuredDevices = configuredDevices
    }
}
