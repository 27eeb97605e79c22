/// The rules a connector must meet to join its token's HA group, checked at Hello.
///
/// From the product document: the two connectors of a pair have different IP addresses, both
/// run OVA 2.3 or higher, and both run the *same* OVA version; a group holds at most
/// ``maximumActiveMembers`` active connectors. A lone connector below 2.3 may connect and
/// ingest: it just can't be paired. A connector that reconnects with its instance id replaces
/// its old session instead of counting as another member.
public struct PairingRules: Sendable {
    /// How many connectors of one token may be active at once (default 2: a pair).
    public var maximumActiveMembers: Int

    /// Creates the rules.
    public init(maximumActiveMembers: Int = 2) {
        self.maximumActiveMembers = maximumActiveMembers
    }

    /// A member already active in the group, as the rules need to see it.
    public struct Member: Sendable, Hashable {
        /// Its instance id.
        public let instanceID: String
        /// Its IP address.
        public let ipAddress: String
        /// Its OVA version.
        public let ovaVersion: OVAVersion

        /// Creates a member view.
        public init(instanceID: String, ipAddress: String, ovaVersion: OVAVersion) {
            self.instanceID = instanceID
            self.ipAddress = ipAddress
            self.ovaVersion = ovaVersion
        }
    }

    /// Checks `hello` against the group's active members.
    /// - Returns: `nil` when it may join, else the refusal naming the rule and the values.
    public func check(_ hello: ConnectorHello, activeMembers: [Member]) -> PairingRefusal? {
        let others = activeMembers.filter { $0.instanceID != hello.instanceID }
        guard others.count < maximumActiveMembers else {
            return PairingRefusal(
                rule: .groupFull,
                message:
                    "the group already has \(others.count) active connectors (\(others.map(\.ipAddress).joined(separator: ", "))); at most \(maximumActiveMembers) may be active"
            )
        }
        if let clash = others.first(where: { $0.ipAddress == hello.ipAddress }) {
            return PairingRefusal(
                rule: .uniqueIPAddress,
                message:
                    "IP address \(hello.ipAddress) is already used by active connector \(clash.instanceID); each connector of a pair needs its own IP"
            )
        }
        for other in others {
            if !hello.ovaVersion.supportsActiveActive || !other.ovaVersion.supportsActiveActive {
                return PairingRefusal(
                    rule: .minimumVersion,
                    message:
                        "active-active needs OVA \(OVAVersion.activeActiveMinimum) or higher on both connectors; this one runs \(hello.ovaVersion), the active one (\(other.ipAddress)) runs \(other.ovaVersion)"
                )
            }
            if hello.ovaVersion != other.ovaVersion {
                return PairingRefusal(
                    rule: .sameVersion,
                    message:
                        "both connectors of a pair must run the same OVA version; this one runs \(hello.ovaVersion), the active one (\(other.ipAddress)) runs \(other.ovaVersion)"
                )
            }
        }
        return nil
    }
}

/// Why a connector was refused at Hello: the rule broken and a message with the values.
public struct PairingRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    /// The pairing rules, with stable names for metrics and logs.
    public enum Rule: String, Sendable, Hashable, CaseIterable {
        case groupFull = "group-full"
        case uniqueIPAddress = "unique-ip"
        case minimumVersion = "ova-minimum-version"
        case sameVersion = "same-ova-version"
    }

    /// The rule broken.
    public let rule: Rule
    /// What is wrong, with the values involved.
    public let message: String

    /// Creates a refusal.
    public init(rule: Rule, message: String) {
        self.rule = rule
        self.message = message
    }

    public var description: String { "pairing rule \(rule.rawValue): \(message)" }
}
