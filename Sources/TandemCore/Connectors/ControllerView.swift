public import Foundation

/// One controller as the cloud sees it through its connectors: which connectors report a
/// connection to it, with their counters — the cloud-side `show nmsp status` — and whether
/// both members of an active pair see it.
public struct ControllerView: Sendable, Hashable, Codable {
    /// What one connector reports (its last heartbeat) and where it stands.
    public struct Report: Sendable, Hashable {
        public var connector: ConnectorID
        public var group: TokenID
        public var hostname: String
        public var ipAddress: String
        /// Its control channel is active.
        public var active: Bool
        public var statistics: ConnectorStatistics

        public init(
            connector: ConnectorID, group: TokenID, hostname: String, ipAddress: String, active: Bool, statistics: ConnectorStatistics
        ) {
            self.connector = connector
            self.group = group
            self.hostname = hostname
            self.ipAddress = ipAddress
            self.active = active
            self.statistics = statistics
        }
    }

    /// A controller configured on a group.
    public struct Configured: Sendable, Hashable {
        public var group: TokenID
        public var ipAddress: String
        public var name: String

        public init(group: TokenID, ipAddress: String, name: String) {
            self.group = group
            self.ipAddress = ipAddress
            self.name = name
        }
    }

    /// One connector's connection to the controller.
    public struct Connection: Sendable, Hashable, Codable {
        public var connectorId: ConnectorID
        public var hostname: String
        public var connectorIpAddress: String
        public var groupId: TokenID
        /// The connector's control channel is active and it reports the controller `ACTIVE`.
        public var active: Bool
        public var status: String
        public var connectedAt: Date?
        public var messageRate: Double
    }

    public var ipAddress: String
    /// Names given to it in the groups' configuration.
    public var names: [String]
    /// Groups whose configuration lists it.
    public var configuredIn: [TokenID]
    public var connections: [Connection]
    /// Connections that are active now.
    public var activeConnections: Int
    /// Groups with two or more active members of which only one is connected to it: the other
    /// member is not receiving this controller's data.
    public var seenByOneMemberOnly: [TokenID]
    /// `true` when ``seenByOneMemberOnly`` is not empty.
    public var flagged: Bool

    /// Every controller configured or reported in a tenant, by IP address.
    public static func build(reports: [Report], configured: [Configured]) -> [ControllerView] {
        var addresses = Set(configured.map(\.ipAddress))
        for report in reports { addresses.formUnion(report.statistics.controllers.map(\.ipAddress)) }
        let activeMembers = Dictionary(grouping: reports.filter(\.active), by: \.group).mapValues(\.count)
        return addresses.sorted().map { address in
            let connections = reports.flatMap { report in
                report.statistics.now(live: report.active).controllers.filter { $0.ipAddress == address }.map { controller in
                    Connection(
                        connectorId: report.connector, hostname: report.hostname, connectorIpAddress: report.ipAddress,
                        groupId: report.group, active: report.active && controller.status.uppercased() == "ACTIVE",
                        status: controller.status, connectedAt: controller.connectedAt, messageRate: controller.messageRate)
                }
            }.sorted { ($0.groupId.description, $0.connectorIpAddress) < ($1.groupId.description, $1.connectorIpAddress) }
            let seeing = Dictionary(grouping: connections.filter(\.active), by: \.groupId).mapValues(\.count)
            let lopsided = seeing.filter { group, count in count == 1 && (activeMembers[group] ?? 0) >= 2 }.keys
                .sorted { $0.description < $1.description }
            let here = configured.filter { $0.ipAddress == address }
            return ControllerView(
                ipAddress: address, names: Array(Set(here.map(\.name).filter { !$0.isEmpty })).sorted(),
                configuredIn: here.map(\.group), connections: connections,
                activeConnections: connections.filter(\.active).count, seenByOneMemberOnly: lopsided,
                flagged: !lopsided.isEmpty)
        }
    }
}
