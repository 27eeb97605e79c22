import Foundation
import GRPCCore
public import Logging
import SwiftProtobuf
import Synchronization
public import TandemCore
import TandemProtocol
public import TandemStore

/// The control-channel sessions open on this node, by HA group, and the way to push commands
/// to them (configuration, HA Active list, reprovision requests) or to end them.
///
/// Small shared state behind a `Mutex`; each session drains its own `AsyncStream`, so a slow
/// connector never blocks a push to the others.
public final class SessionRegistry: HAGroupNotifier, Sendable {
    /// What a session's writer receives.
    enum Outbound: Sendable {
        case command(Tandem_V1_ControlCommand)
        case close(RPCError)
    }

    /// A group by its tenant and token.
    typealias GroupKey = TenantScoped<Token>

    private struct Session {
        let connector: ConnectorID
        let generation: Int64
        let continuation: AsyncStream<Outbound>.Continuation
        /// The version (modification time) of the configuration the connector has: pushed only
        /// when the group's differs, so a LISTEN reconnect's catch-up sends nothing it has.
        var configurationVersion: Date?
        /// The HA Active list the connector has, pushed only when the group's differs.
        var haActive: [String]?
    }

    private let sessions = Mutex<[GroupKey: [UUID: Session]]>([:])
    /// An open data stream: the connector it opened for (once its DataOpen is accepted) and
    /// the way to end it.
    private struct DataStreamEntry {
        var connector: ConnectorID?
        let ending: AsyncStream<RPCError>.Continuation
    }

    /// Open data streams by group: each hears (and ends) when its token is revoked or its
    /// connector is recorded lost.
    private let dataStreams = Mutex<[GroupKey: [UUID: DataStreamEntry]]>([:])
    private let store: Store
    private let logger: Logger
    /// The metrics of the ingest side (sessions, HA Active, failovers, refusals).
    let metrics: IngestMetrics
    /// Failed channel authentications per address, shared by both channels.
    let throttle = AuthenticationThrottle()
    /// Serialises this node's membership changes (joins, losses) of each group, so the two
    /// members of a pair saying Hello at once are applied one after the other, not recomputed.
    let membershipChanges = KeyedLock<GroupKey>()
    /// When this node last failed to reach the database: silence is not judged for a while after.
    public let outages = DatabaseOutages()
    /// Set once the node is shutting down (``drain()``).
    private let draining = Atomic(false)
    /// This node: the origin of the notifications it sends the others.
    let node: NodeID
    /// Sends this node's changes to the other nodes, batched (run it as a service).
    public let publisher: ClusterPublisher

    /// Creates an empty registry whose pushes read configuration from `store`.
    public init(store: Store, node: NodeID = .generated(), metrics: IngestMetrics = IngestMetrics(), logger: Logger) {
        self.store = store
        self.node = node
        self.publisher = ClusterPublisher(nodes: store.nodes, logger: logger)
        self.metrics = metrics
        self.logger = logger
    }

    /// Adds a session; of the sessions of one connector on this node only the one with the
    /// highest `generation` (the join the database committed last) stays: the others are ended
    /// as replaced, the new one too when an older join registers after a newer one (two Hellos
    /// of one instance at once), so exactly one session lives and none is recorded as lost.
    func register(
        _ session: UUID, tenant: TenantID, token: TokenID, connector: ConnectorID, generation: Int64,
        configurationVersion: Date? = nil, haActive: [String]? = nil, continuation: AsyncStream<Outbound>.Continuation
    ) {
        let (ended, keptNew): ([AsyncStream<Outbound>.Continuation], Bool) = sessions.withLock { all in
            let key = GroupKey(tenant: tenant, id: token)
            var group = all[key, default: [:]]
            let others = group.filter { $0.value.connector == connector }
            if let newest = others.values.map(\.generation).max(), newest > generation {
                return ([continuation], false)  // a newer session of this connector is already here
            }
            for id in others.keys { group.removeValue(forKey: id) }
            group[session] = Session(
                connector: connector, generation: generation, continuation: continuation, configurationVersion: configurationVersion,
                haActive: haActive)
            all[key] = group
            return (others.values.map(\.continuation), true)
        }
        if keptNew { metrics.sessions("control", 1 - ended.count) }
        for continuation in ended {
            continuation.yield(.close(RPCError(IngestError.replaced)))
            continuation.finish()
        }
    }

    /// Removes a session (its stream ended).
    func unregister(_ session: UUID, tenant: TenantID, token: TokenID) {
        let removed = sessions.withLock { all in
            let key = GroupKey(tenant: tenant, id: token)
            defer { if all[key]?.isEmpty == true { all.removeValue(forKey: key) } }
            return all[key]?.removeValue(forKey: session) != nil
        }
        if removed { metrics.sessions("control", -1) }
    }

    /// Ends a session with `error` (e.g. declared lost after silence).
    func close(_ session: UUID, tenant: TenantID, token: TokenID, error: RPCError) {
        let continuation = sessions.withLock { $0[GroupKey(tenant: tenant, id: token)]?[session]?.continuation }
        continuation?.yield(.close(error))
        continuation?.finish()
    }

    /// Pushes `command` to every session of the group on this node.
    func broadcast(_ command: Tandem_V1_ControlCommand, tenant: TenantID, token: TokenID) {
        let targets = sessions.withLock { $0[GroupKey(tenant: tenant, id: token)]?.values.map(\.continuation) ?? [] }
        for continuation in targets { continuation.yield(.command(command)) }
    }

    /// The number of sessions open on this node.
    public var count: Int { sessions.withLock { $0.values.reduce(0) { $0 + $1.count } } }

    /// Pushes the group's HA Active list to its sessions that don't have it yet, and records the
    /// group's health.
    func haActiveChanged(_ haActive: [String], health: HAGroupHealth, tenant: TenantID, token: TokenID) {
        metrics.haActive(health, tenant: tenant, group: token)
        let targets = sessions.withLock { all in
            Self.outdated(in: &all[GroupKey(tenant: tenant, id: token)], \.haActive, haActive)
        }
        for continuation in targets { continuation.yield(.command(.with { $0.haActive = .init(haActive) })) }
    }

    /// The sessions of a group whose `field` differs from `value`, marked as having it now.
    private static func outdated<Value: Equatable>(
        in group: inout [UUID: Session]?, _ field: WritableKeyPath<Session, Value?>, _ value: Value
    ) -> [AsyncStream<Outbound>.Continuation] {
        guard let ids = group?.keys else { return [] }
        var targets: [AsyncStream<Outbound>.Continuation] = []
        for id in ids where group?[id]?[keyPath: field] != value {
            group?[id]?[keyPath: field] = value
            if let continuation = group?[id]?.continuation { targets.append(continuation) }
        }
        return targets
    }

    /// A connector was recorded lost: its group's members hear the new HA Active list, and a
    /// failover (a peer survived) is counted.
    /// A connector recorded lost also loses its data streams on this node: a lost member's
    /// batches are no longer acked; it says Hello again and reopens its data channel.
    func connectorLost(_ loss: HALoss, tenant: TenantID, token: TokenID) {
        membershipChanged(tenant: tenant, token: token)
        if loss.failoverTo != nil { metrics.failover(tenant) }
        if loss.handoverTo != nil { metrics.handover(tenant) }
        haActiveChanged(loss.haActive, health: loss.health, tenant: tenant, token: token)
        let ended = Set(loss.ended)
        let ending = dataStreams.withLock { all in
            all[GroupKey(tenant: tenant, id: token)]?.values.filter { $0.connector.map(ended.contains) ?? false }.map(\.ending) ?? []
        }
        for continuation in ending {
            continuation.yield(RPCError(IngestError.connectorLost))
            continuation.finish()
        }
    }

    /// The group's configuration changed (through this node's API): its sessions here hear it
    /// now, those on other nodes once they get the notification.
    public func configurationChanged(tenant: TenantID, token: TokenID) async {
        await pushConfiguration(tenant: tenant, token: token)
        publisher.publish(.init(.configuration, origin: node, tenant: tenant, token: token))
    }

    /// The operator asked for a reprovision (through this node's API): pushed here and on
    /// every other node.
    public func reprovisionRequested(tenant: TenantID, token: TokenID, services: [String]) async {
        pushReprovision(tenant: tenant, token: token, services: services)
        publisher.publish(.init(.reprovision, origin: node, tenant: tenant, token: token, services: services))
    }

    /// The token was revoked (through this node's API): every channel of the group closes,
    /// here at once and on every other node once they get the notification (or, if that is
    /// missed, at their next revocation check).
    public func tokenRevoked(tenant: TenantID, token: TokenID) async {
        closeRevoked(tenant: tenant, token: token)
        publisher.publish(.init(.revoked, origin: node, tenant: tenant, token: token))
    }

    /// Reads the group's configuration and pushes it to its sessions on this node that don't
    /// have this version yet (a LISTEN reconnect's catch-up re-reads every group: a connector
    /// hears each version once).
    func pushConfiguration(tenant: TenantID, token: TokenID) async {
        guard hasChannels(tenant: tenant, token: token) else { return }
        do {
            guard let configuration = try await store.groups.configuration(tenant: tenant, token: token) else { return }
            let targets = sessions.withLock { all in
                Self.outdated(in: &all[GroupKey(tenant: tenant, id: token)], \.configurationVersion, configuration.modifiedAt)
            }
            let command = Tandem_V1_ControlCommand.with { $0.configuration = .init(configuration) }
            for continuation in targets { continuation.yield(.command(command)) }
        } catch {
            logger.error(
                "could not push configuration", metadata: [LogKey.token: "\(token)", LogKey.error: "\(StoreError.loggable(error))"])
        }
    }

    /// Reads the group's HA Active list and health and pushes them to its sessions on this node.
    func pushMembership(tenant: TenantID, token: TokenID) async {
        guard hasChannels(tenant: tenant, token: token) else { return }
        do {
            guard let membership = try await store.connectors.membership(tenant: tenant, token: token) else { return }
            haActiveChanged(membership.haActive, health: membership.health, tenant: tenant, token: token)
        } catch {
            logger.error(
                "could not push the HA Active list", metadata: [LogKey.token: "\(token)", LogKey.error: "\(StoreError.loggable(error))"])
        }
    }

    /// Pushes a reprovision request to the group's sessions on this node.
    func pushReprovision(tenant: TenantID, token: TokenID, services: [String]) {
        broadcast(.with { $0.reprovision = .with { $0.services = services } }, tenant: tenant, token: token)
    }

    /// Ends every channel of the group on this node with UNAUTHENTICATED.
    func closeRevoked(tenant: TenantID, token: TokenID) {
        let key = GroupKey(tenant: tenant, id: token)
        let control = sessions.withLock { $0[key]?.values.map(\.continuation) ?? [] }
        for continuation in control {
            continuation.yield(.close(RPCError(IngestError.tokenRevoked)))
            continuation.finish()
        }
        let data = dataStreams.withLock { $0.removeValue(forKey: key)?.values.map(\.ending) ?? [] }
        for continuation in data {
            continuation.yield(RPCError(IngestError.tokenRevoked))
            continuation.finish()
        }
        if !control.isEmpty || !data.isEmpty {
            logger.notice(
                "closed the channels of a revoked token",
                metadata: [
                    LogKey.token: "\(token)", LogKey.control: "\(control.count)", LogKey.data: "\(data.count)",
                ])
        }
    }

    /// Whether the group has a control session or a data stream on this node.
    func hasChannels(tenant: TenantID, token: TokenID) -> Bool {
        let key = GroupKey(tenant: tenant, id: token)
        return sessions.withLock { $0[key] != nil } || dataStreams.withLock { $0[key] != nil }
    }

    /// The group's membership changed here (a join or a loss): the other nodes re-read it.
    func membershipChanged(tenant: TenantID, token: TokenID) {
        publisher.publish(.init(.haActive, origin: node, tenant: tenant, token: token))
    }

    /// Whether the node is shutting down: sessions that end now are not recorded as lost (the
    /// connector reconnects to another node; the liveness sweeper decides for those that don't).
    var isDraining: Bool { draining.load(ordering: .acquiring) }

    /// Starts the node's graceful shutdown: every control session is ended with UNAVAILABLE
    /// (reconnect), and every data stream is told to stop taking batches, ack those in flight,
    /// and end with UNAVAILABLE. Nothing is recorded as lost.
    public func drain() {
        draining.store(true, ordering: .releasing)
        let control = sessions.withLock { $0.values.flatMap { $0.values.map(\.continuation) } }
        for continuation in control {
            continuation.yield(.close(Self.shuttingDown))
            continuation.finish()
        }
        let data = dataStreams.withLock { $0.values.flatMap { $0.values.map(\.ending) } }
        for continuation in data {
            continuation.yield(Self.shuttingDown)
            continuation.finish()
        }
        logger.notice(
            "draining: connectors told to reconnect", metadata: [LogKey.control: "\(control.count)", LogKey.data: "\(data.count)"])
    }

    /// What a connector hears when the node it is on shuts down.
    static let shuttingDown = RPCError(IngestError.shuttingDown)

    /// The groups with a control session or a data stream open on this node.
    var liveGroups: [(tenant: TenantID, token: TokenID)] {
        let keys = sessions.withLock { Set($0.keys) }.union(dataStreams.withLock { Set($0.keys) })
        return keys.map { ($0.tenant, $0.id) }
    }

    /// Registers an open data stream; the stream yields the error to end it with, once, if its
    /// token is revoked or (after ``attachDataStream(_:tenant:token:connector:)``) its connector
    /// is recorded lost.
    /// - Returns: `nil` when the token already has `limit` data streams open on this node.
    func openDataStream(_ id: UUID, tenant: TenantID, token: TokenID, limit: Int) -> AsyncStream<RPCError>? {
        let (ending, continuation) = AsyncStream<RPCError>.makeStream()
        let admitted = dataStreams.withLock { all in
            let key = GroupKey(tenant: tenant, id: token)
            guard all[key, default: [:]].count < limit else { return false }
            all[key, default: [:]][id] = DataStreamEntry(connector: nil, ending: continuation)
            return true
        }
        return admitted ? ending : nil
    }

    /// Records which connector a data stream carries (its DataOpen was accepted).
    func attachDataStream(_ id: UUID, tenant: TenantID, token: TokenID, connector: ConnectorID) {
        dataStreams.withLock { $0[GroupKey(tenant: tenant, id: token)]?[id]?.connector = connector }
    }

    /// Forgets a data stream that ended.
    func closeDataStream(_ id: UUID, tenant: TenantID, token: TokenID) {
        let key = GroupKey(tenant: tenant, id: token)
        dataStreams.withLock { all in
            all[key]?.removeValue(forKey: id)?.ending.finish()
            if all[key]?.isEmpty == true { all.removeValue(forKey: key) }
        }
    }
}
