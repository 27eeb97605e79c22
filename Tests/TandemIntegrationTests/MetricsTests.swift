import Foundation
import GRPCCore
import Hummingbird
import HummingbirdTesting
import TandemConnector
import TandemCore
import TandemProtocol
import Testing

@Suite("Metrics: GET /metrics in Prometheus text format")
struct MetricsTests {
    /// The value of the series `name{labels}` (labels as they print, sorted by the registry).
    static func value(_ text: String, _ series: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }

    /// Families whose `# TYPE` line has no `# HELP` line right before it.
    static func familiesWithoutHelp(_ text: String) -> [String] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        return lines.indices.compactMap { index -> String? in
            guard lines[index].hasPrefix("# TYPE ") else { return nil }
            let name = lines[index].dropFirst("# TYPE ".count).prefix { $0 != " " }
            return index > 0 && lines[index - 1].hasPrefix("# HELP \(name) ") ? nil : String(name)
        }
    }

    @Test("a fresh server exposes the series that depend on no tenant at 0, each family with its help text")
    func fixedSeriesFromTheStart() async throws {
        try await TandemHarness.run { tandem in
            try await tandem.withAPI { api in
                try await api.execute(uri: "/metrics", method: .get) { response in
                    let text = String(buffer: response.body)
                    for series in [
                        "tandem_heartbeat_writes_total", "tandem_heartbeats_total", "tandem_pair_statistics_write_failures_total",
                        #"tandem_dedup_window_evictions_total{reason="capacity"}"#, #"tandem_hello_refused_total{rule="unique-ip"}"#,
                        #"tandem_auth_failures_total{listener="grpc"}"#, "tandem_pipeline_pending_events",
                        #"tandem_connector_sessions{channel="data"}"#, "tandem_data_inflight_batches", "tandem_join_rounds_total",
                        "tandem_join_round_hellos_total", "tandem_join_waiting",
                    ] {
                        #expect(Self.value(text, series) == 0, "\(series) exists at 0")
                    }
                    #expect(Self.familiesWithoutHelp(text) == [])
                }
            }
        }
    }

    @Test(
        "after a failover the series show events, HA Active, a degraded group, the failover, sessions, refusals and auth failures; no secret appears"
    )
    func seriesAfterAFailover() async throws {
        try await TandemHarness.run { tandem in
            let site = try await tandem.site()
            let tenant = site.tenant.description
            let group = site.tokenID.description
            let doomed = try await tandem.connect(site, ip: "10.0.0.1")
            let survivor = try await tandem.connect(site, ip: "10.0.0.2", instanceID: "survivor")
            await #expect(throws: RPCError.self) { _ = try await tandem.connect(site, ip: "10.0.0.3") }  // a third member
            let impostor = DataStream.open(client: tandem.client, token: "tdt_not-a-token", instanceID: "x")
            _ = try? await impostor.nextAck()
            let data = DataStream.open(client: tandem.client, token: site.token, instanceID: "survivor")
            #expect(try await data.write(makeBatch(sequence: 1, events: 40)).stored == 40)
            #expect(try await data.write(makeBatch(sequence: 2, events: 40)).duplicates == 40)
            doomed.kill()
            try await eventually("the failover to be recorded") {
                try await tandem.store.connectors.haActive(tenant: site.tenant, token: site.tokenID) == ["10.0.0.2"]
            }
            try await tandem.withAPI { api in
                // The metrics follow the database's record of the failover: wait for them too
                // (under load, the first read could come between the two).
                try await eventually("the metrics to count the failover") {
                    try await api.execute(uri: "/metrics", method: .get) { response in
                        Self.value(String(buffer: response.body), #"tandem_failovers_total{tenant="\#(tenant)"}"#) == 1
                    }
                }
                try await api.execute(uri: "/metrics", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
                    let text = String(buffer: response.body)
                    #expect(Self.value(text, #"tandem_events_received_total{tenant="\#(tenant)"}"#) == 80)
                    #expect(Self.value(text, #"tandem_events_stored_total{tenant="\#(tenant)"}"#) == 40)
                    #expect(Self.value(text, #"tandem_events_duplicates_dropped_total{tenant="\#(tenant)",stage="window"}"#) == 40)
                    #expect(Self.value(text, #"tandem_ha_active_members{tenant="\#(tenant)",group="\#(group)"}"#) == 1)
                    #expect(Self.value(text, #"tandem_ha_degraded_groups{tenant="\#(tenant)"}"#) == 1)
                    #expect(Self.value(text, #"tandem_failovers_total{tenant="\#(tenant)"}"#) == 1)
                    #expect(Self.value(text, #"tandem_connector_sessions{channel="control"}"#) == 1)
                    #expect(Self.value(text, #"tandem_connector_sessions{channel="data"}"#) == 1)
                    #expect(Self.value(text, #"tandem_hello_refused_total{rule="group-full"}"#) == 1)
                    #expect(Self.value(text, #"tandem_auth_failures_total{listener="grpc"}"#) == 1)
                    #expect(Self.value(text, "tandem_ack_latency_seconds_count") == 2)
                    #expect(Self.value(text, "tandem_db_batch_duration_seconds_count") == 1)
                    #expect(Self.value(text, "tandem_dedup_window_keys") == 40)
                    #expect(Self.value(text, "tandem_data_inflight_batches") == 0)
                    #expect(!text.contains(site.token) && !text.contains(site.apiKey))
                    #expect(Self.familiesWithoutHelp(text) == [], "every family is described (promtool check metrics)")
                }
            }
            data.kill()
            survivor.kill()
        }
    }
}
