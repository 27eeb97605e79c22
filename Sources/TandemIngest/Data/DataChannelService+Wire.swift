import GRPCCore
import GRPCProtobuf
import TandemCore
import TandemProtocol
import TandemStore
import TandemWire

extension DataChannelService {
    /// Validates a batch into records; a bad event refuses the whole batch.
    func records(of batch: InboundBatch, token: Token, connector: ConnectorID) throws -> [EventRecord] {
        guard batch.events.count <= configuration.maximumEventsPerBatch else {
            throw IngestError.tooManyEvents(batch: batch.sequence, events: batch.events.count, limit: configuration.maximumEventsPerBatch)
        }
        let size = batch.events.reduce(16) { $0 + $1.body.count + $1.sourceDevice.utf8.count + $1.subject.utf8.count + 40 }
        guard size <= configuration.maximumMessageSize else {
            throw IngestError.batchTooLarge(batch: batch.sequence, bytes: size, limit: configuration.maximumMessageSize)
        }
        var records: [EventRecord] = []
        records.reserveCapacity(batch.events.count)
        for (index, wire) in batch.events.enumerated() {
            do {
                records.append(EventRecord(tenant: token.tenantID, token: token.id, connector: connector, event: try DeviceEvent(wire)))
            } catch let error as ValidationError {
                throw IngestError.invalidEvent(batch: batch.sequence, index: index, error)
            }
        }
        return records
    }
}

extension DataChannelService {
    /// Registers `stream` like the generated code, with messages read by a
    /// ``DataFrameDeserializer``.
    func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
        router.registerHandler(
            forMethod: Tandem_V1_DataChannel.Method.Stream.descriptor,
            deserializer: DataFrameDeserializer(limit: configuration.maximumMessageSize),
            serializer: ProtobufSerializer<Tandem_V1_BatchAck>(),
            handler: { request, context in try await self.stream(request: request, context: context) })
    }
}
