import Foundation
import TandemCore
import Testing

@Suite("PageRequest and PageCursor: limits, opaque cursors, and which ones are refused")
struct PageRequestTests {
    @Test(
        "limit: absent is 100, 1 to 1,000 accepted, anything else refused naming limit",
        arguments: [
            (nil, 100), (1, 1), (1000, 1_000), (250, 250), (0, nil), (1001, nil), (-5, nil), (Int.min, nil), (Int.max, nil),
        ] as [(Int?, Int?)])
    func limits(limit: Int?, expected: Int?) throws {
        if let expected {
            #expect(try PageRequest(limit: limit, cursor: nil, keyCount: 2).limit == expected)
        } else {
            #expect(throws: ValidationError(field: "limit", message: "must be an integer from 1 to 1000")) {
                try PageRequest(limit: limit, cursor: nil, keyCount: 2)
            }
        }
    }

    @Test(
        "a cursor names the key it was made from, URL-safe, whatever the bytes",
        arguments: [
            ["1732600000000000", "5e9a7b13-2c4d-4f8e-8b1a-9d6c3e2f1a07"], ["", ""], ["ü", "?&=/+"], ["a"],
        ])
    func roundTrip(key: [String]) throws {
        let cursor = PageCursor.encode(key)
        #expect(!cursor.contains(where: { "+/=&?".contains($0) }), "safe in a query string as it is")
        #expect(PageCursor.decode(cursor) == key)
        #expect(try PageRequest(limit: nil, cursor: cursor, keyCount: key.count).after == key)
    }

    @Test(
        "cursors not issued by the list are refused naming cursor",
        arguments: ["garbage!", "", "djJ8", PageCursor.encode(["only-one"]), String(repeating: "A", count: 2_000), "dj", "djF8YQ"])
    func foreignCursors(cursor: String) {
        #expect(throws: ValidationError.self) { try PageRequest(limit: nil, cursor: cursor, keyCount: 2) }
    }

    @Test("a page of limit + 1 fetched items shows limit and keys the next page by its last item; fewer end the list")
    func pageOfFetched() {
        let more = Page(fetched: [1, 2, 3, 4], limit: 3) { [String($0)] }
        #expect(more.items == [1, 2, 3] && more.next == ["3"])
        #expect(more.nextCursor.flatMap(PageCursor.decode) == ["3"])
        let last = Page(fetched: [1, 2, 3], limit: 3) { [String($0)] }
        #expect(last.items == [1, 2, 3] && last.next == nil && last.nextCursor == nil)
    }
}
