import Foundation
import Synchronization
import TandemStore

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// A `tandem serve` child process (the `tandem` built beside `tandem-lab`, see
/// ``serverBinary()``), on free loopback ports, for measuring the server apart from its load (its memory is read from `/proc`).
///
/// `@unchecked Sendable`: every stored property is a constant, and `Process` is only asked for
/// its pid and state or told to terminate, which Foundation allows from any thread.
final class ServerProcess: @unchecked Sendable {
    let process: Process
    let grpcPort: Int
    let httpPort: Int
    let logFile: URL

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private init(process: Process, grpcPort: Int, httpPort: Int, logFile: URL) {
        self.process = process
        self.grpcPort = grpcPort
        self.httpPort = httpPort
        self.logFile = logFile
    }

    /// Starts `tandem serve --no-migrate` on `database` and waits until `/readyz` answers 200.
    /// The database URL goes through the environment, never the command line.
    /// `ports` reuses given ports (a restart after a crash), else free ones are picked.
    static func start(
        database: DatabaseURL, migrations: String?, extraArguments: [String] = [], logFile: URL,
        ports: (grpc: Int, http: Int)? = nil
    ) async throws -> ServerProcess {
        let grpcPort = try ports?.grpc ?? freePort()
        let httpPort = try ports?.http ?? freePort()
        var environment = ProcessInfo.processInfo.environment
        environment["TANDEM_DATABASE_URL"] = database.unredactedText
        let process = try launch(
            try serverBinary(),
            arguments: [
                "serve", "--no-migrate", "--host", "127.0.0.1", "--grpc-port", "\(grpcPort)",
                "--http-port", "\(httpPort)", "--log-level", "warning",
            ]
                + (migrations.map { ["--migrations", $0] } ?? []) + extraArguments,
            environment: environment, logFile: logFile)
        let server = ServerProcess(process: process, grpcPort: grpcPort, httpPort: httpPort, logFile: logFile)
        do {
            try await waitUntilReady(process, name: "tandem serve", httpPort: httpPort, within: .seconds(60), logFile: logFile)
        } catch {
            server.stop()
            throw error
        }
        return server
    }

    /// The `tandem` executable the lab runs as its server: `TANDEM_BIN` if set, else the
    /// `tandem` in the directory of this executable (SwiftPM builds both there).
    static func serverBinary() throws -> URL {
        let binary =
            ProcessInfo.processInfo.environment["TANDEM_BIN"].map { URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("tandem")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw Failure(
                description: "no tandem executable at \(binary.path): build it (swift build --product tandem) or set TANDEM_BIN")
        }
        return binary
    }

    /// Starts `executable` with `arguments`, its output appended to `logFile`, no input.
    static func launch(_ executable: URL, arguments: [String], environment: [String: String]? = nil, logFile: URL) throws -> Process {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        if !FileManager.default.fileExists(atPath: logFile.path) {
            _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        }
        let log = try FileHandle(forWritingTo: logFile)
        log.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Waits until `http://127.0.0.1:httpPort/readyz` answers 200 while `process` runs.
    /// - Throws: ``Failure`` when it exits first or is not ready `within`.
    static func waitUntilReady(_ process: Process, name: String, httpPort: Int, within limit: Duration, logFile: URL) async throws {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            guard process.isRunning else {
                throw Failure(description: "\(name) exited with status \(process.terminationStatus); see \(logFile.path)")
            }
            if let (_, response) = try? await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(httpPort)/readyz")!),
                (response as? HTTPURLResponse)?.statusCode == 200
            {
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw Failure(description: "\(name) was not ready within \(limit); see \(logFile.path)")
    }

    /// A series of the server's `/metrics`, by its name and labels as printed (e.g.
    /// `tandem_heartbeat_writes_total`); 0 when absent or unreachable.
    func metric(_ series: String) async -> Double {
        for line in await exposition() where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1)) ?? 0
        }
        return 0
    }

    /// For each of `labels` (e.g. `stage="window"`), the sum of every series of the metric
    /// `name` whose labels include it, whatever its other labels, from one scrape; 0 when
    /// absent or unreachable.
    func metricSums(_ name: String, with labels: [String]) async -> [Double] {
        let lines = await exposition().filter { $0.hasPrefix(name + "{") }
        return labels.map { label in
            lines.filter { $0.contains(label) }.reduce(0) { $0 + ($1.split(separator: " ").last.flatMap { Double($0) } ?? 0) }
        }
    }

    /// The cumulative buckets of each histogram of `names` now, from one scrape, by upper bound
    /// in the metric's unit (`+Inf` last); empty for one absent, all empty when unreachable.
    func histograms(_ names: [String]) async -> [[(upperBound: Double, count: Double)]] {
        let lines = await exposition()
        return names.map { name in
            let prefix = name + "_bucket{"
            return lines.compactMap { line -> (Double, Double)? in
                guard line.hasPrefix(prefix), let le = line.firstRange(of: #"le=""#),
                    let close = line[le.upperBound...].firstIndex(of: "\""),
                    let count = line.split(separator: " ").last.flatMap({ Double($0) })
                else { return nil }
                let bound = line[le.upperBound..<close]
                return (bound == "+Inf" ? .infinity : Double(bound) ?? .nan, count)
            }.sorted { $0.0 < $1.0 }
        }
    }

    /// The lines of the server's `/metrics` now; none when it is unreachable.
    private func exposition() async -> [Substring] {
        guard let (data, _) = try? await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(httpPort)/metrics")!) else {
            return []
        }
        return String(decoding: data, as: UTF8.self).split(separator: "\n")
    }

    /// Reads `series` every `period` while `body` runs and returns both.
    ///
    /// The sampler is told to stop, never cancelled: cancelling a task while its
    /// `URLSession` request is in flight can deadlock FoundationNetworking on Linux (a bench
    /// hung for 13 minutes in `URLSessionTask.cancel`). It finishes its request and its
    /// sleep, at most one `period` late.
    func sampling<T: Sendable>(
        _ series: String, every period: Duration = .milliseconds(200), during body: () async throws -> T
    ) async throws -> (result: T, samples: [Double]) {
        let stopped = StopFlag()
        // Unstructured on purpose: the sampler runs beside the measured work until stopped.
        let sampler = Task {
            var samples: [Double] = []
            while !stopped.isSet {
                samples.append(await metric(series))
                try? await Task.sleep(for: period)
            }
            return samples
        }
        let result: T
        do {
            result = try await body()
        } catch {
            stopped.set()
            _ = await sampler.value
            throw error
        }
        stopped.set()
        return (result, await sampler.value)
    }

    /// A flag one task sets and another reads.
    private final class StopFlag: Sendable {
        private let flag = Mutex(false)
        var isSet: Bool { flag.withLock { $0 } }
        func set() { flag.withLock { $0 = true } }
    }

    /// Peak resident memory of the server so far (`VmHWM`), bytes.
    var peakRSSBytes: Int { status("VmHWM") }
    /// Resident memory of the server now (`VmRSS`), bytes.
    var rssBytes: Int { status("VmRSS") }

    /// CPU time the server has used so far, user and system, seconds (`/proc/PID/stat`
    /// fields 14 and 15, in clock ticks); 0 where it cannot be read.
    var cpuSeconds: Double {
        guard let text = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8),
            let end = text.lastIndex(of: ")")
        else { return 0 }
        // After the command name (which may hold spaces), field 3 is the first.
        let fields = text[text.index(after: end)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    private func status(_ field: String) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }),
            let kilobytes = Int(line.split(separator: " ").dropFirst().first { !$0.isEmpty }?.trimmingCharacters(in: .whitespaces) ?? "")
        else { return 0 }
        return kilobytes * 1_024
    }

    /// Asks the server to shut down (SIGTERM) and waits up to 30 s, then kills it.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        for _ in 0..<300 where process.isRunning { usleep(100_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// Kills the server at once (SIGKILL: no graceful shutdown, as a crash) and reaps it.
    func crash() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// A TCP port on loopback nobody listens on now.
    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(description: "socket() failed: errno \(errno)") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(descriptor, generic, length) == 0 && getsockname(descriptor, generic, &length) == 0
            }
        }
        guard bound else { throw Failure(description: "could not find a free port: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
