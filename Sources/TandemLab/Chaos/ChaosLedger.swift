import Foundation
import Synchronization

/// What the chaos run generated and when, which events a fault made, each fault's window, and
/// when the database's primary changed.
final class ChaosLedger: Sendable {
    private struct State {
        var generated: [UUID: Double] = [:]
        var special: [UUID: ChaosFault] = [:]
        var windows: [(ChaosFault, Double, Double)] = []
        var databaseFailovers: [Double] = []
    }

    private let state = Mutex(State())

    func generated(_ keys: [UUID], at time: Double) {
        state.withLock { for key in keys { $0.generated[key] = time } }
    }

    func special(_ keys: [UUID], _ fault: ChaosFault) {
        state.withLock { for key in keys { $0.special[key] = fault } }
    }

    func window(_ fault: ChaosFault, from start: Double, to end: Double) {
        state.withLock { $0.windows.append((fault, start, end)) }
    }

    /// The database's primary changed (a Patroni failover or switchover) at `time`.
    func databaseFailover(at time: Double) {
        state.withLock { $0.databaseFailovers.append(time) }
    }

    var databaseFailovers: [Double] { state.withLock { $0.databaseFailovers } }

    var snapshot: (generated: [UUID: Double], special: [UUID: ChaosFault], windows: [(ChaosFault, Double, Double)]) {
        state.withLock { ($0.generated, $0.special, $0.windows) }
    }
}
