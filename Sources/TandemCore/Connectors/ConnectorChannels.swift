/// Which of a connector's channels carry data. Normally both; with CSCvv34216 one connector
/// of a pair carries only the controller channel and its peer only the AP channel.
public struct ConnectorChannels: Sendable, Hashable, Codable {
    /// NMSP from wireless LAN controllers (or the switches of a wired token).
    public var controller: Bool
    /// gRPC from access points (BLE / IoT telemetry).
    public var accessPoint: Bool

    /// Creates a channel set.
    public init(controller: Bool, accessPoint: Bool) {
        self.controller = controller
        self.accessPoint = accessPoint
    }

    /// Both channels.
    public static let both = ConnectorChannels(controller: true, accessPoint: true)

    /// The channel names as the API shows them: `controller`, `accessPoint`.
    public var names: [String] {
        (controller ? ["controller"] : []) + (accessPoint ? ["accessPoint"] : [])
    }
}
