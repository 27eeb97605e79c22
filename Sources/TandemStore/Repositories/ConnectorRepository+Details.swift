import Foundation
import Logging
import PostgresNIO
public import TandemCore

extension ConnectorRepository {
    /// The tenant's connectors, grouped by token, in join order.
    public func list(tenant: TenantID) async throws -> [Connector] {
        try await connectors(tenant: tenant, id: nil)
    }

    /// The members of one group, in join order.
    public func list(tenant: TenantID, token: TokenID) async throws -> [Connector] {
        try await connectors(tenant: tenant, id: nil, token: token)
    }

    /// One page of the tenant's connectors that pass `filter`: `limit` of them after the
    /// position `after`, ordered by group and connector id (a unique key: pages stay stable
    /// while connectors join). The page's key is those two ids.
    public func list(
        tenant: TenantID, filter: ConnectorFilter, after: (TokenID, ConnectorID)?, limit: Int
    ) async throws -> Page<Connector> {
        let fetched = try await connectors(tenant: tenant, id: nil, filter: filter, after: after, limit: limit + 1)
        return Page(fetched: fetched, limit: limit) { [$0.tokenID.description, $0.id.description] }
    }

    /// The tenant's connector `id` with every field of the details view, or `nil` when this
    /// tenant has no such connector.
    public func find(tenant: TenantID, id: ConnectorID) async throws -> Connector? {
        try await connectors(tenant: tenant, id: id).first
    }

    private func connectors(
        tenant: TenantID, id: ConnectorID?, token: TokenID? = nil, filter: ConnectorFilter = .init(),
        after: (TokenID, ConnectorID)? = nil, limit: Int? = nil
    ) async throws -> [Connector] {
        var binds = PostgresBindings()
        var conditions: [String] = []
        func bind(_ value: some PostgresNonThrowingEncodable) -> String {
            binds.append(value)
            return "$\(binds.count)"
        }
        conditions.append("c.tenant_id = \(bind(tenant.rawValue))")
        if let id { conditions.append("c.connector_id = \(bind(id.rawValue))") }
        if let token { conditions.append("c.token_id = \(bind(token.rawValue))") }
        switch filter.status {
        case .active?: conditions.append("c.control_status = 'active'")
        case .inactive?: conditions.append("c.control_status <> 'active'")
        case nil: break
        }
        if let network = filter.network { conditions.append("t.network = \(bind(network.rawValue))") }
        if let search = filter.search?.lowercased() {
            let text = bind(search)
            conditions.append(
                "(strpos(lower(t.connector_name), \(text)) > 0 OR strpos(lower(c.hostname), \(text)) > 0 OR strpos(lower(c.ip_address), \(text)) > 0)"
            )
        }
        var order = "c.token_id, c.joined_at NULLS LAST, c.connector_id"
        if limit != nil || after != nil {
            order = "c.token_id, c.connector_id"
            if let (token, connector) = after {
                conditions.append("(c.token_id, c.connector_id) > (\(bind(token.rawValue)), \(bind(connector.rawValue)))")
            }
        }
        let condition = conditions.joined(separator: " AND ")
        let limitClause = limit.map { "LIMIT \(bind($0))" } ?? ""
        // `condition`, `order` and `limitClause` are built from fixed strings and bind
        // placeholders only; values travel as binds.
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
                     + (SELECT count(*) FROM switches s WHERE s.tenant_id = c.tenant_id AND s.token_id = c.token_id),
                       c.lost_at
                FROM connectors c JOIN tokens t ON t.tenant_id = c.tenant_id AND t.token_id = c.token_id
                WHERE \(condition)
                ORDER BY \(order)
                \(limitClause)
                """,
            binds: binds)
        var result: [Connector] = []
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        for try await row in try await database.statement(query, logger: logger) {
            let c = try row.decode(
                (
                    UUID, UUID, String, String, String, String, String, String, String, Bool, Bool,
                    Bool, Date?, Bool, Date?, Int64, String, Date?, Date, [String], Int, Date?
                ).self)
            let statistics = (try? decoder.decode(ConnectorStatistics.self, from: Data(c.16.utf8))) ?? ConnectorStatistics()
            result.append(
                Connector(
                    id: ConnectorID(c.0), tenantID: tenant, tokenID: TokenID(c.1), name: c.2, instanceID: c.3,
                    hostname: c.4, ipAddress: c.5, macAddress: c.6, ovaVersion: c.7, dockerVersion: c.8,
                    channels: ConnectorChannels(controller: c.9, accessPoint: c.10),
                    controlChannel: .init(active: c.11, connectedAt: c.12, lostAt: c.21),
                    dataChannel: .init(active: c.13, connectedAt: c.14),
                    dataChannelEvents: c.15, statistics: statistics, lastHeard: c.17, lastModified: c.18,
                    haActive: c.19, configuredDevices: c.20))
        }
        return result
    }
}
