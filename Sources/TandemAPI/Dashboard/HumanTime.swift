public import Foundation

/// Times and durations as the product document writes them for people: "3 days 18 hours 31
/// minutes 22 seconds", "3 min ago".
public enum HumanTime {
    /// A duration in whole units, largest first, zero units left out ("3 days 18 hours 31
    /// minutes 22 seconds", "45 seconds", "0 seconds"); negative durations read as 0.
    public static func duration(seconds: Int) -> String {
        var rest = max(0, seconds)
        var parts: [String] = []
        for (size, unit) in [(86_400, "day"), (3_600, "hour"), (60, "minute"), (1, "second")] {
            let count = rest / size
            rest %= size
            if count > 0 { parts.append("\(count) \(unit)\(count == 1 ? "" : "s")") }
        }
        return parts.isEmpty ? "0 seconds" : parts.joined(separator: " ")
    }

    /// How long before `now` `date` was, in its largest unit: "just now" (under 10 s),
    /// "42 s ago", "3 min ago", "5 h ago", "2 days ago"; a time after `now` reads "just now".
    public static func ago(_ date: Date, now: Date) -> String {
        let seconds = Int(now.timeIntervalSince(date))
        switch seconds {
        case ..<10: return "just now"
        case ..<60: return "\(seconds) s ago"
        case ..<3_600: return "\(seconds / 60) min ago"
        case ..<86_400: return "\(seconds / 3_600) h ago"
        case ..<172_800: return "1 day ago"
        default: return "\(seconds / 86_400) days ago"
        }
    }
}
