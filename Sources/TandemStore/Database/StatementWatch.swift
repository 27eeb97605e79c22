import Logging
import PostgresNIO
import Synchronization
import TandemCore

/// Watches the statements in flight on a database's connections, so none waits forever: one
/// close observer per connection fails the statements of a connection that closed, and one
/// sweep a second fails those past their deadline and closes their connections.
///
/// Why a watch at all: PostgresNIO 1.33 writes a statement to its channel without a write
/// promise. When the channel has already closed (PostgreSQL restarted between two statements
/// of a transaction), the write never reaches the connection's handler and the statement's
/// answer never comes: its caller, and the pool lease it holds, would wait forever.
/// `ClosedConnectionTests.libraryQueryHangs` reproduces it and fails the day the library
/// answers such a query, when the watch's close observer can go. A half-open TCP connection
/// (a network partition, a failover) is silent for hours, which the deadline covers.
///
/// Each statement's library call runs in a task of its own (the one unstructured task per
/// statement): the call may never return, and its caller must not wait for it. The caller
/// waits for the statement's ``Answer`` instead, which the library call, the close observer or
/// the sweep gives, whichever comes first.
final class StatementWatch: Sendable {
    /// How long a statement may go unanswered before its connection is presumed dead and is
    /// closed. Far above any statement of the service; migrations and index builds, which may
    /// legitimately run longer, pass no deadline.
    static let statementDeadline: Duration = .seconds(60)
    /// How often the sweep looks for statements past their deadline.
    static let sweepInterval: Duration = .milliseconds(500)

    private struct Pending {
        let connection: PostgresConnection
        let giveUp: ContinuousClock.Instant?
        let deadline: Duration?
        let fail: @Sendable (StoreError) -> Bool
    }

    private struct State {
        var nextID = 0
        var pending: [Int: Pending] = [:]
        /// The connections whose close is observed (their close future has a callback), held
        /// until that callback has run: a connection freed earlier could leave its address, and
        /// so its key, to a new connection whose statements the old callback would then fail.
        var observed: [ObjectIdentifier: PostgresConnection] = [:]
    }

    private let state = Mutex(State())
    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    /// The number of statements in flight (for tests).
    var inFlight: Int { state.withLock { $0.pending.count } }

    /// `work`'s answer on `connection`, or a retryable ``StoreError`` when the connection closes
    /// or `deadline` passes first.
    ///
    /// A statement refused because the server is read-only (SQLSTATE 25006: the address now
    /// leads to a standby, or to a primary being demoted in a failover) fails as
    /// ``StoreError/Code/unavailable`` and closes its connection, so the pool reconnects to
    /// whatever server is primary now instead of handing out the read-only connection again.
    ///
    /// A statement answered in the same instant the connection closed may be reported as
    /// failed although it ran. Callers treat every failure as "maybe done" already: an event
    /// write is not acked and is resent, and the resend is idempotent.
    func answer<Answered: Sendable>(
        on connection: PostgresConnection, deadline: Duration?,
        _ work: @escaping @Sendable () async throws -> Answered
    ) async throws -> Answered {
        let answer = Answer<Answered>()
        return try await withCheckedThrowingContinuation { continuation in
            answer.set(continuation)
            let id = begin(on: connection, deadline: deadline) { answer.resume(with: .failure($0)) }
            // Unstructured on purpose: the library call may never return (see above), and the
            // caller waits for the answer, not for the call.
            Task {
                let result: Result<Answered, any Error>
                do {
                    result = .success(try await work())
                } catch  where StoreError.isReadOnlyServer(error) {
                    result = .failure(await Self.closeAsReadOnly(connection, logger: logger))
                } catch {
                    result = .failure(error)
                }
                end(id)
                answer.resume(with: result)
            }
        }
    }

    /// Fails every statement past its deadline and closes its connection; returns how many.
    @discardableResult
    func sweep(now: ContinuousClock.Instant = .now) async -> Int {
        let expired = state.withLock { state -> [Pending] in
            let ids = state.pending.filter { _, pending in pending.giveUp.map { now >= $0 } ?? false }.keys
            return ids.compactMap { state.pending.removeValue(forKey: $0) }
        }
        for pending in expired {
            guard let deadline = pending.deadline, pending.fail(Self.unansweredError(deadline)) else { continue }
            logger.warning(
                "PostgreSQL did not answer a statement in time; its connection is closed",
                metadata: [LogKey.deadline: "\(deadline)"])
            try? await pending.connection.close()
        }
        return expired.count
    }

    /// Sweeps every ``sweepInterval`` until the task is cancelled.
    func sweepUntilCancelled() async {
        while !Task.isCancelled {
            await sweep()
            try? await Task.sleep(for: Self.sweepInterval)
        }
    }

    /// Registers a statement on `connection`, observing the connection's close the first time.
    private func begin(
        on connection: PostgresConnection, deadline: Duration?, fail: @escaping @Sendable (StoreError) -> Bool
    ) -> Int {
        let key = ObjectIdentifier(connection)
        let pending = Pending(
            connection: connection, giveUp: deadline.map { ContinuousClock.now + $0 }, deadline: deadline, fail: fail)
        let (id, observe) = state.withLock { state -> (Int, Bool) in
            state.nextID += 1
            state.pending[state.nextID] = pending
            let observe = state.observed[key] == nil
            if observe { state.observed[key] = connection }
            return (state.nextID, observe)
        }
        // A connection closed already completes its future at once: the statement fails now.
        if observe { connection.closeFuture.whenComplete { _ in self.closed(key) } }
        return id
    }

    private func end(_ id: Int) {
        _ = state.withLock { $0.pending.removeValue(forKey: id) }
    }

    /// The close observer: fails every statement still waiting on the closed connection.
    private func closed(_ key: ObjectIdentifier) {
        let orphans = state.withLock { state -> [Pending] in
            guard let closed = state.observed.removeValue(forKey: key) else { return [] }
            let ids = state.pending.filter { $0.value.connection === closed }.keys
            return ids.compactMap { state.pending.removeValue(forKey: $0) }
        }
        for pending in orphans where pending.fail(Self.closedError) {
            logger.debug("a statement was abandoned: its database connection closed before answering")
        }
    }

    /// Closes `connection` after PostgreSQL refused a write on it as read-only (see
    /// ``StoreError/isReadOnlyServer(_:)``) and returns the retryable error to throw instead.
    ///
    /// A standby, or a primary being demoted, is behind the address now: this connection will
    /// never write again. Closed, the pool opens a new one (through the proxy, to the new
    /// primary) instead of handing this one out again. The refusal may surface when the
    /// statement is sent or while its rows are read, so callers that read rows call this too.
    static func closeAsReadOnly(_ connection: PostgresConnection, logger: Logger) async -> StoreError {
        logger.warning("PostgreSQL is read-only on this connection (a failover?); the connection is closed")
        try? await connection.close()
        return StoreError(
            .unavailable,
            "PostgreSQL is read-only on this connection (a standby, or a primary being demoted); the connection was closed; retry")
    }

    private static var closedError: StoreError {
        StoreError(.unavailable, "the connection to PostgreSQL closed before the statement was answered; retry")
    }

    private static func unansweredError(_ deadline: Duration) -> StoreError {
        StoreError(
            .unavailable,
            "PostgreSQL did not answer within \(deadline.components.seconds) s; the connection was closed; retry")
    }

    /// The one answer a statement gets: from PostgreSQL, the close observer or the sweep,
    /// whichever is first.
    private final class Answer<Answered: Sendable>: Sendable {
        private struct State {
            var continuation: CheckedContinuation<Answered, any Error>?
            var resumed = false
        }
        private let state = Mutex(State())

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
