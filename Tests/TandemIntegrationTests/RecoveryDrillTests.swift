import Foundation
import Testing

/// The restore drill in its short form: `scripts/recovery-drill --duration 10` (pgBackRest,
/// a restore point mid-stream, `DROP TABLE events`, point-in-time recovery, Tandem on the
/// restored cluster). docs/reliability.md has the longer run by hand.
@Suite("Restore drill: a dropped events table restored to a point in time")
struct RecoveryDrillTests {
    @Test(
        "every event stored before the restore point comes back exactly once after DROP TABLE events, and Tandem serves the restored cluster",
        .timeLimit(.minutes(3)))
    func restoreToAPointInTime() async throws {
        let repository = TestDatabase.migrationsDirectory.deletingLastPathComponent()
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/pgbackrest") else {
            Issue.record("pgbackrest is missing: scripts/bootstrap installs it (apt-get install pgbackrest)")
            return
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["bash", repository.appendingPathComponent("scripts/recovery-drill").path, "--duration", "10"]
        var environment = ProcessInfo.processInfo.environment
        environment["TANDEM_BIN_DIR"] = ChaosTests.labBinary.deletingLastPathComponent().path
        environment["TANDEM_DATABASE_URL"] = nil
        process.environment = environment
        // Its output and log to files, and its end awaited by polling: a blocking read or
        // `waitUntilExit` would hold one of the two cooperative threads of a 2-core machine
        // for the drill's 30 s, starving every other test.
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-drill-\(UUID().uuidString.prefix(8))")
        let out = base.appendingPathExtension("json")
        let log = base.appendingPathExtension("log")
        for file in [out, log] { _ = FileManager.default.createFile(atPath: file.path, contents: nil) }
        defer { for file in [out, log] { try? FileManager.default.removeItem(at: file) } }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
        while process.isRunning { try await Task.sleep(for: .milliseconds(200)) }
        let printed = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
        let logged = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        #expect(process.terminationStatus == 0, "the drill failed:\n\(logged.suffix(2_000))")
        let line = try #require(printed.split(separator: "\n").last, "no result:\n\(logged.suffix(2_000))")
        let result = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let atTarget = try #require(result["ackedBeforeTarget"] as? Int)
        #expect(atTarget > 0, "the stream stored events before the restore point")
        #expect(result["restoredOfThose"] as? Int == atTarget)
        #expect(result["missing"] as? Int == 0)
        #expect(result["duplicated"] as? Int == 0)
        #expect(result["tandemReadyOnRestored"] as? Bool == true)
        #expect((result["afterTargetGone"] as? Int ?? -1) >= 0, "the recovery point is stated")
        #expect(result["restoreSeconds"] is Double)
    }
}
