public import PostgresNIO

/// The rows of a one-statement query, read in full before its connection went back to the
/// pool. An `AsyncSequence` of `PostgresRow`, so PostgresNIO's `decode(_:)` applies as on a
/// `PostgresRowSequence`.
public struct StatementRows: AsyncSequence, Sendable {
    public typealias Element = PostgresRow

    let rows: [PostgresRow]

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: IndexingIterator<[PostgresRow]>

        public mutating func next() async throws -> PostgresRow? { base.next() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: rows.makeIterator()) }
}
