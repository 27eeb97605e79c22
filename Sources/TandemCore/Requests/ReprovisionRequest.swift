/// The body of `POST /api/v1/ha-groups/{tokenId}/reprovision`, validated:
/// `{"services": ["hyperlocation", "iot"]}`.
public struct ReprovisionRequest: Sendable, Equatable {
    /// The services the operator reprovisioned; never empty.
    public let services: Set<HAGroup.Service>

    /// Validates a request's values (decoded by the operator API's generated types): the
    /// services by name.
    public init(services names: [String]) throws(RequestBodyError) {
        let parsed = names.map(HAGroup.Service.init(rawValue:))
        guard !parsed.isEmpty, !parsed.contains(nil) else {
            throw .invalid(ValidationError(field: "services", message: "must list one or more of \"hyperlocation\", \"iot\""))
        }
        services = Set(parsed.compactMap { $0 })
    }
}
