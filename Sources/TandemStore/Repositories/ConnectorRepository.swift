public import Foundation
public import Logging
import PostgresNIO
public import TandemCore

/// Connectors and their HA group membership, kept in PostgreSQL so that every ingest node and
/// the operator API see the same HA Active list.
///
/// Membership changes of one group are serialised by locking the group's `ha_groups` row, so
/// two connectors saying Hello at the same instant are checked against each other.
public struct ConnectorRepository: Sendable {
    let database: Database
    let logger: Logger

    /// Creates a repository over `database`.
    public init(database: Database, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    /// One heartbeat, for ``heartbeats(_:)``.
    public struct Heartbeat: Sendable {
        public let tenant: TenantID
        public let connector: ConnectorID
        public let session: UUID
        public let statistics: ConnectorStatistics

        public init(tenant: TenantID, connector: ConnectorID, session: UUID, statistics: ConnectorStatistics) {
            self.tenant = tenant
            self.connector = connector
            self.session = session
            self.statistics = statistics
        }
    }

    /// Records many heartbeats in one statement (a node's heartbeats of the last moment).
    /// - Returns: the sessions that still own their connector; the others were replaced by a
    ///   reconnect or declared lost, and should end.
    public func heartbeats(_ beats: [Heartbeat]) async throws -> Set<UUID> {
        guard !beats.isEmpty else { return [] }
        let encoder = JSONEncoder.store
        var binds = PostgresBindings()
        binds.append(beats.map(\.tenant.rawValue))
        binds.append(beats.map(\.connector.rawValue))
        binds.append(beats.map(\.session))
        binds.append(try beats.map { String(decoding: try encoder.encode($0.statistics), as: UTF8.self) })
        binds.append(beats.map { Int64(clamping: $0.statistics.nmspMessagesReceived) })
        let rows = try await database.statement(
            PostgresQuery(
                unsafeSQL: """
                    UPDATE connectors c SET last_heard = now(), statistics = h.statistics::jsonb, nmsp_messages_received = h.nmsp
                    FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::int8[]) AS h(tenant, connector, session, statistics, nmsp)
                    WHERE c.tenant_id = h.tenant AND c.connector_id = h.connector AND c.session_id = h.session
                      AND c.control_status = 'active'
                    RETURNING c.session_id
                    """,
                binds: binds),
            logger: logger)
        var alive = Set<UUID>()
        for try await session in rows.decode(UUID.self) { alive.insert(session) }
        return alive
    }

    /// Applies ``HAGroup/leave(_:session:reason:at:liveness:)`` to the group as loaded: judges
    /// the connector if `session` still owns it, marks every member the rules ended inactive,
    /// records the history and, on a failover or handover, the reprovision flags and FastLocate
    /// re-establishing: one statement, applied only if the group is unchanged since it was
    /// loaded (else recomputed).
    /// - Returns: what was recorded, or `nil` when the session no longer owned the connector or
    ///   the judgement waits for a peer still inside its grace.
    public func leave(
        tenant: TenantID, token: TokenID, connector: ConnectorID, session: UUID, reason: String, liveness: HALiveness
    ) async throws -> HALoss? {
        let outcome: HALoss?? = try await optimistically {
            let loaded = try await loadGroup(tenant: tenant, token: token, including: .connector(connector))
            var group = loaded.group
            let now = loaded.now
            let events = group.leave(connector, session: session, reason: reason, at: now, liveness: liveness)
            guard let first = events.first else { return .some(nil) }  // nothing to record (yet)
            let ended = loaded.group.members.filter { member in
                member.isActive && group.members.contains { $0.connectorID == member.connectorID && !$0.isActive }
            }
            let (state, since): (FastLocateState, Date?) =
                switch group.fastLocate {
                case .flowing(let since): (.flowing, since)
                case .reEstablishing(let since): (.reEstablishing, since)
                }
            let (kinds, connectors, peers, ips, details) = Self.historyArrays(events)
            let endedIDs = ended.map(\.connectorID.rawValue)
            let endedSessions = ended.map { $0.session ?? Self.noSession }
            let rows = try await database.statement(
                """
                WITH bumped AS (
                    UPDATE ha_groups SET membership_version = membership_version + 1,
                        hyperlocation_reprovision = \(group.reprovision.contains(.hyperlocation)),
                        iot_reprovision = \(group.reprovision.contains(.iot)),
                        fastlocate_state = \(state.rawValue), fastlocate_since = \(since)
                    WHERE tenant_id = \(tenant.rawValue) AND token_id = \(token.rawValue) AND membership_version = \(loaded.version)
                    RETURNING 1
                ), left_group AS (
                    UPDATE connectors c SET control_status = 'inactive', data_status = 'inactive', last_modified = now(),
                        session_id = NULL, departed_at = NULL, departure = NULL, lost_at = now()
                    FROM unnest(\(endedIDs)::uuid[], \(endedSessions)::uuid[]) AS e(connector, session)
                    WHERE c.tenant_id = \(tenant.rawValue) AND c.connector_id = e.connector AND c.session_id = e.session
                      AND EXISTS (SELECT 1 FROM bumped)
                    RETURNING 1
                ), history AS (
                    INSERT INTO ha_history (tenant_id, token_id, kind, connector_id, peer_connector_id, ip_address, detail, occurred_at)
                    SELECT \(tenant.rawValue), \(token.rawValue), h.kind, h.connector, nullif(h.peer, '')::uuid, h.ip, h.detail, clock_timestamp()
                    FROM unnest(\(kinds)::text[], \(connectors)::uuid[], \(peers)::text[], \(ips)::text[], \(details)::text[])
                         WITH ORDINALITY AS h(kind, connector, peer, ip, detail, n)
                    WHERE EXISTS (SELECT 1 FROM bumped) ORDER BY h.n
                )
                SELECT (SELECT count(*) FROM bumped), (SELECT count(*) FROM left_group)
                """, logger: logger)
            var won = false
            for try await (bumped, _) in rows.decode((Int64, Int64).self) { won = bumped == 1 }
            guard won else { return nil }  // another change of the group won: recompute
            return .some(
                HALoss(
                    connectorID: connector, ipAddress: first.ipAddress, ended: ended.map(\.connectorID), haActive: group.haActive,
                    health: group.health(at: now),
                    failoverTo: events.lazy.compactMap { if case .failover(_, let to, _) = $0 { to } else { nil } }.first,
                    handoverTo: events.lazy.compactMap { if case .handover(_, let to, _) = $0 { to } else { nil } }.first,
                    kinds: events.map(\.kind)))
        }
        return outcome ?? nil
    }

    /// Records that the control stream of `session` ended (with the connector's Goodbye reason,
    /// if it gave one): the connector stays a member while its reconnect grace runs, but no
    /// longer counts as a live peer (``HALiveness``). Bumps the group's membership version, so
    /// a leave computed before this is recomputed.
    /// - Returns: whether `session` still owned an active connector.
    @discardableResult
    public func departed(tenant: TenantID, token: TokenID, session: UUID, planned: PlannedLeave?) async throws -> Bool {
        let rows = try await database.statement(
            """
            WITH marked AS (
                UPDATE connectors SET departed_at = now(), departure = \(planned?.rawValue)
                WHERE tenant_id = \(tenant.rawValue) AND token_id = \(token.rawValue) AND session_id = \(session)
                  AND control_status = 'active'
                RETURNING 1
            ), bumped AS (
                UPDATE ha_groups SET membership_version = membership_version + 1
                WHERE tenant_id = \(tenant.rawValue) AND token_id = \(token.rawValue) AND EXISTS (SELECT 1 FROM marked)
                RETURNING 1
            )
            SELECT (SELECT count(*) FROM marked)
            """, logger: logger)
        var marked = false
        for try await count in rows.decode(Int64.self) { marked = count > 0 }
        return marked
    }

    /// Sessions `node` must watch whose connector has not been heard for longer than
    /// `timeout`: its own, and those of nodes whose lease lapsed (a node that died or stopped
    /// leaves its sessions to the others; whichever gets there first records the loss, once).
    public func expiredSessions(timeout: Duration, node: NodeID) async throws -> [ExpiredSession] {
        let rows = try await database.statement(
            """
            SELECT tenant_id, token_id, connector_id, session_id FROM connectors c
            WHERE control_status = 'active' AND session_id IS NOT NULL
              AND last_heard < now() - make_interval(secs => \(timeout.inSeconds))
              AND (node_id IS NULL OR node_id = \(node.value)
                   OR NOT EXISTS (SELECT 1 FROM nodes n WHERE n.node_id = c.node_id AND n.lease_expires_at > now()))
            """, logger: logger)
        var expired: [ExpiredSession] = []
        for try await (tenant, token, connector, session) in rows.decode((UUID, UUID, UUID, UUID).self) {
            expired.append(.init(tenant: TenantID(tenant), token: TokenID(token), connectorID: ConnectorID(connector), sessionID: session))
        }
        return expired
    }

    /// The group's HA Active list and health now (what a node pushes after another node changed
    /// the group).
    public func membership(tenant: TenantID, token: TokenID) async throws -> (haActive: [String], health: HAGroupHealth)? {
        do {
            let loaded = try await loadGroup(tenant: tenant, token: token, including: .activeOnly)
            return (loaded.group.haActive, loaded.group.health(at: loaded.now))
        } catch let error as StoreError where error.code == .notFound {
            return nil
        }
    }

    /// The group's HA Active list: IPs of its active connectors, in the order they joined.
    public func haActive(tenant: TenantID, token: TokenID) async throws -> [String] {
        try await membership(tenant: tenant, token: token)?.haActive ?? []
    }

    /// Opens the data channel of the connector `instanceID` of `token`, held by `node`.
    /// - Returns: the connector, or `nil` when it never said Hello on the control channel.
    public func openDataChannel(tenant: TenantID, token: TokenID, instanceID: String, node: NodeID) async throws -> ConnectorID? {
        let rows = try await database.statement(
            """
            UPDATE connectors SET data_status = 'active', data_connected_at = now(), last_modified = now(),
                data_node_id = \(node.value)
            WHERE tenant_id = \(tenant.rawValue) AND token_id = \(token.rawValue) AND instance_id = \(instanceID)
            RETURNING connector_id
            """, logger: logger)
        for try await id in rows.decode(UUID.self) { return ConnectorID(id) }
        return nil
    }

    /// Closes the connector's data channel (held by `node`: a stream that moved to another node
    /// meanwhile keeps its node).
    public func closeDataChannel(tenant: TenantID, connector: ConnectorID, node: NodeID) async throws {
        try await database.statement(
            """
            UPDATE connectors SET data_status = 'inactive', last_modified = now(),
                data_node_id = CASE WHEN data_node_id = \(node.value) THEN NULL ELSE data_node_id END
            WHERE tenant_id = \(tenant.rawValue) AND connector_id = \(connector.rawValue)
            """, logger: logger)
    }

    /// Adds to the events each connector delivered on its data channel, for many connectors in
    /// one statement (a node's data streams of the last moment). The rows are given in key
    /// order, so two nodes adding to the same connectors (a stream that moved) usually lock
    /// them in the same order; a deadlock that still happens fails this write alone.
    public func countDataChannelEvents(_ counts: [TenantScoped<Connector>: Int]) async throws {
        let ordered = counts.filter { $0.value != 0 }.sorted { $0.key < $1.key }
        guard !ordered.isEmpty else { return }
        var binds = PostgresBindings(capacity: 3)
        binds.append(ordered.map(\.key.tenant.rawValue))
        binds.append(ordered.map(\.key.id.rawValue))
        binds.append(ordered.map { Int64($0.value) })
        try await database.statement(
            PostgresQuery(
                unsafeSQL: """
                    UPDATE connectors c SET data_channel_events = c.data_channel_events + d.events
                    FROM unnest($1::uuid[], $2::uuid[], $3::int8[]) AS d(tenant, connector, events)
                    WHERE c.tenant_id = d.tenant AND c.connector_id = d.connector
                    """,
                binds: binds),
            logger: logger)
    }
}

extension JSONEncoder {
    /// The encoder for JSON the store writes: ISO 8601 dates, sorted keys.
    static var store: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = .sortedKeys
        return encoder
    }
}
