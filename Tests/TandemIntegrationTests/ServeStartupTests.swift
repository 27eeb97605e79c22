import Foundation
import Glibc
import TandemStore
import Testing

/// `tandem serve` that cannot listen: it exits non-zero at once, names the port, and leaves no
/// embedded PostgreSQL behind. Runs the real binary.
@Suite("serve startup failures", .serialized)
struct ServeStartupTests {
    @Test("a busy gRPC port: exit non-zero within seconds, message naming gRPC and the port", .timeLimit(.minutes(1)))
    func busyGRPCPort() async throws {
        let busy = try BusyPort()
        defer { busy.close() }
        try await TestDatabase.withStore(migrate: false) { _, url in
            let outcome = try await Self.serve(["--database-url", url.unredactedText, "--grpc-port", "\(busy.port)", "--http-port", "0"])
            #expect(outcome.status != 0)
            #expect(
                outcome.output.contains("could not listen for gRPC on 127.0.0.1:\(busy.port): address already in use"),
                "\(outcome.output.suffix(800))")
            #expect(outcome.seconds < 20)
        }
    }

    @Test("a busy HTTP port with the embedded PostgreSQL: exit non-zero, and the embedded server is stopped", .timeLimit(.minutes(1)))
    func busyHTTPPortEmbedded() async throws {
        let busy = try BusyPort()
        defer { busy.close() }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-startup-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let outcome = try await Self.serve(["--data-dir", work.path, "--http-port", "\(busy.port)", "--grpc-port", "0"])
        #expect(outcome.status != 0)
        #expect(outcome.output.contains("could not listen for HTTP on 127.0.0.1:\(busy.port)"), "\(outcome.output.suffix(800))")
        let pidFile = work.appendingPathComponent("postgres/data/postmaster.pid")
        #expect(
            FileManager.default.fileExists(atPath: work.appendingPathComponent("postgres/data/PG_VERSION").path),
            "the embedded cluster was created")
        #expect(!FileManager.default.fileExists(atPath: pidFile.path), "the embedded PostgreSQL is still running")
    }

    @Test(
        "a port out of range is refused before anything starts, naming the flag; --heartbeat-interval 1 alone is a valid setting",
        .timeLimit(.minutes(1)),
        arguments: [["--grpc-port", "102979"], ["--http-port", "99999"]])
    func portOutOfRange(_ port: [String]) async throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-port-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let outcome = try await Self.serve(["--data-dir", work.path, "--heartbeat-interval", "1"] + port)
        #expect(outcome.status != 0)
        let variable = "TANDEM_" + port[0].dropFirst(2).uppercased().replacingOccurrences(of: "-", with: "_")
        #expect(outcome.output.contains("\(port[0]) (\(variable)) must be 0 to 65535"), "\(outcome.output.suffix(800))")
        #expect(!outcome.output.contains("serving"), "nothing was started")
        #expect(try FileManager.default.contentsOfDirectory(atPath: work.path).isEmpty, "no embedded cluster was created")
    }

    @Test("a command other than serve refuses a --data-dir with no cluster and creates nothing there", .timeLimit(.minutes(1)))
    func noClusterCreatedByOtherCommands() async throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-typo-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        for arguments in [["tenant", "create", "--name", "Acme"], ["migrate"]] {
            let outcome = try await Self.tandem(arguments + ["--data-dir", work.path])
            #expect(outcome.status != 0)
            #expect(outcome.output.contains("no Tandem database in \(work.path)"), "\(outcome.output.suffix(800))")
            #expect(outcome.output.contains("tandem serve --data-dir"))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: work.path).isEmpty, "no cluster was created")
    }

    @Test("a database error reads as what PostgreSQL said, not postgres-nio's generic description", .timeLimit(.minutes(1)))
    func readableDatabaseErrors() async throws {
        let base = try TestDatabase.baseURL()
        let missing = try DatabaseURL(
            urlWithDatabase: try DatabaseURL(base), "no_such_database_\(UUID().uuidString.prefix(6).lowercased())")
        let outcome = try await Self.tandem(["tenant", "create", "--name", "Acme", "--database-url", missing.unredactedText])
        #expect(outcome.status != 0)
        #expect(outcome.output.contains("SQLSTATE 3D000") && outcome.output.contains("does not exist"), "\(outcome.output.suffix(800))")
        #expect(!outcome.output.contains("Generic description"))
    }

    /// Runs `tandem serve` with `arguments` until it exits.
    static func serve(_ arguments: [String]) async throws -> (status: Int32, output: String, seconds: Double) {
        try await tandem(["serve"] + arguments)
    }

    /// Runs `tandem` with `arguments` (no database URL from the environment) until it exits.
    static func tandem(_ arguments: [String]) async throws -> (status: Int32, output: String, seconds: Double) {
        let process = Process()
        process.executableURL = ChaosTests.binary
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["TANDEM_DATABASE_URL"] = nil
        environment["TANDEM_MIGRATIONS_DIR"] = TestDatabase.migrationsDirectory.path
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let started = ContinuousClock.now
        try process.run()
        let data = try output.fileHandleForReading.readToEnd() ?? Data()
        process.waitUntilExit()
        let elapsed = ContinuousClock.now - started
        return (
            process.terminationStatus, String(decoding: data, as: UTF8.self),
            Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        )
    }
}

/// A loopback TCP port held by a listening socket, so nothing else can bind it.
struct BusyPort {
    let descriptor: Int32
    let port: Int

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.descriptor = descriptor
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard bound == 0, listen(descriptor, 1) == 0 else { throw POSIXError(.EADDRINUSE) }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        self.port = Int(UInt16(bigEndian: address.sin_port))
    }

    func close() { _ = Glibc.close(descriptor) }
}
