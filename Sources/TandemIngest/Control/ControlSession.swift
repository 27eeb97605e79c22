import Foundation
import GRPCCore
import Logging
import SwiftProtobuf
import Synchronization
import TandemCore
import TandemProtocol
import TandemStore
import TandemWire

/// One control-channel stream of one connector, from Hello to its end.
///
/// Two tasks run side by side: the inbound one reads the Hello, admits the connector, then
/// records heartbeats; the outbound one writes what the registry pushes (Welcome first). When
/// either ends, the other is cancelled and the connector's loss is recorded — unless the server
/// itself is shutting down, in which case the liveness sweeper decides later, so a restart of
/// Tandem is not mistaken for a failing connector.
final class ControlSession: Sendable {
    let token: Token
    let store: Store
    let registry: SessionRegistry
    let heartbeats: HeartbeatRecorder
    let joins: RoundBatcher<HAJoinRequest, HAJoin>
    /// Where the cleanup after the stream and the loss after the reconnect grace run.
    let deferred: DeferredWork
    let configuration: IngestConfiguration
    let logger: Logger

    /// Who this session admitted (set once the Hello is accepted).
    private let admitted = Mutex<ConnectorID?>(nil)
    /// The reason of the connector's Goodbye, once it said one.
    private let goodbye = Mutex<PlannedLeave?>(nil)
    private let id = UUID()

    init(
        token: Token, store: Store, registry: SessionRegistry, heartbeats: HeartbeatRecorder, joins: RoundBatcher<HAJoinRequest, HAJoin>,
        deferred: DeferredWork, configuration: IngestConfiguration, logger: Logger
    ) {
        self.token = token
        self.deferred = deferred
        self.heartbeats = heartbeats
        self.joins = joins
        self.store = store
        self.registry = registry
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: LogKey.token] = "\(token.id)"
        self.logger = logger
    }

    func run(
        inbound: RPCAsyncSequence<Tandem_V1_ControlMessage, any Error>, writer: RPCWriter<Tandem_V1_ControlCommand>
    ) async throws {
        let (outbound, continuation) = AsyncStream<SessionRegistry.Outbound>.makeStream(bufferingPolicy: .bufferingNewest(64))
        var failure: (any Error)?
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await self.receive(inbound, continuation: continuation) }
                group.addTask {
                    for await item in outbound {
                        switch item {
                        case .command(let command): try await writer.write(command)
                        case .close(let error): throw error
                        }
                    }
                }
                try await group.next()
                group.cancelAll()
            }
        } catch {
            failure = error
        }
        continuation.finish()
        let shuttingDown = Task.isCancelled || registry.isDraining
        let grace = Self.broke(failure) ? configuration.reconnectGrace : .zero
        // In the node's task group: the cleanup must run even when this task is cancelled.
        let reason = failure.map(Self.reason) ?? "control stream closed"
        await deferred.perform { await self.finish(reason: reason, recordLoss: !shuttingDown, after: grace) }
        if let failure { throw failure }
    }

    private func receive(
        _ inbound: RPCAsyncSequence<Tandem_V1_ControlMessage, any Error>,
        continuation: AsyncStream<SessionRegistry.Outbound>.Continuation
    ) async throws {
        var connector: ConnectorID?
        for try await message in inbound {
            if goodbye.withLock({ $0 }) != nil { throw IngestError.afterGoodbye }
            switch message.message {
            case .hello(let hello) where connector == nil:
                connector = try await admit(hello, continuation: continuation)
            case .hello:
                throw IngestError.helloTwice
            case .heartbeat(let heartbeat):
                guard let connector else {
                    throw IngestError.helloFirst
                }
                heartbeats.record(
                    .init(
                        tenant: token.tenantID, connector: connector, session: id, statistics: ConnectorStatistics(heartbeat))
                ) {
                    continuation.yield(.close(RPCError(IngestError.replacedOrLost)))
                    continuation.finish()
                }
            case .goodbye(let message):
                guard connector != nil else { throw IngestError.helloFirst }
                guard let reason = PlannedLeave(message.reason) else { throw IngestError.goodbyeWithoutReason }
                goodbye.withLock { $0 = reason }
            case nil:
                throw IngestError.emptyControlMessage
            }
        }
    }

    private func admit(
        _ wire: Tandem_V1_Hello, continuation: AsyncStream<SessionRegistry.Outbound>.Continuation
    ) async throws -> ConnectorID {
        let hello: ConnectorHello
        do {
            hello = try ConnectorHello(wire)
        } catch let error as ValidationError {
            throw IngestError.invalidHello(error)
        }
        let join: HAJoin
        do {
            join = try await registry.membershipChanges.withLock(.init(tenant: token.tenantID, id: token.id)) {
                try await joins(
                    HAJoinRequest(
                        tenant: token.tenantID, token: token.id, hello: hello, session: id, node: configuration.nodeID,
                        rules: configuration.pairingRules))
            }
        } catch  where StoreError.isUnavailability(error) {
            registry.outages.failed()
            throw error
        } catch  where StoreError.isRejection(error) {
            logger.notice("Hello refused by the database", metadata: [LogKey.error: "\(StoreError.loggable(error))"])
            throw IngestError.helloRefusedByDatabase("\(error)")
        } catch let refusal as PairingRefusal {
            registry.metrics.helloRefused(refusal.rule)
            logger.notice("refused connector", metadata: [LogKey.rule: "\(refusal.rule.rawValue)", LogKey.ip: "\(hello.ipAddress)"])
            throw IngestError.refused(refusal)
        }
        admitted.withLock { $0 = join.connectorID }
        continuation.yield(
            .command(
                .with {
                    $0.welcome = .with { welcome in
                        welcome.tenantID = token.tenantID.description
                        welcome.connectorID = join.connectorID.description
                        welcome.haActive = .init(join.haActive)
                        welcome.heartbeatIntervalMs = UInt32(clamping: configuration.heartbeatInterval.inMilliseconds)
                        welcome.configuration = .init(join.configuration)
                    }
                }))
        registry.register(
            id, tenant: token.tenantID, token: token.id, connector: join.connectorID, generation: join.generation,
            configurationVersion: join.configuration.modifiedAt, haActive: join.haActive, continuation: continuation)
        registry.haActiveChanged(join.haActive, health: join.health, tenant: token.tenantID, token: token.id)
        if join.haActiveChanged { registry.membershipChanged(tenant: token.tenantID, token: token.id) }
        logger.info(
            "connector joined",
            metadata: [
                LogKey.connector: "\(join.connectorID)", LogKey.ip: "\(hello.ipAddress)", LogKey.haActive: "\(join.haActive)",
            ])
        return join.connectorID
    }

    /// Whether the stream ended under the connector (closed, after a Goodbye or not, or broken:
    /// a dropped connection, a balancer gone) rather than being ended by Tandem for a reason
    /// (replaced, revoked, refused, invalid).
    static func broke(_ failure: (any Error)?) -> Bool {
        guard let failure else { return true }
        guard let error = failure as? any RPCErrorConvertible else { return true }
        switch error.rpcErrorCode {
        case .aborted, .unauthenticated, .invalidArgument, .failedPrecondition, .resourceExhausted, .permissionDenied:
            return false
        default:
            return true
        }
    }

    private func finish(reason: String, recordLoss: Bool, after grace: Duration) async {
        registry.unregister(id, tenant: token.tenantID, token: token.id)
        guard recordLoss, let connector = admitted.withLock({ $0 }) else { return }
        guard grace > .zero else { return await recordLost(connector, reason: reason) }
        // The connector is no longer a live peer while its grace runs: a peer judged meanwhile
        // is not failed over to it (``HALiveness``).
        do {
            try await store.connectors.departed(
                tenant: token.tenantID, token: token.id, session: id, planned: goodbye.withLock { $0 })
        } catch {
            if StoreError.isUnavailability(error) { registry.outages.failed() }
            logger.warning(
                "could not record that the control stream ended", metadata: [LogKey.error: "\(StoreError.loggable(error))"])
        }
        // Not awaited: the stream is gone; the loss is recorded after the grace unless the
        // connector said Hello again meanwhile (on any node: its session then no longer owns
        // the row, and `leave` does nothing) or this node began draining.
        deferred.enqueue(after: grace) { [self] in
            guard !registry.isDraining else { return }
            // While the database was unreachable the connector could not have said Hello again:
            // the liveness sweeper judges its silence once the database is back for a while.
            guard registry.outages.allowsJudging(timeout: configuration.livenessTimeout) else {
                logger.info(
                    "connector loss left to the liveness sweeper: the database was unreachable",
                    metadata: [LogKey.connector: "\(connector)"])
                return
            }
            await recordLost(connector, reason: reason)
        }
    }

    private func recordLost(_ connector: ConnectorID, reason: String) async {
        do {
            let loss = try await registry.membershipChanges.withLock(.init(tenant: token.tenantID, id: token.id)) {
                try await store.connectors.leave(
                    tenant: token.tenantID, token: token.id, connector: connector, session: id, reason: reason,
                    liveness: configuration.liveness)
            }
            if let loss {
                registry.connectorLost(loss, tenant: token.tenantID, token: token.id)
                logger.notice(
                    "connector lost",
                    metadata: [
                        LogKey.connector: "\(connector)", LogKey.reason: "\(reason)", LogKey.recorded: "\(loss.kinds.map(\.rawValue))",
                        LogKey.failoverTo: "\(loss.failoverTo?.description ?? "none")",
                    ])
            }
        } catch {
            logger.error(
                "could not record connector loss",
                metadata: [LogKey.connector: "\(connector)", LogKey.error: "\(StoreError.loggable(error))"])
        }
    }

    private static func reason(_ error: any Error) -> String {
        if let error = error as? any RPCErrorConvertible { return "\(error.rpcErrorCode): \(error.rpcErrorMessage)" }
        return "control stream failed"
    }
}
