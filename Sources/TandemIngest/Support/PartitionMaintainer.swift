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
        try await runPeriodically(
            every: interval, startAtOnce: true, logger: logger, failure: "partition maintenance failed; retrying", level: .error
        ) { _ = try await partitions.maintain() }
    }
}
