public import GRPCCore
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
    }

    public init(client: GRPCClient<Transport>, token: String, identity: ConnectorIdentity) {
        self.client = client
        self.token = token
        self.identity = identity
    }

    /// Opens both channels (and resends what was not acked before, after a restart).
    public func start(maximumJitter: Duration, seed: UInt64) async throws {
        let control = try await ControlStream.open(client: client, token: token, identity: identity)
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
                if case .haActive(let list) = command.command {
                    state.withLock { $0.haActive = list.ipAddresses }
                }
            }
        }
        let resend = state.withLock { state in
            state.haActive = control.welcome.haActive.ipAddresses
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
