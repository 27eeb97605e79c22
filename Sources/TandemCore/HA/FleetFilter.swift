/// Which HA groups the fleet view shows: by health, network kind, and a search over the
/// group's (token's) name and its members' hostnames and IP addresses. Every part is optional.
public struct FleetFilter: Sendable, Equatable {
    public var health: HAGroupHealth.Level?
    public var network: NetworkKind?
    /// Matched case-insensitively anywhere in the name, a member's hostname or IP address.
    public var search: String?

    public init(health: HAGroupHealth.Level? = nil, network: NetworkKind? = nil, search: String? = nil) {
        self.health = health
        self.network = network
        self.search = search
    }

    /// Reads the filter from a query string's `health`, `network` and `search` values; empty
    /// values (an HTML form's "any") mean no filter.
    /// - Throws: `ValidationError` naming the value that is not one of its allowed values.
    public init(health: String?, network: String?, search: String?) throws(ValidationError) {
        self.init()
        if let health, !health.isEmpty {
            guard let value = HAGroupHealth.Level(rawValue: health) else {
                throw ValidationError(field: "health", message: "must be one of healthy, degraded, down")
            }
            self.health = value
        }
        let connectors = try ConnectorFilter(
            status: nil, network: network?.isEmpty == false ? network : nil, search: search?.isEmpty == false ? search : nil)
        self.network = connectors.network
        self.search = connectors.search
    }
}
