public import Foundation
public import Logging
public import PostgresNIO
public import TandemCore

/// Connectors and their HA group membership, kept in PostgreSQL so that every ingest node and
/// the operator API see the same HA Active list.
///
/// Membership changes of one group are serialised by locking the group's `ha_groups` row, so
/// two connectors saying Hello at the same instant are checked against each other.
public struct ConnectorRepository: Sendable {
    let client: PostgresClient
    let logger: Logger

    /// Creates a repository over `client`.
    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Admits a connector to its group: checks the pairing rules against the active members,
    /// records it active under `session`, and writes the HA history.
    /// - Throws: ``PairingRefusal`` when a rule is broken (nothing is recorded then).
    public func join(
        tenant: TenantID, token: TokenID, hello: ConnectorHello, session: UUID, rules: PairingRules
    ) async throws -> HAJoin {
        try await client.transaction(logger: logger) { connection in
            try await lockGroup(tenant: tenant, token: token, on: connection)
            var members: [PairingRules.Member] = []
            let rows = try await connection.statement(
                """
                SELECT instance_id, ip_address, ova_version FROM connectors
                WHERE tenant_id = \(tenant.rawValue) AND token_id = \(token.rawValue) AND control_status = 'active'
                """, logger: logger)
            for try await (instance, ip, version) in rows.decode((String, String, String).self) {
                members.append(.init(instanceID: instance, ipAddress: ip, ovaVersion: OVAVersion(version) ?? .init(components: [0])))
            }
            if let refusal = rules.check(hello, activeMembers: members) { throw refusal }
            let peers = members.filter { $0.instanceID != hello.instanceID }

            let upsert = try await connection.statement(
                """
                INSERT INTO connectors AS c (
                    tenant_id, connector_id, token_id, instance_id, hostname, ip_address, mac_address,
                    ova_version, docker_version, carries_controller, carries_ap, control_status,
                    control_connected_at, joined_at, last_heard, last_modified, session_id)
                VALUES (
                    \(tenant.rawValue), \(UUID()), \(token.rawValue), \(hello.instanceID), \(hello.hostname),
                    \(hello.ipAddress), \(hello.macAddress), \(hello.ovaVersion.description), \(hello.dockerVersion),
                    \(hello.channels.controller), \(hello.channels.accessPoint), 'active', now(), now(), now(), now(), \(session))
                ON CONFLICT (tenant_id, token_id, instance_id) DO UPDATE SET
                    hostname = excluded.hostname, ip_address = excluded.ip_address, mac_address = excluded.mac_address,
                    ova_version = excluded.ova_version, docker_version = excluded.docker_version,
                    carries_controller = excluded.carries_controller, carries_ap = excluded.carries_ap,
                    control_status = 'active', control_connected_at = now(),
                    joined_at = CASE WHEN c.control_status = 'active' THEN c.joined_at ELSE now() END,
                    last_heard = now(), last_modified = now(), session_id = excluded.session_id,
                    session_generation = c.session_generation + 1
                RETURNING connector_id, (xmax = 0) AS inserted, session_generation
                """, logger: logger)
            var connectorID = ConnectorID.random()
            var inserted = true
            var generation: Int64 = 0
            for try await (id, isNew, number) in upsert.decode((UUID, Bool, Int64).self) {
                connectorID = ConnectorID(id)
                inserted = isNew
                generation = number
            }
            let returning = !inserted && !members.contains { $0.instanceID == hello.instanceID }
            let recovered = returning && !peers.isEmpty
            if !members.contains(where: { $0.instanceID == hello.instanceID }) {
                try await record(.joined, tenant: tenant, token: token, connector: connectorID, peer: nil,
                                 ip: hello.ipAddress, detail: "OVA \(hello.ovaVersion), channels \(hello.channels.names.joined(separator: "+"))",
                                 on: connection)
            }
            if recovered {
                try await record(.recovered, tenant: tenant, token: token, connector: connectorID, peer: nil,
                                 ip: hello.ipAddress, detail: "pair restored", on: connection)
            }
            let haActive = try await activeList(tenant: tenant, token: token, on: connection)
            return HAJoin(connectorID: connectorID, haActive: haActive, recovered: recovered, generation: generation)
        }
    }

    /// Records a heartbeat of the connector's live session.
    /// - Returns: `false` when `session` no longer owns the connector (it was replaced by a
    ///   reconnect or declared lost): the caller should end it.
    public func heartbeat(
        tenant: TenantID, connector: ConnectorID, session: UUID, statistics: ConnectorStatistics
    ) async throws -> Bool {
        let json = String(decoding: try JSONEncoder.store.encode(statistics), as: UTF8.self)
        let rows = try await client.statement(
            """
            UPDATE connectors SET last_heard = now(), statistics = \(json)::jsonb,
                nmsp_messages_received = \(Int64(clamping: statistics.nmspMessagesReceived))
            WHERE tenant_id = \(tenant.rawValue) AND connector_id = \(connector.rawValue)
              AND session_id = \(session) AND control_status = 'active'
            RETURNING 1
            """, logger: logger)
        for try await _ in rows { return true }
        return false
    }

    /// Marks the connector lost if `session` still owns it, records the loss and, when a peer
    /// survives, the failover to it with the reprovision flags and FastLocate re-establishing.
    /// - Returns: the loss, or `nil` when the session no longer owned the connector.
    public func leave(
        tenant: TenantID, token: TokenID, connector: ConnectorID, session: UUID, reason: String
    ) async throws -> HALoss? {
        try await client.transaction(logger: logger) { connection in
            try await lockGroup(tenant: tenant, token: token, on: connection)
            let rows = try await connection.statement(
                """
                UPDATE connectors SET control_status = 'inactive', data_status = 'inactive', last_modified = now(),
                    session_id = NULL
                WHERE tenant_id = \(tenant.rawValue) AND connector_id = \(connector.rawValue)
                  AND session_id = \(session) AND control_status = 'active'
                RETURNING ip_address
                """, logger: logger)
            var lostIP: String?
            for try await ip in rows.decode(String.self) { lostIP = ip }
            guard let lostIP else { return nil }
            try await record(.lost, tenant: tenant, token: token, connector: connector, peer: nil, ip: lostIP,
                             detail: reason, on: connection)
            // A revoked token cuts every member off at once: no peer survives to fail over to.
            let survivors = try await connection.statement(
                """
                SELECT c.connector_id FROM connectors c JOIN tokens t USING (tenant_id, token_id)
                WHERE c.tenant_id = \(tenant.rawValue) AND c.token_id = \(token.rawValue) AND c.control_status = 'active'
                  AND t.revoked_at IS NULL
                ORDER BY c.joined_at, c.connector_id LIMIT 1
                """, logger: logger)
            var survivor: ConnectorID?
            for try await id in survivors.decode(UUID.self) { survivor = ConnectorID(id) }
            if let survivor {
                try await record(.failover, tenant: tenant, token: token, connector: connector, peer: survivor,
                                 ip: lostIP, detail: "ingest continues from the surviving peer", on: connection)
                try await connection.statement(
                    """
                    UPDATE ha_groups SET hyperlocation_reprovision = true, iot_reprovision = true,
                        fastlocate_state = 're-establishing', fastlocate_since = now()
                    WHERE tenant_id = \(tenant.rawValue) AND token_id = \(token.rawValue)
                    """, logger: logger)
            }
            let haActive = try await activeList(tenant: tenant, token: token, on: connection)
            return HALoss(connectorID: connector, ipAddress: lostIP, haActive: haActive, failoverTo: survivor)
        }
    }

    /// Sessions whose connector has not been heard for longer than `timeout`.
    public func expiredSessions(timeout: Duration) async throws -> [ExpiredSession] {
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        let rows = try await client.statement(
            """
            SELECT tenant_id, token_id, connector_id, session_id FROM connectors
            WHERE control_status = 'active' AND session_id IS NOT NULL
              AND last_heard < now() - make_interval(secs => \(seconds))
            """, logger: logger)
        var expired: [ExpiredSession] = []
        for try await (tenant, token, connector, session) in rows.decode((UUID, UUID, UUID, UUID).self) {
            expired.append(.init(tenant: TenantID(tenant), token: TokenID(token), connectorID: ConnectorID(connector), sessionID: session))
        }
        return expired
    }

    /// The group's HA Active list: IPs of its active connectors, in the order they joined.
    public func haActive(tenant: TenantID, token: TokenID) async throws -> [String] {
        try await client.withConnection { try await activeList(tenant: tenant, token: token, on: $0) }
    }

    /// Opens the data channel of the connector `instanceID` of `token`.
    /// - Returns: the connector, or `nil` when it never said Hello on the control channel.
    public func openDataChannel(tenant: TenantID, token: TokenID, instanceID: String) async throws -> ConnectorID? {
        let rows = try await client.statement(
            """
            UPDATE connectors SET data_status = 'active', data_connected_at = now(), last_modified = now()
            WHERE tenant_id = \(tenant.rawValue) AND token_id = \(token.rawValue) AND instance_id = \(instanceID)
            RETURNING connector_id
            """, logger: logger)
        for try await id in rows.decode(UUID.self) { return ConnectorID(id) }
        return nil
    }

    /// Closes the connector's data channel.
    public func closeDataChannel(tenant: TenantID, connector: ConnectorID) async throws {
        try await client.statement(
            """
            UPDATE connectors SET data_status = 'inactive', last_modified = now()
            WHERE tenant_id = \(tenant.rawValue) AND connector_id = \(connector.rawValue)
            """, logger: logger)
    }

    /// Adds `count` to the events the connector delivered on its data channel.
    public func countDataChannelEvents(tenant: TenantID, connector: ConnectorID, count: Int) async throws {
        try await client.statement(
            """
            UPDATE connectors SET data_channel_events = data_channel_events + \(count)
            WHERE tenant_id = \(tenant.rawValue) AND connector_id = \(connector.rawValue)
            """, logger: logger)
    }

    private func lockGroup(tenant: TenantID, token: TokenID, on connection: PostgresConnection) async throws {
        try await connection.statement(
            "SELECT 1 FROM ha_groups WHERE tenant_id = \(tenant.rawValue) AND token_id = \(token.rawValue) FOR UPDATE",
            logger: logger)
    }

    private func activeList(tenant: TenantID, token: TokenID, on connection: PostgresConnection) async throws -> [String] {
        let rows = try await connection.statement(
            """
            SELECT ip_address FROM connectors
            WHERE tenant_id = \(tenant.rawValue) AND token_id = \(token.rawValue) AND control_status = 'active'
            ORDER BY joined_at, connector_id
            """, logger: logger)
        var list: [String] = []
        for try await ip in rows.decode(String.self) { list.append(ip) }
        return list
    }

    /// Kinds of HA history entries.
    enum HistoryKind: String {
        case joined, lost, failover, recovered
    }

    /// Records one HA history row at the moment it is written (`clock_timestamp()`, not the
    /// transaction's start), so a loss sorts before the failover it caused.
    private func record(
        _ kind: HistoryKind, tenant: TenantID, token: TokenID, connector: ConnectorID, peer: ConnectorID?,
        ip: String, detail: String, on connection: PostgresConnection
    ) async throws {
        try await connection.statement(
            """
            INSERT INTO ha_history (tenant_id, token_id, kind, connector_id, peer_connector_id, ip_address, detail, occurred_at)
            VALUES (\(tenant.rawValue), \(token.rawValue), \(kind.rawValue), \(connector.rawValue), \(peer?.rawValue), \(ip), \(detail),
                    clock_timestamp())
            """, logger: logger)
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
