import GRPCCore
import GRPCNIOTransportHTTP2
import Synchronization
import TandemConnector
import TandemCore
import TandemProtocol
import TandemStore

/// One connector of the benchmark's load: its own HTTP/2 connection (as a real connector on
/// its own host has), a control channel with heartbeats and, unless idle, a data channel with
/// up to ``inFlight`` batches outstanding; it times each batch from send to ack.
final class LoadConnector: Sendable {
    let client: GRPCClient<HTTP2ClientTransport.Posix>
    let control: ControlStream
    let data: DataStream?
    private let connections: Task<Void, any Error>
    /// Batches outstanding at once (the server's default limit per stream).
    let inFlight = 8

    private init(
        client: GRPCClient<HTTP2ClientTransport.Posix>, control: ControlStream, data: DataStream?,
        connections: Task<Void, any Error>
    ) {
        self.client = client
        self.control = control
        self.data = data
        self.connections = connections
    }

    /// Connects, says Hello and, unless `idle`, opens the data channel.
    static func connect(
        port: Int, token: String, identity: ConnectorIdentity, heartbeatEvery: Duration, idle: Bool
    ) async throws -> LoadConnector {
        let client = try GRPCClient(
            transport: .http2NIOPosix(
                target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext))
        let connections = Task { try await client.runConnections() }
        do {
            let control = try await ControlStream.open(
                client: client, token: token, identity: identity, heartbeatEvery: heartbeatEvery)
            let data = idle ? nil : DataStream.open(client: client, token: token, instanceID: identity.instanceID)
            return LoadConnector(client: client, control: control, data: data, connections: connections)
        } catch {
            client.beginGracefulShutdown()
            connections.cancel()
            throw error
        }
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
    /// each batch's time from send to ack. Paced (`interval` set), batch `i` is due at
    /// `origin + interval × (i + phase)`: streams given different phases in [0, 1) spread their
    /// sends over the interval instead of all sending at once, and a batch's latency is counted
    /// from when it was due, so a batch held back (by the in-flight bound) counts its wait too.
    func stream(
        _ batches: [Tandem_V1_EventBatch], interval: Duration?, origin: ContinuousClock.Instant = .now, phase: Double = 0
    ) async throws -> [Duration] {
        guard let data else { return [] }
        let clock = ContinuousClock()
        let sentAt = SendTimes()
        let slots = AsyncStream<Void>.makeStream()
        for _ in 0..<inFlight { slots.continuation.yield() }
        return try await withThrowingTaskGroup(of: [Duration].self) { group in
            group.addTask {
                var latencies: [Duration] = []
                latencies.reserveCapacity(batches.count)
                for _ in batches.indices {
                    guard let ack = try await data.nextAck() else {
                        throw RPCError(code: .unavailable, message: "data stream ended with batches un-acked")
                    }
                    let now = clock.now
                    if let sent = sentAt.times.withLock({ $0.removeValue(forKey: ack.sequence) }) { latencies.append(now - sent) }
                    slots.continuation.yield()
                }
                return latencies
            }
            group.addTask {
                var free = slots.stream.makeAsyncIterator()
                for (index, batch) in batches.enumerated() {
                    var due: ContinuousClock.Instant?
                    if let interval {
                        due = origin + interval * (Double(index) + phase)
                        try await clock.sleep(until: due!)
                    }
                    _ = await free.next()
                    sentAt.times.withLock { $0[batch.sequence] = due ?? clock.now }
                    data.send(batch)
                }
                return []
            }
            var latencies: [Duration] = []
            for try await part in group { latencies += part }
            return latencies
        }
    }

    /// Closes both channels and the connection.
    func close() {
        data?.finish()
        control.kill()
        client.beginGracefulShutdown()
    }
}

/// When each outstanding batch was sent, shared by a stream's sender and ack reader.
private final class SendTimes: Sendable {
    let times = Mutex([UInt64: ContinuousClock.Instant]())
}
