public import Foundation
public import TandemCore
public import TandemStore

/// Where the ``EventPipeline``'s flushes go: the event store in production, a double in the
/// pipeline's unit tests (`EventPipelineTests`, no database).
public protocol EventWriter: Sendable {
    /// Writes `records` in one transaction and returns the outcome of each, in order.
    /// - Throws: an error for which `StoreError.isRejection` holds when the data itself was
    ///   refused (resending it can never succeed), any other error when nothing was written.
    func write(_ records: [EventRecord], now: Date) async throws -> [EventOutcome]

    /// Writes that met a stored event in a plain insert and were written again skipping
    /// stored events, since the writer was made (cumulative).
    var conflictFallbacks: Int { get }
}

extension EventWriter {
    /// A writer that never falls back (a test's double) counts none.
    public var conflictFallbacks: Int { 0 }
}

/// Where the ``EventPipeline`` adds the pair statistics it gathers.
public protocol PairStatisticsWriter: Sendable {
    /// Adds `rows` to the stored statistics.
    func add(_ rows: [PairStatistics]) async throws
}

extension EventStore: EventWriter {}
extension PairStatisticsRepository: PairStatisticsWriter {}
