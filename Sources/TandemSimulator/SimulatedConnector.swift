import Foundation
public import GRPCCore
import SwiftProtobuf
import Synchronization
public import TandemConnector
public import TandemProtocol

/// One connector of a simulated pair: its channels, its batches in flight, what was acked.
///
/// Batches go out in order through ``submit(_:)``; a background task writes each after a
/// random delay and records its ack. Un-acked batches are kept and resent after a restart.
public final class SimulatedConnector<Transport: ClientTransport>: Sendable {
    public let identity: ConnectorIdentity
    private let client: GRPCClient<Transport>
    private let token: String
    private let state = Mutex(State())

    struct State {
        var control: ControlStream?
        var data: DataStream?
        var queue: AsyncStream<Tandem_V1_EventBatch>.Continuation?
        var writer: Task<Void, Never>?
        var listener: Task<Void, Never>?
        var haActive: [String] = []
        var unacked: [UInt64: Tandem_V1_EventBatch] = [:]
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
        self.client = client
        self.token = token
        self.identity = identity
    }

    /// Opens both channels (and resends what was not acked before, after a restart).
    public func start(maximumJitter: Duration, seed: UInt64) async throws {
        let control = try await ControlStream.open(client: client, token: token, identity: identity) { [weak self] in
            self?.state.withLock { $0.relayed.heartbeat(now: Date()) } ?? Tandem_V1_Heartbeat()
        }
        let data = DataStream.open(client: client, token: token, instanceID: identity.instanceID)
        let (batches, queue) = AsyncStream<Tandem_V1_EventBatch>.makeStream()
        let writer = Task {
            var random = SplitMix64(seed: seed)
            for await batch in batches {
                let jitter = Int64(maximumJitter.inSeconds * 1_000)
                if jitter > 0 { try? await Task.sleep(for: .milliseconds(Int64(random.next() % UInt64(jitter + 1)))) }
                guard let ack = try? await data.write(batch) else { return }
                state.withLock { state in
                    state.unacked.removeValue(forKey: ack.sequence)
                    state.acked.append(batch.events.map(Self.key))
                    state.ackedCopies += batch.events.count
                    state.duplicates += Int(ack.duplicates)
                }
            }
        }
        let listener = Task {
            for await command in control.commands {
                switch command.command {
                case .haActive(let list): state.withLock { $0.haActive = list.ipAddresses }
                case .configuration(let configuration):
                    state.withLock { $0.relayed.controllers = configuration.controllers.map(\.ipAddress) }
                default: break
                }
            }
        }
        let resend = state.withLock { state in
            state.haActive = control.welcome.haActive.ipAddresses
            // The controllers to connect to come with the Welcome, and again on every change.
            state.relayed.controllers = control.welcome.configuration.controllers.map(\.ipAddress)
            state.relayed.since = Date()
            state.relayed.carriesController = identity.carriesController
            state.listener = listener
            state.control = control
            state.data = data
            state.queue = queue
            state.writer = writer
            state.alive = true
            return state.unacked.values.sorted { $0.sequence < $1.sequence }
        }
        for batch in resend { queue.yield(batch) }
    }

    /// The Welcome of the current control stream.
    public var welcome: Tandem_V1_Welcome? { state.withLock { $0.control?.welcome } }

    /// The group's HA Active list as Tandem last pushed it to this connector.
    public var haActive: [String] { state.withLock { $0.haActive } }

    /// Whether the connector is running.
    public var isAlive: Bool { state.withLock { $0.alive } }

    /// Queues a batch for sending.
    public func submit(_ batch: Tandem_V1_EventBatch) {
        state.withLock { state in
            guard state.alive else { return }
            state.unacked[batch.sequence] = batch
            state.copiesSent += batch.events.count
            state.relayed.count(batch.events)
            state.queue?.yield(batch)
        }
    }

    /// Drops both channels abruptly, as a crash would.
    public func kill() {
        let (control, data, writer, listener) = state.withLock { state in
            state.alive = false
            state.queue?.finish()
            return (state.control, state.data, state.writer, state.listener)
        }
        writer?.cancel()
        listener?.cancel()
        data?.kill()
        control?.kill()
    }

    /// Finishes sending what is queued, then closes.
    public func drain() async {
        let (queue, writer) = state.withLock { ($0.queue, $0.writer) }
        queue?.finish()
        await writer?.value
    }

    /// Keys of the events of every acked batch.
    var ackedKeys: [[String]] { state.withLock { $0.acked } }
    var copiesSent: Int { state.withLock { $0.copiesSent } }
    var ackedCopies: Int { state.withLock { $0.ackedCopies } }
    var duplicates: Int { state.withLock { $0.duplicates } }

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
