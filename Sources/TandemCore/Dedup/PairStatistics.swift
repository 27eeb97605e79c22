/// What one delivery line did in one minute of device time: the pair analytics row.
///
/// Counts add up: rows for the same line and minute from several flushes (or several service
/// instances) are summed by the store.
public struct PairStatistics: Sendable, Hashable {
    public var line: DeliveryLine
    /// The minute of device time, microseconds since the Unix epoch (a multiple of 60,000,000).
    public var minuteMicros: Int64
    /// Copies this connector delivered.
    public var delivered: Int64 = 0
    /// Copies of this connector that were the first of their event (they made the row).
    public var firstDeliveries: Int64 = 0
    /// Copies of this connector dropped because the event was stored already.
    public var duplicates: Int64 = 0
    /// Events a peer delivered while this connector was carrying the same source (it delivered
    /// events of that source before and after, in the same window segment) that this connector
    /// never delivered within the window: it is silently losing data.
    public var missed: Int64 = 0
    /// How late this connector's copies came after a peer's first copy: counts per bucket of
    /// ``lagBucketUpperBoundsMillis``, plus one overflow bucket.
    public var lagBuckets: [Int64] = Array(repeating: 0, count: PairStatistics.lagBucketUpperBoundsMillis.count + 1)
    /// Sum of those lags, milliseconds (for a mean).
    public var lagSumMillis: Int64 = 0

    /// Upper bounds (inclusive) of the copy-lag buckets, in milliseconds; the last bucket is
    /// everything above 10 s.
    public static let lagBucketUpperBoundsMillis: [Int64] = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000]

    /// Microseconds in a minute.
    public static let minuteMicros: Int64 = 60_000_000

    public init(line: DeliveryLine, minuteMicros: Int64) {
        self.line = line
        self.minuteMicros = minuteMicros
    }

    /// Counts one copy that came `millis` after a peer's first copy.
    public mutating func recordLag(millis: UInt32) {
        let lag = Int64(millis)
        let bucket = Self.lagBucketUpperBoundsMillis.firstIndex { lag <= $0 } ?? Self.lagBucketUpperBoundsMillis.count
        lagBuckets[bucket] += 1
        lagSumMillis += lag
    }

    /// Copies whose lag was recorded.
    public var lagCount: Int64 { lagBuckets.reduce(0, +) }

    /// The minute a device time falls in.
    public static func minute(of deviceTimeMicros: Int64) -> Int64 {
        // The start of the minute; for the few device times whose minute starts below
        // Int64.min, the first minute that can be written (no trap on any input).
        let minute = deviceTimeMicros.flooredDivision(by: minuteMicros).quotient
        let (start, overflow) = minute.multipliedReportingOverflow(by: minuteMicros)
        return overflow ? (minute + 1) * minuteMicros : start
    }
}
