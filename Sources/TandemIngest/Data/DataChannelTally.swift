import Logging
public import ServiceLifecycle
import Synchronization
import TandemCore
import TandemStore

/// What the data streams of this node delivered, written for all of them at once every
/// interval (default 1 s): the events each connector delivered (`data_channel_events`, shown
/// in the connector details) and the HA groups whose FastLocate events flow. Two statements
/// a second for the node, not one per stream: 100 streams used to be 100 commits a second,
/// each on its batch's way to the ack.
///
/// A batch adds its count once it is durable and goes on to its ack; nothing here delays an
/// ack. A write that fails keeps its counts for the next round, added to what came meanwhile,
/// and is logged. On shutdown (after the gRPC listener stopped, so every stream has ended) what
/// is left is written once more.
public final class DataChannelTally: Service, Sendable {
    private struct Pending {
        var events: [TenantScoped<Connector>: Int] = [:]
        var flowing: Set<TenantScoped<Token>> = []
    }

    private let connectors: ConnectorRepository
    private let groups: HAGroupRepository
    private let interval: Duration
    private let outages: DatabaseOutages
    private let logger: Logger
    private let pending = Mutex(Pending())

    /// Creates a tally writing through `connectors` and `groups` every `interval`; a write
    /// that fails for want of the database is noted in `outages`.
    init(
        connectors: ConnectorRepository, groups: HAGroupRepository, interval: Duration = .seconds(1),
        outages: DatabaseOutages, logger: Logger
    ) {
        self.connectors = connectors
        self.groups = groups
        self.interval = interval
        self.outages = outages
        self.logger = logger
    }

    /// Counts `events` delivered by `connector` of `token`'s group; `location`: some were
    /// client locations, so the group's FastLocate flows.
    func add(events: Int, connector: ConnectorID, token: TokenID, tenant: TenantID, location: Bool) {
        pending.withLock { pending in
            pending.events[TenantScoped(tenant: tenant, id: connector), default: 0] += events
            if location { pending.flowing.insert(TenantScoped(tenant: tenant, id: token)) }
        }
    }

    /// Writes every interval until graceful shutdown, then once more.
    public func run() async throws {
        // `flush` keeps and logs what it could not write; the round itself never fails.
        try await runPeriodically(every: interval, logger: logger, failure: "data channel tally round failed") {
            await self.flush()
        }
        await flush()
    }

    /// Writes everything counted so far; what fails to be written waits for the next call.
    func flush() async {
        let taken = pending.withLock { pending in
            defer { pending = Pending() }
            return pending
        }
        if !taken.events.isEmpty {
            do {
                try await connectors.countDataChannelEvents(taken.events)
            } catch {
                keep(Pending(events: taken.events), error, "data channel counters not written; kept for the next round")
            }
        }
        if !taken.flowing.isEmpty {
            do {
                try await groups.fastLocateFlowing(taken.flowing)
            } catch {
                keep(Pending(flowing: taken.flowing), error, "FastLocate state not written; kept for the next round")
            }
        }
    }

    private func keep(_ unwritten: Pending, _ error: any Error, _ message: Logger.Message) {
        if StoreError.isUnavailability(error) { outages.failed() }
        logger.warning(message, metadata: [LogKey.error: "\(StoreError.loggable(error))"])
        pending.withLock { pending in
            pending.events.merge(unwritten.events, uniquingKeysWith: +)
            pending.flowing.formUnion(unwritten.flowing)
        }
    }
}
