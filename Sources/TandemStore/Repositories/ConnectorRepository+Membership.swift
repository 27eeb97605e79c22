import Foundation
import PostgresNIO
import TandemCore

/// Loading an HA group for a membership change and persisting what ``HAGroup`` decided.
///
/// Optimistic: a change loads the group in one statement (a consistent snapshot of its row and
/// its members), applies one ``HAGroup`` change in memory, and persists it in one statement that
/// first bumps `ha_groups.membership_version` from the version it loaded; every write of that
/// statement depends on the bump. When another change got there first (on any node), nothing is
/// written and the change is recomputed from a fresh load. No lock is held between statements,
/// so a join costs two statements, not a transaction of seven.
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
        /// The group's configuration (its controllers or switches): the Welcome carries it.
        let configuration: HAGroupConfiguration
        /// The membership version the group was read at.
        let version: Int64
    }

    /// How often a change is recomputed when other changes of the same group keep winning.
    static let maximumAttempts = 20

    /// A group to load, with the one inactive connector the change needs besides its active members.
    struct GroupLoad {
        let tenant: TenantID
        let token: TokenID
        let subject: Subject
    }

    /// Loads the group in one statement: its flags, FastLocate, whether its token is revoked, its
    /// version, its configuration, its active members and `subject`.
    /// - Throws: ``StoreError`` `notFound` without such a group, `corrupt` for a stored value
    ///   the rules can't read.
    func loadGroup(tenant: TenantID, token: TokenID, including subject: Subject) async throws -> LoadedGroup {
        try await loadGroups([GroupLoad(tenant: tenant, token: token, subject: subject)])[0].get()
    }

    /// Loads many groups in one statement (a round of batched joins), each as ``loadGroup(tenant:token:including:)``
    /// does, answering in the order asked; a group that is missing or can't be read fails alone.
    func loadGroups(_ loads: [GroupLoad]) async throws -> [Result<LoadedGroup, StoreError>] {
        let rows = try await database.prepared(LoadGroups(loads), logger: logger)
        var outcomes = loads.map { Result<LoadedGroup, StoreError>.failure(StoreError(.notFound, "no HA group for token \($0.token)")) }
        for columns in rows {
            let position = Int(columns.0) - 1
            guard outcomes.indices.contains(position) else { throw StoreError(.corrupt, "a loaded HA group answered no request") }
            outcomes[position] = Result { try Self.loadedGroup(columns, token: loads[position].token) }.mapError {
                $0 as? StoreError ?? StoreError(.corrupt, "an HA group could not be read")
            }
        }
        return outcomes
    }

    /// One row of ``LoadGroups`` read into the rules' terms.
    private static func loadedGroup(_ columns: LoadGroups.Row, token: TokenID) throws -> LoadedGroup {
        let (hyperlocation, iot, state, since, revoked, now, modified, version) =
            (columns.1, columns.2, columns.3, columns.4, columns.5, columns.6, columns.7, columns.8)
        let (ids, instances, ips, versions, active, sessions, joined) =
            (columns.9, columns.10, columns.11, columns.12, columns.13, columns.14, columns.15)
        let (heard, departed, departures, everConnected, dataNodes) = (columns.19, columns.20, columns.21, columns.22, columns.23)
        var members: [HAGroup.Member] = []
        for index in ids.indices {
            guard let ovaVersion = OVAVersion(versions[index]) else {
                throw StoreError(.corrupt, "connector \(ids[index]) has a stored OVA version that is not a version")
            }
            // An active row always has a session; one without (written before sessions
            // existed) is owned by no live stream: it stays active until found silent.
            members.append(
                .init(
                    connectorID: ConnectorID(ids[index]), instanceID: instances[index], ipAddress: ips[index], ovaVersion: ovaVersion,
                    session: active[index] ? sessions[index] : nil,
                    joinedAt: joined[index] < 0 ? nil : Date(timeIntervalSince1970: joined[index]),
                    lastHeard: heard[index] < 0 ? nil : Date(timeIntervalSince1970: heard[index]),
                    departure: departed[index] < 0
                        ? nil
                        : Departure(at: Date(timeIntervalSince1970: departed[index]), planned: PlannedLeave(rawValue: departures[index])),
                    dataNode: dataNodes[index].isEmpty ? nil : try? NodeID(dataNodes[index])))
        }
        var reprovision: Set<HAGroup.Service> = []
        if hyperlocation { reprovision.insert(.hyperlocation) }
        if iot { reprovision.insert(.iot) }
        let group = HAGroup(
            members: members, reprovision: reprovision, fastLocate: try Self.fastLocate(state, since: since), tokenRevoked: revoked,
            everConnected: everConnected)
        guard let network = NetworkKind(rawValue: columns.16) else {
            throw StoreError(.corrupt, "token \(token) has a stored network that can't be read")
        }
        let configuration = HAGroupConfiguration(
            network: network, devices: zip(columns.17, columns.18).map { HAGroupConfiguration.Device(ipAddress: $0, name: $1) },
            modifiedAt: modified)
        return LoadedGroup(group: group, now: now, configurationModifiedAt: modified, configuration: configuration, version: version)
    }

    /// Runs `attempt` until it reports that its write won (`nil` means it lost to another
    /// change of the group and must be recomputed).
    func optimistically<Result: Sendable>(_ attempt: () async throws -> Result?) async throws -> Result {
        for _ in 0..<Self.maximumAttempts {
            if let result = try await attempt() { return result }
        }
        throw StoreError(.unavailable, "the HA group changed \(Self.maximumAttempts) times while this change was computed; retry")
    }

    /// The HA history rows of `events` as binds of the persisting statements: kinds,
    /// connectors, peers ('' for none), IPs, details.
    static func historyArrays(_ events: [HAEvent]) -> ([String], [UUID], [String], [String], [String]) {
        (
            events.map(\.kind.rawValue), events.map(\.connectorID.rawValue), events.map { $0.peerConnectorID?.description ?? "" },
            events.map(\.ipAddress), events.map(\.detail)
        )
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

extension ConnectorRepository.Subject {
    /// The instance id to include ('' matches none: instance ids are never empty).
    var instance: String {
        if case .instance(let id) = self { return id }
        return ""
    }

    /// The connector id to include (the nil UUID matches none).
    var connector: UUID {
        if case .connector(let id) = self { return id.rawValue }
        return ConnectorRepository.noSession
    }
}

/// The one statement membership changes load their groups with, one row per group asked for
/// (numbered from 1 in the order asked), prepared once per connection: its plan (three lateral
/// joins) costs four times its execution.
struct LoadGroups: PostgresPreparedStatement {
    static let sql = """
        SELECT r.n, g.hyperlocation_reprovision, g.iot_reprovision, g.fastlocate_state, g.fastlocate_since,
               t.revoked_at IS NOT NULL, now(), g.configuration_modified_at, g.membership_version,
               m.ids, m.instances, m.ips, m.versions, m.active, m.sessions, m.joined,
               t.network, d.ips, d.names, m.heard, m.departed, m.departures,
               EXISTS (SELECT 1 FROM connectors e WHERE e.tenant_id = g.tenant_id AND e.token_id = g.token_id), m.data_nodes
        FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[]) WITH ORDINALITY AS r(tenant, token, instance, connector, n)
        JOIN ha_groups g ON g.tenant_id = r.tenant AND g.token_id = r.token
        JOIN tokens t ON t.tenant_id = g.tenant_id AND t.token_id = g.token_id
        \(HAGroupRepository.devicesOfToken)
        CROSS JOIN LATERAL (
            SELECT coalesce(array_agg(c.connector_id), '{}') AS ids,
                   coalesce(array_agg(c.instance_id), '{}') AS instances,
                   coalesce(array_agg(c.ip_address), '{}') AS ips,
                   coalesce(array_agg(c.ova_version), '{}') AS versions,
                   coalesce(array_agg(c.control_status = 'active'), '{}') AS active,
                   coalesce(array_agg(coalesce(c.session_id, $5::uuid)), '{}') AS sessions,
                   coalesce(array_agg(coalesce(extract(epoch FROM c.joined_at)::float8, -1)), '{}') AS joined,
                   coalesce(array_agg(coalesce(extract(epoch FROM c.last_heard)::float8, -1)), '{}') AS heard,
                   coalesce(array_agg(coalesce(extract(epoch FROM c.departed_at)::float8, -1)), '{}') AS departed,
                   coalesce(array_agg(coalesce(c.departure, '')), '{}') AS departures,
                   coalesce(array_agg(CASE WHEN c.data_status = 'active' THEN coalesce(c.data_node_id, '') ELSE '' END), '{}') AS data_nodes
            FROM connectors c
            WHERE c.tenant_id = g.tenant_id AND c.token_id = g.token_id
              AND (c.control_status = 'active' OR c.instance_id = r.instance OR c.connector_id = r.connector)
        ) m
        """

    typealias Row = (
        Int64, Bool, Bool, String, Date?, Bool, Date, Date, Int64, [UUID], [String], [String], [String], [Bool], [UUID], [Double],
        String, [String], [String], [Double], [Double], [String], Bool, [String]
    )

    let loads: [ConnectorRepository.GroupLoad]

    init(_ loads: [ConnectorRepository.GroupLoad]) { self.loads = loads }

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 5)
        bindings.append(loads.map(\.tenant.rawValue))
        bindings.append(loads.map(\.token.rawValue))
        bindings.append(loads.map(\.subject.instance))
        bindings.append(loads.map(\.subject.connector))
        bindings.append(ConnectorRepository.noSession)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}
