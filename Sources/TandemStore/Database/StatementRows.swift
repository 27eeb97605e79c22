import PostgresNIO

/// The rows of a one-statement query, read in full before its connection went back to the
/// pool. An `AsyncSequence` of `PostgresRow`, so PostgresNIO's `decode(_:)` applies as on a
/// `PostgresRowSequence`.
struct StatementRows: AsyncSequence, Sendable {
    typealias Element = PostgresRow

    let rows: [PostgresRow]

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: IndexingIterator<[PostgresRow]>

        mutating func next() async throws -> PostgresRow? { base.next() }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: rows.makeIterator()) }
}
