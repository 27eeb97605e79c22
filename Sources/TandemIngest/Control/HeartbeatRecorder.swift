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
/// A session hands its heartbeat over and waits for the write that carries it (at most one
/// interval), then learns whether it still owns its connector. The latest heartbeat of a session
/// replaces one still waiting. If the write fails, the waiting sessions are told they are alive
/// (their connectors did beat; the liveness sweeper decides on silence) and the error is logged.
public final class HeartbeatRecorder: Service, Sendable {
    private struct Pending {
        var beat: ConnectorRepository.Heartbeat
        var waiters: [CheckedContinuation<Bool, Never>]
    }

    private let connectors: ConnectorRepository
    private let interval: Duration
    private let logger: Logger
    private let pending = Mutex<[UUID: Pending]>([:])
    private let stopped = Atomic(false)
    private let metrics: IngestMetrics

    /// Creates a recorder writing through `connectors` every `interval`.
    public init(connectors: ConnectorRepository, interval: Duration = .milliseconds(500), metrics: IngestMetrics, logger: Logger) {
        self.connectors = connectors
        self.interval = interval
        self.metrics = metrics
        self.logger = logger
    }

    /// Records `beat`; returns whether its session still owns the connector.
    func record(_ beat: ConnectorRepository.Heartbeat) async -> Bool {
        await withCheckedContinuation { continuation in
            let accepted = pending.withLock { all -> Bool in
                guard !stopped.load(ordering: .acquiring) else { return false }
                all[beat.session, default: Pending(beat: beat, waiters: [])].beat = beat
                all[beat.session]?.waiters.append(continuation)
                return true
            }
            if !accepted { continuation.resume(returning: true) }
        }
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: self.interval)
                await self.flush()
            }
        }
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
            logger.warning("heartbeats not written; sessions kept", metadata: ["count": "\(batch.count)", "error": "\(error)"])
            alive = Set(batch.keys)
        }
        for (session, entry) in batch {
            let owned = alive.contains(session)
            for waiter in entry.waiters { waiter.resume(returning: owned) }
        }
    }
}
