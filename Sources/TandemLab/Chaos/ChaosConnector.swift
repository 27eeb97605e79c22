import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Synchronization
import TandemConnector
import TandemCore
import TandemIngest
import TandemProtocol
import TandemSimulator
import TandemWire

/// One connector of the chaos run, as a real one behaves: its own connection; after any
/// failure it reconnects (Hello again with the same instance id) and resends every batch not
/// yet acked, in order; up to 8 batches in flight. It remembers the identity of every event
/// Tandem acked: what the end of the run checks against PostgreSQL.
final class ChaosConnector: Sendable {
    struct State {
        /// Batches not yet acked, oldest first.
        var queue: [Tandem_V1_EventBatch] = []
        var acked: [UUID] = []
        /// When each ack arrived (the write gap of a database failover is the longest silence).
        var ackTimes: [ContinuousClock.Instant] = []
        var reconnects = 0
        /// Down (connector loss): streams dropped, no reconnect until restored.
        var down = false
        /// Not reading acks until then (slow consumer).
        var slowUntil: ContinuousClock.Instant?
        var stopping = false
        var control: ControlStream?
        var data: DataStream?
        /// When the current outage began (its first failed session), if one is under way.
        var failedAt: ContinuousClock.Instant?
        /// Each outage: when it began and how long until a Welcome again.
        var outages: [(began: ContinuousClock.Instant, seconds: Double)] = []
    }

    let identity: ConnectorIdentity
    private let token: String
    private let tenant: TenantID
    private let port: Int
    private let state = Mutex(State())

    init(identity: ConnectorIdentity, token: String, tenant: TenantID, port: Int) {
        self.identity = identity
        self.token = token
        self.tenant = tenant
        self.port = port
    }

    /// Queues a batch (the copy this connector received from the devices).
    func enqueue(_ batch: Tandem_V1_EventBatch) {
        state.withLock { $0.queue.append(batch) }
    }

    /// Identity keys of every event acked.
    var acked: [UUID] { state.withLock { $0.acked } }
    /// When each ack arrived.
    var ackTimes: [ContinuousClock.Instant] { state.withLock { $0.ackTimes } }
    var pending: Int { state.withLock { $0.queue.count } }
    var reconnects: Int { state.withLock { $0.reconnects } }

    /// Abrupt loss: both streams drop; it stays down until ``restore()``.
    func lose() {
        let (control, data) = state.withLock { state in
            state.down = true
            return (state.control, state.data)
        }
        data?.kill()
        control?.kill()
    }

    /// Back from a loss: the time to reconnect counts from now.
    func restore() {
        state.withLock { state in
            state.down = false
            state.failedAt = .now
        }
    }

    /// Each outage (a session that failed until the next Welcome): when, and how long.
    var outages: [(began: ContinuousClock.Instant, seconds: Double)] { state.withLock { $0.outages } }

    /// Stops reading acks for `duration` (a slow consumer).
    func stall(for duration: Duration) { state.withLock { $0.slowUntil = .now + duration } }

    /// Sends what is queued, then returns (the run is draining).
    func finish() { state.withLock { $0.stopping = true } }

    /// Runs until ``finish()`` was called and everything queued is acked, or until cancelled
    /// (the run gave up draining).
    func run() async {
        while !Task.isCancelled {
            let (down, done) = state.withLock { ($0.down, $0.stopping && $0.queue.isEmpty) }
            if done { return }
            if down {
                try? await Task.sleep(for: .milliseconds(100))
                continue
            }
            do {
                try await session()
                return
            } catch {
                state.withLock { state in
                    state.reconnects += 1
                    if state.failedAt == nil, !state.down { state.failedAt = .now }
                }
                try? await Task.sleep(for: .milliseconds(250))
            }
        }
    }

    /// One connection: Hello, then batches until the queue drains (when stopping) or a failure.
    private func session() async throws {
        let client = try GRPCClient(
            transport: .http2NIOPosix(
                target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext))
        let connections = Task { try await client.runConnections() }
        defer {
            client.beginGracefulShutdown()
            connections.cancel()
        }
        let control = try await ControlStream.open(client: client, token: token, identity: identity, heartbeatEvery: .seconds(1))
        let data = DataStream.open(client: client, token: token, instanceID: identity.instanceID)
        state.withLock { state in
            state.control = control
            state.data = data
            if let began = state.failedAt {
                state.outages.append((began, (ContinuousClock.now - began).inSeconds))
                state.failedAt = nil
            }
        }
        defer {
            data.kill()
            control.kill()
        }
        var inFlight = 0
        while true {
            let (toSend, slow, down, done) = state.withLock { state -> ([Tandem_V1_EventBatch], Bool, Bool, Bool) in
                let room = max(0, min(8, state.queue.count) - inFlight)
                let next = Array(state.queue[inFlight..<(inFlight + room)])
                return (
                    next, state.slowUntil.map { ContinuousClock.now < $0 } ?? false, state.down,
                    state.stopping && state.queue.isEmpty
                )
            }
            if down { throw RPCError(code: .unavailable, message: "connector lost") }
            if done { return }
            for batch in toSend { data.send(batch) }
            inFlight += toSend.count
            if inFlight == 0 || slow {
                try await Task.sleep(for: .milliseconds(20))
                continue
            }
            guard let ack = try await data.nextAck() else { throw RPCError(code: .unavailable, message: "data stream ended") }
            let tenant = self.tenant
            try state.withLock { state in
                guard let first = state.queue.first, first.sequence == ack.sequence else {
                    throw RPCError(code: .internalError, message: "ack \(ack.sequence) out of order")
                }
                state.queue.removeFirst()
                state.ackTimes.append(.now)
                for wire in first.events {
                    if let event = try? DeviceEvent(wire) { state.acked.append(EventIdentity(tenant: tenant, event: event).key) }
                }
            }
            inFlight -= 1
        }
    }
}
