/// The body of `POST /api/v1/analysts`, validated: `{"name": "…"}`.
public struct AnalystRequest: Sendable, Equatable {
    /// The analyst's display name.
    public let name: DisplayName

    private struct Wire: Decodable {
        let name: String?
    }

    /// Decodes and validates a request body.
    public init(json bytes: some Collection<UInt8>) throws(RequestBodyError) {
        let wire = try RequestBody.decode(Wire.self, from: bytes)
        guard let text = wire.name else { throw .invalid(ValidationError(field: "name", message: "is required")) }
        do {
            name = try DisplayName(text, field: "name")
        } catch {
            throw .invalid(error as? ValidationError ?? ValidationError(field: "name", message: "is not valid"))
        }
    }
}
