extension Duration {
    /// The duration in seconds, as a `Double` (rates, reports, PostgreSQL's `make_interval(secs => …)`).
    public var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }

    /// The duration in whole milliseconds, toward zero, saturating at the bounds of `Int64`
    /// (the protocol's and PostgreSQL's millisecond settings).
    public var inMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds.saturatingMultiplied(by: 1_000, adding: attoseconds / 1_000_000_000_000_000)
    }

    /// The duration in whole nanoseconds, toward zero, saturating at the bounds of `Int64`
    /// (swift-metrics timers).
    public var inNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds.saturatingMultiplied(by: 1_000_000_000, adding: attoseconds / 1_000_000_000)
    }
}
