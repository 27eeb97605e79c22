import Logging
import ServiceLifecycle
import TandemCore
import TandemStore

/// Runs `round` every `interval` until graceful shutdown (or cancellation): first at once when
/// `startAtOnce`, else after one interval. A failed round is logged as `failure` at `level`,
/// and the next one runs as usual. The loop of the node's background services.
func runPeriodically(
    every interval: Duration, startAtOnce: Bool = false, logger: Logger, failure: Logger.Message,
    level: Logger.Level = .warning, _ round: @escaping @Sendable () async throws -> Void
) async throws {
    await cancelWhenGracefulShutdown {
        var first = true
        while !Task.isCancelled {
            if !(first && startAtOnce) {
                try? await Task.sleep(for: interval)
                guard !Task.isCancelled else { return }
            }
            first = false
            do {
                try await round()
            } catch {
                logger.log(level: level, failure, metadata: [LogKey.error: "\(StoreError.loggable(error))"])
            }
        }
    }
}
