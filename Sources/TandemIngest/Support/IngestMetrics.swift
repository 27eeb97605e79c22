public import Metrics
import Synchronization
public import TandemCore
import TandemStore

/// Every metric the connector-facing side records, made through one factory (the server's
/// Prometheus registry, or swift-metrics' global factory), so two servers in one process (the
/// tests) never share counters. Names follow Prometheus conventions; labels are bounded:
/// tenant, group, rule, stage, channel — never an event, client or connector.
public struct IngestMetrics: Sendable {
    private let factory: any MetricsFactory
    /// The groups this node reports, to keep the degraded and split gauges per tenant.
    private let groups = GroupSeries()
    /// Each metric handle made once: asking the factory again on every call costs a registry
    /// lookup (and, for a new label set, a copy of the family's series) on the hot paths.
    private let handles = MetricHandles()

    /// Records through `factory` (default: whatever swift-metrics is bootstrapped with).
    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
    }

    private func counter(_ label: String, _ dimensions: [(String, String)] = []) -> Counter {
        handles.handle(label, dimensions) { Counter(label: label, dimensions: dimensions, factory: factory) }
    }

    private func gauge(_ label: String, _ dimensions: [(String, String)] = []) -> Gauge {
        handles.handle(label, dimensions) { Gauge(label: label, dimensions: dimensions, factory: factory) }
    }

    private func timer(_ label: String) -> Timer {
        handles.handle(label, []) { Timer(label: label, dimensions: [], factory: factory) }
    }

    private func meter(_ label: String, _ dimensions: [(String, String)] = []) -> Meter {
        handles.handle(label, dimensions) { Meter(label: label, dimensions: dimensions, factory: factory) }
    }

    /// Makes, at 0, every series that depends on no tenant or group, so each exists from the
    /// start (a scraper sees 0, not nothing, before the first event, refusal or failure).
    public func startFixedSeries() {
        for name in [
            "tandem_heartbeat_writes_total", "tandem_heartbeats_total", "tandem_join_rounds_total", "tandem_join_round_hellos_total",
            "tandem_pair_statistics_write_failures_total", "tandem_event_write_conflict_fallbacks_total",
        ] {
            _ = counter(name)
        }
        for reason in ["capacity", "expired"] { _ = counter("tandem_dedup_window_evictions_total", [("reason", reason)]) }
        for rule in PairingRefusal.Rule.allCases { _ = counter("tandem_hello_refused_total", [("rule", rule.rawValue)]) }
        _ = counter(AuthenticationThrottle.failuresMetric, [("listener", "grpc")])
        for name in ["tandem_pipeline_pending_events", "tandem_dedup_window_keys", "tandem_dedup_window_bytes"] { gauge(name).record(0) }
        for channel in ["control", "data"] { meter("tandem_connector_sessions", [("channel", channel)]).set(0) }
        meter("tandem_data_inflight_batches").set(0)
        meter("tandem_join_waiting").set(0)
        // The histograms too: an alert on a rate of their buckets has a series from the start.
        _ = timer("tandem_ack_latency_seconds")
        _ = timer("tandem_db_batch_duration_seconds")
        _ = batchEvents
    }

    // MARK: Events

    /// Events received on data channels (every copy).
    func eventsReceived(_ tenant: TenantID, _ count: Int) {
        counter("tandem_events_received_total", [("tenant", tenant.description)]).increment(by: count)
    }

    /// Outcomes of a flush for one tenant.
    func eventsSettled(
        _ tenant: TenantID, stored: Int, windowDuplicates: Int, inFlightDuplicates: Int, databaseDuplicates: Int, quarantined: Int
    ) {
        let dimensions = [("tenant", tenant.description)]
        if stored > 0 { counter("tandem_events_stored_total", dimensions).increment(by: stored) }
        if windowDuplicates > 0 {
            counter("tandem_events_duplicates_dropped_total", dimensions + [("stage", "window")]).increment(by: windowDuplicates)
        }
        if inFlightDuplicates > 0 {
            counter("tandem_events_duplicates_dropped_total", dimensions + [("stage", "in_flight")]).increment(by: inFlightDuplicates)
        }
        if databaseDuplicates > 0 {
            counter("tandem_events_duplicates_dropped_total", dimensions + [("stage", "database")]).increment(by: databaseDuplicates)
        }
        if quarantined > 0 { counter("tandem_events_quarantined_total", dimensions).increment(by: quarantined) }
    }

    /// Events a member of a pair missed that its peer delivered (from the pair statistics).
    func eventsMissedByPeer(_ tenant: TenantID, _ count: Int64) {
        counter("tandem_events_missed_by_peer_total", [("tenant", tenant.description)]).increment(by: Int(count))
    }

    /// Time from a batch's arrival to its ack.
    func ackLatency(_ duration: Duration) {
        timer("tandem_ack_latency_seconds").recordNanoseconds(duration.inNanoseconds)
    }

    /// One database write of the pipeline: its duration and its events.
    func databaseBatch(_ duration: Duration, events: Int) {
        timer("tandem_db_batch_duration_seconds").recordNanoseconds(duration.inNanoseconds)
        batchEvents.record(events)
    }

    private var batchEvents: Recorder {
        handles.handle("tandem_db_batch_events", []) {
            Recorder(label: "tandem_db_batch_events", dimensions: [], aggregate: true, factory: factory)
        }
    }

    /// The dedup window's size now, and keys that left it since the last call.
    func dedupWindow(keys: Int, bytes: Int, evicted: Int, expired: Int) {
        gauge("tandem_dedup_window_keys").record(keys)
        gauge("tandem_dedup_window_bytes").record(bytes)
        if evicted > 0 { counter("tandem_dedup_window_evictions_total", [("reason", "capacity")]).increment(by: evicted) }
        if expired > 0 { counter("tandem_dedup_window_evictions_total", [("reason", "expired")]).increment(by: expired) }
    }

    // MARK: Database

    /// What "acked" means on the database now: standbys a commit waits for, standbys
    /// streaming, and 1 when commits are synchronously replicated (0: one machine has them).
    func databaseReplication(_ replication: DatabaseReplication) {
        gauge("tandem_database_synchronous_standbys").record(replication.synchronousStandbys)
        gauge("tandem_database_standbys").record(replication.standbys)
        gauge("tandem_database_commits_synchronous")
            .record(replication.isSynchronous ? 1 : 0)
    }

    /// Event writes that met a stored event in their plain insert and went again skipping
    /// stored events (``TandemStore/RecentConflicts``).
    func eventWriteConflictFallbacks(_ count: Int) {
        counter("tandem_event_write_conflict_fallbacks_total").increment(by: count)
    }

    /// A pair-statistics write that failed (its counts are lost; events are not).
    func pairStatisticsWriteFailed() {
        counter("tandem_pair_statistics_write_failures_total").increment()
    }

    // MARK: Channels

    /// Batches inside the pipeline now, over all data streams (+1 / -1).
    func inFlightBatches(_ change: Int) {
        let meter = meter("tandem_data_inflight_batches")
        if change > 0 { meter.increment(by: Double(change)) } else { meter.decrement(by: Double(-change)) }
    }

    /// Events waiting in the pipeline for a flush now: the queue an ack waits in.
    func pendingEvents(_ count: Int) {
        gauge("tandem_pipeline_pending_events").record(count)
    }

    /// Sessions open now, by channel (`control`, `data`): +1 / -1.
    func sessions(_ channel: String, _ change: Int) {
        let meter = meter("tandem_connector_sessions", [("channel", channel)])
        if change > 0 { meter.increment(by: Double(change)) } else { meter.decrement(by: Double(-change)) }
    }

    /// A Hello refused by a pairing rule.
    func helloRefused(_ rule: PairingRefusal.Rule) {
        counter("tandem_hello_refused_total", [("rule", rule.rawValue)]).increment()
    }

    /// A channel refused for its credentials.
    func authenticationFailed(listener: String) {
        counter(AuthenticationThrottle.failuresMetric, [("listener", listener)]).increment()
    }

    // MARK: HA groups

    /// A group's HA Active list changed: its members gauge and its tenant's degraded and split
    /// counts, at once, when this node reports the group (``GroupOwnership``; before the first
    /// ``reportGroups(_:)`` a node reports every group it hears of).
    func haActive(_ health: HAGroupHealth, tenant: TenantID, group: TokenID) {
        let key = TenantScoped<Token>(tenant: tenant, id: group)
        let reading = GroupReading(activeMembers: health.activeMembers, splitAcrossNodes: health.splitAcrossNodes)
        guard let counts = groups.update(key, reading) else { return }
        gauge("tandem_ha_active_members", Self.dimensions(key)).record(reading.activeMembers)
        record(counts, tenant: tenant)
    }

    /// The groups this node reports, as PostgreSQL has them now (``HAGroupGauges``): each gets its
    /// members series (0 for a group that is down, none for one never connected), the series of
    /// groups it no longer reports are removed, and every tenant's degraded and split counts are
    /// made anew. Summed across the nodes, every group counts once.
    public func reportGroups(_ readings: [TenantScoped<Token>: GroupReading]) {
        let (removed, counts) = groups.replace(readings)
        for key in removed {
            handles.remove("tandem_ha_active_members", Self.dimensions(key))?.destroy()
        }
        for (key, reading) in readings {
            gauge("tandem_ha_active_members", Self.dimensions(key)).record(reading.activeMembers)
        }
        for (tenant, count) in counts {
            record(count, tenant: tenant)
            // The tenant's counters exist at 0 from the start, so increase() sees the first one.
            for name in ["tandem_failovers_total", "tandem_handovers_total", "tandem_events_missed_by_peer_total"] {
                _ = counter(name, [("tenant", tenant.description)])
            }
        }
    }

    private func record(_ counts: (degraded: Int, split: Int), tenant: TenantID) {
        gauge("tandem_ha_degraded_groups", [("tenant", tenant.description)]).record(counts.degraded)
        gauge("tandem_ha_split_groups", [("tenant", tenant.description)]).record(counts.split)
    }

    private static func dimensions(_ key: TenantScoped<Token>) -> [(String, String)] {
        [("tenant", key.tenant.description), ("group", key.id.description)]
    }

    /// A handover: a member said Goodbye while a live peer stayed.
    func handover(_ tenant: TenantID) {
        counter("tandem_handovers_total", [("tenant", tenant.description)]).increment()
    }

    /// A failover: a member was lost while a live peer stayed.
    func failover(_ tenant: TenantID) {
        counter("tandem_failovers_total", [("tenant", tenant.description)]).increment()
    }

    /// One statement wrote `count` heartbeats.
    func heartbeatsWritten(_ count: Int) {
        counter("tandem_heartbeat_writes_total").increment()
        counter("tandem_heartbeats_total").increment(by: count)
    }

    /// Hellos waiting for a join round now (the join ``RoundBatcher``): a reconnect storm's backlog.
    func joinsWaiting(_ count: Int) {
        meter("tandem_join_waiting").set(count)
    }

    /// One round admitted `count` Hellos (the join ``RoundBatcher``).
    func joinRound(_ count: Int) {
        counter("tandem_join_rounds_total").increment()
        counter("tandem_join_round_hellos_total").increment(by: count)
    }
}

/// What the metrics show of one group: its active members and whether they sit on two nodes.
public struct GroupReading: Sendable, Hashable {
    public var activeMembers: Int
    public var splitAcrossNodes: Bool

    public init(activeMembers: Int, splitAcrossNodes: Bool) {
        self.activeMembers = activeMembers
        self.splitAcrossNodes = splitAcrossNodes
    }
}

/// The groups this node reports and their readings, to count each tenant's degraded and split
/// groups.
private final class GroupSeries: Sendable {
    private struct State {
        /// The groups this node reports; `nil` until the first refresh (every group heard of).
        var owned: Set<TenantScoped<Token>>?
        var readings: [TenantID: [TokenID: GroupReading]] = [:]
    }

    private let state = Mutex(State())

    /// Records a reading of a group this node reports; `nil` when it reports another node's.
    func update(_ key: TenantScoped<Token>, _ reading: GroupReading) -> (degraded: Int, split: Int)? {
        state.withLock { state in
            if let owned = state.owned, !owned.contains(key) { return nil }
            state.readings[key.tenant, default: [:]][key.id] = reading
            return Self.counts(state.readings[key.tenant] ?? [:])
        }
    }

    /// Makes `readings` the whole set reported.
    /// - Returns: the groups no longer reported, and the counts of every tenant seen before or now.
    func replace(
        _ readings: [TenantScoped<Token>: GroupReading]
    ) -> (removed: [TenantScoped<Token>], counts: [TenantID: (degraded: Int, split: Int)]) {
        state.withLock { state in
            let before = Set(state.readings.flatMap { tenant, groups in groups.keys.map { TenantScoped(tenant: tenant, id: $0) } })
            let tenants = Set(state.readings.keys).union(readings.keys.map(\.tenant))
            state.owned = Set(readings.keys)
            state.readings = [:]
            for (key, reading) in readings { state.readings[key.tenant, default: [:]][key.id] = reading }
            var counts: [TenantID: (degraded: Int, split: Int)] = [:]
            for tenant in tenants { counts[tenant] = Self.counts(state.readings[tenant] ?? [:]) }
            return (Array(before.subtracting(readings.keys)), counts)
        }
    }

    private static func counts(_ groups: [TokenID: GroupReading]) -> (degraded: Int, split: Int) {
        (groups.values.filter { $0.activeMembers == 1 }.count, groups.values.filter(\.splitAcrossNodes).count)
    }
}

/// Metric handles by label and dimensions, each made once.
private final class MetricHandles: Sendable {
    private struct Key: Hashable {
        let label: String
        let dimensions: [String]
    }

    private let made = Mutex<[Key: any Sendable]>([:])

    /// The handle of `label` with `dimensions`, made by `make` the first time.
    func handle<Handle: Sendable>(_ label: String, _ dimensions: [(String, String)], make: () -> Handle) -> Handle {
        let key = Key(label: label, dimensions: dimensions.flatMap { [$0.0, $0.1] })
        return made.withLock { made in
            if let existing = made[key] as? Handle { return existing }
            let handle = make()
            made[key] = handle
            return handle
        }
    }

    /// Forgets the handle of `label` with `dimensions`, returning it (to destroy its series).
    func remove(_ label: String, _ dimensions: [(String, String)]) -> Gauge? {
        made.withLock { $0.removeValue(forKey: Key(label: label, dimensions: dimensions.flatMap { [$0.0, $0.1] })) as? Gauge }
    }
}
