import Foundation
public import TandemCore
public import TandemProtocol

extension ConnectorStatistics {
    /// The statistics of a wire Heartbeat, cleaned: addresses canonical where they parse, text
    /// without control characters, rates finite, times in range.
    public init(_ heartbeat: Tandem_V1_Heartbeat) {
        self.init(
            controllers: heartbeat.controllers.prefix(1_000).map {
                Controller(
                    // Canonical when it parses, so it matches the configured controllers.
                    ipAddress: IPAddress($0.ipAddress)?.canonical ?? Self.printable($0.ipAddress, 64),
                    connectedAt: DeviceEvent.acceptedTimeMicros.contains($0.connectedAtMicros) && $0.connectedAtMicros > 0
                        ? Date(timeIntervalSince1970: Double($0.connectedAtMicros) / 1e6) : nil,
                    messageRate: $0.messageRate.isFinite ? $0.messageRate : 0, status: Self.printable($0.status, 32))
            },
            tdlIncomingCount: heartbeat.tdlIncomingCount,
            tdlIncomingRate: heartbeat.tdlIncomingRate.isFinite ? heartbeat.tdlIncomingRate : 0,
            accessPointChannel: .init(
                incomingCount: heartbeat.accessPointChannel.incomingCount,
                incomingRate: heartbeat.accessPointChannel.incomingRate.isFinite ? heartbeat.accessPointChannel.incomingRate : 0,
                outgoingCount: heartbeat.accessPointChannel.outgoingCount,
                outgoingRate: heartbeat.accessPointChannel.outgoingRate.isFinite ? heartbeat.accessPointChannel.outgoingRate : 0,
                activeConnections: heartbeat.accessPointChannel.activeConnections),
            nmspMessagesReceived: heartbeat.nmspMessagesReceived)
    }

    /// At most `limit` characters of `text` without control characters (PostgreSQL's `jsonb`
    /// refuses `\u0000`): heartbeat statistics are informative, so they are cleaned, not refused.
    private static func printable(_ text: String, _ limit: Int) -> String {
        String(text.removingControlCharacters.prefix(limit))
    }
}
