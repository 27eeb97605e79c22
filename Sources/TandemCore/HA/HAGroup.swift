public import Foundation

/// The HA rules of one group (one token) as a value: who is an active member, the reprovision
/// flags and FastLocate, and what a join or a loss changes.
///
/// Every node applies membership changes through this type only: the store locks the group's
/// row, loads the group, applies one change and persists the returned ``HAEvent``s and the new
/// state, so two nodes can never apply different rules to one group.
public struct HAGroup: Sendable, Hashable {
    /// A connector of the group, active or not.
    public struct Member: Sendable, Hashable {
        /// The cloud's id of the connector.
        public let connectorID: ConnectorID
        /// Its instance id (stable across reconnects).
        public let instanceID: String
        /// Its IP address, as of its last Hello.
        public var ipAddress: String
        /// Its OVA version, as of its last Hello.
        public var ovaVersion: OVAVersion
        /// The control session that owns it; `nil` when it is not active.
        public var session: UUID?
        /// When it last became active (the HA Active list is in this order).
        public var joinedAt: Date?
        /// The node holding its data stream, when it has one open.
        public var dataNode: NodeID?
        /// When it was last heard (its join or its latest heartbeat), when known.
        public var lastHeard: Date?
        /// Set while its control stream has ended and its loss is not judged yet.
        public var departure: Departure?

        /// Creates a member.
        public init(
            connectorID: ConnectorID, instanceID: String, ipAddress: String, ovaVersion: OVAVersion,
            session: UUID?, joinedAt: Date?, lastHeard: Date? = nil, departure: Departure? = nil, dataNode: NodeID? = nil
        ) {
            self.dataNode = dataNode
            self.lastHeard = lastHeard
            self.departure = departure
            self.connectorID = connectorID
            self.instanceID = instanceID
            self.ipAddress = ipAddress
            self.ovaVersion = ovaVersion
            self.session = session
            self.joinedAt = joinedAt
        }

        /// Whether a live session owns the member.
        public var isActive: Bool { session != nil }
    }

    /// Services a survivor must be reprovisioned for after a failover.
    public enum Service: String, Sendable, Hashable, CaseIterable, Codable {
        case hyperlocation, iot
    }

    /// The connectors known to the group (at least the active ones).
    public private(set) var members: [Member]
    /// Services that need reprovisioning since the last failover.
    public private(set) var reprovision: Set<Service>
    /// Whether FastLocate events flow.
    public private(set) var fastLocate: FastLocate
    /// Whether the group's token is revoked: a revocation cuts every member off at once, so
    /// there is no survivor to fail over to.
    public let tokenRevoked: Bool
    /// Whether any connector ever said Hello under the token: a group nobody joined yet is
    /// `neverConnected`, not `down`.
    public private(set) var everConnected: Bool

    /// Creates a group from its stored state; `everConnected` defaults to whether it has members.
    public init(
        members: [Member], reprovision: Set<Service> = [], fastLocate: FastLocate = .flowing(since: nil), tokenRevoked: Bool = false,
        everConnected: Bool? = nil
    ) {
        self.members = members
        self.everConnected = everConnected ?? !members.isEmpty
        self.reprovision = reprovision
        self.fastLocate = fastLocate
        self.tokenRevoked = tokenRevoked
    }

    /// The active members, in the order they joined (ties by connector id).
    public var activeMembers: [Member] {
        members.filter(\.isActive).sorted { left, right in
            switch (left.joinedAt, right.joinedAt) {
            case (let l?, let r?) where l != r: return l < r
            case (nil, _?): return false
            case (_?, nil): return true
            default: return left.connectorID.description < right.connectorID.description
            }
        }
    }

    /// The HA Active list: the IP addresses of the active members, in the order they joined.
    public var haActive: [String] { activeMembers.map(\.ipAddress) }

    /// The group's health at `now`.
    public func health(at now: Date) -> HAGroupHealth {
        let active = members.filter(\.isActive)
        return HAGroupHealth(
            level: active.count >= 2 ? .healthy : active.count == 1 ? .degraded : everConnected ? .down : .neverConnected,
            activeMembers: active.count, fastLocate: active.isEmpty ? .stopped : fastLocate.state(at: now),
            reprovisionPending: !reprovision.isEmpty,
            splitAcrossNodes: Set(active.compactMap(\.dataNode)).count > 1)
    }

    /// Admits the connector that said `hello` under `session` (the node holding it is the
    /// store's to record; the rules don't depend on it).
    ///
    /// A connector already known by its instance id keeps its connector id; an unknown one gets
    /// `newConnectorID`. A member that reconnects while active (its old session is replaced)
    /// keeps its place in the HA Active list and records nothing.
    /// - Returns: the events to record (`joined`, and `recovered` when a known connector came
    ///   back while its peer was active).
    /// - Throws: ``PairingRefusal`` when a rule is broken; the group is unchanged then.
    public mutating func join(
        _ hello: ConnectorHello, session: UUID, newConnectorID: ConnectorID, rules: PairingRules, at now: Date
    ) throws(PairingRefusal) -> [HAEvent] {
        let active = activeMembers.map {
            PairingRules.Member(instanceID: $0.instanceID, ipAddress: $0.ipAddress, ovaVersion: $0.ovaVersion)
        }
        if let refusal = rules.check(hello, activeMembers: active) { throw refusal }
        everConnected = true
        let peers = activeMembers.filter { $0.instanceID != hello.instanceID }
        let detail = "OVA \(hello.ovaVersion), channels \(hello.channels.names.joined(separator: "+"))"
        guard let index = members.firstIndex(where: { $0.instanceID == hello.instanceID }) else {
            members.append(
                Member(
                    connectorID: newConnectorID, instanceID: hello.instanceID, ipAddress: hello.ipAddress,
                    ovaVersion: hello.ovaVersion, session: session, joinedAt: now, lastHeard: now))
            return [.joined(newConnectorID, ipAddress: hello.ipAddress, detail: detail)]
        }
        let wasActive = members[index].isActive
        members[index].ipAddress = hello.ipAddress
        members[index].ovaVersion = hello.ovaVersion
        members[index].session = session
        members[index].lastHeard = now
        members[index].departure = nil
        if wasActive { return [] }
        members[index].joinedAt = now
        let id = members[index].connectorID
        var events: [HAEvent] = [.joined(id, ipAddress: hello.ipAddress, detail: detail)]
        if !peers.isEmpty { events.append(.recovered(id, ipAddress: hello.ipAddress)) }
        return events
    }

    /// Marks that the control stream of `session` ended at `now` (with the Goodbye reason, if
    /// the connector gave one): the member stays active, but no longer counts as live for its
    /// peers, until ``leave(_:session:reason:at:liveness:)`` judges it or it says Hello again.
    /// - Returns: whether `session` still owned a member.
    @discardableResult
    public mutating func departed(session: UUID, planned: PlannedLeave?, at now: Date) -> Bool {
        guard let index = members.firstIndex(where: { $0.session == session }) else { return false }
        members[index].departure = Departure(at: now, planned: planned)
        return true
    }

    /// Judges the group when `connector` is to leave (its reconnect grace ended, or it fell
    /// silent), if `session` still owns it. The rule judges the group, not the member:
    ///
    /// - A **live** peer remains (heard within the timeout, its stream open): the connector is
    ///   `lost` (or `left`, after a Goodbye) and the group fails over (or hands over) to the
    ///   first live peer: every service needs reprovisioning and FastLocate is re-established.
    /// - No live peer, but one whose stream closed less than a grace ago: nothing is decided
    ///   yet; the last of them to be judged decides for all (or a peer that comes back makes
    ///   the connector's later silence a plain loss with a failover to it).
    /// - No live peer and none in grace: every active member went at once; the group is
    ///   `down`, recorded once, naming them all, with no failover and no reprovision.
    ///
    /// A revoked token cuts every member off: each is lost alone, with no failover.
    /// - Returns: the events to record; nothing when `session` no longer owned the connector
    ///   (replaced by a reconnect, already judged) or the judgement waits for a peer.
    public mutating func leave(
        _ connector: ConnectorID, session: UUID, reason: String, at now: Date, liveness: HALiveness
    ) -> [HAEvent] {
        guard let index = members.firstIndex(where: { $0.connectorID == connector && $0.session == session }) else {
            return []
        }
        let leaving = members[index]
        let peers = activeMembers.filter { $0.connectorID != connector }
        let live = peers.filter { liveness.isLive($0, at: now) }
        if tokenRevoked || !live.isEmpty || peers.isEmpty {
            end(index)
            let planned = leaving.departure?.planned
            var events: [HAEvent] = [
                planned.map { .left(connector, ipAddress: leaving.ipAddress, reason: $0) }
                    ?? .lost(connector, ipAddress: leaving.ipAddress, reason: reason)
            ]
            if !tokenRevoked, let survivor = live.first {
                events.append(
                    planned == nil
                        ? .failover(from: connector, to: survivor.connectorID, ipAddress: leaving.ipAddress)
                        : .handover(from: connector, to: survivor.connectorID, ipAddress: leaving.ipAddress))
                reprovision = Set(Service.allCases)
                fastLocate = .reEstablishing(since: now)
            }
            return events
        }
        if peers.contains(where: { liveness.isInGrace($0, at: now) }) { return [] }
        for peer in peers {
            if let peerIndex = members.firstIndex(where: { $0.connectorID == peer.connectorID }) { end(peerIndex) }
        }
        end(index)
        let everyone = [leaving] + peers
        let plannedReasons = Set(everyone.compactMap(\.departure?.planned))
        let allPlanned = everyone.allSatisfy { $0.departure?.planned != nil }
        let summary = allPlanned && plannedReasons.count == 1 ? "planned \(plannedReasons.first!.rawValue)" : reason
        return [
            .down(
                connector, ipAddress: leaving.ipAddress,
                peers: peers.map { HAEvent.Peer(connectorID: $0.connectorID, ipAddress: $0.ipAddress) }, reason: summary)
        ]
    }

    /// Ends the membership of the member at `index`.
    private mutating func end(_ index: Int) {
        members[index].session = nil
        members[index].departure = nil
    }

    /// Records that location events arrived.
    /// - Returns: whether the state changed (it was re-establishing or overdue).
    @discardableResult
    public mutating func fastLocateFlowing(at now: Date) -> Bool {
        guard case .reEstablishing = fastLocate else { return false }
        fastLocate = .flowing(since: now)
        return true
    }

    /// Clears the reprovision flags of `services` (the operator reprovisioned the survivor).
    public mutating func reprovisioned(_ services: Set<Service>) {
        reprovision.subtract(services)
    }
}
