import Foundation
public import GRPCCore
import SwiftProtobuf
public import TandemConnector
public import TandemProtocol

/// One connector of a simulated pair: an ``EdgeConnector`` fed the site's events after a
/// random delay each, with what the simulation reports: what it sent, what was acked, the HA
/// Active list Tandem pushed, and the counters its heartbeats carry.
///
/// Batches go out in order through ``submit(_:)``. A killed connector drops its streams and
/// receives nothing more; started again, it resends every batch not yet acked.
public final class SimulatedConnector<Transport: ClientTransport>: Sendable {
    public let identity: ConnectorIdentity
    private let connector: EdgeConnector<Transport>
    /// What the connector has done and been told, shared with its ``EdgeConnector``'s observer.
    private let tally = Locked(State())

    struct State {
        /// The sessions' task, from the first start.
        var sessions: Task<Void, Never>?
        /// Where the outcome of a start (a Welcome, or the error of the session) goes.
        var starting: AsyncStream<Result<Void, any Error>>.Continuation?
        var welcome: Tandem_V1_Welcome?
        var queue: AsyncStream<Tandem_V1_EventBatch>.Continuation?
        var writer: Task<Void, Never>?
        /// Submitted batches the writer has not yet handed to the connector, oldest first.
        var held: [Tandem_V1_EventBatch] = []
        var haActive: [String] = []
        var acked: [[String]] = []
        var ackedCopies = 0
        var copiesSent = 0
        var duplicates = 0
        var alive = false
        /// What the connector reports in its heartbeats, from what it relayed.
        var relayed = Relayed()
    }

    /// The counters a real connector keeps of what it relays: the controllers it was told to
    /// connect to (the group's configuration, pushed by Tandem) and the messages it received
    /// from each, and the access points' messages and how many APs sent them.
    struct Relayed {
        var controllers: [String] = []
        /// Whether the connector carries the controller channel (with `--channel-split` one
        /// member does not: it connects to no controller, as in the document's Figure 2).
        var carriesController = true
        var since = Date()
        var perController: [String: UInt64] = [:]
        var accessPointMessages: UInt64 = 0
        var accessPoints: Set<String> = []

        /// The heartbeat of these counters: per controller its rate since the connector
        /// started, the TDL/NMSP totals, and the AP channel's.
        func heartbeat(now: Date) -> Tandem_V1_Heartbeat {
            let seconds = max(1, now.timeIntervalSince(since))
            let controllerMessages = perController.values.reduce(0, +)
            return .with {
                $0.controllers = (carriesController ? controllers : []).map { address in
                    .with {
                        $0.ipAddress = address
                        $0.connectedAtMicros = Int64(since.timeIntervalSince1970 * 1_000_000)
                        $0.messageRate = Double(perController[address] ?? 0) / seconds
                        $0.status = "ACTIVE"
                    }
                }
                $0.tdlIncomingCount = controllerMessages
                $0.tdlIncomingRate = Double(controllerMessages) / seconds
                $0.nmspMessagesReceived = controllerMessages
                $0.accessPointChannel = .with {
                    $0.incomingCount = accessPointMessages
                    $0.incomingRate = Double(accessPointMessages) / seconds
                    $0.activeConnections = UInt32(clamping: accessPoints.count)
                }
            }
        }

        mutating func count(_ events: [Tandem_V1_Event]) {
            for event in events {
                if event.channel == .controller {
                    perController[event.sourceDevice, default: 0] += 1
                } else {
                    accessPointMessages += 1
                    accessPoints.insert(event.sourceDevice)
                }
            }
        }
    }

    public init(client: GRPCClient<Transport>, token: String, identity: ConnectorIdentity) {
        self.identity = identity
        let tally = self.tally
        connector = EdgeConnector(identity: identity, token: token, client: client) {
            tally.withLock { $0.relayed.heartbeat(now: Date()) }
        } observe: { event in
            tally.withLock { state in
                switch event {
                case .connected(let welcome):
                    state.welcome = welcome
                    state.haActive = welcome.haActive.ipAddresses
                    // The controllers to connect to come with the Welcome, and again on every change.
                    state.relayed.controllers = welcome.configuration.controllers.map(\.ipAddress)
                    state.relayed.since = Date()
                    state.relayed.carriesController = identity.carriesController
                    state.starting?.yield(.success(()))
                case .disconnected(let error):
                    state.starting?.yield(.failure(error))
                case .command(let command):
                    switch command.command {
                    case .haActive(let list): state.haActive = list.ipAddresses
                    case .configuration(let configuration): state.relayed.controllers = configuration.controllers.map(\.ipAddress)
                    default: break
                    }
                case .acked(let batch, let ack):
                    state.acked.append(batch.events.map(Self.key))
                    state.ackedCopies += batch.events.count
                    state.duplicates += Int(ack.duplicates)
                case .sent:
                    break
                }
            }
        }
    }

    /// Connects (again, after ``kill()``: resending what was not acked) and returns once
    /// Tandem answered the Hello; throws what the session failed with otherwise.
    public func start(maximumJitter: Duration, seed: UInt64) async throws {
        let connector = self.connector
        let (outcomes, outcome) = AsyncStream<Result<Void, any Error>>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let (batches, queue) = AsyncStream<Tandem_V1_EventBatch>.makeStream()
        let tally = self.tally
        // Each batch reaches the connector after a random delay of its own (the device's and
        // the connector's), in order.
        // Unstructured on purpose: the delayed writer outlives this call; cancelled on loss.
        let writer = Task {
            var random = SplitMix64(seed: seed)
            let jitter = Int64(maximumJitter.inSeconds * 1_000)
            for await batch in batches {
                if jitter > 0 { try? await Task.sleep(for: .milliseconds(Int64(random.next() % UInt64(jitter + 1)))) }
                if Task.isCancelled { return }
                tally.withLock { state in
                    if !state.held.isEmpty { state.held.removeFirst() }
                }
                connector.send(batch)
            }
        }
        let (held, sessions) = tally.withLock { state in
            state.starting = outcome
            state.queue = queue
            state.writer = writer
            state.alive = true
            let held = state.held
            state.held = []
            // Unstructured on purpose: the sessions run until the simulated connector is lost.
            if state.sessions == nil { state.sessions = Task { await connector.run() } }
            return (held, state.sessions)
        }
        // What the killed writer had not handed over goes first, in order.
        for batch in held { connector.send(batch) }
        connector.restore()
        var first = outcomes.makeAsyncIterator()
        do {
            try await first.next()?.get()
            tally.withLock { $0.starting = nil }
        } catch {
            kill()
            sessions?.cancel()
            tally.withLock { $0.sessions = nil }
            throw error
        }
    }

    /// The Welcome of the latest session.
    public var welcome: Tandem_V1_Welcome? { tally.withLock { $0.welcome } }

    /// The group's HA Active list as Tandem last pushed it to this connector.
    public var haActive: [String] { tally.withLock { $0.haActive } }

    /// Whether the connector is running.
    public var isAlive: Bool { tally.withLock { $0.alive } }

    /// Queues a batch for sending.
    public func submit(_ batch: Tandem_V1_EventBatch) {
        tally.withLock { state in
            guard state.alive else { return }
            state.copiesSent += batch.events.count
            state.relayed.count(batch.events)
            state.held.append(batch)
            state.queue?.yield(batch)
        }
    }

    /// Drops both channels abruptly, as a crash would; nothing more is sent until ``start(maximumJitter:seed:)``.
    public func kill() {
        let (writer, sessions) = tally.withLock { state in
            state.alive = false
            state.queue?.finish()
            defer { state.sessions = nil }
            return (state.writer, state.sessions)
        }
        writer?.cancel()
        connector.lose()
        sessions?.cancel()
    }

    /// Leaves on purpose: a Goodbye with `reason`, then both channels close; nothing more is sent
    /// until ``start(maximumJitter:seed:)``.
    public func leave(_ reason: Tandem_V1_Goodbye.Reason) async {
        let (writer, alive) = tally.withLock { state in
            defer { state.alive = false }
            state.queue?.finish()
            return (state.writer, state.alive)
        }
        guard alive else { return }
        writer?.cancel()
        await connector.goodbye(reason)
    }

    /// Waits until everything submitted is acked, for at most `timeout` (Tandem may be gone);
    /// the connector stays connected (its heartbeats go on). A killed connector waits for
    /// nothing: what it had not sent stays unsent, and un-acked batches are the report's.
    public func drain(within timeout: Duration = .seconds(30)) async {
        let (queue, writer, alive) = tally.withLock { ($0.queue, $0.writer, $0.alive) }
        queue?.finish()
        await writer?.value
        guard alive else { return }
        let connector = self.connector
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await connector.allAcked() }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }

    /// Keys of the events of every acked batch.
    public var ackedKeys: [[String]] { tally.withLock { $0.acked } }
    var copiesSent: Int { tally.withLock { $0.copiesSent } }
    var ackedCopies: Int { tally.withLock { $0.ackedCopies } }
    var duplicates: Int { tally.withLock { $0.duplicates } }

    /// The key the simulator compares stored rows by: source, kind, device time, subject, body.
    public static func key(_ event: Tandem_V1_Event) -> String {
        key(
            source: event.sourceDevice, kind: Int(event.kind.rawValue), deviceTimeMicros: event.deviceTimeMicros,
            subject: event.subject, body: Array(event.body))
    }

    /// The same key from stored columns.
    public static func key(source: String, kind: Int, deviceTimeMicros: Int64, subject: String, body: [UInt8]) -> String {
        "\(source)|\(kind)|\(deviceTimeMicros)|\(subject)|\(String(decoding: body, as: UTF8.self))"
    }
}
