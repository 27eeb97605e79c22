public import Logging
public import ServiceLifecycle
import Synchronization
public import TandemCore
public import TandemStore

/// Tells the other nodes what this node changed, in batches: every `interval` (default 50 ms)
/// the messages gathered go out as one notification (several if they don't fit one payload).
///
/// PostgreSQL serialises the commits of notifying transactions (a global lock held through the
/// commit's WAL flush), so a NOTIFY per join would cap a reconnect storm at a few hundred
/// joins a second; batched, a storm of thousands costs a few notifications a second.
/// Messages that could not be sent are kept for the next round (at most ``maximumPending``;
/// past that the oldest go, and the other nodes catch up at their next change or listener
/// reconnect).
public final class ClusterPublisher: Service, Sendable {
    private let nodes: NodeRepository
    private let interval: Duration
    private let logger: Logger
    private let pending = Mutex<[ClusterMessage]>([])

    /// The most messages kept while PostgreSQL can't be reached.
    static let maximumPending = 100_000

    /// Creates a publisher sending through `nodes` every `interval`.
    public init(nodes: NodeRepository, interval: Duration = .milliseconds(50), logger: Logger) {
        self.nodes = nodes
        self.interval = interval
        self.logger = logger
    }

    /// Queues `message` for the next round.
    public func publish(_ message: ClusterMessage) {
        pending.withLock { queue in
            queue.append(message)
            if queue.count > Self.maximumPending { queue.removeFirst(queue.count - Self.maximumPending) }
        }
    }

    public func run() async throws {
        // `flush` logs what it could not do; the round itself never fails.
        try await runPeriodically(every: interval, logger: logger, failure: "cluster message round failed") { await self.flush() }
        await flush()
    }

    /// Sends what is queued now.
    public func flush() async {
        let batch = pending.withLock { queue -> [ClusterMessage] in
            defer { queue.removeAll(keepingCapacity: true) }
            return queue
        }
        guard !batch.isEmpty else { return }
        do {
            try await nodes.notify(batch)
        } catch {
            logger.warning(
                "could not notify the other nodes; retrying",
                metadata: [LogKey.messages: "\(batch.count)", LogKey.error: "\(StoreError.loggable(error))"])
            pending.withLock { $0.insert(contentsOf: batch, at: 0) }
        }
    }
}
