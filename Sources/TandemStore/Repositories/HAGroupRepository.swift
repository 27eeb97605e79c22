public import Foundation
public import Logging
import PostgresNIO
public import TandemCore

/// An HA group's shared state: configuration, reprovision flags, FastLocate, history.
public struct HAGroupState: Sendable {
    /// One entry of the group's HA history.
    public struct HistoryEntry: Sendable {
        public let kind: HAEventKind
        public let connectorID: ConnectorID
        public let peerConnectorID: ConnectorID?
        public let ipAddress: String
        public let detail: String
        public let occurredAt: Date
    }

    public let token: Token
    /// The group's membership, flags and FastLocate, as the HA rules see them.
    public let group: HAGroup
    /// The group's health when it was read.
    public let health: HAGroupHealth
    public var haActive: [String] { group.haActive }
    public var hyperlocationNeedsReprovision: Bool { group.reprovision.contains(.hyperlocation) }
    public var iotNeedsReprovision: Bool { group.reprovision.contains(.iot) }
    /// `flowing`, `re-establishing` (since a failover), `overdue` (re-establishing for longer
    /// than ``FastLocate/expectedWithin``) or `stopped` (no active member).
    public var fastLocateState: FastLocateState { health.fastLocate }
    /// When the state began; for `stopped`, when the last active member was lost.
    public var fastLocateSince: Date? {
        health.fastLocate == .stopped ? history.first { $0.kind == .lost }?.occurredAt : group.fastLocate.since
    }
    public let configurationModifiedAt: Date
    /// Newest first.
    public let history: [HistoryEntry]
}

/// The group's configuration: controllers (wireless) or switches (wired).
public struct HAGroupConfiguration: Sendable, Hashable {
    /// A configured device.
    public struct Device: Sendable, Hashable, Codable {
        public let ipAddress: String
        public let name: String

        public init(ipAddress: String, name: String) {
            self.ipAddress = ipAddress
            self.name = name
        }
    }

    public let network: NetworkKind
    public let devices: [Device]
    public let modifiedAt: Date
}

/// HA groups (one per token): configuration, reprovision flags, FastLocate state, history.
public struct HAGroupRepository: Sendable {
    private let database: Database
    private let logger: Logger
    private let tokens: TokenRepository

    /// Creates a repository over `database`.
    public init(database: Database, logger: Logger) {
        self.database = database
        self.logger = logger
        self.tokens = TokenRepository(database: database, logger: logger)
    }

    /// The group of the tenant's token `token`, or `nil` when the tenant has no such token.
    public func state(tenant: TenantID, token id: TokenID, historyLimit: Int = 50) async throws -> HAGroupState? {
        guard let token = try await tokens.find(tenant: tenant, id: id) else { return nil }
        let connectors = ConnectorRepository(database: database, logger: logger)
        let loaded: ConnectorRepository.LoadedGroup
        do {
            loaded = try await connectors.loadGroup(tenant: tenant, token: id, including: .activeOnly)
        } catch let error as StoreError where error.code == .notFound {
            return nil
        }
        var history: [HAGroupState.HistoryEntry] = []
        let historyRows = try await database.statement(
            """
            SELECT kind, connector_id, peer_connector_id, ip_address, detail, occurred_at FROM ha_history
            WHERE tenant_id = \(tenant.rawValue) AND token_id = \(id.rawValue)
            ORDER BY occurred_at DESC, history_id DESC LIMIT \(historyLimit)
            """, logger: logger)
        for try await (kind, connector, peer, ip, detail, at) in historyRows.decode((String, UUID, UUID?, String, String, Date).self) {
            guard let kind = HAEventKind(rawValue: kind) else {
                throw StoreError(.corrupt, "an HA history entry of token \(id) has a kind that can't be read")
            }
            history.append(
                .init(
                    kind: kind, connectorID: ConnectorID(connector), peerConnectorID: peer.map(ConnectorID.init),
                    ipAddress: ip, detail: detail, occurredAt: at))
        }
        return HAGroupState(
            token: token, group: loaded.group, health: loaded.group.health(at: loaded.now),
            configurationModifiedAt: loaded.configurationModifiedAt, history: history)
    }

    /// The devices of token `t`'s network (controllers of a wireless token, switches of a wired
    /// one) as `d.ips` and `d.names`, in address order: a lateral join of the statements that
    /// read a group's configuration.
    static let devicesOfToken = """
        CROSS JOIN LATERAL (
            SELECT coalesce(array_agg(x.ip_address ORDER BY x.ip_address), '{}') AS ips,
                   coalesce(array_agg(x.name ORDER BY x.ip_address), '{}') AS names
            FROM (SELECT ip_address, name FROM controllers c
                  WHERE t.network = 'wireless' AND c.tenant_id = t.tenant_id AND c.token_id = t.token_id
                  UNION ALL
                  SELECT ip_address, name FROM switches s
                  WHERE t.network = 'wired' AND s.tenant_id = t.tenant_id AND s.token_id = t.token_id) x
        ) d
        """

    /// The group's configuration as pushed to its connectors.
    public func configuration(tenant: TenantID, token: TokenID) async throws -> HAGroupConfiguration? {
        // One statement: the devices of the token's network, as arrays (a join reads them with the group).
        let rows = try await database.statement(
            """
            SELECT t.network, g.configuration_modified_at, d.ips, d.names FROM tokens t
            JOIN ha_groups g ON g.tenant_id = t.tenant_id AND g.token_id = t.token_id
            \(unescaped: Self.devicesOfToken)
            WHERE t.tenant_id = \(tenant.rawValue) AND t.token_id = \(token.rawValue)
            """, logger: logger)
        for try await (network, modified, ips, names) in rows.decode((String, Date, [String], [String]).self) {
            guard let kind = NetworkKind(rawValue: network) else {
                throw StoreError(.corrupt, "token \(token) has a stored network that can't be read")
            }
            let devices = zip(ips, names).map { HAGroupConfiguration.Device(ipAddress: $0, name: $1) }
            return HAGroupConfiguration(network: kind, devices: devices, modifiedAt: modified)
        }
        return nil
    }

    /// Replaces the group's controllers (wireless token) or switches (wired token) and moves
    /// the group's and its connectors' `lastModified`.
    /// - Returns: the new configuration, or `nil` when the tenant has no such token.
    /// - Throws: ``ValidationError`` when the device kind does not match the token's network.
    public func replaceDevices(
        tenant: TenantID, token: TokenID, network: NetworkKind, devices: [HAGroupConfiguration.Device]
    ) async throws -> HAGroupConfiguration? {
        guard let existing = try await tokens.find(tenant: tenant, id: token) else { return nil }
        guard existing.network == network else {
            throw ValidationError(
                field: "network",
                message:
                    "token \(token) is a \(existing.network.rawValue) token: set its \(existing.network == .wireless ? "controllers" : "switches")"
            )
        }
        let table = network == .wireless ? "controllers" : "switches"
        try await database.transaction(logger: logger) { connection in
            try await connection.statement(
                PostgresQuery(unsafeSQL: "DELETE FROM \(table) WHERE tenant_id = $1 AND token_id = $2", binds: Self.binds(tenant, token)),
                logger: logger)
            if !devices.isEmpty {
                var binds = Self.binds(tenant, token)
                binds.append(devices.map(\.ipAddress))
                binds.append(devices.map(\.name))
                try await connection.statement(
                    PostgresQuery(
                        unsafeSQL:
                            "INSERT INTO \(table) (tenant_id, token_id, ip_address, name) SELECT $1, $2, ip, name FROM unnest($3::text[], $4::text[]) AS d(ip, name)",
                        binds: binds),
                    logger: logger)
            }
            try await connection.statement(
                "UPDATE ha_groups SET configuration_modified_at = now() WHERE tenant_id = \(tenant.rawValue) AND token_id = \(token.rawValue)",
                logger: logger)
            try await connection.statement(
                "UPDATE connectors SET last_modified = now() WHERE tenant_id = \(tenant.rawValue) AND token_id = \(token.rawValue)",
                logger: logger)
        }
        return try await configuration(tenant: tenant, token: token)
    }

    /// Clears the reprovision flags of `services` (`hyperlocation`, `iot`).
    /// - Returns: `false` when the tenant has no such token.
    public func clearReprovision(tenant: TenantID, token: TokenID, services: Set<String>) async throws -> Bool {
        let rows = try await database.statement(
            """
            UPDATE ha_groups SET
                hyperlocation_reprovision = hyperlocation_reprovision AND NOT \(services.contains("hyperlocation")),
                iot_reprovision = iot_reprovision AND NOT \(services.contains("iot")),
                membership_version = membership_version + 1
            WHERE tenant_id = \(tenant.rawValue) AND token_id = \(token.rawValue)
            RETURNING 1
            """, logger: logger)
        for try await _ in rows { return true }
        return false
    }

    /// Records that the groups' FastLocate events flow again, in one statement (a no-op for a
    /// group where they already do).
    public func fastLocateFlowing(_ groups: Set<TenantScoped<Token>>) async throws {
        let ordered = groups.sorted()
        guard !ordered.isEmpty else { return }
        var binds = PostgresBindings(capacity: 2)
        binds.append(ordered.map(\.tenant.rawValue))
        binds.append(ordered.map(\.id.rawValue))
        try await database.statement(
            PostgresQuery(
                unsafeSQL: """
                    UPDATE ha_groups g SET fastlocate_state = 'flowing', fastlocate_since = now(),
                                           membership_version = g.membership_version + 1
                    FROM unnest($1::uuid[], $2::uuid[]) AS f(tenant, token)
                    WHERE g.tenant_id = f.tenant AND g.token_id = f.token AND g.fastlocate_state <> 'flowing'
                    """,
                binds: binds),
            logger: logger)
    }

    private static func binds(_ tenant: TenantID, _ token: TokenID) -> PostgresBindings {
        var binds = PostgresBindings()
        binds.append(tenant.rawValue)
        binds.append(token.rawValue)
        return binds
    }
}
