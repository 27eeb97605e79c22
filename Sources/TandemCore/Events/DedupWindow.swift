/// The in-memory deduplication window: identities known to be durable, by device time.
///
/// It saves database work — the second copy of an event is answered "duplicate" without a
/// write — and never decides correctness: anything it has forgotten (evicted, expired, or
/// after a restart) simply goes to the database, whose unique key decides.
///
/// Entries live in segments of device time (default 10 segments of 1 minute = a 10-minute
/// window). Since the identity includes the device time, an event always maps to one segment:
/// a lookup is one hash probe. Segments older than the window (relative to the newest device
/// time seen) are dropped whole; when the key count passes the capacity, the oldest segment
/// goes first. A pure value: no I/O, no clock, no locking (its owner serialises access).
public struct DedupWindow: Sendable {
    /// Sizing of the window.
    public struct Configuration: Sendable {
        /// Width of the window in device time, microseconds (default 10 minutes).
        public var windowMicros: Int64 = 600_000_000
        /// Segments the window is cut into (default 10).
        public var segments: Int = 10
        /// Most keys held at once (default 4,000,000: about 200 MiB at the measured bytes per key).
        public var capacity: Int = 4_000_000

        public init(windowMicros: Int64 = 600_000_000, segments: Int = 10, capacity: Int = 4_000_000) {
            self.windowMicros = windowMicros
            self.segments = segments
            self.capacity = capacity
        }

        var segmentMicros: Int64 { max(1, windowMicros / Int64(max(1, segments))) }
    }

    /// What the window remembers of a durable event: who delivered its first copy, when, and
    /// how many copies it has seen.
    public struct Entry: Sendable, Hashable {
        /// When the first copy arrived (the owner's clock, microseconds).
        public var firstArrivalMicros: Int64
        /// A small number the owner assigns to the connector that delivered the first copy.
        public var firstConnector: UInt32
        /// Copies seen so far (1 after the first).
        public var copies: UInt32

        public init(firstArrivalMicros: Int64, firstConnector: UInt32, copies: UInt32 = 1) {
            self.firstArrivalMicros = firstArrivalMicros
            self.firstConnector = firstConnector
            self.copies = copies
        }
    }

    public let configuration: Configuration
    private var segments: [Int64: [EventIdentity: Entry]] = [:]
    private var newestSegment: Int64 = .min
    /// Keys held now.
    public private(set) var count = 0
    /// Keys dropped because the capacity was reached (oldest segment first).
    public private(set) var evictedForCapacity = 0
    /// Keys dropped because their device time left the window.
    public private(set) var expired = 0

    public init(configuration: Configuration = .init()) {
        self.configuration = configuration
    }

    private func segment(of deviceTimeMicros: Int64) -> Int64 {
        deviceTimeMicros >= 0 ? deviceTimeMicros / configuration.segmentMicros : (deviceTimeMicros + 1) / configuration.segmentMicros - 1
    }

    /// Records another copy of `identity` if the window holds it.
    /// - Returns: the entry as it was before this copy, or `nil` when the window doesn't know it.
    public mutating func observeCopy(_ identity: EventIdentity, deviceTimeMicros: Int64) -> Entry? {
        let number = segment(of: deviceTimeMicros)
        guard let entry = segments[number]?[identity] else { return nil }
        segments[number]?[identity]?.copies &+= 1
        return entry
    }

    /// Remembers a durable event. Returns the entries that left the window to make room or
    /// because the window moved on (for pair statistics).
    @discardableResult
    public mutating func insert(_ identity: EventIdentity, deviceTimeMicros: Int64, entry: Entry) -> [Entry] {
        let number = segment(of: deviceTimeMicros)
        var departed: [Entry] = []
        if number > newestSegment {
            newestSegment = number
            let oldestKept = number - Int64(configuration.segments) + 1
            for key in segments.keys where key < oldestKept {
                departed += drop(key, capacity: false)
            }
        }
        guard number > newestSegment - Int64(configuration.segments) else { return departed }  // older than the window
        if segments[number, default: [:]].updateValue(entry, forKey: identity) == nil { count += 1 }
        while count > configuration.capacity, let oldest = segments.keys.min() {
            departed += drop(oldest, capacity: true)
        }
        return departed
    }

    private mutating func drop(_ key: Int64, capacity: Bool) -> [Entry] {
        guard let removed = segments.removeValue(forKey: key) else { return [] }
        count -= removed.count
        if capacity { evictedForCapacity += removed.count } else { expired += removed.count }
        return Array(removed.values)
    }

    /// An estimate of the memory the keys occupy, in bytes (hash-table storage of every segment).
    public var estimatedBytes: Int {
        segments.values.reduce(0) { total, table in
            total + table.capacity * (MemoryLayout<EventIdentity>.stride + MemoryLayout<Entry>.stride) + table.capacity / 8
        }
    }
}
