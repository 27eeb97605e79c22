public import Foundation
public import TandemCore

/// One connector's pair statistics summed over minutes and sources.
public struct PairTotals: Sendable, Hashable, Codable {
    public var delivered: Int64
    public var firstDeliveries: Int64
    public var duplicates: Int64
    public var missed: Int64
    /// Copy-lag histogram (bounds: ``PairStatistics/lagBucketUpperBoundsMillis`` plus overflow).
    public var lagBuckets: [Int64]

    public init(delivered: Int64, firstDeliveries: Int64, duplicates: Int64, missed: Int64, lagBuckets: [Int64]) {
        self.delivered = delivered
        self.firstDeliveries = firstDeliveries
        self.duplicates = duplicates
        self.missed = missed
        self.lagBuckets = lagBuckets
    }

    /// Nothing counted.
    public static let zero = PairTotals(delivered: 0, firstDeliveries: 0, duplicates: 0, missed: 0, lagBuckets: [])

    /// The sums of two totals, histograms added bucket by bucket.
    public static func + (lhs: PairTotals, rhs: PairTotals) -> PairTotals {
        let width = max(lhs.lagBuckets.count, rhs.lagBuckets.count)
        let buckets = (0..<width).map {
            (lhs.lagBuckets.indices.contains($0) ? lhs.lagBuckets[$0] : 0) + (rhs.lagBuckets.indices.contains($0) ? rhs.lagBuckets[$0] : 0)
        }
        return PairTotals(
            delivered: lhs.delivered + rhs.delivered, firstDeliveries: lhs.firstDeliveries + rhs.firstDeliveries,
            duplicates: lhs.duplicates + rhs.duplicates, missed: lhs.missed + rhs.missed, lagBuckets: buckets)
    }
}

/// One connector's pair statistics in one minute, summed over sources.
public struct PairMinute: Sendable, Hashable {
    public var group: TokenID
    public var connector: ConnectorID
    public var minute: Date
    public var totals: PairTotals
}

extension PairTotals {
    /// The upper bound (ms) of the bucket holding the `q` quantile of the copy lag; `nil`
    /// without copies, `.infinity` in the overflow bucket.
    public func lagQuantileMillis(_ q: Double) -> Double? {
        let total = lagBuckets.reduce(0, +)
        guard total > 0 else { return nil }
        var running: Int64 = 0
        for (index, count) in lagBuckets.enumerated() {
            running += count
            if Double(running) >= q * Double(total) {
                let bounds = PairStatistics.lagBucketUpperBoundsMillis
                return index < bounds.count ? Double(bounds[index]) : .infinity
            }
        }
        return .infinity
    }
}
