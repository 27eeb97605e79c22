import Foundation

/// Parts of page keys (see `Page`).
enum PageKey {
    /// A stored time as PostgreSQL keeps it: whole microseconds since 1970 (a `Date` read from
    /// PostgreSQL holds them to within a fraction of a microsecond, so rounding gives them back).
    static func micros(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    }
}
