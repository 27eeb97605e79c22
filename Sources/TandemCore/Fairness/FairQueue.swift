/// A queue that serves its keys (tenants) in turn: elements of one key leave in the order they
/// came, and each dequeue takes one element per key round-robin, so a key with a long backlog
/// never makes another wait behind all of it. Each element has a weight (its events), which
/// bounds how much one dequeue takes.
public struct FairQueue<Key: Hashable & Sendable, Element> {
    private var queues: [Key: [(element: Element, weight: Int)]] = [:]
    /// Keys with elements waiting, in the order they are served next.
    private var rotation: [Key] = []
    private var weights: [Key: Int] = [:]

    /// The weight of every element waiting.
    public private(set) var totalWeight = 0
    /// How many elements wait.
    public private(set) var count = 0

    /// An empty queue.
    public init() {}

    /// Whether nothing waits.
    public var isEmpty: Bool { count == 0 }

    /// The weight of the elements of `key` waiting.
    public func weight(of key: Key) -> Int { weights[key] ?? 0 }

    /// Adds `element` of `key`, after the elements of `key` already waiting.
    public mutating func enqueue(_ element: Element, key: Key, weight: Int) {
        if queues[key, default: []].isEmpty { rotation.append(key) }
        queues[key, default: []].append((element, weight))
        weights[key, default: 0] += weight
        totalWeight += weight
        count += 1
    }

    /// Takes whole elements, one per key in turn, while their weights stay within `limit`
    /// (the first element is taken whatever its weight, so nothing is stuck).
    /// - Returns: the elements taken, in the order served.
    public mutating func dequeue(upTo limit: Int) -> [Element] {
        var taken: [Element] = []
        var weight = 0
        while let key = rotation.first, let next = queues[key]?.first {
            guard taken.isEmpty || next.weight <= limit - weight else { break }
            rotation.removeFirst()
            queues[key]!.removeFirst()
            if queues[key]!.isEmpty {
                queues[key] = nil
                weights[key] = nil
            } else {
                weights[key]! -= next.weight
                rotation.append(key)
            }
            totalWeight -= next.weight
            count -= 1
            weight += next.weight
            taken.append(next.element)
        }
        return taken
    }
}

extension FairQueue: Sendable where Element: Sendable {}
