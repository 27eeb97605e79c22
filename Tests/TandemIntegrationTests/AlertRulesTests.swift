import Foundation
import Synchronization
import Testing

/// The shipped alert rules, checked with Prometheus' own tool: their syntax, and their behaviour
/// over replayed series (a down group across a node restart and across a move to another node,
/// a degraded group, missed events), and the node's real `/metrics` as promtool reads it.
@Suite("Alert rules and /metrics through promtool")
struct AlertRulesTests {
    static let rules = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("deploy/prometheus")

    /// Runs promtool with `arguments` in the rules' folder, feeding `input`.
    static func promtool(_ arguments: [String], input: Data? = nil) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["promtool"] + arguments
        process.currentDirectoryURL = rules
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let stdin = Pipe()
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(input) }
        try stdin.fileHandleForWriting.close()
        let data = try output.fileHandleForReading.readToEnd() ?? Data()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test("promtool check rules and test rules pass: a down group stays alerted across a restart and a move to another node")
    func rulesPass() throws {
        let check = try Self.promtool(["check", "rules", "tandem-alerts.yml"])
        #expect(check.status == 0, "\(check.output)")
        let test = try Self.promtool(["test", "rules", "tandem-alerts.test.yml"])
        #expect(test.status == 0, "\(test.output)")
    }

    @Test("a node's /metrics after a failover passes promtool check metrics, with process, build and histogram series from the start")
    func metricsPassPromtool() async throws {
        try await TandemHarness.run(configure: PairTruthTests.configure) { tandem in
            let site = try await tandem.site()
            let a = try await tandem.connect(site, ip: "10.0.0.1")
            let b = try await tandem.connect(site, ip: "10.0.0.2")
            a.kill()
            try await eventually("the failover", timeout: .seconds(60)) { PairTruthTests.failovers(tandem, site) == 1 }
            let scraped = Mutex("")
            try await tandem.withAPI { api in
                try await api.execute(uri: "/metrics", method: .get) { response in
                    scraped.withLock { $0 = String(buffer: response.body) }
                }
            }
            let text = scraped.withLock { $0 }
            let check = try Self.promtool(["check", "metrics"], input: Data(text.utf8))
            #expect(check.status == 0, "\(check.output)")
            for series in [
                "process_cpu_seconds_total", "process_resident_memory_bytes", "process_open_fds", "process_start_time_seconds",
                "tandem_build_info{", "tandem_ack_latency_seconds_bucket", "tandem_db_batch_duration_seconds_count",
            ] {
                #expect(text.contains("\n" + series), "\(series) is exposed")
            }
            b.kill()
        }
    }
}
