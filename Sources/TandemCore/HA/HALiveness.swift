public import Foundation

/// How a group judges whether a member still counts as live when another member is lost: heard
/// within the liveness timeout, and its control stream not closed (a member whose stream closed
/// is inside its reconnect grace until the grace ends, and gone after).
///
/// A failover needs a *live* survivor: a member that is itself silent or inside its grace can't
/// take over, so members that stop together make the group down, with no failover.
public struct HALiveness: Sendable, Hashable {
    /// How long a member may stay silent and still count as live.
    public var timeout: Duration
    /// How long a member whose control stream closed has to come back before it is judged.
    public var grace: Duration

    /// Creates the rule from the node's settings.
    public init(timeout: Duration, grace: Duration) {
        self.timeout = timeout
        self.grace = grace
    }

    /// Whether `member` is live at `now`: active, its stream open, heard within the timeout (a
    /// member never heard, as in rules built by hand, counts as heard at its join).
    public func isLive(_ member: HAGroup.Member, at now: Date) -> Bool {
        guard member.isActive, member.departure == nil else { return false }
        guard let heard = member.lastHeard ?? member.joinedAt else { return true }
        return now.timeIntervalSince(heard) <= timeout.inSeconds
    }

    /// Whether `member`'s stream closed less than one grace before `now`: it may still come back,
    /// so its peers' fate waits for its own.
    public func isInGrace(_ member: HAGroup.Member, at now: Date) -> Bool {
        guard member.isActive, let departure = member.departure else { return false }
        return now.timeIntervalSince(departure.at) < grace.inSeconds
    }
}

/// A member's control stream ended and its loss is not judged yet (it is inside its reconnect
/// grace, or its peers' fate is being waited for).
public struct Departure: Sendable, Hashable {
    /// When the stream ended.
    public var at: Date
    /// The reason the connector gave in its Goodbye; `nil` when it said none (a crash, a broken
    /// connection).
    public var planned: PlannedLeave?

    /// Creates a departure.
    public init(at: Date, planned: PlannedLeave? = nil) {
        self.at = at
        self.planned = planned
    }
}

/// Why a connector said Goodbye: a leave it planned, shown as such rather than as a failure.
public enum PlannedLeave: String, Sendable, Hashable, CaseIterable, Codable {
    case restart, upgrade, shutdown
}
