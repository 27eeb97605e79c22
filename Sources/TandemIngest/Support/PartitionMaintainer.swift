public import Logging
public import ServiceLifecycle
public import TandemStore

/// Keeps the events table's daily partitions: at start, then every `interval` (default 1 h),
/// creates the days ahead and drops the days past retention.
public struct PartitionMaintainer: Service {
    private let partitions: EventPartitions
    private let interval: Duration
    private let logger: Logger

    public init(partitions: EventPartitions, interval: Duration = .seconds(3600), logger: Logger) {
        self.partitions = partitions
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await partitions.maintain()
                } catch {
                    logger.error("partition maintenance failed; retrying", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
