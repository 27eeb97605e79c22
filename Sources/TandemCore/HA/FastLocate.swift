public import Foundation

/// Whether a group's FastLocate (client location) events flow. After a failover the surviving
/// connector must re-establish FastLocate with its controllers, which the product document
/// says takes 3 to 4 minutes; the group is `overdue` when it takes longer.
public enum FastLocate: Sendable, Hashable {
    /// Location events arrive (since the given time, when known).
    case flowing(since: Date?)
    /// A failover happened at `since`; no location event has arrived from the survivor yet.
    case reEstablishing(since: Date)

    /// How long re-establishing may take before the group reports it overdue.
    public static let expectedWithin: TimeInterval = 240

    /// The state an operator sees at `now`.
    public func state(at now: Date) -> FastLocateState {
        switch self {
        case .flowing: .flowing
        case .reEstablishing(let since): now.timeIntervalSince(since) > Self.expectedWithin ? .overdue : .reEstablishing
        }
    }

    /// When the current state began.
    public var since: Date? {
        switch self {
        case .flowing(let since): since
        case .reEstablishing(let since): since
        }
    }
}

/// The FastLocate state shown to operators, with the names stored and shown.
public enum FastLocateState: String, Sendable, Hashable, CaseIterable, Codable {
    case flowing
    case reEstablishing = "re-establishing"
    case overdue
    /// No member is active: no location event can flow, whatever flowed last.
    case stopped
}
