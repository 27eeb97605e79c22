/// The body of `POST /api/v1/tokens`, validated: `{"connectorName": "…", "network": "wireless"}`.
public struct TokenRequest: Sendable, Equatable {
    /// The connector name the token is issued for.
    public let connectorName: DisplayName
    /// The network the pair serves; `wireless` when the body does not say.
    public let network: NetworkKind

    private struct Wire: Decodable {
        let connectorName: String?
        let network: String?
    }

    /// Decodes and validates a request body.
    public init(json bytes: some Collection<UInt8>) throws(RequestBodyError) {
        let wire = try RequestBody.decode(Wire.self, from: bytes)
        guard let name = wire.connectorName else {
            throw .invalid(ValidationError(field: "connectorName", message: "is required"))
        }
        do {
            connectorName = try DisplayName(name, field: "connectorName")
        } catch {
            throw .invalid(error as? ValidationError ?? ValidationError(field: "connectorName", message: "is not valid"))
        }
        network = try NetworkKind(field: "network", wire.network)
    }
}

extension NetworkKind {
    /// The kind a request names, `wireless` when it names none.
    init(field: String, _ text: String?) throws(RequestBodyError) {
        guard let text else {
            self = .wireless
            return
        }
        guard let kind = NetworkKind(rawValue: text) else {
            throw .invalid(ValidationError(field: field, message: "must be \"wireless\" or \"wired\" (got \"\(text.prefix(32))\")"))
        }
        self = kind
    }
}
