import Foundation
import GRPCCore
import GRPCProtobuf
import Logging
import SwiftProtobuf
import Synchronization
import TandemCore
import TandemProtocol
import TandemStore
import TandemWire

/// `tandem.v1.DataChannel/Stream`: DataOpen, then EventBatches, each answered by a BatchAck
/// once every event of it is durable (stored, or known to be stored already).
///
/// Up to ``IngestConfiguration/maximumInFlightBatches`` batches of one stream are in the shared
/// ``EventPipeline`` at once; acks go back in batch order. Past the bound the stream is not
/// read, so HTTP/2 flow control holds the connector back.
struct DataChannelService: RegistrableRPCService {
    private let store: Store
    private let pipeline: EventPipeline
    private let tally: DataChannelTally
    private let registry: SessionRegistry
    private let deferred: DeferredWork
    let configuration: IngestConfiguration
    private let authenticator: ChannelAuthenticator
    private let metrics: IngestMetrics
    private let logger: Logger

    /// Creates the service.
    init(
        store: Store, pipeline: EventPipeline, tally: DataChannelTally, registry: SessionRegistry, deferred: DeferredWork,
        authenticator: ChannelAuthenticator, configuration: IngestConfiguration, metrics: IngestMetrics, logger: Logger
    ) {
        self.store = store
        self.pipeline = pipeline
        self.tally = tally
        self.registry = registry
        self.deferred = deferred
        self.configuration = configuration
        self.authenticator = authenticator
        self.metrics = metrics
        self.logger = logger
    }

    /// Authenticates the stream, then serves it until the connector, a revocation or a drain
    /// ends it.
    func stream(
        request: StreamingServerRequest<DataFrame>, context: ServerContext
    ) async throws -> StreamingServerResponse<Tandem_V1_BatchAck> {
        let token = try await authenticator.authenticate(request.metadata, context: context)
        return StreamingServerResponse { writer in
            try await run(token: token, inbound: request.messages, writer: writer)
            return [:]
        }
    }

    /// A batch's ack and when the batch was read (for the ack latency).
    private typealias Ack = (message: Tandem_V1_BatchAck, arrived: ContinuousClock.Instant)

    /// Serves one data stream with two child tasks and a third that ends it: the reader takes
    /// frames, turns batches into records and writes each through the pipeline in a child task
    /// of its own, up to ``IngestConfiguration/maximumInFlightBatches`` at once
    /// (``DataStreamAcks``); the acker sends the acks in batch order as their writes end; the
    /// last task ends the stream when the token is revoked, the connector is lost or the node
    /// drains (after the batches in flight are acked, within the node's shutdown bound).
    private func run(
        token: Token, inbound: RPCAsyncSequence<DataFrame, any Error>, writer: RPCWriter<Tandem_V1_BatchAck>
    ) async throws {
        let streamID = UUID()
        guard
            let ending = registry.openDataStream(
                streamID, tenant: token.tenantID, token: token.id, limit: configuration.maximumDataStreamsPerToken)
        else {
            throw IngestError.tooManyDataStreams(limit: configuration.maximumDataStreamsPerToken)
        }
        let opened = OpenedConnector()
        let acks = DataStreamAcks<Ack>(capacity: configuration.maximumInFlightBatches)
        defer {
            registry.closeDataStream(streamID, tenant: token.tenantID, token: token.id)
            if let connector = opened.value.withLock({ $0 }) {
                metrics.sessions("data", -1)
                // Bookkeeping after the stream, in the node's task group: it must outlive the
                // stream's cancellation (a connector that hung up cancels this task). Its event
                // count is in the tally already.
                deferred.enqueue { [store, configuration] in
                    try? await store.connectors.closeDataChannel(tenant: token.tenantID, connector: connector, node: configuration.nodeID)
                }
            }
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { acks.close() }
                try await self.read(inbound, token: token, streamID: streamID, opened: opened, acks: acks)
            }
            // Acker: acks in batch order, each once its batch is durable.
            group.addTask {
                for await answer in acks.answers {
                    switch answer {
                    case .ack(let ack):
                        try await writer.write(ack.message)
                        metrics.ackLatency(ContinuousClock.now - ack.arrived)
                        acks.sent()
                    case .failure(let error):
                        throw error
                    }
                }
            }
            // Revocation of the token, or the loss of the connector, ends the stream at once; a
            // node shutting down first acks the batches in flight: no new batch is taken.
            group.addTask {
                for await error in ending {
                    if registry.isDraining {
                        acks.close()
                        await acks.idle()
                    }
                    throw error
                }
            }
            // The reader and the acker end with the stream (or one throws).
            for _ in 0..<2 { try await group.next() }
            group.cancelAll()
        }
    }

    /// Reads DataOpen, then batches, each written in a child task once it has a slot.
    private func read(
        _ inbound: RPCAsyncSequence<DataFrame, any Error>, token: Token, streamID: UUID, opened: OpenedConnector,
        acks: DataStreamAcks<Ack>
    ) async throws {
        try await withThrowingDiscardingTaskGroup { writes in
            var connector: ConnectorID?
            for try await frame in inbound {
                switch frame {
                case .open(let instanceID) where connector == nil:
                    let opening = try await self.open(instanceID: instanceID, token: token)
                    connector = opening
                    opened.value.withLock { $0 = opening }
                    registry.attachDataStream(streamID, tenant: token.tenantID, token: token.id, connector: opening)
                    metrics.sessions("data", 1)
                case .batch(let batch):
                    guard let connector else { throw IngestError.dataOpenFirst }
                    // A node shutting down takes no new batch: unacked, it is resent to another node.
                    if registry.isDraining { continue }
                    guard let ticket = await acks.reserve() else { return }
                    let arrived = ContinuousClock.now
                    let records = try self.records(of: batch, token: token, connector: connector)
                    metrics.eventsReceived(token.tenantID, records.count)
                    writes.addTask {
                        metrics.inFlightBatches(1)
                        defer { metrics.inFlightBatches(-1) }
                        do {
                            let ack = try await self.write(sequence: batch.sequence, records: records, token: token, connector: connector)
                            acks.complete(ticket, .ack((ack, arrived)))
                        } catch {
                            acks.complete(ticket, .failure(error))
                        }
                    }
                case .open:
                    throw IngestError.dataOpenTwice
                case .empty:
                    throw IngestError.emptyDataMessage
                }
            }
        }
    }

    private func open(instanceID: String, token: Token) async throws -> ConnectorID {
        guard
            let connector = try await store.connectors.openDataChannel(
                tenant: token.tenantID, token: token.id, instanceID: instanceID, node: configuration.nodeID)
        else {
            throw IngestError.unknownInstance(instanceID)
        }
        return connector
    }

    private func write(
        sequence: UInt64, records: [EventRecord], token: Token, connector: ConnectorID
    ) async throws -> Tandem_V1_BatchAck {
        let outcomes: [EventOutcome]
        do {
            outcomes = try await pipeline.submit(records)
        } catch  where StoreError.isRejection(error) {
            // The data itself was refused: resending it can never succeed.
            logger.warning(
                "a batch was refused by PostgreSQL",
                metadata: [
                    LogKey.connector: "\(connector)", LogKey.sequence: "\(sequence)", LogKey.error: "\(StoreError.loggable(error))",
                ])
            throw IngestError.batchRefused(batch: sequence, "\(error)")
        } catch is CancellationError {
            // The stream ended while the batch waited to be let in: nothing to store or report.
            throw CancellationError()
        } catch {
            // Nothing of the batch is acked: the connector resends it on its next stream.
            if StoreError.isUnavailability(error) { registry.outages.failed() }
            logger.error(
                "could not store a batch",
                metadata: [
                    LogKey.connector: "\(connector)", LogKey.sequence: "\(sequence)", LogKey.error: "\(StoreError.loggable(error))",
                ])
            throw IngestError.batchNotStored(batch: sequence)
        }
        // The batch is durable from here on. Its count goes to the node's tally, written for
        // every stream at once (``DataChannelTally``): no database round trip before the ack.
        tally.add(
            events: records.count, connector: connector, token: token.id, tenant: token.tenantID,
            location: records.contains { $0.event.kind == .clientLocation })
        return .with { ack in
            ack.sequence = sequence
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

/// The connector a data stream opened, shared by its tasks and its cleanup.
private final class OpenedConnector: Sendable {
    let value = Mutex<ConnectorID?>(nil)
}
