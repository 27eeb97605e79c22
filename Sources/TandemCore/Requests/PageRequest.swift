import Foundation

/// One page of a list route: `limit` items after the position `cursor` names (from the start
/// without one). Lists are ordered by a unique key and a page continues strictly after the
/// last key of the one before, so paging is stable while rows are added: no row already there
/// is skipped or repeated, and rows added later appear where their key falls.
public struct PageRequest: Sendable, Equatable {
    /// Items per page when the request names no `limit`.
    public static let defaultLimit = 100
    /// The largest `limit` accepted.
    public static let maximumLimit = 1_000

    public let limit: Int
    /// The sort key of the previous page's last item, as the list encoded it.
    public let after: [String]?

    public init(limit: Int = Self.defaultLimit, after: [String]? = nil) {
        self.limit = limit
        self.after = after
    }

    /// Reads a list request's `limit` (as the operator API's generated code decoded it) and
    /// `cursor`.
    /// - Throws: `ValidationError` naming `limit` (not from 1 to 1,000) or `cursor` (not one
    ///   this service issued for a list with keys of `keyCount` parts).
    public init(limit: Int?, cursor: String?, keyCount: Int) throws(ValidationError) {
        let limit = limit ?? Self.defaultLimit
        guard (1...Self.maximumLimit).contains(limit) else {
            throw ValidationError(field: "limit", message: "must be an integer from 1 to \(Self.maximumLimit)")
        }
        var after: [String]?
        if let cursor {
            guard let key = PageCursor.decode(cursor), key.count == keyCount else {
                throw Self.foreignCursor
            }
            after = key
        }
        self.init(limit: limit, after: after)
    }

    /// The cursor's key read back into a list's own key by `key`; `nil` on the first page.
    /// - Throws: `ValidationError` naming `cursor` when `key` can't read it.
    public func after<Key>(_ key: ([String]) -> Key?) throws(ValidationError) -> Key? {
        guard let after else { return nil }
        guard let typed = key(after) else { throw Self.foreignCursor }
        return typed
    }

    private static let foreignCursor = ValidationError(
        field: "cursor", message: "is not a cursor of this list (pass nextCursor as it was returned)")
}

/// The opaque `cursor` / `nextCursor` of list routes: the last item's sort key (ids and
/// numbers, never a `|`), its parts joined and base64url-encoded, so clients pass it back
/// without reading it.
public enum PageCursor {
    /// The cursor naming `key`.
    public static func encode(_ key: [String]) -> String {
        Data(("v1|" + key.joined(separator: "|")).utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The key a cursor names, or `nil` for text this service did not issue.
    public static func decode(_ cursor: String) -> [String]? {
        guard cursor.utf8.count <= 1_024 else { return nil }
        var base64 = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.utf8.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8), text.hasPrefix("v1|") else {
            return nil
        }
        return text.dropFirst(3).split(separator: "|", omittingEmptySubsequences: false).map(String.init)
    }
}

/// One page of a list: its items and, when more follow, the key to continue after.
public struct Page<Item: Sendable>: Sendable {
    public let items: [Item]
    /// The last item's sort key when more items follow; `nil` on the last page.
    public let next: [String]?

    public init(items: [Item], next: [String]?) {
        self.items = items
        self.next = next
    }

    /// The page of `limit` items out of `fetched`, which holds up to `limit + 1` in order
    /// (one more than shown tells whether another page follows), each keyed by `key`.
    public init(fetched: [Item], limit: Int, key: (Item) -> [String]) {
        let items = Array(fetched.prefix(limit))
        self.init(items: items, next: fetched.count > limit ? items.last.map(key) : nil)
    }

    /// The cursor of the next page, or `nil` on the last.
    public var nextCursor: String? { next.map(PageCursor.encode) }
}
