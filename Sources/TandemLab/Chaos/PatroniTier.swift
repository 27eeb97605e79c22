import Foundation

/// The chaos run's highly available database: Patroni members with etcd and HAProxy, started,
/// faulted and stopped through `scripts/patroni` (the script an operator uses by hand), so the
/// run and the documentation drive the same deployment.
///
/// `@unchecked Sendable`: constants only.
final class PatroniTier: @unchecked Sendable {
    /// The database URL through HAProxy (always the primary).
    let url: String
    private let script: URL
    private let directory: URL
    private let log: URL

    private init(url: String, script: URL, directory: URL, log: URL) {
        self.url = url
        self.script = script
        self.directory = directory
        self.log = log
    }

    /// Starts the tier in a fresh `directory` on ports from `port` (see the script), with
    /// synchronous replication unless `synchronous` is false.
    static func start(script: URL, directory: URL, port: Int, synchronous: Bool, log: URL) async throws -> PatroniTier {
        let tier = PatroniTier(url: "", script: script, directory: directory, log: log)
        _ = try? await tier.run(["stop"])  // what a killed earlier run left behind
        let output = try await tier.run(["start", "--port", "\(port)"] + (synchronous ? [] : ["--async"]))
        guard let url = output.split(separator: "\n").last.map(String.init), url.hasPrefix("postgres://") else {
            throw ServerProcess.Failure(description: "scripts/patroni start printed no database URL; see \(log.path)")
        }
        return PatroniTier(url: url, script: script, directory: directory, log: log)
    }

    /// The primary's member name now (empty while there is none).
    func primary() async throws -> String {
        try await run(["primary"]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `kill -9` of the primary's postmaster.
    func killPrimary() async throws { _ = try await run(["kill-primary"]) }
    /// The primary's machine frozen (Patroni and PostgreSQL stopped) for `seconds`, then resumed.
    func stallPrimary(seconds: Int) async throws { _ = try await run(["stall-primary", "\(seconds)"]) }
    /// The primary's WAL senders frozen for `seconds`, then `kill -9` of its postmaster.
    func partitionAndKillPrimary(seconds: Int) async throws { _ = try await run(["partition-kill", "\(seconds)"]) }
    /// A planned switchover to the synchronous standby.
    func switchover() async throws { _ = try await run(["switchover"]) }
    /// Waits until every member runs again, one primary and a synchronous standby.
    func waitHealthy() async throws { _ = try await run(["wait-healthy"]) }

    /// Stops every member, HAProxy and etcd, and removes the directory.
    func stop() async { _ = try? await run(["stop"]) }

    /// Runs the script with `arguments` and this tier's directory; its standard output, its
    /// standard error appended to the log.
    /// - Throws: ``ServerProcess/Failure`` when it exits non-zero.
    private func run(_ arguments: [String]) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script.path] + arguments + ["--dir", directory.path]
        // Standard output to a file, not a pipe: the daemons the script starts inherit it, and
        // a pipe would not reach its end while they run.
        let output = log.deletingPathExtension().appendingPathExtension("out")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: output)
        if !FileManager.default.fileExists(atPath: log.path) { _ = FileManager.default.createFile(atPath: log.path, contents: nil) }
        let errors = try FileHandle(forWritingTo: log)
        errors.seekToEndOfFile()
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        guard status == 0 else {
            throw ServerProcess.Failure(
                description: "scripts/patroni \(arguments.joined(separator: " ")) exited with status \(status); see \(log.path)")
        }
        return text
    }
}
