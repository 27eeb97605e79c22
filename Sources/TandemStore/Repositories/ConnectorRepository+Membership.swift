import Foundation
import PostgresNIO
import TandemCore

/// Loading an HA group for a membership change and persisting what ``HAGroup`` decided.
extension ConnectorRepository {
    /// Which inactive connector a change needs besides the active members.
    enum Subject {
        /// No one else: a read of the group.
        case activeOnly
        /// The connector saying Hello, by instance id (it may be new).
        case instance(String)
        /// A member by connector id (the one leaving).
        case connector(ConnectorID)
    }

    /// A group as loaded for a change or a read.
    struct LoadedGroup {
        let group: HAGroup
        /// The database's `now()`: the time a change happens at.
        let now: Date
        let configurationModifiedAt: Date
    }

    /// Loads the group: its flags, FastLocate, whether its token is revoked, its active members
    /// and `subject`. With `lock`, the group's row stays locked for the rest of the transaction:
    /// membership changes of one group are serialised by it, on every node.
    /// - Throws: ``StoreError`` `notFound` without such a group, `corrupt` for a stored value
    ///   the rules can't read.
    func loadGroup(
        tenant: TenantID, token: TokenID, including subject: Subject, lock: Bool, on connection: PostgresConnection
    ) async throws -> LoadedGroup {
        let header = try await connection.statement(
            """
            SELECT g.hyperlocation_reprovision, g.iot_reprovision, g.fastlocate_state, g.fastlocate_since,
                   t.revoked_at IS NOT NULL, now(), g.configuration_modified_at
            FROM ha_groups g JOIN tokens t USING (tenant_id, token_id)
            WHERE g.tenant_id = \(tenant.rawValue) AND g.token_id = \(token.rawValue)
            \(unescaped: lock ? "FOR UPDATE OF g" : "")
            """, logger: logger)
        var loaded: (reprovision: Set<HAGroup.Service>, fastLocate: FastLocate, revoked: Bool, now: Date, modified: Date)?
        for try await (hyperlocation, iot, state, since, revoked, now, modified) in header.decode(
            (Bool, Bool, String, Date?, Bool, Date, Date).self) {
            var reprovision: Set<HAGroup.Service> = []
            if hyperlocation { reprovision.insert(.hyperlocation) }
            if iot { reprovision.insert(.iot) }
            loaded = (reprovision, try Self.fastLocate(state, since: since), revoked, now, modified)
        }
        guard let loaded else { throw StoreError(.notFound, "no HA group for token \(token)") }

        let filter: PostgresQuery = switch subject {
        case .activeOnly:
            """
            SELECT connector_id, instance_id, ip_address, ova_version, control_status = 'active', session_id, joined_at, node_id
            FROM connectors WHERE tenant_id = \(tenant.rawValue) AND token_id = \(token.rawValue) AND control_status = 'active'
            """
        case .instance(let instance):
            """
            SELECT connector_id, instance_id, ip_address, ova_version, control_status = 'active', session_id, joined_at, node_id
            FROM connectors WHERE tenant_id = \(tenant.rawValue) AND token_id = \(token.rawValue)
              AND (control_status = 'active' OR instance_id = \(instance))
            """
        case .connector(let connector):
            """
            SELECT connector_id, instance_id, ip_address, ova_version, control_status = 'active', session_id, joined_at, node_id
            FROM connectors WHERE tenant_id = \(tenant.rawValue) AND token_id = \(token.rawValue)
              AND (control_status = 'active' OR connector_id = \(connector.rawValue))
            """
        }
        var members: [HAGroup.Member] = []
        let rows = try await connection.statement(filter, logger: logger)
        for try await (id, instance, ip, version, active, session, joined, node) in rows.decode(
            (UUID, String, String, String, Bool, UUID?, Date?, String?).self) {
            guard let ovaVersion = OVAVersion(version) else {
                throw StoreError(.corrupt, "connector \(id) has a stored OVA version that is not a version")
            }
            // An active row always has a session; one without (written before sessions existed)
            // is owned by no live stream, so it stays active until the sweeper finds it silent.
            members.append(.init(
                connectorID: ConnectorID(id), instanceID: instance, ipAddress: ip, ovaVersion: ovaVersion,
                session: active ? (session ?? Self.noSession) : nil, joinedAt: joined, node: node.flatMap { try? NodeID($0) }))
        }
        let group = HAGroup(members: members, reprovision: loaded.reprovision, fastLocate: loaded.fastLocate, tokenRevoked: loaded.revoked)
        return LoadedGroup(group: group, now: loaded.now, configurationModifiedAt: loaded.modified)
    }

    /// Writes the group's reprovision flags and FastLocate state.
    func saveGroupState(_ group: HAGroup, tenant: TenantID, token: TokenID, on connection: PostgresConnection) async throws {
        let (state, since): (FastLocateState, Date?) = switch group.fastLocate {
        case .flowing(let since): (.flowing, since)
        case .reEstablishing(let since): (.reEstablishing, since)
        }
        try await connection.statement(
            """
            UPDATE ha_groups SET hyperlocation_reprovision = \(group.reprovision.contains(.hyperlocation)),
                iot_reprovision = \(group.reprovision.contains(.iot)),
                fastlocate_state = \(state.rawValue), fastlocate_since = \(since)
            WHERE tenant_id = \(tenant.rawValue) AND token_id = \(token.rawValue)
            """, logger: logger)
    }

    /// Records HA history rows, each at the moment it is written (`clock_timestamp()`, not the
    /// transaction's start), so a loss sorts before the failover it caused.
    func record(_ events: [HAEvent], tenant: TenantID, token: TokenID, on connection: PostgresConnection) async throws {
        for event in events {
            try await connection.statement(
                """
                INSERT INTO ha_history (tenant_id, token_id, kind, connector_id, peer_connector_id, ip_address, detail, occurred_at)
                VALUES (\(tenant.rawValue), \(token.rawValue), \(event.kind.rawValue), \(event.connectorID.rawValue),
                        \(event.peerConnectorID?.rawValue), \(event.ipAddress), \(event.detail), clock_timestamp())
                """, logger: logger)
        }
    }

    /// Reads a stored FastLocate state (`overdue` was once stored too; it is derived now).
    static func fastLocate(_ state: String, since: Date?) throws -> FastLocate {
        switch (FastLocateState(rawValue: state), since) {
        case (.flowing, _): return .flowing(since: since)
        case (.reEstablishing, let since?), (.overdue, let since?): return .reEstablishing(since: since)
        default: throw StoreError(.corrupt, "an HA group has a stored FastLocate state that can't be read")
        }
    }

    /// Stands for the session of an active row that has none.
    static let noSession = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
}
