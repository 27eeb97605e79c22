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
/// goes first.
///
/// Device times come from the wire, so they never drive the window alone: its owner tells it
/// the server's time (``advanceClock(serverTimeMicros:)``), and an event more than one segment
/// ahead of that is not remembered (the database still decides it). One event from the far
/// future therefore can't move the window on and expire everybody's present entries.
/// Every computation on a device time saturates or floors without trapping, for all `Int64`. Every dropped segment is handed back as a ``Departure`` so its owner can
/// account for it (pair statistics). A pure value: no I/O, no clock, no locking (its owner
/// serialises access).
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

        /// Width of one segment in device time, microseconds.
        public var segmentMicros: Int64 { max(1, windowMicros / Int64(max(1, segments))) }
    }

    /// What the window remembers of a durable event, in 16 bytes: who delivered the first copy
    /// and when, when the first copy from anyone else came, and how many copies it has seen.
    public struct Entry: Sendable, Hashable {
        /// When the first copy arrived: the owner's clock in milliseconds, wrapping.
        public var firstArrivalMillis: UInt32
        /// The owner's number for the delivery line (connector and source) of the first copy.
        public var firstLine: UInt32
        /// Milliseconds from the first copy to the first copy from another line;
        /// ``noPeerCopy`` until one arrives.
        public var peerLagMillis: UInt32
        /// Copies seen so far (1 after the first; saturates).
        public var copies: UInt16
        /// The event's device time within its segment, in 1/65,536ths of the segment.
        public var position: UInt16

        /// The value of ``peerLagMillis`` while no other line has delivered the event.
        public static let noPeerCopy = UInt32.max

        /// Whether a line other than the first has delivered a copy.
        public var hasPeerCopy: Bool { peerLagMillis != Self.noPeerCopy }

        /// Milliseconds from the first copy to a copy that arrived at `arrivalMillis`; 0 when
        /// that copy arrived first but was settled later (two writers finish in any order).
        public func lag(at arrivalMillis: UInt32) -> UInt32 {
            let difference = Int32(bitPattern: arrivalMillis &- firstArrivalMillis)
            return difference > 0 ? min(UInt32(difference), Self.noPeerCopy - 1) : 0
        }
    }

    /// A segment leaving the window, with every entry it held.
    public struct Departure: Sendable {
        /// The segment's number (its start divided by the segment width).
        public var segment: Int64
        /// The segment's first device time, microseconds.
        public var startMicros: Int64
        /// Its keys and entries, as the window held them: no copy is made when it leaves (it
        /// leaves under the pipeline's lock, and a busy minute holds millions of keys).
        let table: SegmentTable
        /// `true` when it left early because the window was full; `false` when the window moved on.
        public var evicted: Bool

        /// Its entries, in no particular order.
        public var entries: [Entry] { table.entries }

        /// Calls `body` with each entry, in no particular order, without collecting them.
        public func forEachEntry(_ body: (Entry) throws -> Void) rethrows {
            try table.forEachEntry(body)
        }

        /// Calls `body` with each key and its entry, in no particular order.
        public func forEachKeyedEntry(_ body: (EventIdentity, Entry) throws -> Void) rethrows {
            try table.forEachKeyedEntry(body)
        }
    }

    public let configuration: Configuration
    private var segments: [Int64: SegmentTable] = [:]
    private var newestSegment: Int64 = .min
    /// The newest segment an entry may be in: one past the server's current segment
    /// (``advanceClock(serverTimeMicros:)``); unbounded until the clock is first set.
    public private(set) var latestAllowedSegment: Int64 = .max
    /// Keys held now.
    public private(set) var count = 0
    /// Keys dropped because the capacity was reached (oldest segment first).
    public private(set) var evictedForCapacity = 0
    /// Keys dropped because their device time left the window.
    public private(set) var expired = 0

    public init(configuration: Configuration = .init()) {
        self.configuration = configuration
    }

    /// The segment a device time falls in, and its position inside it (1/65,536ths).
    public func locate(_ deviceTimeMicros: Int64) -> (segment: Int64, position: UInt16) {
        let width = configuration.segmentMicros
        let (segment, offset) = deviceTimeMicros.flooredDivision(by: width)
        return (segment, UInt16(clamping: Int64((Double(offset) / Double(width)) * 65_536)))
    }

    /// Bounds the window by the server's clock: from now on, entries more than one segment
    /// ahead of `serverTimeMicros` are not remembered. Call it before each batch of inserts.
    public mutating func advanceClock(serverTimeMicros: Int64) {
        let current = locate(serverTimeMicros).segment
        latestAllowedSegment = current == .max ? .max : current + 1
    }

    /// Whether entries of `segment` may be held now: not older than the window's span behind
    /// the newest segment, and not past ``latestAllowedSegment``.
    public func spans(_ segment: Int64) -> Bool {
        segment <= latestAllowedSegment && segment >= oldestKept(newest: newestSegment)
    }

    /// The oldest segment kept when `newest` is the newest one (saturating at `Int64.min`).
    private func oldestKept(newest: Int64) -> Int64 {
        let (oldest, overflow) = newest.subtractingReportingOverflow(Int64(configuration.segments) - 1)
        return overflow ? .min : oldest
    }

    /// The device time (microseconds) a segment position stands for, to within 1/65,536 of a segment.
    public func deviceTime(segment: Int64, position: UInt16) -> Int64 {
        segment.saturatingMultiplied(
            by: configuration.segmentMicros, adding: Int64(Double(configuration.segmentMicros) * Double(position) / 65_536))
    }

    /// Records another copy of `identity`, delivered on `line` at `arrivalMillis`, if the window holds it.
    /// - Returns: the entry as it was before this copy, or `nil` when the window doesn't know it.
    public mutating func observeCopy(
        _ identity: EventIdentity, deviceTimeMicros: Int64, line: UInt32, arrivalMillis: UInt32
    ) -> Entry? {
        let number = locate(deviceTimeMicros).segment
        guard let entry = segments[number]?[identity] else { return nil }
        var updated = entry
        updated.copies = entry.copies == .max ? .max : entry.copies + 1
        if line != entry.firstLine && !entry.hasPeerCopy {
            updated.peerLagMillis = entry.lag(at: arrivalMillis)
        }
        segments[number]?.replace(updated, for: identity)
        return entry
    }

    /// Remembers a durable event whose first known copy came on `line` at `arrivalMillis`.
    /// - Returns: the segments that left the window to make room or because it moved on.
    @discardableResult
    public mutating func insert(
        _ identity: EventIdentity, deviceTimeMicros: Int64, line: UInt32, arrivalMillis: UInt32
    ) -> [Departure] {
        let (number, position) = locate(deviceTimeMicros)
        guard number <= latestAllowedSegment else { return [] }  // ahead of the server's clock: not remembered
        var departed: [Departure] = []
        if number > newestSegment {
            // The live segment starts with room for what the last one held: at a steady rate
            // it never grows (see ``SegmentTable``). Late segments start small.
            let reservation = min(segments[newestSegment]?.count ?? 0, configuration.capacity)
            newestSegment = number
            let oldestKept = oldestKept(newest: number)
            for key in segments.keys.sorted() where key < oldestKept {
                departed += drop(key, evicted: false)
            }
            if segments[number] == nil { segments[number] = SegmentTable(reservingCapacity: reservation) }
        }
        guard number >= oldestKept(newest: newestSegment) else { return departed }  // older than the window
        let entry = Entry(
            firstArrivalMillis: arrivalMillis, firstLine: line, peerLagMillis: Entry.noPeerCopy, copies: 1,
            position: position)
        if segments[number, default: SegmentTable(reservingCapacity: 0)].insert(entry, for: identity) { count += 1 }
        while count > configuration.capacity, let oldest = segments.keys.min() {
            departed += drop(oldest, evicted: true)
        }
        return departed
    }

    private mutating func drop(_ key: Int64, evicted: Bool) -> [Departure] {
        guard let removed = segments.removeValue(forKey: key) else { return [] }
        count -= removed.count
        if evicted { evictedForCapacity += removed.count } else { expired += removed.count }
        return [
            Departure(
                segment: key, startMicros: key.saturatingMultiplied(by: configuration.segmentMicros), table: removed,
                evicted: evicted)
        ]
    }

    /// An estimate of the memory the keys occupy, in bytes (hash-table storage of every segment).
    public var estimatedBytes: Int {
        segments.values.reduce(0) { total, table in
            let buckets = table.capacity
            return total + buckets * (MemoryLayout<EventIdentity>.stride + MemoryLayout<Entry>.stride) + buckets / 8
        }
    }
}
