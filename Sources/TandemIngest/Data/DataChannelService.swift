import Foundation
public import GRPCCore
public import Logging
import Metrics
import SwiftProtobuf
import TandemCore
public import TandemProtocol
public import TandemStore

/// `tandem.v1.DataChannel/Stream`: DataOpen, then EventBatches, each answered by a BatchAck
/// once every event of it is durable (stored, or known to be stored already).
///
/// Batches of one stream are written in order, one at a time, so a stream has at most one
/// un-acked batch being written and HTTP/2 flow control holds the connector back meanwhile.
public struct DataChannelService: Tandem_V1_DataChannel.ServiceProtocol {
    private let store: Store
    private let configuration: IngestConfiguration
    private let authenticator: ChannelAuthenticator
    private let logger: Logger

    /// Creates the service.
    public init(store: Store, configuration: IngestConfiguration, logger: Logger) {
        self.store = store
        self.configuration = configuration
        self.authenticator = ChannelAuthenticator(tokens: store.tokens)
        self.logger = logger
    }

    public func stream(
        request: StreamingServerRequest<Tandem_V1_DataMessage>, context: ServerContext
    ) async throws -> StreamingServerResponse<Tandem_V1_BatchAck> {
        let token = try await authenticator.authenticate(request.metadata)
        return StreamingServerResponse { writer in
            try await run(token: token, inbound: request.messages, writer: writer)
            return [:]
        }
    }

    private func run(
        token: Token, inbound: RPCAsyncSequence<Tandem_V1_DataMessage, any Error>, writer: RPCWriter<Tandem_V1_BatchAck>
    ) async throws {
        var messages = inbound.makeAsyncIterator()
        guard let first = try await messages.next() else { return }
        guard case .open(let open) = first.message else {
            throw RPCError(code: .invalidArgument, message: "the first message on the data channel must be a DataOpen")
        }
        guard let connector = try await store.connectors.openDataChannel(
            tenant: token.tenantID, token: token.id, instanceID: open.instanceID)
        else {
            throw RPCError(
                code: .failedPrecondition,
                message: "no connector with instance id '\(open.instanceID.prefix(64))' for this token: say Hello on the control channel first")
        }
        defer {
            let store = store
            Task { try? await store.connectors.closeDataChannel(tenant: token.tenantID, connector: connector) }
        }
        while let message = try await messages.next() {
            guard case .batch(let batch) = message.message else {
                throw RPCError(code: .invalidArgument, message: "after DataOpen only EventBatch messages may be sent")
            }
            let ack: Tandem_V1_BatchAck
            do {
                ack = try await write(batch, token: token, connector: connector)
            } catch let error as RPCError {
                throw error
            } catch {
                // Nothing of the batch is acked: the connector resends it on its next stream.
                logger.error("could not store a batch", metadata: [
                    "tandem.connector": "\(connector)", "sequence": "\(batch.sequence)", "error": "\(String(reflecting: error))",
                ])
                throw RPCError(code: .unavailable, message: "batch \(batch.sequence) could not be stored now; resend it")
            }
            try await writer.write(ack)
        }
    }

    private func write(_ batch: Tandem_V1_EventBatch, token: Token, connector: ConnectorID) async throws -> Tandem_V1_BatchAck {
        guard batch.events.count <= configuration.maximumEventsPerBatch else {
            throw RPCError(
                code: .resourceExhausted,
                message: "batch \(batch.sequence) has \(batch.events.count) events; at most \(configuration.maximumEventsPerBatch) per batch")
        }
        let size = batch.events.reduce(16) { $0 + $1.body.count + $1.sourceDevice.utf8.count + $1.subject.utf8.count + 40 }
        guard size <= configuration.maximumMessageSize else {
            throw RPCError(
                code: .resourceExhausted,
                message: "batch \(batch.sequence) is about \(size) bytes; at most \(configuration.maximumMessageSize) bytes per message: send smaller batches")
        }
        var records: [EventRecord] = []
        records.reserveCapacity(batch.events.count)
        var locations = false
        for (index, wire) in batch.events.enumerated() {
            do {
                let event = try DeviceEvent(wire)
                locations = locations || event.kind == .clientLocation
                records.append(EventRecord(tenant: token.tenantID, token: token.id, connector: connector, event: event))
            } catch let error as ValidationError {
                throw RPCError(
                    code: .invalidArgument,
                    message: "batch \(batch.sequence), event \(index): \(error.field) \(error.message); nothing of this batch was stored")
            }
        }
        let outcomes = try await store.events.write(records)
        try await store.connectors.countDataChannelEvents(tenant: token.tenantID, connector: connector, count: records.count)
        if locations { try await store.groups.fastLocateFlowing(tenant: token.tenantID, token: token.id) }
        return .with { ack in
            ack.sequence = batch.sequence
            for outcome in outcomes {
                switch outcome {
                case .stored: ack.stored += 1
                case .duplicate: ack.duplicates += 1
                case .quarantined: ack.quarantined += 1
                }
            }
        }
    }
}
