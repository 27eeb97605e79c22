import Foundation

/// One connector's delivery of one source device's channel: the unit pair statistics are kept for.
///
/// The two members of a pair that both carry a controller's channel have one line each; they
/// are each other's peers.
public struct DeliveryLine: Sendable, Hashable {
    public var tenant: TenantID
    /// The HA group (its token).
    public var group: TokenID
    public var connector: ConnectorID
    /// Controller IP, AP MAC or switch IP.
    public var sourceDevice: String
    public var channel: EventChannel

    public init(tenant: TenantID, group: TokenID, connector: ConnectorID, sourceDevice: String, channel: EventChannel) {
        self.tenant = tenant
        self.group = group
        self.connector = connector
        self.sourceDevice = sourceDevice
        self.channel = channel
    }

    /// Hashes the connector, source and channel only: a connector id is unique across tenants
    /// and groups, so those two would add cost (this runs for every event) and no spread.
    /// Equality still compares every field.
    public func hash(into hasher: inout Hasher) {
        withUnsafeBytes(of: connector.rawValue.uuid) { bytes in
            hasher.combine(bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
            hasher.combine(bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        }
        hasher.combine(sourceDevice)
        hasher.combine(channel)
    }

    /// What the lines of one group's members for the same source have in common.
    public struct Source: Sendable, Hashable {
        public var tenant: TenantID
        public var group: TokenID
        public var sourceDevice: String
        public var channel: EventChannel
    }

    /// The source this line delivers.
    public var source: Source { Source(tenant: tenant, group: group, sourceDevice: sourceDevice, channel: channel) }
}
