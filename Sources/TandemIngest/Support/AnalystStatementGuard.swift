public import Logging
public import ServiceLifecycle
import TandemCore
public import TandemStore

/// Enforces the analysts' statement limit: every `interval` (default 5 s), cancels analyst
/// statements that have run longer than the limit. Each analyst role also gets the limit as its
/// default `statement_timeout`, but a session may raise its own; this is the limit it can't.
public struct AnalystStatementGuard: Service {
    private let analysts: AnalystRepository
    private let limit: Duration
    private let interval: Duration
    private let logger: Logger

    public init(analysts: AnalystRepository, limit: Duration, interval: Duration = .seconds(5), logger: Logger) {
        self.analysts = analysts
        self.limit = limit
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        try await runPeriodically(every: interval, logger: logger, failure: "analyst statement check failed; retrying") {
            let cancelled = try await analysts.cancelStatements(runningLongerThan: limit)
            if cancelled > 0 {
                logger.notice(
                    "cancelled analyst statements past the limit",
                    metadata: [
                        LogKey.statements: "\(cancelled)", LogKey.limit: "\(limit)",
                    ])
            }
        }
    }
}
