import Synchronization
import TandemCore
import TandemStore

/// Counts what the ``EventPipeline`` answered in the metrics: outcomes per tenant, the window's
/// size and evictions, the writer's conflict fallbacks (the window's and the writer's counters
/// are cumulative; this remembers what it reported).
final class PipelineReporter: Sendable {
    /// A batch answered: its tenant, its outcomes, and the duplicates the window and flushes in
    /// flight answered (the rest of its duplicates the database found).
    struct Answered {
        let tenant: TenantID
        let outcomes: [EventOutcome?]
        let windowHits: Int
        let inFlightHits: Int
    }

    /// The window's keys, bytes and cumulative evictions for capacity and age.
    struct WindowFigures {
        let keys: Int
        let bytes: Int
        let evicted: Int
        let expired: Int
    }

    private let metrics: IngestMetrics
    private let reportedEvictions = Mutex((capacity: 0, expired: 0))
    private let reportedFallbacks = Mutex(0)

    init(metrics: IngestMetrics) {
        self.metrics = metrics
    }

    /// Counts answered batches' outcomes per tenant, and the window's size.
    func report(_ batches: [Answered], window: WindowFigures) {
        var tallies: [TenantID: (stored: Int, window: Int, inFlight: Int, database: Int, quarantined: Int)] = [:]
        for batch in batches {
            var tally = tallies[batch.tenant] ?? (0, 0, 0, 0, 0)
            var duplicates = 0
            for outcome in batch.outcomes {
                switch outcome {
                case .stored: tally.stored += 1
                case .duplicate, nil: duplicates += 1
                case .quarantined: tally.quarantined += 1
                }
            }
            tally.window += batch.windowHits
            tally.inFlight += batch.inFlightHits
            tally.database += duplicates - batch.windowHits - batch.inFlightHits
            tallies[batch.tenant] = tally
        }
        for (tenant, tally) in tallies {
            metrics.eventsSettled(
                tenant, stored: tally.stored, windowDuplicates: tally.window, inFlightDuplicates: tally.inFlight,
                databaseDuplicates: tally.database, quarantined: tally.quarantined)
        }
        let (evicted, expired) = reportedEvictions.withLock { reported in
            defer { reported = (window.evicted, window.expired) }
            return (window.evicted - reported.capacity, window.expired - reported.expired)
        }
        metrics.dedupWindow(keys: window.keys, bytes: window.bytes, evicted: evicted, expired: expired)
    }

    /// Counts the writer's new conflict fallbacks, of `total` since it was made.
    func reportFallbacks(total: Int) {
        let new = reportedFallbacks.withLock { reported in
            defer { reported = max(reported, total) }
            return max(0, total - reported)
        }
        if new > 0 { metrics.eventWriteConflictFallbacks(new) }
    }
}
