/// The body of `POST /api/v1/ha-groups/{tokenId}/reprovision`, validated:
/// `{"services": ["hyperlocation", "iot"]}`.
public struct ReprovisionRequest: Sendable, Equatable {
    /// The services the operator reprovisioned; never empty.
    public let services: Set<HAGroup.Service>

    private struct Wire: Decodable {
        let services: [String]?
    }

    /// Decodes and validates a request body.
    public init(json bytes: some Collection<UInt8>) throws(RequestBodyError) {
        let wire = try RequestBody.decode(Wire.self, from: bytes)
        let parsed = (wire.services ?? []).map(HAGroup.Service.init(rawValue:))
        guard !parsed.isEmpty, !parsed.contains(nil) else {
            throw .invalid(ValidationError(field: "services", message: "must list one or more of \"hyperlocation\", \"iot\""))
        }
        services = Set(parsed.compactMap { $0 })
    }
}
