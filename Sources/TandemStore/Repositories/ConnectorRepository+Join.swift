public import Foundation
import PostgresNIO
public import TandemCore

/// Admitting connectors to their groups, many at a time.
///
/// A round loads every group it admits to in one statement, applies ``HAGroup`` in memory, and
/// writes every admission in one statement: each group's writes depend on bumping its
/// `ha_groups.membership_version` from the version loaded. A group another change got to first
/// (on any node) is written nothing and recomputed in the next round, so a reconnect storm
/// costs two statements per round, not two per connector.
extension ConnectorRepository {
    /// Admits a connector to its group: ``join(_:)`` for one.
    /// - Throws: ``PairingRefusal`` when a rule is broken (nothing is recorded then).
    public func join(
        tenant: TenantID, token: TokenID, hello: ConnectorHello, session: UUID, node: NodeID, rules: PairingRules
    ) async throws -> HAJoin {
        try await join([HAJoinRequest(tenant: tenant, token: token, hello: hello, session: session, node: node, rules: rules)])[0].get()
    }

    /// Admits each connector to its group: applies ``HAGroup/join(_:session:newConnectorID:rules:at:on:)``
    /// to the group as loaded, records the connector active under its session and held by its
    /// node, and writes the HA history. The caller tells the other nodes when
    /// ``HAJoin/haActiveChanged``.
    ///
    /// Requests of one group are admitted one round after the other, in the order given. When
    /// the database refuses a round's write for its data, each of its requests is admitted
    /// alone, so only the one at fault is refused.
    /// - Returns: per request, in order, its join, or the error that refused it alone:
    ///   ``PairingRefusal`` when a rule is broken (nothing is recorded then), ``StoreError``
    ///   `notFound` or `corrupt` for its group, `rejected` for data the database refuses,
    ///   `unavailable` when its group kept changing.
    /// - Throws: when the database failed the round (no request of it was admitted).
    public func join(_ requests: [HAJoinRequest]) async throws -> [Result<HAJoin, any Error>] {
        var outcomes = [Result<HAJoin, any Error>?](repeating: nil, count: requests.count)
        var attempts = [Int](repeating: 0, count: requests.count)
        var waiting = Array(requests.indices)
        while !waiting.isEmpty {
            // One admission per group a round: a statement writes a group once.
            var groups = Set<TenantScoped<Token>>()
            let round = waiting.filter { groups.insert(TenantScoped(tenant: requests[$0].tenant, id: requests[$0].token)).inserted }
            let decided: [Result<HAJoin, any Error>?]
            do {
                decided = try await joinRound(round.map { requests[$0] })
            } catch  where StoreError.isDataRefusal(error) {
                // A row the database refuses must not refuse the other connectors of its round:
                // each is admitted alone, and only the one at fault gets the refusal, as
                // permanent (the same Hello fails every time).
                if round.count == 1 {
                    outcomes[round[0]] = .failure(StoreError.rejected(error, "the connector's Hello"))
                } else {
                    for index in round {
                        do {
                            outcomes[index] = try await join([requests[index]])[0]
                        } catch {
                            outcomes[index] = .failure(error)
                        }
                    }
                }
                waiting.removeAll { outcomes[$0] != nil }
                continue
            }
            for (index, outcome) in zip(round, decided) {
                if let outcome {
                    outcomes[index] = outcome
                    continue
                }
                attempts[index] += 1
                if attempts[index] == Self.maximumAttempts {
                    outcomes[index] = .failure(
                        StoreError(.unavailable, "the HA group changed \(Self.maximumAttempts) times while this change was computed; retry")
                    )
                }
            }
            waiting.removeAll { outcomes[$0] != nil }
        }
        return outcomes.map { $0! }
    }

    /// One round of ``join(_:)`` over requests of distinct groups.
    /// - Returns: per request, its outcome, or `nil` when another change of its group won
    ///   (recompute it).
    private func joinRound(_ requests: [HAJoinRequest]) async throws -> [Result<HAJoin, any Error>?] {
        let groups = try await loadGroups(
            requests.map { GroupLoad(tenant: $0.tenant, token: $0.token, subject: .instance($0.hello.instanceID)) })
        var outcomes = [Result<HAJoin, any Error>?](repeating: nil, count: requests.count)
        var write = JoinWrites()
        var admitted: [(position: Int, member: HAGroup.Member, group: HAGroup, loaded: LoadedGroup, events: [HAEvent])] = []
        for (position, request) in requests.enumerated() {
            do {
                let loaded = try groups[position].get()
                var group = loaded.group
                let events = try group.join(
                    request.hello, session: request.session, newConnectorID: .random(), rules: request.rules, at: loaded.now)
                guard let member = group.members.first(where: { $0.instanceID == request.hello.instanceID }) else {
                    throw StoreError(.corrupt, "the group lost the connector it just admitted")
                }
                write.append(request, version: loaded.version, member: member, events: events)
                admitted.append((position, member, group, loaded, events))
            } catch {
                outcomes[position] = .failure(error)
            }
        }
        guard !admitted.isEmpty else { return outcomes }
        // In a transaction although it is one statement: a Welcome tells the connector it is a
        // member, so the write must be committed first, and only COMMIT's answer says so.
        let generations = try await database.transaction(logger: logger) { try await $0.prepared(write, logger: logger) }
        guard generations.count == admitted.count else {
            throw StoreError(.corrupt, "a batched join answered \(generations.count) rows for \(admitted.count) connectors")
        }
        for (admission, generation) in zip(admitted, generations) {
            guard let generation else { continue }  // another change of the group won: recompute
            let now = admission.loaded.now
            outcomes[admission.position] = .success(
                HAJoin(
                    connectorID: admission.member.connectorID, haActive: admission.group.haActive, health: admission.group.health(at: now),
                    recovered: admission.events.contains { $0.kind == .recovered },
                    haActiveChanged: admission.group.haActive != admission.loaded.group.haActive, generation: generation,
                    configuration: admission.loaded.configuration))
        }
        return outcomes
    }

}

/// A round's one write, prepared once per connection: per admission (numbered from 1 in order),
/// bump its group's membership version from the one loaded, upsert the connector, record its
/// history; each admission's writes depend on its bump. Answers, per admission in order, the
/// connector's session generation, or `NULL` when another change of the group won.
struct JoinWrites: PostgresPreparedStatement {
    static let sql = """
        WITH r AS MATERIALIZED (
            SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::int8[], $4::uuid[], $5::text[], $6::text[], $7::text[], $8::text[],
                                 $9::text[], $10::text[], $11::bool[], $12::bool[], $13::timestamptz[], $14::bool[], $15::uuid[], $16::text[])
                WITH ORDINALITY AS r(tenant, token, version, connector, instance, hostname, ip, mac, ova, docker, controller, ap,
                                     joined_at, has_joined, session, node, n)
        ), bumped AS (
            UPDATE ha_groups g SET membership_version = g.membership_version + 1
            FROM r WHERE g.tenant_id = r.tenant AND g.token_id = r.token AND g.membership_version = r.version
            RETURNING r.n
        ), upserted AS (
            INSERT INTO connectors AS c (
                tenant_id, connector_id, token_id, instance_id, hostname, ip_address, mac_address,
                ova_version, docker_version, carries_controller, carries_ap, control_status,
                control_connected_at, joined_at, last_heard, last_modified, session_id, node_id)
            SELECT r.tenant, r.connector, r.token, r.instance, r.hostname, r.ip, r.mac, r.ova, r.docker, r.controller, r.ap,
                'active', now(), CASE WHEN r.has_joined THEN r.joined_at END, now(), now(), r.session, r.node
            FROM r JOIN bumped b ON b.n = r.n
            ON CONFLICT (tenant_id, token_id, instance_id) DO UPDATE SET
                hostname = excluded.hostname, ip_address = excluded.ip_address, mac_address = excluded.mac_address,
                ova_version = excluded.ova_version, docker_version = excluded.docker_version,
                carries_controller = excluded.carries_controller, carries_ap = excluded.carries_ap,
                control_status = 'active', control_connected_at = now(), joined_at = excluded.joined_at,
                last_heard = now(), last_modified = now(), session_id = excluded.session_id, node_id = excluded.node_id,
                session_generation = c.session_generation + 1, departed_at = NULL, departure = NULL, lost_at = NULL
            RETURNING c.tenant_id, c.token_id, c.session_generation
        ), history AS (
            INSERT INTO ha_history (tenant_id, token_id, kind, connector_id, peer_connector_id, ip_address, detail, occurred_at)
            SELECT r.tenant, r.token, h.kind, h.connector, nullif(h.peer, '')::uuid, h.ip, h.detail, clock_timestamp()
            FROM unnest($17::int8[], $18::text[], $19::uuid[], $20::text[], $21::text[], $22::text[])
                 WITH ORDINALITY AS h(admission, kind, connector, peer, ip, detail, k)
            JOIN bumped b ON b.n = h.admission JOIN r ON r.n = h.admission
            ORDER BY h.k
        )
        SELECT u.session_generation FROM r LEFT JOIN upserted u ON u.tenant_id = r.tenant AND u.token_id = r.token ORDER BY r.n
        """

    typealias Row = Int64?

    private var tenants: [UUID] = []
    private var tokens: [UUID] = []
    private var versions: [Int64] = []
    private var connectors: [UUID] = []
    private var instances: [String] = []
    private var hostnames: [String] = []
    private var ips: [String] = []
    private var macs: [String] = []
    private var ovaVersions: [String] = []
    private var dockerVersions: [String] = []
    private var controllers: [Bool] = []
    private var accessPoints: [Bool] = []
    private var joinedAt: [Date] = []
    private var hasJoined: [Bool] = []
    private var sessions: [UUID] = []
    private var nodes: [String] = []
    /// The history rows, each with the number of its admission.
    private var historyAdmissions: [Int64] = []
    private var historyKinds: [String] = []
    private var historyConnectors: [UUID] = []
    private var historyPeers: [String] = []
    private var historyIPs: [String] = []
    private var historyDetails: [String] = []

    /// Adds the admission of `member` (as ``HAGroup`` decided it for `request` on the group
    /// loaded at `version`) and its history `events`.
    mutating func append(_ request: HAJoinRequest, version: Int64, member: HAGroup.Member, events: [HAEvent]) {
        let hello = request.hello
        tenants.append(request.tenant.rawValue)
        tokens.append(request.token.rawValue)
        versions.append(version)
        connectors.append(member.connectorID.rawValue)
        instances.append(hello.instanceID)
        hostnames.append(hello.hostname)
        ips.append(hello.ipAddress)
        macs.append(hello.macAddress)
        ovaVersions.append(hello.ovaVersion.description)
        dockerVersions.append(hello.dockerVersion)
        controllers.append(hello.channels.controller)
        accessPoints.append(hello.channels.accessPoint)
        joinedAt.append(member.joinedAt ?? Date(timeIntervalSince1970: 0))
        hasJoined.append(member.joinedAt != nil)
        sessions.append(request.session)
        nodes.append(request.node.value)
        let admission = Int64(tenants.count)
        for event in events {
            historyAdmissions.append(admission)
            historyKinds.append(event.kind.rawValue)
            historyConnectors.append(event.connectorID.rawValue)
            historyPeers.append(event.peerConnectorID?.description ?? "")
            historyIPs.append(event.ipAddress)
            historyDetails.append(event.detail)
        }
    }

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 22)
        bindings.append(tenants)
        bindings.append(tokens)
        bindings.append(versions)
        bindings.append(connectors)
        bindings.append(instances)
        bindings.append(hostnames)
        bindings.append(ips)
        bindings.append(macs)
        bindings.append(ovaVersions)
        bindings.append(dockerVersions)
        bindings.append(controllers)
        bindings.append(accessPoints)
        bindings.append(joinedAt)
        bindings.append(hasJoined)
        bindings.append(sessions)
        bindings.append(nodes)
        bindings.append(historyAdmissions)
        bindings.append(historyKinds)
        bindings.append(historyConnectors)
        bindings.append(historyPeers)
        bindings.append(historyIPs)
        bindings.append(historyDetails)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Int64?.self) }
}
