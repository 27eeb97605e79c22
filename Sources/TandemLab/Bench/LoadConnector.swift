import GRPCCore
import GRPCNIOTransportHTTP2
import Synchronization
import TandemConnector
import TandemCore
import TandemProtocol
import TandemStore

/// One connector of the benchmark's load: an ``EdgeConnector`` (its own HTTP/2 connection, as a
/// real connector on its own host has; heartbeats; unless idle, a data channel with up to 8
/// batches outstanding) that times each batch from when it was due to its ack.
final class LoadConnector: Sendable {
    private struct Timing {
        /// When each outstanding batch was due (paced), by sequence.
        var due: [UInt64: ContinuousClock.Instant] = [:]
        /// Whether batches are timed from when they go out (unpaced) rather than from when due.
        var fromSend = false
        /// Where the latencies of the stream under way go.
        var latencies: AsyncThrowingStream<Duration, any Error>.Continuation?
    }

    private let connector: EdgeConnector<HTTP2ClientTransport.Posix>
    private let timing: Locked<Timing>
    private let sessions: Task<Void, Never>

    private init(connector: EdgeConnector<HTTP2ClientTransport.Posix>, timing: Locked<Timing>, sessions: Task<Void, Never>) {
        self.connector = connector
        self.timing = timing
        self.sessions = sessions
    }

    /// Connects and says Hello; returns once Tandem answered with a Welcome, and throws what
    /// the first session failed with otherwise.
    static func connect(
        port: Int, token: String, identity: ConnectorIdentity, heartbeatEvery: Duration, idle: Bool
    ) async throws -> LoadConnector {
        var options = EdgeConnector<HTTP2ClientTransport.Posix>.Options()
        options.heartbeatEvery = heartbeatEvery
        options.streamsData = !idle
        let timing = Locked(Timing())
        let (outcomes, outcome) = AsyncStream<Result<Void, any Error>>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let connector = EdgeConnector(identity: identity, token: token, options: options) {
            try GRPCClient(transport: .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext))
        } observe: { event in
            switch event {
            case .connected: outcome.yield(.success(()))
            case .disconnected(let error):
                outcome.yield(.failure(error))
                // A stream under way fails with its session, as a bench must not wait forever.
                timing.withLock { $0.latencies?.finish(throwing: error) }
            case .sent(let batch):
                let now = ContinuousClock.now
                timing.withLock { timing in
                    if timing.fromSend { timing.due[batch.sequence] = now }
                }
            case .acked(let batch, _):
                let now = ContinuousClock.now
                timing.withLock { timing in
                    if let due = timing.due.removeValue(forKey: batch.sequence) { timing.latencies?.yield(now - due) }
                }
            case .command: break
            }
        }
        // Unstructured on purpose: the connector's sessions outlive this call; they end with close().
        let sessions = Task { await connector.run() }
        var first = outcomes.makeAsyncIterator()
        do {
            try await first.next()?.get()
        } catch {
            sessions.cancel()
            throw error
        }
        return LoadConnector(connector: connector, timing: timing, sessions: sessions)
    }

    /// Connects `pairs` pairs of streaming connectors, each pair with a token of its own
    /// issued for `tenant` (named `name` and the pair's number).
    static func connectPairs(
        _ pairs: Int, tenant: TenantID, store: TandemStore.Store, port: Int, name: String
    ) async throws -> [(LoadConnector, LoadConnector)] {
        var connectors: [(LoadConnector, LoadConnector)] = []
        for pair in 0..<pairs {
            let (_, secret) = try await store.tokens.create(
                tenant: tenant, connectorName: try DisplayName("\(name) \(pair)", field: "name"), network: .wireless)
            func member(_ number: Int) async throws -> LoadConnector {
                try await LoadConnector.connect(
                    port: port, token: secret.revealed,
                    identity: ConnectorIdentity(hostname: "bench-\(pair)-\(number)", ipAddress: "10.\(pair / 250).\(pair % 250).\(number)"),
                    heartbeatEvery: .seconds(5), idle: false)
            }
            connectors.append((try await member(1), try await member(2)))
        }
        return connectors
    }

    /// Sends `batches` in order, as fast as acks allow when `interval` is `nil`, and returns
    /// each batch's time to its ack. Paced (`interval` set), batch `i` is due at
    /// `origin + interval × (i + phase)`: streams given different phases in [0, 1) spread their
    /// sends over the interval instead of all sending at once, and a batch's latency is counted
    /// from when it was due, so a batch held back (by the in-flight bound) counts its wait too.
    func stream(
        _ batches: [Tandem_V1_EventBatch], interval: Duration?, origin: ContinuousClock.Instant = .now, phase: Double = 0
    ) async throws -> [Duration] {
        let clock = ContinuousClock()
        let (latencies, sink) = AsyncThrowingStream<Duration, any Error>.makeStream()
        timing.withLock { timing in
            timing.latencies = sink
            timing.fromSend = interval == nil
        }
        defer { timing.withLock { $0.latencies = nil } }
        for (index, batch) in batches.enumerated() {
            if let interval {
                let due = origin + interval * (Double(index) + phase)
                try await clock.sleep(until: due)
                timing.withLock { $0.due[batch.sequence] = due }
            }
            connector.send(batch)
        }
        var measured: [Duration] = []
        measured.reserveCapacity(batches.count)
        for try await latency in latencies {
            measured.append(latency)
            if measured.count == batches.count { break }
        }
        return measured
    }

    /// Closes both channels and the connection.
    func close() {
        connector.finish()
        sessions.cancel()
    }
}
