/// The `# HELP` text of every metric family Tandem exposes, and the exposition with it added.
///
/// Metrics are made through swift-metrics, whose factory carries no help text, so `GET
/// /metrics` adds these lines to what the Prometheus registry emits: every family is
/// described, as `promtool check metrics` asks. A family missing here is caught by the
/// metrics test, which checks a live server's exposition.
public enum MetricHelp {
    /// Help text by family name.
    public static let texts: [String: String] = [
        "tandem_events_received_total": "Events received on data channels, every copy, by tenant.",
        "tandem_events_stored_total": "Events stored for the first time, by tenant.",
        "tandem_events_duplicates_dropped_total":
            "Copies answered as stored already, by tenant and stage (window: the in-memory dedup window; database: the unique key).",
        "tandem_events_quarantined_total": "Events kept in the quarantine for a device time out of range, by tenant.",
        "tandem_events_missed_by_peer_total": "Events one member of a pair delivered and its peer did not, by tenant.",
        "tandem_ack_latency_seconds": "Time from a batch's arrival on a data channel to its ack.",
        "tandem_db_batch_duration_seconds": "Duration of one event write of the pipeline (one transaction).",
        "tandem_db_batch_events": "Events in one event write of the pipeline.",
        "tandem_event_write_conflict_fallbacks_total":
            "Event writes whose plain insert met a stored event and went again skipping stored events.",
        "tandem_pipeline_pending_events": "Events waiting in the pipeline for a write now.",
        "tandem_dedup_window_keys": "Event identities held in the dedup window now.",
        "tandem_dedup_window_bytes": "Estimated bytes of the dedup window now.",
        "tandem_dedup_window_evictions_total": "Identities that left the dedup window, by reason (capacity, expired).",
        "tandem_database_synchronous_standbys": "Standbys a commit waits for (synchronous replication), as last read.",
        "tandem_database_standbys": "Standbys streaming from the primary, as last read.",
        "tandem_database_commits_synchronous": "1 when commits are synchronously replicated (an ack survives the primary's loss), else 0.",
        "tandem_pair_statistics_write_failures_total": "Pair-statistics writes that failed (their counts are lost; events are not).",
        "tandem_data_inflight_batches": "Batches inside the pipeline now, over all data streams.",
        "tandem_connector_sessions": "Connector sessions open on this node now, by channel (control, data).",
        "tandem_hello_refused_total": "Hellos refused by a pairing rule, by rule.",
        "tandem_auth_failures_total": "Requests and channels refused for their credentials, by listener (grpc, http).",
        "tandem_ha_active_members": "Active members of an HA group (2 healthy, 1 degraded, 0 down), by tenant and group.",
        "tandem_ha_degraded_groups": "HA groups with exactly one active member, by tenant.",
        "tandem_ha_split_groups": "HA groups whose active members are on different nodes, by tenant.",
        "tandem_failovers_total": "Members lost while their peer stayed active, by tenant.",
        "tandem_handovers_total": "Members that left on purpose (Goodbye) while their peer stayed active, by tenant.",
        "tandem_heartbeat_writes_total": "Statements that wrote heartbeats (each writes many).",
        "tandem_join_rounds_total": "Rounds that admitted connectors saying Hello (two statements each, however many Hellos).",
        "tandem_join_waiting": "Hellos waiting for a join round now (a reconnect storm's backlog).",
        "tandem_join_round_hellos_total": "Hellos admitted through join rounds (divided by the rounds: the mean round).",
        "tandem_heartbeats_total": "Heartbeats written.",
    ]

    /// `exposition` (the Prometheus text format) with a `# HELP` line before the `# TYPE` line
    /// of each family in ``texts`` that has none.
    public static func annotate(_ exposition: [UInt8]) -> [UInt8] {
        let typePrefix = Array("# TYPE ".utf8)
        var result: [UInt8] = []
        result.reserveCapacity(exposition.count + 64 * texts.count)
        var previousLine: ArraySlice<UInt8> = []
        for line in exposition.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            if line.starts(with: typePrefix) {
                let name = line.dropFirst(typePrefix.count).prefix { $0 != UInt8(ascii: " ") }
                let helpPrefix = Array("# HELP ".utf8) + name + [UInt8(ascii: " ")]
                if !previousLine.starts(with: helpPrefix), let text = texts[String(decoding: name, as: UTF8.self)] {
                    result += helpPrefix + Array(text.utf8) + [UInt8(ascii: "\n")]
                }
            }
            result += line
            result.append(UInt8(ascii: "\n"))
            previousLine = line
        }
        // `split` gives a last empty piece after the final newline: one newline too many.
        if exposition.last == UInt8(ascii: "\n") || exposition.isEmpty { result.removeLast() }
        return result
    }
}
