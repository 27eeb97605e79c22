/// Something that happened to an HA group's membership, as ``HAGroup`` decides it; each event
/// becomes one row of the group's HA history.
public enum HAEvent: Sendable, Hashable {
    /// Another member named by an event: its connector id and address.
    public struct Peer: Sendable, Hashable {
        public let connectorID: ConnectorID
        public let ipAddress: String

        public init(connectorID: ConnectorID, ipAddress: String) {
            self.connectorID = connectorID
            self.ipAddress = ipAddress
        }
    }

    /// A connector became an active member (it was not active before).
    case joined(ConnectorID, ipAddress: String, detail: String)
    /// A known connector came back while a peer was active: the pair is whole again.
    case recovered(ConnectorID, ipAddress: String)
    /// An active connector stopped being a member (its stream ended, or it fell silent) while a
    /// live peer stayed.
    case lost(ConnectorID, ipAddress: String, reason: String)
    /// An active connector said Goodbye (a planned restart, upgrade or shutdown) and left.
    case left(ConnectorID, ipAddress: String, reason: PlannedLeave)
    /// The group went on ingesting from `to`, a live peer, after losing `from` (whose address
    /// was `ipAddress`).
    case failover(from: ConnectorID, to: ConnectorID, ipAddress: String)
    /// The group went on ingesting from `to` after `from` left as planned.
    case handover(from: ConnectorID, to: ConnectorID, ipAddress: String)
    /// Every active member stopped within one reconnect grace (a maintenance window, a site
    /// outage, a node restart with both silent): the group is down, nobody failed over to
    /// anybody. One entry names them all: the connector and its `peers`.
    case down(ConnectorID, ipAddress: String, peers: [Peer], reason: String)

    /// The history kind of the event.
    public var kind: HAEventKind {
        switch self {
        case .joined: .joined
        case .recovered: .recovered
        case .lost: .lost
        case .left: .left
        case .failover: .failover
        case .handover: .handover
        case .down: .down
        }
    }

    /// The connector the event is about (the one that left, for a failover or a handover).
    public var connectorID: ConnectorID {
        switch self {
        case .joined(let id, _, _), .recovered(let id, _), .lost(let id, _, _), .left(let id, _, _), .down(let id, _, _, _): id
        case .failover(let from, _, _), .handover(let from, _, _): from
        }
    }

    /// The other connector involved: the survivor of a failover or handover, the first peer
    /// that went down with the connector.
    public var peerConnectorID: ConnectorID? {
        switch self {
        case .failover(_, let to, _), .handover(_, let to, _): to
        case .down(_, _, let peers, _): peers.first?.connectorID
        default: nil
        }
    }

    /// The IP address of ``connectorID``.
    public var ipAddress: String {
        switch self {
        case .joined(_, let ip, _), .recovered(_, let ip), .lost(_, let ip, _), .left(_, let ip, _), .failover(_, _, let ip),
            .handover(_, _, let ip), .down(_, let ip, _, _):
            ip
        }
    }

    /// The human-readable detail kept in the history.
    public var detail: String {
        switch self {
        case .joined(_, _, let detail): detail
        case .recovered: "pair restored"
        case .lost(_, _, let reason): reason
        case .left(_, _, let reason): "left (planned \(reason.rawValue))"
        case .failover: "ingest continues from the surviving peer"
        case .handover: "planned handover: ingest continues from the peer"
        case .down(_, _, let peers, let reason):
            "stopped together with \(peers.map(\.ipAddress).joined(separator: ", ")) (\(reason)): no member left to fail over to"
        }
    }
}

/// The kinds of HA history entries, with the names stored and shown.
public enum HAEventKind: String, Sendable, Hashable, CaseIterable, Codable {
    case joined, lost, left, failover, handover, recovered, down
}
