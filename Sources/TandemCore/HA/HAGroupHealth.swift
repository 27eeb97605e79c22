/// How well an HA group is protected right now: the one reading that control sessions, the
/// API, the dashboard and the metrics share.
public struct HAGroupHealth: Sendable, Hashable {
    /// Redundancy of the group.
    public enum Level: String, Sendable, Hashable, CaseIterable, Codable {
        /// Two (or more) active members: one can fail without a gap.
        case healthy
        /// One active member: ingest goes on, but its loss is an outage.
        case degraded
        /// No active member: nothing is ingested.
        case down
        /// No connector ever said Hello under the token: nothing was lost, nothing to alert on.
        case neverConnected = "never-connected"
    }

    /// Redundancy of the group.
    public let level: Level
    /// How many members are active.
    public let activeMembers: Int
    /// Whether the group's FastLocate events flow.
    public let fastLocate: FastLocateState
    /// Whether a survivor must still be reprovisioned for some service after a failover.
    public let reprovisionPending: Bool
    /// Whether the active members' data streams are held by different nodes (the balancer did
    /// not keep the pair together, e.g. right after a node failed): where the data streams are,
    /// not the control streams, since the pair statistics are measured from the data. Dedup stays exact; missed-by-peer and
    /// copy lag are not measured for the pair meanwhile (each node sees one member only).
    public let splitAcrossNodes: Bool

    /// Creates a reading.
    public init(
        level: Level, activeMembers: Int, fastLocate: FastLocateState, reprovisionPending: Bool, splitAcrossNodes: Bool = false
    ) {
        self.splitAcrossNodes = splitAcrossNodes
        self.level = level
        self.activeMembers = activeMembers
        self.fastLocate = fastLocate
        self.reprovisionPending = reprovisionPending
    }
}
