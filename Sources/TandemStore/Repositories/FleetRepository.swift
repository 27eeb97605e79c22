public import Foundation
public import Logging
import PostgresNIO
public import TandemCore

/// The fleet view's reads: every HA group of a tenant in one statement, worst first, a page at
/// a time, and the tenant's totals in another. Neither depends on the fleet's size beyond the
/// page: the dashboard costs the same with 50 groups or 5,000.
public struct FleetRepository: Sendable {
    private let database: Database
    private let logger: Logger

    /// Creates a repository over `database`.
    public init(database: Database, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    /// One group as the fleet view lists it.
    public struct Group: Sendable {
        public let token: TokenID
        public let name: String
        public let network: NetworkKind
        public let health: HAGroupHealth.Level
        /// Members ordered by join time: id, hostname, IP, whether active, last heard.
        public let members: [Member]
        /// The latest failover of the group, if any.
        public let lastFailover: Date?
        /// Distinct events per second stored for the group over the last 5 minutes.
        public let eventsPerSecond: Double

        public struct Member: Sendable {
            public let id: ConnectorID
            public let hostname: String
            public let ipAddress: String
            public let active: Bool
            public let lastHeard: Date?
        }
    }

    /// A tenant's totals for the fleet view's summary line.
    public struct Summary: Sendable, Equatable {
        public var healthy = 0
        public var degraded = 0
        public var down = 0
        /// Groups no connector ever joined (kept out of `down`: nothing was lost).
        public var neverConnected = 0
        public var connectorsActive = 0
        public var connectorsInactive = 0
        /// Distinct events per second stored over the last 5 minutes.
        public var eventsPerSecond = 0.0
        /// Events a member missed that its peer delivered, in the last hour.
        public var missedByPeerLastHour: Int64 = 0
    }

    /// The tenant's live (not revoked) groups that pass `filter`: down first, then degraded,
    /// then healthy, each by name; `limit` of them from `offset`.
    /// - Returns: the page and how many groups pass the filter in all.
    public func groups(tenant: TenantID, filter: FleetFilter, offset: Int, limit: Int) async throws -> (page: [Group], matching: Int) {
        let (page, matching) = try await read(tenant: tenant, filter: filter, offset: offset, after: nil, byID: false, limit: limit)
        if page.isEmpty, offset > 0 {
            // Past the end: still say how many there are, so the pager can go back.
            return ([], try await read(tenant: tenant, filter: filter, offset: 0, after: nil, byID: false, limit: 1).matching)
        }
        return (page, matching)
    }

    /// The tenant's live groups that pass `filter` in token-id order, `limit` of them after
    /// `after`: a page of the API's list, stable while groups are added.
    public func list(tenant: TenantID, filter: FleetFilter, after: TokenID?, limit: Int) async throws -> Page<Group> {
        let fetched = try await read(tenant: tenant, filter: filter, offset: 0, after: after, byID: true, limit: limit + 1).page
        return Page(fetched: fetched, limit: limit) { [$0.token.description] }
    }

    /// One statement: the groups that pass `filter`, then either worst first from `offset` or
    /// (`byID`) in token-id order after `after`; members are read for the page's rows only.
    private func read(
        tenant: TenantID, filter: FleetFilter, offset: Int, after: TokenID?, byID: Bool, limit: Int
    ) async throws -> (page: [Group], matching: Int) {
        // Fixed fragments only; every value travels as a bind.
        let order =
            byID
            ? "token_id"
            : "CASE health WHEN 'down' THEN 0 WHEN 'degraded' THEN 1 WHEN 'healthy' THEN 2 ELSE 3 END, connector_name, token_id"
        let outerOrder =
            byID
            ? "p.token_id"
            : "CASE p.health WHEN 'down' THEN 0 WHEN 'degraded' THEN 1 WHEN 'healthy' THEN 2 ELSE 3 END, p.connector_name, p.token_id"
        let health = filter.health?.rawValue
        let network = filter.network?.rawValue
        let search = filter.search?.lowercased()
        let rows = try await database.statement(
            """
            WITH g AS (
                SELECT t.token_id, t.connector_name, t.network,
                       count(c.connector_id) FILTER (WHERE c.control_status = 'active') AS active,
                       count(c.connector_id) AS known
                FROM tokens t
                LEFT JOIN connectors c ON c.tenant_id = t.tenant_id AND c.token_id = t.token_id
                WHERE t.tenant_id = \(tenant.rawValue) AND t.revoked_at IS NULL
                  AND (\(network)::text IS NULL OR t.network = \(network)::text)
                  AND (\(search)::text IS NULL OR strpos(lower(t.connector_name), \(search)::text) > 0
                       OR EXISTS (SELECT 1 FROM connectors s WHERE s.tenant_id = t.tenant_id AND s.token_id = t.token_id
                                    AND (strpos(lower(s.hostname), \(search)::text) > 0 OR strpos(lower(s.ip_address), \(search)::text) > 0)))
                GROUP BY t.token_id, t.connector_name, t.network
            ), h AS (
                SELECT g.*, CASE WHEN active >= 2 THEN 'healthy' WHEN active = 1 THEN 'degraded'
                                   WHEN known = 0 THEN 'never-connected' ELSE 'down' END AS health FROM g
            ), page AS (
                -- Only the page's rows get their members read; the count is of every match.
                SELECT h.*, count(*) OVER () AS matching FROM h
                WHERE (\(health)::text IS NULL OR health = \(health)::text)
                  AND (\(after?.rawValue)::uuid IS NULL OR token_id > \(after?.rawValue)::uuid)
                ORDER BY \(unescaped: order)
                OFFSET \(max(0, offset)) LIMIT \(max(1, limit))
            )
            SELECT p.token_id, p.connector_name, p.network, p.health, m.ids, m.hostnames, m.ips, m.actives, m.heard,
                   (SELECT max(occurred_at) FROM ha_history x
                    WHERE x.tenant_id = \(tenant.rawValue) AND x.token_id = p.token_id AND x.kind = 'failover'),
                   coalesce((SELECT sum(s.first_deliveries) FROM pair_statistics s
                             WHERE s.tenant_id = \(tenant.rawValue) AND s.token_id = p.token_id
                               AND s.minute >= now() - interval '5 minutes'), 0)::float8 / 300,
                   p.matching
            FROM page p
            CROSS JOIN LATERAL (
                SELECT coalesce(array_agg(c.connector_id ORDER BY c.joined_at NULLS LAST, c.connector_id), '{}') AS ids,
                       coalesce(array_agg(c.hostname ORDER BY c.joined_at NULLS LAST, c.connector_id), '{}') AS hostnames,
                       coalesce(array_agg(c.ip_address ORDER BY c.joined_at NULLS LAST, c.connector_id), '{}') AS ips,
                       coalesce(array_agg(c.control_status = 'active' ORDER BY c.joined_at NULLS LAST, c.connector_id), '{}') AS actives,
                       coalesce(array_agg(coalesce(extract(epoch FROM c.last_heard)::float8, -1)
                                          ORDER BY c.joined_at NULLS LAST, c.connector_id), '{}') AS heard
                FROM connectors c WHERE c.tenant_id = \(tenant.rawValue) AND c.token_id = p.token_id
            ) m
            ORDER BY \(unescaped: outerOrder)
            """, logger: logger)
        var page: [Group] = []
        var matching = 0
        for try await row in rows {
            let c = try row.decode(
                (UUID, String, String, String, [UUID], [String], [String], [Bool], [Double], Date?, Double, Int).self)
            guard let network = NetworkKind(rawValue: c.2), let health = HAGroupHealth.Level(rawValue: c.3) else {
                throw StoreError(.corrupt, "a token has a stored network that can't be read")
            }
            let members = c.4.indices.map { index in
                Group.Member(
                    id: ConnectorID(c.4[index]), hostname: c.5[index], ipAddress: c.6[index], active: c.7[index],
                    lastHeard: c.8[index] < 0 ? nil : Date(timeIntervalSince1970: c.8[index]))
            }
            page.append(
                Group(
                    token: TokenID(c.0), name: c.1, network: network, health: health, members: members, lastFailover: c.9,
                    eventsPerSecond: c.10))
            matching = c.11
        }
        return (page, matching)
    }

    /// One group's membership as the metrics report it.
    public struct Presence: Sendable, Hashable {
        public let group: TenantScoped<Token>
        public let activeMembers: Int
        /// Whether any connector ever joined it (a never-connected group gets no series).
        public let everConnected: Bool
        /// Whether its active members' data streams are held by different nodes.
        public let splitAcrossNodes: Bool
    }

    /// Every live (not revoked) group of every tenant, in one statement: what each node's
    /// ``Presence`` series are made from, at start and on every refresh, so they survive restarts.
    public func presenceOfEveryGroup() async throws -> [Presence] {
        let rows = try await database.statement(
            """
            SELECT t.tenant_id, t.token_id,
                   count(c.connector_id) FILTER (WHERE c.control_status = 'active')::int8,
                   count(c.connector_id) > 0,
                   count(DISTINCT c.data_node_id)
                       FILTER (WHERE c.control_status = 'active' AND c.data_status = 'active' AND c.data_node_id IS NOT NULL) > 1
            FROM tokens t LEFT JOIN connectors c ON c.tenant_id = t.tenant_id AND c.token_id = t.token_id
            WHERE t.revoked_at IS NULL
            GROUP BY t.tenant_id, t.token_id
            """, logger: logger)
        var presences: [Presence] = []
        for try await (tenant, token, active, known, split) in rows.decode((UUID, UUID, Int64, Bool, Bool).self) {
            presences.append(
                Presence(
                    group: TenantScoped(tenant: TenantID(tenant), id: TokenID(token)), activeMembers: Int(active), everConnected: known,
                    splitAcrossNodes: split))
        }
        return presences
    }

    /// The tenant's totals: groups by health, connectors by status, events/s, missed by peer.
    public func summary(tenant: TenantID) async throws -> Summary {
        let rows = try await database.statement(
            """
            WITH g AS (
                SELECT count(c.connector_id) FILTER (WHERE c.control_status = 'active') AS active, count(c.connector_id) AS known
                FROM tokens t LEFT JOIN connectors c ON c.tenant_id = t.tenant_id AND c.token_id = t.token_id
                WHERE t.tenant_id = \(tenant.rawValue) AND t.revoked_at IS NULL
                GROUP BY t.token_id
            )
            SELECT (SELECT count(*) FILTER (WHERE active >= 2) FROM g), (SELECT count(*) FILTER (WHERE active = 1) FROM g),
                   (SELECT count(*) FILTER (WHERE active = 0 AND known > 0) FROM g),
                   (SELECT count(*) FILTER (WHERE known = 0) FROM g),
                   (SELECT count(*) FILTER (WHERE control_status = 'active') FROM connectors WHERE tenant_id = \(tenant.rawValue)),
                   (SELECT count(*) FILTER (WHERE control_status <> 'active') FROM connectors WHERE tenant_id = \(tenant.rawValue)),
                   coalesce((SELECT sum(first_deliveries) FROM pair_statistics
                             WHERE tenant_id = \(tenant.rawValue) AND minute >= now() - interval '5 minutes'), 0)::float8 / 300,
                   coalesce((SELECT sum(missed) FROM pair_statistics
                             WHERE tenant_id = \(tenant.rawValue) AND minute >= now() - interval '1 hour'), 0)::int8
            """, logger: logger)
        for try await (healthy, degraded, down, neverConnected, active, inactive, rate, missed) in rows.decode(
            (Int, Int, Int, Int, Int, Int, Double, Int64).self)
        {
            return Summary(
                healthy: healthy, degraded: degraded, down: down, neverConnected: neverConnected, connectorsActive: active,
                connectorsInactive: inactive,
                eventsPerSecond: rate, missedByPeerLastHour: missed)
        }
        return Summary()
    }
}
