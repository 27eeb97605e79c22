import Hummingbird
import TandemCore

extension Request {
    /// The page a list request asks for (`limit`, `cursor`), with its cursor read back into
    /// the list's key by `key`.
    /// - Throws: ``APIError`` 400 naming `limit` or `cursor` when either is not acceptable.
    func page<Key>(keyParts: Int, _ key: ([String]) -> Key?) throws -> (after: Key?, limit: Int) {
        let query = uri.queryParameters
        do {
            let page = try PageRequest(
                limit: query.get("limit"), cursor: query.get("cursor"), keyCount: keyParts)
            guard let parts = page.after else { return (nil, page.limit) }
            guard let after = key(parts) else {
                throw ValidationError(field: "cursor", message: "is not a cursor of this list (pass nextCursor as it was returned)")
            }
            return (after, page.limit)
        } catch let error as ValidationError {
            throw APIError.invalid(error)
        }
    }
}

/// A page of a list route: `{"<items>": [...], "nextCursor": "…" | null}`; `nextCursor` is
/// always present, `null` on the last page.
struct ListPage<Item: Encodable & Sendable>: ResponseEncodable {
    let itemsKey: String
    let items: [Item]
    let nextCursor: String?

    init<Stored: Sendable>(_ itemsKey: String, _ page: Page<Stored>, _ transform: (Stored) -> Item) {
        self.itemsKey = itemsKey
        items = page.items.map(transform)
        nextCursor = page.nextCursor
    }

    private struct Key: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(items, forKey: Key(stringValue: itemsKey))
        try container.encode(nextCursor, forKey: Key(stringValue: "nextCursor"))
    }
}
