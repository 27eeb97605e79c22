import Foundation
public import GRPCCore
import Synchronization
public import TandemProtocol

/// A connector as a real one behaves: the one client the simulator, the benchmarks and the
/// chaos run play.
///
/// Each session has a connection of its own (a client `makeClient` makes), or uses a client
/// whose connections the caller runs, says Hello on the control channel, sends heartbeats and opens the data channel. Batches are queued in order
/// and kept until acked, at most ``Options/maximumInFlight`` outstanding; after any failure a
/// new session says Hello again with the same instance id and resends every batch not yet
/// acked, in order. What happens is told to `observe` as it happens (``Event``), so each
/// harness keeps what it needs: acked identities, latencies, outages, the HA Active list.
///
/// ```swift
/// let connector = EdgeConnector(identity: identity, token: token) {
///     try GRPCClient(transport: .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: 7443), transportSecurity: .plaintext))
/// }
/// connector.send(batch)
/// connector.finish()
/// await connector.run()  // returns once every batch is acked
/// ```
public final class EdgeConnector<Transport: ClientTransport>: Sendable {
    /// The knobs of a connector.
    public struct Options: Sendable {
        /// How often a heartbeat is sent; `nil` sends none (a silent connector).
        public var heartbeatEvery: Duration? = .seconds(1)
        /// Batches outstanding at once (the server's default bound per stream).
        public var maximumInFlight = 8
        /// Whether sessions open the data channel (an idle connector holds its control channel only).
        public var streamsData = true
        /// The wait before the next session after a failed one.
        public var reconnectDelay: Duration = .milliseconds(250)

        public init() {}
    }

    /// What happens to a connector, told to its observer in order.
    public enum Event: Sendable {
        /// A session began: Tandem answered the Hello with this Welcome.
        case connected(Tandem_V1_Welcome)
        /// Tandem pushed a command (configuration, HA Active list, reprovision).
        case command(Tandem_V1_ControlCommand)
        /// The batch went out on the data channel (again, after a reconnect).
        case sent(Tandem_V1_EventBatch)
        /// The batch is acked (durable in Tandem) and left the queue.
        case acked(Tandem_V1_EventBatch, Tandem_V1_BatchAck)
        /// The session ended with this error (refused, connection lost, lost on purpose); the
        /// next one follows after ``Options/reconnectDelay`` unless the connector is down.
        case disconnected(any Error)
    }

    /// The connector stopped on purpose (``lose()``).
    public struct Lost: Error, CustomStringConvertible {
        public var description: String { "connector lost" }
    }

    private struct State {
        /// Batches not yet acked, oldest first.
        var queue: [Tandem_V1_EventBatch] = []
        /// How many of the queue's first batches the current session has sent.
        var sent = 0
        /// Batches acked and out of the queue whose `acked` event the observer has not yet been
        /// told: still in flight as far as it knows, so they still count against the bound.
        var acking = 0
        /// Lost on purpose: no session until ``restore()``.
        var down = false
        /// How many times it was lost on purpose (a session that began before a loss ended by it).
        var losses = 0
        /// Acks are not read until then (a slow consumer).
        var slowUntil: ContinuousClock.Instant?
        /// No more batches: the run ends once the queue is empty.
        var finishing = false
        var control: ControlStream?
        var data: DataStream?
        /// Wakes the current session's sender (a batch queued, an ack, a change of plan).
        var wake: AsyncStream<Void>.Continuation?
        /// Callers of ``allAcked()`` waiting for the queue to empty.
        var waiters: [UUID: CheckedContinuation<Void, Never>] = [:]
    }

    /// What the connector says about itself in its Hello.
    public let identity: ConnectorIdentity
    private let token: String
    private let options: Options
    private let clients: Clients
    private let heartbeat: @Sendable () -> Tandem_V1_Heartbeat
    private let observe: @Sendable (Event) -> Void
    private let state = Mutex(State())

    /// Where a session's client comes from.
    private enum Clients: Sendable {
        /// A new client per session, run and shut down with it.
        case perSession(@Sendable () throws -> GRPCClient<Transport>)
        /// One client for every session, whose connections its owner runs.
        case shared(GRPCClient<Transport>)
    }

    /// - Parameters:
    ///   - makeClient: a new client for each session (its connection runs for the session).
    ///   - heartbeat: what each heartbeat reports.
    ///   - observe: told every ``Event``, on the connector's task; keep it short.
    public convenience init(
        identity: ConnectorIdentity, token: String, options: Options = Options(),
        makeClient: @escaping @Sendable () throws -> GRPCClient<Transport>,
        heartbeat: @escaping @Sendable () -> Tandem_V1_Heartbeat = { Tandem_V1_Heartbeat() },
        observe: @escaping @Sendable (Event) -> Void = { _ in }
    ) {
        self.init(
            identity: identity, token: token, options: options, clients: .perSession(makeClient), heartbeat: heartbeat, observe: observe)
    }

    /// A connector whose sessions all use `client`, whose connections the caller runs (many
    /// connectors on one connection, as in tests).
    public convenience init(
        identity: ConnectorIdentity, token: String, options: Options = Options(), client: GRPCClient<Transport>,
        heartbeat: @escaping @Sendable () -> Tandem_V1_Heartbeat = { Tandem_V1_Heartbeat() },
        observe: @escaping @Sendable (Event) -> Void = { _ in }
    ) {
        self.init(identity: identity, token: token, options: options, clients: .shared(client), heartbeat: heartbeat, observe: observe)
    }

    private init(
        identity: ConnectorIdentity, token: String, options: Options, clients: Clients,
        heartbeat: @escaping @Sendable () -> Tandem_V1_Heartbeat, observe: @escaping @Sendable (Event) -> Void
    ) {
        self.identity = identity
        self.token = token
        self.options = options
        self.clients = clients
        self.heartbeat = heartbeat
        self.observe = observe
    }

    /// Batches not yet acked.
    public var pending: Int { state.withLock { $0.queue.count } }

    /// Queues a batch (the copy this connector received from its devices); it is sent when the
    /// in-flight bound allows and kept until acked.
    public func send(_ batch: Tandem_V1_EventBatch) {
        state.withLock { state in
            state.queue.append(batch)
            state.wake?.yield()
        }
    }

    /// Returns once every batch queued so far is acked (the session stays open), or when the
    /// calling task is cancelled.
    public func allAcked() async {
        let id = UUID()
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                state.withLock { state in
                    if state.queue.isEmpty || Task.isCancelled {
                        continuation.resume()
                    } else {
                        state.waiters[id] = continuation
                    }
                }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }

    /// No more batches: ``run()`` returns once every queued batch is acked.
    public func finish() {
        state.withLock { state in
            state.finishing = true
            state.wake?.yield()
        }
    }

    /// Abrupt loss, as a crash or a pulled cable: both streams drop, no goodbye, and no new
    /// session starts until ``restore()``. Un-acked batches stay queued.
    public func lose() {
        let (control, data) = state.withLock { state in
            state.down = true
            state.losses += 1
            state.wake?.yield()
            return (state.control, state.data)
        }
        data?.kill()
        control?.kill()
    }

    /// A planned leave: says Goodbye with `reason` on the control channel and closes both
    /// streams on purpose; no new session starts until ``restore()``. Un-acked batches stay queued.
    public func goodbye(_ reason: Tandem_V1_Goodbye.Reason) async {
        let (control, data) = state.withLock { state in
            state.down = true
            state.wake?.yield()
            return (state.control, state.data)
        }
        data?.kill()
        await control?.goodbye(reason)
    }

    /// Back from a loss: the next session starts (and resends what was not acked).
    public func restore() {
        state.withLock { $0.down = false }
    }

    /// Stops reading acks for `duration` (a slow consumer).
    public func stall(for duration: Duration) {
        state.withLock { $0.slowUntil = .now + duration }
    }

    /// Runs sessions until ``finish()`` was called and every batch is acked, or until cancelled.
    public func run() async {
        while !Task.isCancelled {
            let (down, done, losses) = state.withLock { ($0.down, $0.finishing && $0.queue.isEmpty, $0.losses) }
            if done { return }
            if down {
                try? await Task.sleep(for: .milliseconds(50))
                continue
            }
            do {
                try await session()
                return
            } catch {
                if Task.isCancelled { return }
                // Whatever stream noticed it first, a loss on purpose is reported as such.
                observe(.disconnected(state.withLock { $0.losses != losses } ? Lost() : error))
                try? await Task.sleep(for: options.reconnectDelay)
            }
        }
    }

    /// One session: a connection, Hello, then batches until the queue drains (once finishing)
    /// or a failure.
    private func session() async throws {
        switch clients {
        case .shared(let client):
            try await session(on: client)
        case .perSession(let makeClient):
            let client = try makeClient()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await client.runConnections() }
                defer {
                    client.beginGracefulShutdown()
                    group.cancelAll()
                }
                try await session(on: client)
            }
        }
    }

    private func session(on client: GRPCClient<Transport>) async throws {
        let control = try await ControlStream.open(
            client: client, token: token, identity: identity, heartbeatEvery: options.heartbeatEvery, heartbeat: heartbeat)
        let data = options.streamsData ? DataStream.open(client: client, token: token, instanceID: identity.instanceID) : nil
        let (wakes, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let down = state.withLock { state in
            (state.control, state.data, state.wake, state.sent, state.acking) = (control, data, wake, 0, 0)
            return state.down
        }
        defer {
            // A session ending late (its task was cancelled as a new one began) leaves the new one's alone.
            state.withLock { state in
                if state.control === control { (state.control, state.data, state.wake) = (nil, nil, nil) }
            }
            data?.kill()
            control.kill()
        }
        if down { throw Lost() }
        observe(.connected(control.welcome))
        try await withThrowingTaskGroup(of: Void.self) { session in
            session.addTask {
                for await command in control.commands { self.observe(.command(command)) }
                throw RPCError(code: .unavailable, message: "control stream ended")
            }
            if let data { session.addTask { try await self.readAcks(data, wake: wake) } }
            session.addTask { try await self.sendBatches(data, wakes: wakes) }
            // The sender returns when the queue drained after finish(); anything else that
            // ends is a failure of the session.
            try await session.next()
            session.cancelAll()
        }
    }

    /// Sends the queue's unsent batches as the in-flight bound allows; returns once finishing
    /// and everything is acked.
    private func sendBatches(_ data: DataStream?, wakes: AsyncStream<Void>) async throws {
        var iterator = wakes.makeAsyncIterator()
        while true {
            let (batches, down, done) = state.withLock { state -> ([Tandem_V1_EventBatch], Bool, Bool) in
                guard data != nil else { return ([], state.down, state.finishing) }
                let end = min(state.queue.count, max(0, options.maximumInFlight - state.acking))
                let next = state.sent < end ? Array(state.queue[state.sent..<end]) : []
                state.sent = max(state.sent, end)
                return (next, state.down, state.finishing && state.queue.isEmpty)
            }
            if down { throw Lost() }
            if done { return }
            for batch in batches {
                data?.send(batch)
                observe(.sent(batch))
            }
            if batches.isEmpty, await iterator.next() == nil { return }
        }
    }

    /// Reads acks in order, each for the queue's oldest batch; pauses while stalled.
    private func readAcks(_ data: DataStream, wake: AsyncStream<Void>.Continuation) async throws {
        while true {
            if let until = state.withLock({ $0.slowUntil }), until > .now {
                try await Task.sleep(until: until)
                continue
            }
            guard let ack = try await data.nextAck() else {
                throw RPCError(code: .unavailable, message: "data stream ended with batches un-acked")
            }
            let batch = try state.withLock { state in
                guard let first = state.queue.first, first.sequence == ack.sequence, state.sent > 0 else {
                    throw RPCError(code: .internalError, message: "ack \(ack.sequence) matches no batch in flight")
                }
                state.queue.removeFirst()
                state.sent -= 1
                state.acking += 1
                return first
            }
            // Told before the batch's slot is given back, so an observer never sees more than
            // the bound in flight.
            observe(.acked(batch, ack))
            state.withLock { state in
                state.acking = max(0, state.acking - 1)  // a new session may have begun meanwhile
                wake.yield()
                if state.queue.isEmpty {
                    for waiter in state.waiters.values { waiter.resume() }
                    state.waiters.removeAll()
                }
            }
        }
    }
}
