public import Logging
public import ServiceLifecycle
public import TandemStore

/// Tells operators whether "acked" means "on two machines": at start, then every `interval`,
/// reads ``DatabaseReplication`` from the primary, records it in the metrics
/// (`tandem_database_commits_synchronous`, `tandem_database_synchronous_standbys`,
/// `tandem_database_standbys`), keeps it in ``TandemStore/Store/latestReplication`` for
/// `/readyz`, and logs it at start and whenever it changes: a warning while
/// commits are not synchronously replicated (the embedded single server, an asynchronous
/// standby, or a synchronous standby that is gone), never a refusal to serve.
public struct ReplicationMonitor: Service {
    private let store: Store
    private let interval: Duration
    private let metrics: IngestMetrics
    private let logger: Logger

    public init(store: Store, interval: Duration, metrics: IngestMetrics, logger: Logger) {
        self.store = store
        self.interval = interval
        self.metrics = metrics
        self.logger = logger
    }

    public func run() async throws {
        try await runPeriodically(
            every: interval, startAtOnce: true, logger: logger, failure: "reading the database's replication state failed"
        ) {
            let replication = try await store.replication()
            metrics.databaseReplication(replication)
            guard store.latestReplication.record(replication) != replication else { return }
            let metadata: Logger.Metadata = [
                "synchronousStandbys": "\(replication.synchronousStandbys)", "standbys": "\(replication.standbys)",
                "synchronousCommit": "\(replication.synchronousCommit)",
            ]
            logger.log(
                level: replication.isSynchronous ? .info : .warning, "database commits: \(replication)", metadata: metadata)
        }
    }
}
