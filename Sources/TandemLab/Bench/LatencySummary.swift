import TandemCore

/// Percentiles of a set of durations, in milliseconds.
public struct LatencySummary: Codable, Sendable {
    var count = 0
    var p50Ms = 0.0
    var p99Ms = 0.0
    var p999Ms = 0.0
    var maxMs = 0.0

    init(_ durations: [Duration]) {
        let sorted = durations.map { $0.inSeconds * 1e3 }.sorted()
        guard !sorted.isEmpty else { return }
        func percentile(_ q: Double) -> Double { sorted[min(sorted.count - 1, Int((q * Double(sorted.count)).rounded(.up)) - 1)] }
        count = sorted.count
        p50Ms = percentile(0.5)
        p99Ms = percentile(0.99)
        p999Ms = percentile(0.999)
        maxMs = sorted.last!
    }
}
