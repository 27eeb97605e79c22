import Foundation
import PostgresNIO
import Synchronization
import TandemCore
import Testing

@testable import TandemStore

/// PostgreSQL restarting between two statements of a transaction must fail the transaction
/// (the batch is not acked and is resent), never hang it: the chaos run with seed 2 found a
/// pipeline writer waiting forever on such a statement. A connection that goes silent (a
/// half-open TCP connection) must not hang it either.
@Suite("Statements never hang: a connection that closes or goes silent fails them")
struct ClosedConnectionTests {
    /// Terminates the backend of `connection` from another connection and waits until the
    /// client has seen its channel close.
    func terminate(_ connection: PostgresConnection, client: PostgresClient) async throws {
        var pid: Int32 = 0
        for try await value in try await connection.query("SELECT pg_backend_pid()", logger: TestDatabase.logger)
            .decode(Int32.self)
        { pid = value }
        try await client.query("SELECT pg_terminate_backend(\(pid))", logger: TestDatabase.logger)
        try await eventually("the connection to close") { connection.isClosed }
    }

    @Test(
        "PostgresNIO's own query on a closed connection is never answered (why the guard exists)",
        .timeLimit(.minutes(1)))
    func libraryQueryHangs() async throws {
        try await TestDatabase.withStore { store, _ in
            try await store.database.client.withConnection { connection in
                try await terminate(connection, client: store.database.client)
                let answered = Answered()
                Task {
                    _ = try? await connection.query("SELECT 1", logger: TestDatabase.logger)
                    answered.set()
                }
                try await Task.sleep(for: .seconds(2))
                // If this starts failing, PostgresNIO answers such a query now and the watchdog
                // close observer in `StatementWatch` can go.
                #expect(!answered.value)
            }
        }
    }

    @Test(
        "a statement on a closed connection fails within a second with a retryable error",
        .timeLimit(.minutes(1)))
    func statementFails() async throws {
        try await TestDatabase.withStore { store, _ in
            try await store.database.withConnection { connection in
                try await terminate(connection.connection, client: store.database.client)
                let started = ContinuousClock.now
                let error = await #expect(throws: StoreError.self) {
                    try await connection.statement("SELECT 1", logger: TestDatabase.logger)
                }
                #expect(error?.code == .unavailable)
                #expect(ContinuousClock.now - started < .seconds(1))
            }
        }
    }

    @Test(
        "the watch forgets every statement once answered, failed or abandoned (nothing held per statement)",
        .timeLimit(.minutes(1)))
    func watchForgets() async throws {
        try await TestDatabase.withStore { store, _ in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for n in 0..<50 {
                    group.addTask { try await store.database.statement("SELECT \(n)", logger: TestDatabase.logger) }
                }
                try await group.waitForAll()
            }
            await #expect(throws: (any Error).self) {
                try await store.database.statement("SELECT 1/0", logger: TestDatabase.logger)
            }
            try await store.database.withConnection { connection in
                try await terminate(connection.connection, client: store.database.client)
                _ = try? await connection.statement("SELECT 1", logger: TestDatabase.logger)
            }
            #expect(store.database.watch.inFlight == 0)
        }
    }

    @Test(
        "a transaction whose connection dies fails, rolls nothing in, and the pool serves the next one",
        .timeLimit(.minutes(1)))
    func transactionFails() async throws {
        try await TestDatabase.withStore { store, _ in
            try await store.database.client.query("CREATE TABLE probe (n int)", logger: TestDatabase.logger)
            await #expect(throws: (any Error).self) {
                try await store.database.transaction(logger: TestDatabase.logger) { connection in
                    try await connection.statement("INSERT INTO probe VALUES (1)", logger: TestDatabase.logger)
                    try await terminate(connection.connection, client: store.database.client)
                    try await connection.statement("INSERT INTO probe VALUES (2)", logger: TestDatabase.logger)
                }
            }
            _ = try await store.database.transaction(logger: TestDatabase.logger) { connection in
                try await connection.statement("INSERT INTO probe VALUES (3)", logger: TestDatabase.logger)
            }
            var rows: [Int] = []
            for try await n in try await store.database.client.query("SELECT n FROM probe ORDER BY n", logger: TestDatabase.logger)
                .decode(Int.self)
            { rows.append(n) }
            #expect(rows == [3])
        }
    }

    @Test(
        "a statement unanswered past its deadline fails, its connection is closed, and the pool serves the next one",
        .timeLimit(.minutes(1)))
    func deadlinePassed() async throws {
        try await TestDatabase.withStore { store, _ in
            try await store.database.withConnection { connection in
                let started = ContinuousClock.now
                let error = await #expect(throws: StoreError.self) {
                    try await connection.statement("SELECT pg_sleep(5)", logger: TestDatabase.logger, deadline: .seconds(1))
                }
                #expect(error?.code == .unavailable)
                #expect(error?.message.contains("did not answer within 1 s") == true)
                // The deadline, and the sweep that finds it passed within half a second.
                #expect(ContinuousClock.now - started < .seconds(3))
                try await eventually("the silent connection to be closed") { connection.isClosed }
            }
            // The pool learns of the close asynchronously: a statement leased in that instant
            // may still meet the closed connection and fail (retryably); the next ones are served.
            try await eventually("the pool to serve a statement on a fresh connection") {
                var answered = 0
                guard let rows = try? await store.database.statement("SELECT 1", logger: TestDatabase.logger) else { return false }
                for try await n in rows.decode(Int.self) { answered = n }
                return answered == 1
            }
        }
    }
}

/// Whether a detached call came back.
private final class Answered: Sendable {
    private let flag = Mutex(false)
    var value: Bool { flag.withLock { $0 } }
    func set() { flag.withLock { $0 = true } }
}
