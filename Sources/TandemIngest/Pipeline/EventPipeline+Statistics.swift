import Logging
import Synchronization
import TandemCore
import TandemStore

extension EventPipeline {
    func statisticsLoop() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: configuration.statisticsInterval)
            if Task.isCancelled { return }
            await writeStatistics()
        }
    }

    /// Writes the pair statistics gathered since the last call. They are counts, not events:
    /// a failed write is logged and counted, and those counts are lost.
    public func writeStatistics() async {
        let rows = machine.withLock { $0.drainStatistics() }
        var missed: [TenantID: Int64] = [:]
        for row in rows where row.missed > 0 { missed[row.line.tenant, default: 0] += row.missed }
        for (tenant, count) in missed { metrics.eventsMissedByPeer(tenant, count) }
        guard let statistics, !rows.isEmpty else { return }
        do {
            try await statistics.add(rows)
        } catch {
            metrics.pairStatisticsWriteFailed()
            logger.warning(
                "pair statistics not written", metadata: [LogKey.rows: "\(rows.count)", LogKey.error: "\(StoreError.loggable(error))"])
        }
    }

    /// Events waiting to be flushed, and submitters held at the door, now.
    var queued: (events: Int, blockedSubmitters: Int) {
        machine.withLock { ($0.pendingEvents, $0.heldCount) }
    }

    /// Copies waiting for another flush that is writing their event, now.
    var copiesWaitingForOtherFlushes: Int {
        machine.withLock { $0.copiesWaiting }
    }

    /// Keys and estimated bytes of the window now.
    public var windowSize: (keys: Int, bytes: Int) {
        machine.withLock { ($0.deduplicator.window.count, $0.deduplicator.window.estimatedBytes) }
    }
}
