import Logging
import PostgresNIO
import ServiceLifecycle
import TandemCore

extension Database {
    /// How long a lost listening connection waits before it reconnects.
    static let relistenDelay: Duration = .seconds(1)

    /// Listens on `channel` on a connection of its own (the pool has no `LISTEN`) named
    /// `applicationName` in `pg_stat_activity`, and hands each notice to `handle` in order, until
    /// the task is cancelled or a graceful shutdown.
    ///
    /// A lost connection is logged and reopened every ``relistenDelay`` until it listens again;
    /// ``DatabaseNotice/listening`` then tells `handle` to catch up on what it missed.
    public func listen(
        on channel: String, applicationName: String, _ handle: @escaping @Sendable (DatabaseNotice) async -> Void
    ) async throws {
        let configuration = try url.singleConnection(applicationName: applicationName)
        await cancelWhenGracefulShutdown {
            var connectionNumber = 0
            while !Task.isCancelled {
                connectionNumber += 1
                do {
                    try await listen(on: channel, configuration, id: connectionNumber, handle)
                } catch  where Task.isCancelled {
                    return
                } catch {
                    logger.warning(
                        "a listening connection was lost; reconnecting",
                        metadata: [LogKey.channel: "\(channel)", LogKey.error: "\(StoreError.loggable(error))"])
                }
                try? await Task.sleep(for: Self.relistenDelay)
            }
        }
    }

    private func listen(
        on channel: String, _ configuration: PostgresConnection.Configuration, id: Int,
        _ handle: @escaping @Sendable (DatabaseNotice) async -> Void
    ) async throws {
        let connection = try await PostgresConnection.connect(configuration: configuration, id: id, logger: logger)
        // The notification sequence does not end when its task is cancelled: closing the
        // connection ends it (with an error), so a shutdown never waits on it.
        try await withTaskCancellationHandler {
            // Unstructured on purpose (here and below): a cancelled task's close must still run to
            // its end, and PostgresConnection traps if it is released before it has closed (the
            // future-returning close does not keep it alive: tried, it crashed the suite).
            defer { Task { try? await connection.close() } }
            try await connection.listen(on: channel) { notifications in
                logger.info("listening", metadata: [LogKey.channel: "\(channel)"])
                await handle(.listening)
                for try await notification in notifications { await handle(.notification(notification.payload)) }
            }
        } onCancel: {
            Task { try? await connection.close() }
        }
        throw StoreError(.unavailable, "the listening connection ended")
    }
}
