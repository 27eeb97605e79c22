import Logging
import PostgresNIO

extension PostgresClient {
    /// Runs `body` in a transaction on one leased connection; see
    /// ``PostgresNIO/PostgresConnection/transaction(logger:_:)``.
    func transaction<Result: Sendable>(
        logger: Logger, isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> sending Result
    ) async throws -> Result {
        try await withConnection { try await $0.transaction(logger: logger, body) }
    }
}

extension PostgresConnection {
    /// Runs `body` in a transaction and rethrows the body's own error as is, so domain errors
    /// such as a pairing refusal or a not-found survive the rollback.
    ///
    /// BEGIN, COMMIT and ROLLBACK go through ``statement(_:logger:)`` (not PostgresNIO's
    /// `withTransaction`), so a connection that closes mid-transaction fails the transaction
    /// instead of hanging it; the body's statements must use it too. A connection whose
    /// ROLLBACK fails is closed rather than given back to the pool mid-transaction, and so is
    /// one found read-only (``closeAsReadOnly(logger:)``).
    func transaction<Result: Sendable>(
        logger: Logger, deadline: Duration? = statementDeadline, isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> sending Result
    ) async throws -> Result {
        try await statement("BEGIN", logger: logger, deadline: deadline)
        let value: Result
        do {
            value = try await body(self)
        } catch  where StoreError.isReadOnlyServer(error) {
            throw await closeAsReadOnly(logger: logger)
        } catch {
            do {
                try await statement("ROLLBACK", logger: logger, deadline: deadline)
            } catch {
                try? await close()
            }
            throw error
        }
        try await statement("COMMIT", logger: logger, deadline: deadline)
        return value
    }
}
