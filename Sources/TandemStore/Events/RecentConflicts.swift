import Synchronization

/// When an event write last met an event that was stored already, so the writes right after
/// it check for stored events from the start.
///
/// A write first tries a plain `INSERT`: when the window and the flushes in flight have caught
/// every second copy, which is the usual case, no row is stored yet, and PostgreSQL saves the
/// speculative insertion `ON CONFLICT` costs per row (about 40 % of the statement). A write
/// that meets a stored event (SQLSTATE 23505: after a restart, a late copy past the window,
/// a pair split over two nodes) is rolled back and written again with `ON CONFLICT DO
/// NOTHING`; for ``interval`` after that, writes use `ON CONFLICT` at once, so a stretch of
/// conflicts costs one wasted attempt per interval, not one per write.
final class RecentConflicts: Sendable {
    /// How long after a conflict writes check for stored events from the start.
    let interval: Duration
    private let clock = ContinuousClock()
    private let lastConflict = Mutex<ContinuousClock.Instant?>(nil)
    private let fallbacks = Atomic<Int>(0)

    init(interval: Duration) {
        self.interval = interval
    }

    /// Whether a write should use `ON CONFLICT DO NOTHING` from the start.
    var expected: Bool {
        lastConflict.withLock { last in last.map { clock.now - $0 < interval } ?? false }
    }

    /// Notes a write that met a stored event and is written again.
    func noteConflict() {
        lastConflict.withLock { $0 = clock.now }
        fallbacks.add(1, ordering: .relaxed)
    }

    /// Writes rolled back and written again since the start.
    var fallbackCount: Int { fallbacks.load(ordering: .relaxed) }
}
