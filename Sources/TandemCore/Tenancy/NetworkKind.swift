/// The kind of network a token connects: a wireless token's connectors read wireless LAN
/// controllers and access points, a wired token's connectors read switches.
public enum NetworkKind: String, Sendable, Codable, CaseIterable {
    case wireless
    case wired
}
