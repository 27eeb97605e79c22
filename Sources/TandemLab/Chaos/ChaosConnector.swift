import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Synchronization
import TandemConnector
import TandemCore
import TandemProtocol
import TandemWire

/// One connector of the chaos run: an ``EdgeConnector`` (its own connection; after any failure it
/// says Hello again and resends every batch not yet acked, in order; up to 8 batches in
/// flight) that remembers the identity of every event Tandem acked, which the end of the run
/// checks against PostgreSQL, and how long each outage lasted.
final class ChaosConnector: Sendable {
    private struct Tally {
        var acked: [UUID] = []
        /// When each ack arrived (the write gap of a database failover is the longest silence).
        var ackTimes: [ContinuousClock.Instant] = []
        var reconnects = 0
        /// When the current outage began (its first failed session), if one is under way.
        var failedAt: ContinuousClock.Instant?
        /// Each outage: when it began and how long until a Welcome again.
        var outages: [(began: ContinuousClock.Instant, seconds: Double)] = []
    }

    let identity: ConnectorIdentity
    private let connector: EdgeConnector<HTTP2ClientTransport.Posix>
    private let record = Locked(Tally())

    init(identity: ConnectorIdentity, token: String, tenant: TenantID, port: Int) {
        self.identity = identity
        let record = self.record
        var options = EdgeConnector<HTTP2ClientTransport.Posix>.Options()
        options.heartbeatEvery = .seconds(1)
        connector = EdgeConnector(identity: identity, token: token, options: options) {
            try GRPCClient(transport: .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext))
        } observe: { event in
            record.withLock { record in
                switch event {
                case .connected:
                    if let began = record.failedAt {
                        record.outages.append((began, (ContinuousClock.now - began).inSeconds))
                        record.failedAt = nil
                    }
                case .acked(let batch, _):
                    record.ackTimes.append(.now)
                    for wire in batch.events {
                        if let event = try? DeviceEvent(wire) { record.acked.append(EventIdentity(tenant: tenant, event: event).key) }
                    }
                case .disconnected(let error):
                    record.reconnects += 1
                    // A loss on purpose counts from its restore; any other failure from now.
                    if record.failedAt == nil, !(error is EdgeConnector<HTTP2ClientTransport.Posix>.Lost) { record.failedAt = .now }
                case .command, .sent:
                    break
                }
            }
        }
    }

    /// Queues a batch (the copy this connector received from the devices).
    func enqueue(_ batch: Tandem_V1_EventBatch) { connector.send(batch) }

    /// Identity keys of every event acked.
    var acked: [UUID] { record.withLock { $0.acked } }
    /// When each ack arrived.
    var ackTimes: [ContinuousClock.Instant] { record.withLock { $0.ackTimes } }
    var pending: Int { connector.pending }
    var reconnects: Int { record.withLock { $0.reconnects } }
    /// Each outage (a session that failed until the next Welcome): when, and how long.
    var outages: [(began: ContinuousClock.Instant, seconds: Double)] { record.withLock { $0.outages } }

    /// Abrupt loss: both streams drop; it stays down until ``restore()``.
    func lose() { connector.lose() }

    /// Back from a loss: the time to reconnect counts from now.
    func restore() {
        record.withLock { $0.failedAt = .now }
        connector.restore()
    }

    /// Stops reading acks for `duration` (a slow consumer).
    func stall(for duration: Duration) { connector.stall(for: duration) }

    /// Sends what is queued, then returns (the run is draining).
    func finish() { connector.finish() }

    /// Runs until ``finish()`` was called and everything queued is acked, or until cancelled
    /// (the run gave up draining).
    func run() async { await connector.run() }
}
