import TandemCore
import Testing

/// The write path's queue serves tenants in turn: a tenant's backlog delays only itself.
@Suite("Fair queue")
struct FairQueueTests {
    /// Elements are written `key`+`number`, e.g. `h1`; the weight is given beside each.
    private func queue(_ arrivals: [(String, Int)]) -> FairQueue<Character, String> {
        var queue = FairQueue<Character, String>()
        for (element, weight) in arrivals { queue.enqueue(element, key: element.first!, weight: weight) }
        return queue
    }

    @Test(
        "dequeues take one element per key in turn, keeping each key's order, within the limit",
        arguments: [
            // A flood of h before one g: g is served second, not fifth.
            ([("h1", 1), ("h2", 1), ("h3", 1), ("h4", 1), ("g1", 1)], 2, [["h1", "g1"], ["h2", "h3"], ["h4"]]),
            // Three keys in turn, then what is left of the longest.
            ([("a1", 1), ("a2", 1), ("b1", 1), ("c1", 1), ("a3", 1)], 10, [["a1", "b1", "c1", "a2", "a3"]]),
            // The first element is taken whatever its weight; the next waits for a later dequeue.
            ([("h1", 5_000), ("g1", 10)], 4_000, [["h1"], ["g1"]]),
            // An element that does not fit ends the dequeue (no reordering within the limit).
            ([("g1", 10), ("h1", 3_995), ("g2", 10)], 4_000, [["g1"], ["h1"], ["g2"]]),
            ([], 10, []),
        ])
    func order(arrivals: [(String, Int)], limit: Int, dequeues: [[String]]) {
        var queue = queue(arrivals)
        for expected in dequeues { #expect(queue.dequeue(upTo: limit) == expected) }
        #expect(queue.isEmpty)
        #expect(queue.totalWeight == 0)
        #expect(queue.dequeue(upTo: limit).isEmpty)
    }

    @Test("weights are kept per key and in total as elements come and go")
    func weights() {
        var queue = queue([("h1", 1_000), ("h2", 1_000), ("g1", 100)])
        #expect(queue.weight(of: "h") == 2_000)
        #expect(queue.weight(of: "g") == 100)
        #expect(queue.totalWeight == 2_100)
        #expect(queue.count == 3)
        #expect(queue.dequeue(upTo: 1_100) == ["h1", "g1"])
        #expect(queue.weight(of: "h") == 1_000)
        #expect(queue.weight(of: "g") == 0)
        #expect(queue.totalWeight == 1_000)
        queue.enqueue("g2", key: "g", weight: 7)
        #expect(queue.dequeue(upTo: .max) == ["h2", "g2"])
        #expect(queue.count == 0)
    }
}
