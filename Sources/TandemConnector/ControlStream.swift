public import GRPCCore
import SwiftProtobuf
public import TandemProtocol

/// A connector's open control channel: Hello sent, Welcome received, heartbeats flowing.
///
/// Speaks only the public protocol. ``kill()`` drops the stream abruptly (no goodbye), as a
/// crashed connector would.
public final class ControlStream: Sendable {
    /// The Welcome Tandem answered the Hello with.
    public let welcome: Tandem_V1_Welcome
    /// Everything Tandem pushes after the Welcome: configuration, HA Active list, reprovision.
    public let commands: AsyncStream<Tandem_V1_ControlCommand>
    private let outgoing: AsyncStream<Tandem_V1_ControlMessage>.Continuation
    private let task: Task<Void, any Error>

    private init(
        welcome: Tandem_V1_Welcome, commands: AsyncStream<Tandem_V1_ControlCommand>,
        outgoing: AsyncStream<Tandem_V1_ControlMessage>.Continuation, task: Task<Void, any Error>
    ) {
        self.welcome = welcome
        self.commands = commands
        self.outgoing = outgoing
        self.task = task
    }

    /// Opens the control channel, says Hello and waits for the Welcome.
    /// - Parameters:
    ///   - heartbeatEvery: how often to send `heartbeat()`; `nil` sends none (a silent connector).
    /// - Throws: the `RPCError` Tandem answered with (e.g. `failedPrecondition` for a pairing rule).
    public static func open<Transport: ClientTransport>(
        client: GRPCClient<Transport>, token: String, identity: ConnectorIdentity,
        heartbeatEvery: Duration? = .seconds(1),
        heartbeat: @escaping @Sendable () -> Tandem_V1_Heartbeat = { Tandem_V1_Heartbeat() }
    ) async throws -> ControlStream {
        let (outbound, outgoing) = AsyncStream<Tandem_V1_ControlMessage>.makeStream()
        let (commands, commandSink) = AsyncStream<Tandem_V1_ControlCommand>.makeStream()
        let (welcomes, welcomeSink) = AsyncThrowingStream<Tandem_V1_Welcome, any Error>.makeStream()
        outgoing.yield(.with { $0.hello = .init(identity) })
        let channel = Tandem_V1_ControlChannel.Client(wrapping: client)
        // Unstructured on purpose: the stream outlives `open`; this handle owns it (kill() and
        // goodbye() cancel it, ended() awaits it).
        let task = Task {
            defer { commandSink.finish() }
            do {
                try await channel.connect(metadata: ["authorization": "Bearer \(token)"]) { writer in
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask { for await message in outbound { try await writer.write(message) } }
                        if let heartbeatEvery {
                            group.addTask {
                                while !Task.isCancelled {
                                    try await Task.sleep(for: heartbeatEvery)
                                    outgoing.yield(.with { $0.heartbeat = heartbeat() })
                                }
                            }
                        }
                        try await group.next()
                        group.cancelAll()
                    }
                } onResponse: { response in
                    for try await command in response.messages {
                        if case .welcome(let welcome) = command.command {
                            welcomeSink.yield(welcome)
                        } else {
                            commandSink.yield(command)
                        }
                    }
                    welcomeSink.finish(throwing: RPCError(code: .unavailable, message: "control stream ended"))
                }
            } catch {
                welcomeSink.finish(throwing: error)
                throw error
            }
        }
        var iterator = welcomes.makeAsyncIterator()
        do {
            guard let welcome = try await iterator.next() else { throw RPCError(code: .unavailable, message: "no Welcome") }
            return ControlStream(welcome: welcome, commands: commands, outgoing: outgoing, task: task)
        } catch {
            task.cancel()
            throw error
        }
    }

    /// Sends one heartbeat now.
    public func sendHeartbeat(_ heartbeat: Tandem_V1_Heartbeat) {
        outgoing.yield(.with { $0.heartbeat = heartbeat })
    }

    /// Says Goodbye with `reason` and closes the stream on purpose, as a connector that restarts,
    /// upgrades or shuts down does; waits for Tandem to end the RPC, at most `timeout`.
    public func goodbye(_ reason: Tandem_V1_Goodbye.Reason, within timeout: Duration = .seconds(5)) async {
        outgoing.yield(.with { $0.goodbye = .with { $0.reason = reason } })
        outgoing.finish()
        let task = self.task
        await withTaskGroup(of: Void.self) { group in
            group.addTask { _ = try? await task.value }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
        task.cancel()
    }

    /// Drops the stream abruptly: no goodbye, the RPC is cancelled.
    public func kill() {
        task.cancel()
        outgoing.finish()
    }

    /// Waits until the stream has ended; rethrows the error it ended with.
    public func ended() async throws {
        try await task.value
    }
}

extension Tandem_V1_Hello {
    init(_ identity: ConnectorIdentity) {
        self.init()
        instanceID = identity.instanceID
        hostname = identity.hostname
        ipAddress = identity.ipAddress
        macAddress = identity.macAddress
        ovaVersion = identity.ovaVersion
        dockerVersion = identity.dockerVersion
        channels = .with {
            $0.controller = identity.carriesController
            $0.accessPoint = identity.carriesAccessPoint
        }
    }
}
