import Foundation
import Logging
import PostgresNIO
public import TandemCore

extension ConnectorRepository {
    /// The tenant's connectors, grouped by token, in join order.
    public func list(tenant: TenantID) async throws -> [Connector] {
        try await connectors(tenant: tenant, id: nil)
    }

    /// The tenant's connector `id` with every field of the details view, or `nil` when this
    /// tenant has no such connector.
    public func find(tenant: TenantID, id: ConnectorID) async throws -> Connector? {
        try await connectors(tenant: tenant, id: id).first
    }

    private func connectors(tenant: TenantID, id: ConnectorID?) async throws -> [Connector] {
        var binds = PostgresBindings()
        binds.append(tenant.rawValue)
        var condition = "c.tenant_id = $1"
        if let id {
            binds.append(id.rawValue)
            condition += " AND c.connector_id = $2"
        }
        // `condition` is built from the fixed strings above only; values travel as binds.
        let query = PostgresQuery(
            unsafeSQL: """
                SELECT c.connector_id, c.token_id, t.connector_name, c.instance_id, c.hostname, c.ip_address,
                       c.mac_address, c.ova_version, c.docker_version, c.carries_controller, c.carries_ap,
                       c.control_status = 'active', c.control_connected_at, c.data_status = 'active', c.data_connected_at,
                       c.data_channel_events, c.statistics::text, c.last_heard, c.last_modified,
                       coalesce((SELECT array_agg(a.ip_address ORDER BY a.joined_at, a.connector_id) FROM connectors a
                                 WHERE a.tenant_id = c.tenant_id AND a.token_id = c.token_id
                                   AND a.control_status = 'active'), '{}'),
                       (SELECT count(*) FROM controllers d WHERE d.tenant_id = c.tenant_id AND d.token_id = c.token_id)
                     + (SELECT count(*) FROM switches s WHERE s.tenant_id = c.tenant_id AND s.token_id = c.token_id)
                FROM connectors c JOIN tokens t ON t.tenant_id = c.tenant_id AND t.token_id = c.token_id
                WHERE \(condition)
                ORDER BY c.token_id, c.joined_at NULLS LAST, c.connector_id
                """,
            binds: binds)
        var result: [Connector] = []
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        for try await row in try await client.statement(query, logger: logger) {
            let c = try row.decode(
                (
                    UUID, UUID, String, String, String, String, String, String, String, Bool, Bool,
                    Bool, Date?, Bool, Date?, Int64, String, Date?, Date, [String], Int
                ).self)
            let statistics = (try? decoder.decode(ConnectorStatistics.self, from: Data(c.16.utf8))) ?? ConnectorStatistics()
            result.append(
                Connector(
                    id: ConnectorID(c.0), tenantID: tenant, tokenID: TokenID(c.1), name: c.2, instanceID: c.3,
                    hostname: c.4, ipAddress: c.5, macAddress: c.6, ovaVersion: c.7, dockerVersion: c.8,
                    channels: ConnectorChannels(controller: c.9, accessPoint: c.10),
                    controlChannel: .init(active: c.11, connectedAt: c.12),
                    dataChannel: .init(active: c.13, connectedAt: c.14),
                    dataChannelEvents: c.15, statistics: statistics, lastHeard: c.17, lastModified: c.18,
                    haActive: c.19, configuredDevices: c.20))
        }
        return result
    }
}
