/// The body of `POST /api/v1/analysts`, validated: `{"name": "…"}`.
public struct AnalystRequest: Sendable, Equatable {
    /// The analyst's display name.
    public let name: DisplayName

    /// Validates a request's values (decoded by the operator API's generated types).
    public init(name text: String) throws(RequestBodyError) {
        do {
            name = try DisplayName(text, field: "name")
        } catch {
            throw .invalid(error as? ValidationError ?? ValidationError(field: "name", message: "is not valid"))
        }
    }
}
