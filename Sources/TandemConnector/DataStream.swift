public import GRPCCore
import SwiftProtobuf
public import TandemProtocol

/// A connector's open data channel: batches out, acks back.
public final class DataStream: Sendable {
    private let outgoing: AsyncStream<Tandem_V1_DataMessage>.Continuation
    private let acks: AsyncThrowingStream<Tandem_V1_BatchAck, any Error>
    private let task: Task<Void, any Error>

    private init(
        outgoing: AsyncStream<Tandem_V1_DataMessage>.Continuation, acks: AsyncThrowingStream<Tandem_V1_BatchAck, any Error>,
        task: Task<Void, any Error>
    ) {
        self.outgoing = outgoing
        self.acks = acks
        self.task = task
    }

    /// Opens the data channel of the connector `instanceID` (it must have said Hello).
    public static func open<Transport: ClientTransport>(
        client: GRPCClient<Transport>, token: String, instanceID: String
    ) -> DataStream {
        let (outbound, outgoing) = AsyncStream<Tandem_V1_DataMessage>.makeStream()
        let (acks, ackSink) = AsyncThrowingStream<Tandem_V1_BatchAck, any Error>.makeStream()
        outgoing.yield(.with { $0.open = .with { $0.instanceID = instanceID } })
        let channel = Tandem_V1_DataChannel.Client(wrapping: client)
        // Unstructured on purpose: the stream outlives `open`; this handle owns it and ends it.
        let task = Task {
            do {
                try await channel.stream(metadata: ["authorization": "Bearer \(token)"]) { writer in
                    for await message in outbound { try await writer.write(message) }
                } onResponse: { response in
                    for try await ack in response.messages { ackSink.yield(ack) }
                    ackSink.finish()
                }
            } catch {
                ackSink.finish(throwing: error)
                throw error
            }
        }
        return DataStream(outgoing: outgoing, acks: acks, task: task)
    }

    /// Queues a batch; its ack arrives through ``nextAck()`` in order.
    public func send(_ batch: Tandem_V1_EventBatch) {
        outgoing.yield(.with { $0.batch = batch })
    }

    /// Queues a raw message (for tests of malformed input).
    public func send(raw message: Tandem_V1_DataMessage) {
        outgoing.yield(message)
    }

    /// The next ack; throws the stream's error, or returns `nil` when it ended.
    public func nextAck() async throws -> Tandem_V1_BatchAck? {
        var iterator = acks.makeAsyncIterator()
        return try await iterator.next()
    }

    /// Sends `batch` and waits for its ack.
    public func write(_ batch: Tandem_V1_EventBatch) async throws -> Tandem_V1_BatchAck {
        send(batch)
        guard let ack = try await nextAck() else { throw RPCError(code: .unavailable, message: "data stream ended before the ack") }
        return ack
    }

    /// Ends the stream politely (no more batches).
    public func finish() { outgoing.finish() }

    /// Drops the stream abruptly.
    public func kill() {
        task.cancel()
        outgoing.finish()
    }
}
