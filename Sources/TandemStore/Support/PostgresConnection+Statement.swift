import Logging
import PostgresNIO
import Synchronization
import TandemCore

extension PostgresConnection {
    /// How often an unanswered statement checks whether its connection has closed.
    static let closedConnectionPoll: Duration = .milliseconds(100)
    /// How long a statement may go unanswered before its connection is presumed dead (a
    /// half-open TCP connection after a network partition or a database failover says
    /// nothing for hours) and is closed. Far above any statement of the service; migrations,
    /// which may legitimately run longer, pass no deadline.
    static let statementDeadline: Duration = .seconds(60)

    /// Runs `query` on this connection, like `query(_:logger:)`, but fails with
    /// ``StoreError/Code/unavailable`` instead of waiting forever when the connection has closed.
    ///
    /// PostgresNIO 1.33 writes a statement to its channel without a write promise. When the
    /// channel has already closed (PostgreSQL restarted between two statements of a
    /// transaction), the statement never reaches the connection's handler and its answer
    /// never comes: the caller, and the pool lease it holds, wait forever. Here, while the
    /// statement is unanswered, a watchdog checks the channel at once and then every
    /// ``closedConnectionPoll``, and fails the statement once the channel is closed. The
    /// library call it gives up on stays suspended, holding only the statement and its binds.
    ///
    /// A statement still unanswered after `deadline` (default ``statementDeadline``; `nil` for
    /// none) fails the same way, and its connection is closed: PostgreSQL then rolls its
    /// transaction back, and the pool opens a fresh connection for the next statement.
    ///
    /// A statement refused because the server is read-only (SQLSTATE 25006: the address now
    /// leads to a standby, or to a primary being demoted in a failover) fails as
    /// ``StoreError/Code/unavailable`` and closes its connection, so the pool reconnects to
    /// whatever server is primary now instead of handing out the read-only connection again.
    ///
    /// A statement answered in the same instant the connection closed may be reported as
    /// failed although it ran. Callers treat every failure as "maybe done" already: an event
    /// write is not acked and is resent, and the resend is idempotent.
    @discardableResult
    func statement(
        _ query: PostgresQuery, logger: Logger, deadline: Duration? = statementDeadline
    ) async throws -> PostgresRowSequence {
        try await answered(logger: logger, deadline: deadline) { try await self.query(query, logger: logger) }
    }

    /// `work`'s answer, or the watchdog's failure when the connection closes or `deadline` passes first.
    private func answered<Answered: Sendable>(
        logger: Logger, deadline: Duration?, _ work: @escaping @Sendable () async throws -> Answered
    ) async throws -> Answered {
        let answer = Answer<Answered>()
        let giveUp = deadline.map { ContinuousClock.now + $0 }
        return try await withCheckedThrowingContinuation { continuation in
            answer.set(continuation)
            // Unstructured on purpose (both tasks): the library call may never return (see
            // above), and a structured child would make the caller wait for it forever.
            let watchdog = Task {
                while !answer.isResumed {
                    if self.isClosed {
                        if answer.resume(with: .failure(Self.closedError)) {
                            logger.debug("a statement was abandoned: its database connection closed before answering")
                        }
                        return
                    }
                    if let giveUp, let deadline, ContinuousClock.now >= giveUp {
                        if answer.resume(with: .failure(Self.unansweredError(deadline))) {
                            logger.warning(
                                "PostgreSQL did not answer a statement in time; its connection is closed",
                                metadata: [
                                    LogKey.deadline: "\(deadline)"
                                ])
                            try? await self.close()
                        }
                        return
                    }
                    try? await Task.sleep(for: Self.closedConnectionPoll)
                }
            }
            Task {
                do {
                    answer.resume(with: .success(try await work()))
                } catch  where StoreError.isReadOnlyServer(error) {
                    answer.resume(with: .failure(await self.closeAsReadOnly(logger: logger)))
                } catch {
                    answer.resume(with: .failure(error))
                }
                watchdog.cancel()
            }
        }
    }

    /// Runs a prepared statement on this connection with the same watchdog as
    /// ``statement(_:logger:deadline:)``, and returns its rows decoded.
    ///
    /// PostgreSQL plans a statement prepared once per connection a few times, then keeps a
    /// generic plan: for a statement on the join path whose planning costs four times its
    /// execution, that is most of its cost gone.
    func prepared<Statement: PostgresPreparedStatement>(
        _ statement: Statement, logger: Logger, deadline: Duration? = statementDeadline
    ) async throws -> [Statement.Row] where Statement.Row: Sendable {
        try await answered(logger: logger, deadline: deadline) {
            var rows: [Statement.Row] = []
            for try await row in try await self.execute(statement, logger: logger) { rows.append(row) }
            return rows
        }
    }

    private static var closedError: StoreError {
        StoreError(.unavailable, "the connection to PostgreSQL closed before the statement was answered; retry")
    }

    /// Closes this connection after PostgreSQL refused a write on it as read-only (see
    /// ``StoreError/isReadOnlyServer(_:)``) and returns the retryable error to throw instead.
    ///
    /// A standby, or a primary being demoted, is behind the address now: this connection will
    /// never write again. Closed, the pool opens a new one (through the proxy, to the new
    /// primary) instead of handing this one out again. The refusal may surface when the
    /// statement is sent or while its rows are read, so callers that read rows call this too.
    func closeAsReadOnly(logger: Logger) async -> StoreError {
        logger.warning("PostgreSQL is read-only on this connection (a failover?); the connection is closed")
        try? await close()
        return StoreError(
            .unavailable,
            "PostgreSQL is read-only on this connection (a standby, or a primary being demoted); the connection was closed; retry")
    }

    private static func unansweredError(_ deadline: Duration) -> StoreError {
        StoreError(
            .unavailable,
            "PostgreSQL did not answer within \(deadline.components.seconds) s; the connection was closed; retry")
    }

    /// The one answer a statement gets: from PostgreSQL or from the watchdog, whichever is first.
    private final class Answer<Answered: Sendable>: Sendable {
        private struct State {
            var continuation: CheckedContinuation<Answered, any Error>?
            var resumed = false
        }
        private let state = Mutex(State())

        var isResumed: Bool { state.withLock { $0.resumed } }

        func set(_ continuation: CheckedContinuation<Answered, any Error>) {
            state.withLock { $0.continuation = continuation }
        }

        /// Resumes the waiting caller unless it was already; returns whether this call did.
        @discardableResult
        func resume(with result: Result<Answered, any Error>) -> Bool {
            let continuation = state.withLock { state -> CheckedContinuation<Answered, any Error>? in
                guard !state.resumed else { return nil }
                state.resumed = true
                defer { state.continuation = nil }
                return state.continuation
            }
            continuation?.resume(with: result)
            return continuation != nil
        }
    }
}
