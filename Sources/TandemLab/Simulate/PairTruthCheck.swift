import Foundation
import TandemCore
import TandemStore

/// The truth check's figures about pair statistics and live figures, from what the connectors
/// really did (which member delivered which event) and what Tandem shows: `tandem-lab simulate`
/// and `tandem-lab chaos` both report them.
struct PairTruthCheck {
    /// One member: its connector id, and the events it delivered (acked), by the run's own key.
    struct Member<Key: Hashable> {
        let connector: ConnectorID
        let delivered: Set<Key>
    }

    /// One pair, by its group.
    struct Pair<Key: Hashable> {
        let group: TokenID
        let members: [Member<Key>]
    }

    /// What the statistics say against the truth.
    struct Misses: Equatable {
        /// Misses Tandem charged beyond the events a member really did not deliver while its
        /// peer did (per member, never below 0): a member charged for what it sent.
        var falseMisses = 0
        /// Events a member really did not deliver while its peer did, whose minute of device
        /// time left Tandem's window before the end (so Tandem had to judge them), beyond what
        /// Tandem charged (per member, never below 0).
        var unreportedMisses = 0
    }

    /// Compares each member's `missed` in `pair_statistics` with the truth. `judged` says which
    /// events' device time left the window before the end (a miss is counted when its minute
    /// leaves the window, so a short run has none to report).
    static func misses<Key: Hashable>(
        store: Store, tenant: TenantID, pairs: [Pair<Key>], judged: (Key) -> Bool
    ) async throws -> Misses {
        var result = Misses()
        for pair in pairs {
            let totals = try await store.pairStatistics.totals(tenant: tenant, group: pair.group)
            for member in pair.members {
                let peers = pair.members.filter { $0.connector != member.connector }
                let missedForReal = peers.reduce(into: Set<Key>()) { $0.formUnion($1.delivered) }.subtracting(member.delivered)
                let charged = Int(totals[member.connector]?.missed ?? 0)
                result.falseMisses += max(0, charged - missedForReal.count)
                result.unreportedMisses += max(0, missedForReal.filter(judged).count - charged)
            }
        }
        return result
    }

    /// Connectors that are not active members whose details still show live figures: marked
    /// live, a controller connection not `CONNECTOR DOWN`, or a rate above 0.
    static func staleLiveFigures(api: OperatorHTTPClient, connectors: [String]) async throws -> Int {
        var stale = 0
        for id in connectors {
            guard let details = try await api.request("GET", "api/v1/connectors/\(id)") as? [String: Any],
                let control = details["controlChannel"] as? [String: Any], control["status"] as? String == "inactive"
            else { continue }
            let controllers = details["controllers"] as? [[String: Any]] ?? []
            let live =
                details["figuresLive"] as? Bool != false
                || controllers.contains {
                    $0["status"] as? String != ConnectorStatistics.connectorDown || ($0["messageRate"] as? Double ?? 0) != 0
                }
                || (details["tdlIncomingRate"] as? Double ?? 0) != 0
            if live { stale += 1 }
        }
        return stale
    }
}
