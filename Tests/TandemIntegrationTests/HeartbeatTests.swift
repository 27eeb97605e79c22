import Foundation
import Prometheus
import TandemConnector
import TandemCore
import Testing

/// Heartbeats are written in batches: one UPDATE per interval for every session of the node.
@Suite("Batched heartbeats")
struct HeartbeatTests {
    static func exposition(_ registry: PrometheusCollectorRegistry) -> String {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }

    @Test("40 connectors beating every 100 ms: their heartbeats reach the database in statements of many, last_heard moves")
    func batched() async throws {
        try await TandemHarness.run(configure: { $0.heartbeatWriteInterval = .milliseconds(300) }) { tandem in
            var streams: [ControlStream] = []
            for pair in 0..<20 {
                let site = try await tandem.site(name: "beat \(pair)")
                streams.append(try await tandem.connect(site, ip: "10.0.\(pair).1", heartbeatEvery: .milliseconds(100)))
                streams.append(try await tandem.connect(site, ip: "10.0.\(pair).2", heartbeatEvery: .milliseconds(100)))
            }
            let before = try await Self.oldestHeard(tandem)
            try await eventually("every connector heard again after it joined", timeout: .seconds(20)) {
                try await Self.oldestHeard(tandem) > before
            }
            let text = Self.exposition(tandem.metrics)
            let writes = try #require(MetricsTests.value(text, "tandem_heartbeat_writes_total"))
            let beats = try #require(MetricsTests.value(text, "tandem_heartbeats_total"))
            #expect(beats >= 40)
            #expect(beats / writes >= 5, "\(beats) heartbeats in \(writes) statements")
            for stream in streams { stream.kill() }
        }
    }

    /// The oldest `last_heard` of any active connector.
    static func oldestHeard(_ tandem: TandemHarness) async throws -> Date {
        let rows = try await tandem.store.database.client.query("SELECT min(last_heard) FROM connectors WHERE control_status = 'active'")
        for try await oldest in rows.decode(Date.self) { return oldest }
        return .distantPast
    }
}
