import Logging
import PostgresNIO

extension PostgresClient {
    /// Runs one statement on a leased connection through
    /// ``PostgresNIO/PostgresConnection/statement(_:logger:)``, so a connection that closes
    /// under it fails the statement instead of hanging it (PostgresNIO's own `query` does not
    /// guard this). The rows are read before the connection goes back to the pool. A connection
    /// found read-only is closed (``PostgresNIO/PostgresConnection/closeAsReadOnly(logger:)``).
    ///
    /// **An answer here is not a commit.** Outside a transaction, PostgreSQL commits a
    /// statement when it reaches the Sync that follows it, after it has sent the statement's
    /// rows and CommandComplete; PostgresNIO ends the statement at CommandComplete. A server
    /// killed in between (an immediate shutdown flushes what it had buffered) or a commit that
    /// fails (a deferred constraint, a cancelled synchronous-replication wait) leaves a write
    /// answered here that never committed. A write whose success is told to anyone (an ack, a
    /// Welcome, an API answer) therefore runs in ``transaction(logger:isolation:_:)``, whose
    /// COMMIT is answered only once the commit is durable.
    @discardableResult
    func statement(_ query: PostgresQuery, logger: Logger) async throws -> StatementRows {
        try await withConnection { connection in
            do {
                return StatementRows(rows: try await connection.statement(query, logger: logger).collect())
            } catch  where StoreError.isReadOnlyServer(error) {
                throw await connection.closeAsReadOnly(logger: logger)
            }
        }
    }

    /// A prepared statement on a connection of the pool, with
    /// ``PostgresConnection/prepared(_:logger:deadline:)``'s watchdog; its rows decoded.
    func prepared<Statement: PostgresPreparedStatement>(_ statement: Statement, logger: Logger) async throws -> [Statement.Row]
    where Statement.Row: Sendable {
        try await withConnection { connection in
            do {
                return try await connection.prepared(statement, logger: logger)
            } catch  where StoreError.isReadOnlyServer(error) {
                throw await connection.closeAsReadOnly(logger: logger)
            }
        }
    }
}
