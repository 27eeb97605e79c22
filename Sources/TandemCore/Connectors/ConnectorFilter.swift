/// Which connectors a list shows: by control-channel status, network kind, and a search over
/// the connector (token) name, hostname and IP address. Every part is optional.
public struct ConnectorFilter: Sendable, Equatable {
    /// A connector's control-channel status.
    public enum Status: String, Sendable, CaseIterable {
        case active, inactive
    }

    public var status: Status?
    public var network: NetworkKind?
    /// Matched case-insensitively anywhere in the name, hostname or IP address.
    public var search: String?

    public init(status: Status? = nil, network: NetworkKind? = nil, search: String? = nil) {
        self.status = status
        self.network = network
        self.search = search
    }

    /// Reads the filter from a query string's `status`, `network` and `search` values.
    /// - Throws: `ValidationError` naming the value that is not one of its allowed values, or
    ///   a search that is empty, longer than 128 characters or holds a control character.
    public init(status: String?, network: String?, search: String?) throws(ValidationError) {
        self.init()
        if let status {
            guard let value = Status(rawValue: status) else {
                throw ValidationError(field: "status", message: "must be one of active, inactive")
            }
            self.status = value
        }
        if let network {
            guard let value = NetworkKind(rawValue: network) else {
                throw ValidationError(
                    field: "network", message: "must be one of \(NetworkKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            self.network = value
        }
        if let search {
            guard !search.isEmpty, search.count <= 128,
                !search.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
            else {
                throw ValidationError(field: "search", message: "must be 1 to 128 characters without control characters")
            }
            self.search = search
        }
    }
}
