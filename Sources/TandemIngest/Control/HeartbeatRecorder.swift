import Foundation
public import Logging
public import ServiceLifecycle
import Synchronization
import TandemCore
public import TandemStore

/// Writes the heartbeats of every session on this node in one statement per interval (default
/// every 500 ms) instead of one UPDATE each: 10,000 connectors beating every 5 s are 2 writes a
/// second, not 2,000.
///
/// A session hands its heartbeat over and goes on reading its stream; once the write that
/// carries the heartbeat is done (at most one interval later), a session that no longer owns
/// its connector (replaced by a reconnect elsewhere, or declared lost) is told through
/// `onStale`. The latest heartbeat of a session replaces one still waiting. If the write fails,
/// the heartbeats are kept for the next round (unless a newer one of the same session came
/// meanwhile), so a database that was away for a moment does not find every connector silent
/// when it is back; nobody is told anything and the error is logged.
public final class HeartbeatRecorder: Service, Sendable {
    private struct Pending {
        var beat: ConnectorRepository.Heartbeat
        var onStale: @Sendable () -> Void
    }

    private let connectors: ConnectorRepository
    private let interval: Duration
    private let logger: Logger
    private let pending = Mutex<[UUID: Pending]>([:])
    private let stopped = Atomic(false)
    private let outages: DatabaseOutages
    private let metrics: IngestMetrics

    /// Creates a recorder writing through `connectors` every `interval`; a failed write is
    /// noted in `outages` (no silence is judged for a while after it).
    public init(
        connectors: ConnectorRepository, interval: Duration = .milliseconds(500), outages: DatabaseOutages = DatabaseOutages(),
        metrics: IngestMetrics, logger: Logger
    ) {
        self.connectors = connectors
        self.interval = interval
        self.outages = outages
        self.metrics = metrics
        self.logger = logger
    }

    /// Queues `beat` for the next write; `onStale` runs if its session turns out no longer to
    /// own the connector.
    func record(_ beat: ConnectorRepository.Heartbeat, onStale: @escaping @Sendable () -> Void) {
        pending.withLock { all in
            guard !stopped.load(ordering: .acquiring) else { return }
            all[beat.session] = Pending(beat: beat, onStale: onStale)
        }
    }

    public func run() async throws {
        // `flush` logs what it could not do; the round itself never fails.
        try await runPeriodically(every: interval, logger: logger, failure: "heartbeat round failed") { await self.flush() }
        stopped.store(true, ordering: .releasing)
        await flush()
    }

    /// Writes every waiting heartbeat in one statement and answers their sessions.
    func flush() async {
        let batch = pending.withLock { all -> [UUID: Pending] in
            defer { all.removeAll(keepingCapacity: true) }
            return all
        }
        guard !batch.isEmpty else { return }
        let alive: Set<UUID>
        do {
            alive = try await connectors.heartbeats(batch.values.map(\.beat))
            metrics.heartbeatsWritten(batch.count)
        } catch {
            if StoreError.isUnavailability(error) { outages.failed() }
            logger.warning(
                "heartbeats not written; kept for the next round",
                metadata: [LogKey.count: "\(batch.count)", LogKey.error: "\(StoreError.loggable(error))"])
            pending.withLock { all in
                guard !stopped.load(ordering: .acquiring) else { return }
                all.merge(batch) { newer, _ in newer }
            }
            return
        }
        for (session, entry) in batch where !alive.contains(session) { entry.onStale() }
    }
}
