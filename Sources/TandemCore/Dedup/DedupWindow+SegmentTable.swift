import Foundation

extension DedupWindow {
    /// One segment's entries, spread over ``shardCount`` tables by identity.
    ///
    /// A Swift dictionary that outgrows its storage rehashes every key at once, and the window
    /// is used under its owner's lock, so every stream waits meanwhile. Measured here (release
    /// build, one dictionary of these keys): growing past 393,216 keys took 105 ms, past
    /// 786,432 226 ms, past 1,572,864 499 ms, and a busy minute holds millions. Spread over 256
    /// tables, each grows alone, at about 1/256 of that cost, and the tables reach their limits
    /// at different moments. A new segment also starts with room for as many keys as the
    /// largest segment held (``DedupWindow`` passes that), so at a steady rate nothing grows.
    struct SegmentTable: Sendable {
        static let shardCount = 256

        private var shards: [[EventIdentity: Entry]]
        /// Keys held.
        private(set) var count = 0
        /// Buckets allocated over all tables (for the memory estimate), kept as tables grow:
        /// summing 256 tables per segment on every read cost more than the reads were worth.
        private(set) var capacity: Int

        /// An empty segment with room for about `capacity` keys.
        init(reservingCapacity capacity: Int) {
            let each = capacity / Self.shardCount
            shards = (0..<Self.shardCount).map { _ in [EventIdentity: Entry](minimumCapacity: each) }
            self.capacity = shards.reduce(0) { $0 + $1.capacity }
        }

        /// The identity's table: its digest's last byte (the digest is uniform).
        private static func shard(of identity: EventIdentity) -> Int {
            Int(identity.key.uuid.15)
        }

        subscript(identity: EventIdentity) -> Entry? {
            shards[Self.shard(of: identity)][identity]
        }

        /// Replaces the entry of a key the segment holds.
        mutating func replace(_ entry: Entry, for identity: EventIdentity) {
            shards[Self.shard(of: identity)][identity] = entry
        }

        /// Adds or replaces the entry of `identity`; `true` when the key is new.
        mutating func insert(_ entry: Entry, for identity: EventIdentity) -> Bool {
            let shard = Self.shard(of: identity)
            let before = shards[shard].capacity
            let added = shards[shard].updateValue(entry, forKey: identity) == nil
            if added {
                count += 1
                capacity += shards[shard].capacity - before
            }
            return added
        }

        /// Every entry, in no particular order.
        var entries: [Entry] {
            var all: [Entry] = []
            all.reserveCapacity(count)
            for shard in shards { all.append(contentsOf: shard.values) }
            return all
        }

        /// Calls `body` with every key and its entry, in no particular order.
        func forEachKeyedEntry(_ body: (EventIdentity, Entry) throws -> Void) rethrows {
            for shard in shards {
                for (identity, entry) in shard { try body(identity, entry) }
            }
        }

        /// Calls `body` with every entry, in no particular order.
        func forEachEntry(_ body: (Entry) throws -> Void) rethrows {
            for shard in shards {
                for entry in shard.values { try body(entry) }
            }
        }
    }
}
