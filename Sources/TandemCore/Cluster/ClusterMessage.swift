/// A wake-up sent from one node to the others through PostgreSQL `NOTIFY`: something about a
/// group changed, and nodes with sessions of that group re-read what they need.
///
/// It carries no state (a missed message delays a push, never loses it: a node that lost its
/// listening connection re-reads everything it serves once it listens again), only what to
/// re-read, in a small text line: `kind origin tenant token [service,service]`. Nodes send their
/// messages in batches, one per line of a notification (``payloads(_:)``).
public struct ClusterMessage: Sendable, Hashable, CustomStringConvertible {
    /// What changed.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// The group's controllers or switches.
        case configuration
        /// The group's membership (a join or a loss): its HA Active list and health.
        case haActive = "ha-active"
        /// The operator asked for a reprovision of ``ClusterMessage/services``.
        case reprovision
        /// The group's token was revoked: its channels must close.
        case revoked
    }

    /// The PostgreSQL notification channel.
    public static let channel = "tandem_cluster"

    /// What changed.
    public let kind: Kind
    /// The node that made the change (it has already pushed to its own sessions).
    public let origin: NodeID
    /// The group's tenant.
    public let tenant: TenantID
    /// The group's token.
    public let token: TokenID
    /// For ``Kind/reprovision``: the services (`hyperlocation`, `iot`).
    public let services: [String]

    /// Creates a message.
    public init(_ kind: Kind, origin: NodeID, tenant: TenantID, token: TokenID, services: [String] = []) {
        self.kind = kind
        self.origin = origin
        self.tenant = tenant
        self.token = token
        self.services = services.filter { service in
            !service.isEmpty && service.utf8.allSatisfy { $0 >= 0x61 && $0 <= 0x7A }
        }
    }

    /// Parses a payload; `nil` for anything this version does not understand (a newer node's
    /// message is ignored, not misread).
    public init?(payload: String) {
        let parts = payload.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 4 || parts.count == 5,
            let kind = Kind(rawValue: String(parts[0])),
            let origin = try? NodeID(String(parts[1])),
            let tenant = TenantID(String(parts[2])),
            let token = TokenID(String(parts[3]))
        else { return nil }
        let services = parts.count == 5 ? parts[4].split(separator: ",").map(String.init) : []
        self.init(kind, origin: origin, tenant: tenant, token: token, services: services)
    }

    /// The payload: `kind origin tenant token [services]`, well under PostgreSQL's 8,000 bytes.
    public var payload: String {
        let head = "\(kind.rawValue) \(origin) \(tenant) \(token)"
        return services.isEmpty ? head : "\(head) \(services.joined(separator: ","))"
    }

    public var description: String { payload }

    /// The most bytes of one notification's payload (PostgreSQL's limit is 8,000).
    public static let maximumPayloadBytes = 7_900

    /// `messages` (duplicates dropped, order kept) as notification payloads of one message per
    /// line, each at most ``maximumPayloadBytes``.
    public static func payloads(_ messages: [ClusterMessage]) -> [String] {
        var seen = Set<ClusterMessage>()
        var payloads: [String] = []
        var current = ""
        for message in messages where seen.insert(message).inserted {
            let line = message.payload
            if !current.isEmpty, current.utf8.count + 1 + line.utf8.count > maximumPayloadBytes {
                payloads.append(current)
                current = ""
            }
            current = current.isEmpty ? line : current + "\n" + line
        }
        if !current.isEmpty { payloads.append(current) }
        return payloads
    }

    /// The messages of a notification payload; lines this version does not understand are left out.
    public static func messages(in payload: String) -> [ClusterMessage] {
        payload.split(separator: "\n").compactMap { ClusterMessage(payload: String($0)) }
    }
}
