public import TandemCore

/// An event on its way to the store: the event, its identity, and who delivered this copy.
public struct EventRecord: Sendable, Hashable {
    public let tenant: TenantID
    public let identity: EventIdentity
    public let event: DeviceEvent
    public let token: TokenID
    public let connector: ConnectorID

    /// Computes the identity of `event` within `tenant`.
    public init(tenant: TenantID, token: TokenID, connector: ConnectorID, event: DeviceEvent) {
        self.tenant = tenant
        self.identity = EventIdentity(tenant: tenant, event: event)
        self.event = event
        self.token = token
        self.connector = connector
    }

    /// The delivery line this copy came on, for the dedup window's pair statistics.
    public var deliveryLine: DeliveryLine {
        DeliveryLine(tenant: tenant, group: token, connector: connector, sourceDevice: event.sourceDevice, channel: event.channel)
    }
}

/// What became of each event of a write, in the order given.
public enum EventOutcome: Sendable, Hashable {
    /// This copy was the first: its row is new.
    case stored
    /// The event was stored already (by another copy, earlier or in the same write).
    case duplicate
    /// Its device time is outside the accepted range: kept in quarantine with the reason.
    case quarantined
}
