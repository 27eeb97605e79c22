/// Something that happened to an HA group's membership, as ``HAGroup`` decides it; each event
/// becomes one row of the group's HA history.
public enum HAEvent: Sendable, Hashable {
    /// A connector became an active member (it was not active before).
    case joined(ConnectorID, ipAddress: String, detail: String)
    /// A known connector came back while a peer was active: the pair is whole again.
    case recovered(ConnectorID, ipAddress: String)
    /// An active connector stopped being a member (its stream ended, or it fell silent).
    case lost(ConnectorID, ipAddress: String, reason: String)
    /// The group went on ingesting from `to` after losing `from` (whose address was `ipAddress`).
    case failover(from: ConnectorID, to: ConnectorID, ipAddress: String)

    /// The history kind of the event.
    public var kind: HAEventKind {
        switch self {
        case .joined: .joined
        case .recovered: .recovered
        case .lost: .lost
        case .failover: .failover
        }
    }

    /// The connector the event is about (the lost one, for a failover).
    public var connectorID: ConnectorID {
        switch self {
        case .joined(let id, _, _), .recovered(let id, _), .lost(let id, _, _): id
        case .failover(let from, _, _): from
        }
    }

    /// The other connector involved: the survivor of a failover.
    public var peerConnectorID: ConnectorID? {
        if case .failover(_, let to, _) = self { return to }
        return nil
    }

    /// The IP address of ``connectorID``.
    public var ipAddress: String {
        switch self {
        case .joined(_, let ip, _), .recovered(_, let ip), .lost(_, let ip, _), .failover(_, _, let ip): ip
        }
    }

    /// The human-readable detail kept in the history.
    public var detail: String {
        switch self {
        case .joined(_, _, let detail): detail
        case .recovered: "pair restored"
        case .lost(_, _, let reason): reason
        case .failover: "ingest continues from the surviving peer"
        }
    }
}

/// The kinds of HA history entries, with the names stored and shown.
public enum HAEventKind: String, Sendable, Hashable, CaseIterable, Codable {
    case joined, lost, failover, recovered
}
