/// The body of `POST /api/v1/tokens`, validated: `{"connectorName": "…", "network": "wireless"}`.
public struct TokenRequest: Sendable, Equatable {
    /// The connector name the token is issued for.
    public let connectorName: DisplayName
    /// The network the pair serves; `wireless` when the body does not say.
    public let network: NetworkKind

    /// Validates a request's values (decoded by the operator API's generated types).
    public init(connectorName name: String, network: NetworkKind) throws(RequestBodyError) {
        do {
            connectorName = try DisplayName(name, field: "connectorName")
        } catch {
            throw .invalid(error as? ValidationError ?? ValidationError(field: "connectorName", message: "is not valid"))
        }
        self.network = network
    }
}
