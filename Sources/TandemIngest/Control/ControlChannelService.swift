import Foundation
import GRPCCore
import GRPCProtobuf
import Logging
import TandemCore
import TandemProtocol
import TandemStore

/// `tandem.v1.ControlChannel/Connect`: Hello → pairing rules → Welcome, then heartbeats in and
/// pushes out, until the stream ends; then the loss (and failover) is recorded.
struct ControlChannelService: Tandem_V1_ControlChannel.ServiceProtocol {
    private let store: Store
    private let registry: SessionRegistry
    private let heartbeats: HeartbeatRecorder
    private let joins: RoundBatcher<HAJoinRequest, HAJoin>
    private let deferred: DeferredWork
    private let configuration: IngestConfiguration
    private let authenticator: ChannelAuthenticator
    private let logger: Logger

    /// Creates the service: `joins` admits Hellos, `authenticator` checks each stream's token,
    /// `deferred` runs what a session leaves behind.
    init(
        store: Store, registry: SessionRegistry, heartbeats: HeartbeatRecorder, joins: RoundBatcher<HAJoinRequest, HAJoin>,
        deferred: DeferredWork, authenticator: ChannelAuthenticator, configuration: IngestConfiguration, logger: Logger
    ) {
        self.store = store
        self.heartbeats = heartbeats
        self.joins = joins
        self.deferred = deferred
        self.registry = registry
        self.configuration = configuration
        self.authenticator = authenticator
        self.logger = logger
    }

    func connect(
        request: StreamingServerRequest<Tandem_V1_ControlMessage>, context: ServerContext
    ) async throws -> StreamingServerResponse<Tandem_V1_ControlCommand> {
        let token = try await authenticator.authenticate(request.metadata, context: context)
        return StreamingServerResponse { writer in
            let session = ControlSession(
                token: token, store: store, registry: registry, heartbeats: heartbeats, joins: joins, deferred: deferred,
                configuration: configuration, logger: logger)
            try await session.run(inbound: request.messages, writer: writer)
            return [:]
        }
    }
}

extension ControlChannelService {
    /// Registers `connect` like the generated code, with messages that can't be decoded refused
    /// by a ``DescriptiveDeserializer``.
    func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
        router.registerHandler(
            forMethod: Tandem_V1_ControlChannel.Method.Connect.descriptor,
            deserializer: DescriptiveDeserializer<Tandem_V1_ControlMessage>(
                method: "tandem.v1.ControlChannel/Connect", limit: configuration.maximumMessageSize),
            serializer: ProtobufSerializer<Tandem_V1_ControlCommand>(),
            handler: { request, context in try await self.connect(request: request, context: context) })
    }
}
