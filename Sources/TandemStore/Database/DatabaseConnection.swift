import Logging
import PostgresNIO

/// One connection leased from a ``Database``, whose statements its ``StatementWatch`` guards:
/// a statement on it fails with ``StoreError/Code/unavailable`` instead of waiting forever
/// when the connection closes or stays silent past the statement's deadline.
///
/// Statements of a transaction body go through it (never through PostgresNIO's own `query`),
/// so a connection that closes mid-transaction fails the transaction instead of hanging it.
struct DatabaseConnection: Sendable {
    /// The leased connection (its raw calls, such as `copyFrom`, have no watch).
    let connection: PostgresConnection
    let watch: StatementWatch

    /// Whether the connection has closed.
    var isClosed: Bool { connection.isClosed }

    /// Runs `query`, failing instead of hanging when the connection closes or `deadline` (default
    /// ``StatementWatch/statementDeadline``; `nil` for none) passes unanswered; the rows stream.
    @discardableResult
    func statement(
        _ query: PostgresQuery, logger: Logger, deadline: Duration? = StatementWatch.statementDeadline
    ) async throws -> PostgresRowSequence {
        try await watch.answer(on: connection, deadline: deadline) {
            try await connection.query(query, logger: logger)
        }
    }

    /// Runs a prepared statement with the same watch, and returns its rows decoded.
    ///
    /// PostgreSQL plans a statement prepared once per connection a few times, then keeps a
    /// generic plan: for a statement on the join path whose planning costs four times its
    /// execution, that is most of its cost gone.
    func prepared<Statement: PostgresPreparedStatement>(
        _ statement: Statement, logger: Logger, deadline: Duration? = StatementWatch.statementDeadline
    ) async throws -> [Statement.Row] where Statement.Row: Sendable {
        try await watch.answer(on: connection, deadline: deadline) {
            var rows: [Statement.Row] = []
            for try await row in try await connection.execute(statement, logger: logger) { rows.append(row) }
            return rows
        }
    }

    /// Runs `body` in a transaction and rethrows the body's own error as is, so domain errors
    /// such as a pairing refusal or a not-found survive the rollback.
    ///
    /// BEGIN, COMMIT and ROLLBACK are watched statements (not PostgresNIO's `withTransaction`).
    /// A connection whose ROLLBACK fails is closed rather than given back to the pool
    /// mid-transaction, and so is one found read-only (``closeAsReadOnly(logger:)``).
    func transaction<Result: Sendable>(
        logger: Logger, deadline: Duration? = StatementWatch.statementDeadline,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (DatabaseConnection) async throws -> sending Result
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
                try? await connection.close()
            }
            throw error
        }
        try await statement("COMMIT", logger: logger, deadline: deadline)
        return value
    }

    /// Closes this connection after PostgreSQL refused a write on it as read-only, and returns
    /// the retryable error to throw instead (see ``StatementWatch/closeAsReadOnly(_:logger:)``).
    func closeAsReadOnly(logger: Logger) async -> StoreError {
        await StatementWatch.closeAsReadOnly(connection, logger: logger)
    }
}
