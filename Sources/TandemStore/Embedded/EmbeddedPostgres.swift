public import Foundation
public import Logging
import PostgresNIO
import TandemCore

/// A private PostgreSQL cluster that `tandem serve` starts and owns when no database URL is
/// given: `initdb` on first use, `pg_ctl start` on a unix socket only (no TCP port to clash),
/// `pg_ctl stop` on shutdown.
///
/// Layout under ``directory``: `data/` (the cluster), `run/` (the socket), `postgres.log`.
/// As root it runs the server as the unprivileged `postgres` user, since PostgreSQL refuses root.
///
/// It is also the one recipe for a throwaway cluster: `tandem-lab postgres start` (what
/// `scripts/test-postgres` runs for the test suite and `scripts/cluster` for a local cluster)
/// starts one with ``Tuning``.
public struct EmbeddedPostgres: Sendable {
    /// How the server runs, beside its defaults.
    public struct Tuning: Sendable {
        /// Whether commits survive a crash of the machine (`fsync`, `synchronous_commit`,
        /// `full_page_writes` on, PostgreSQL's defaults). A throwaway test cluster turns them off.
        public var durable = true
        /// `max_connections`, if not PostgreSQL's default (100).
        public var maximumConnections: Int?

        public init() {}
    }

    /// Where the cluster lives, e.g. `./.tandem/postgres`.
    public let directory: URL
    /// The database Tandem uses inside the cluster.
    public let database: String
    private let tuning: Tuning
    private let logger: Logger

    /// Describes a cluster at `directory`; nothing happens until ``start()``.
    public init(directory: URL, database: String = "tandem", tuning: Tuning = Tuning(), logger: Logger) {
        self.directory = directory.standardizedFileURL
        self.database = database
        self.tuning = tuning
        self.logger = logger
    }

    /// The server's options: the socket only (no TCP port to clash), and the tuning.
    private var serverOptions: String {
        var options = "-k \(socketDirectory.path) -c listen_addresses='' -c unix_socket_permissions=0700"
        if !tuning.durable { options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off" }
        if let maximum = tuning.maximumConnections { options += " -c max_connections=\(maximum)" }
        return options
    }

    private var dataDirectory: URL { directory.appendingPathComponent("data") }

    /// Whether a cluster was initialised in the directory already.
    public var exists: Bool {
        FileManager.default.fileExists(atPath: dataDirectory.appendingPathComponent("PG_VERSION").path)
    }
    private var socketDirectory: URL { directory.appendingPathComponent("run") }
    private var logFile: URL { directory.appendingPathComponent("postgres.log") }
    private static let superuser = "tandem"
    private static var runsAsRoot: Bool { geteuid() == 0 }

    /// The URL of Tandem's database in the cluster (unix socket, trust authentication).
    public var url: String {
        "postgres://\(Self.superuser)@localhost/\(database)?host=\(socketDirectory.path)"
    }

    /// Initialises the cluster if needed, starts it unless it already runs, and creates the
    /// database; connect with ``url`` afterwards.
    /// - Returns: `true` when this call started the server (so the caller should ``stop()`` it),
    ///   `false` when it was already running (another `tandem` process owns it).
    /// - Throws: ``StoreError`` `.unavailable` with the server's log tail when a step fails.
    @discardableResult
    public func start() async throws -> Bool {
        let binaries = try Self.findBinaries()
        let fileManager = FileManager.default
        try fileManager.createDirectory(at: socketDirectory, withIntermediateDirectories: true)
        try fileManager.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        if Self.runsAsRoot {
            try run("/bin/chown", ["-R", "postgres:postgres", directory.path], asPostgres: false)
        }
        try fileManager.setAttributes([.posixPermissions: 0o700], ofItemAtPath: dataDirectory.path)
        try fileManager.setAttributes([.posixPermissions: 0o700], ofItemAtPath: socketDirectory.path)

        if !exists {
            logger.info("initialising embedded PostgreSQL", metadata: [LogKey.directory: "\(dataDirectory.path)"])
            try run(
                binaries.appendingPathComponent("initdb").path,
                [
                    "-D", dataDirectory.path, "-U", Self.superuser, "--auth=trust", "--encoding=UTF8", "--no-locale",
                ])
        }
        let pgCtl = binaries.appendingPathComponent("pg_ctl").path
        let alreadyRunning = (try? run(pgCtl, ["-D", dataDirectory.path, "status"])) != nil
        if try requireAnalystPasswords(), alreadyRunning {
            try run(pgCtl, ["-D", dataDirectory.path, "reload"])
        }
        if !alreadyRunning {
            logger.info("starting embedded PostgreSQL", metadata: [LogKey.socket: "\(socketDirectory.path)"])
            try run(pgCtl, ["-D", dataDirectory.path, "-l", logFile.path, "-o", serverOptions, "-w", "-t", "60", "start"])
        }
        try await createDatabaseIfMissing()
        return !alreadyRunning
    }

    /// The `pg_hba.conf` line that makes analyst logins authenticate with their password
    /// (SCRAM) although the cluster trusts its own unix socket otherwise.
    static let analystAuthentication = "local all +tandem_analyst scram-sha-256"

    /// Puts ``analystAuthentication`` first in `pg_hba.conf` when it is missing.
    /// - Returns: whether the file changed (a running server must reload it).
    private func requireAnalystPasswords() throws -> Bool {
        let file = dataDirectory.appendingPathComponent("pg_hba.conf")
        let rules = try String(contentsOf: file, encoding: .utf8)
        if rules.contains(Self.analystAuthentication) { return false }
        try (Self.analystAuthentication + "  # analysts: password required (tandem)\n" + rules)
            .write(to: file, atomically: false, encoding: .utf8)
        return true
    }

    /// Stops the cluster (fast shutdown: running transactions are rolled back, data is safe).
    public func stop() {
        guard let binaries = try? Self.findBinaries() else { return }
        do {
            try run(binaries.appendingPathComponent("pg_ctl").path, ["-D", dataDirectory.path, "-m", "fast", "-w", "stop"])
            logger.info("stopped embedded PostgreSQL")
        } catch {
            logger.warning("could not stop embedded PostgreSQL", metadata: [LogKey.error: "\(error)"])
        }
    }

    private func createDatabaseIfMissing() async throws {
        let maintenance = try DatabaseURL(
            "postgres://\(Self.superuser)@localhost/postgres?host=\(socketDirectory.path)")
        try await Database.withRunning(maintenance, logger: logger) { postgres in
            let rows = try await postgres.statement(
                "SELECT count(*) FROM pg_database WHERE datname = \(database)", logger: logger)
            var exists = false
            for try await count in rows.decode(Int.self) { exists = count > 0 }
            if !exists {
                let name = database.replacingOccurrences(of: "\"", with: "\"\"")
                try await postgres.statement(PostgresQuery(unsafeSQL: "CREATE DATABASE \"\(name)\""), logger: logger)
            }
        }
    }

    /// Finds the PostgreSQL server binaries: `TANDEM_POSTGRES_BIN`, else the newest
    /// `/usr/lib/postgresql/*/bin`, else `PATH`.
    static func findBinaries() throws -> URL {
        let environment = ProcessInfo.processInfo.environment
        var candidates: [String] = []
        if let explicit = environment["TANDEM_POSTGRES_BIN"] { candidates.append(explicit) }
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        candidates += versions.compactMap(Int.init).sorted(by: >).map { "/usr/lib/postgresql/\($0)/bin" }
        candidates += (environment["PATH"] ?? "").split(separator: ":").map(String.init)
        for candidate in candidates
        where FileManager.default.isExecutableFile(atPath: candidate + "/initdb")
            && FileManager.default.isExecutableFile(atPath: candidate + "/pg_ctl")
        {
            return URL(fileURLWithPath: candidate)
        }
        throw StoreError(
            .unavailable,
            "no PostgreSQL server binaries found (initdb, pg_ctl): install postgresql, set TANDEM_POSTGRES_BIN, or pass --database-url")
    }

    /// Fault injection for the chaos run: restarts the cluster in immediate mode, as after a
    /// crash (open transactions are lost, committed ones are not).
    public func restartImmediately() throws {
        let pgCtl = try Self.findBinaries().appendingPathComponent("pg_ctl").path
        try run(
            pgCtl, ["-D", dataDirectory.path, "-l", logFile.path, "-o", serverOptions, "-m", "immediate", "-w", "-t", "60", "restart"])
    }

    /// The postmaster and every process it started (to stall the cluster with SIGSTOP).
    public func serverProcessIDs() -> [Int32] {
        guard let text = try? String(contentsOf: dataDirectory.appendingPathComponent("postmaster.pid"), encoding: .utf8),
            let first = text.split(separator: "\n").first, let postmaster = Int32(first)
        else { return [] }
        var ids = [postmaster]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry),
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, Int32(fields[1]) == postmaster { ids.append(pid) }
        }
        return ids
    }

    /// Runs a tool to completion, as `postgres` when we are root.
    @discardableResult
    private func run(_ tool: String, _ arguments: [String], asPostgres: Bool = true) throws -> String {
        let (executable, argv) =
            asPostgres && Self.runsAsRoot
            ? ("/usr/sbin/runuser", ["-u", "postgres", "--", tool] + arguments)
            : (tool, arguments)
        let outputFile = directory.appendingPathComponent("tool-output.\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: outputFile) }
        let status = try ChildProcess.run(executable, argv, outputPath: outputFile.path)
        let text = (try? String(contentsOf: outputFile, encoding: .utf8)) ?? ""
        guard status == 0 else {
            let logTail =
                (try? String(contentsOf: logFile, encoding: .utf8))?.split(separator: "\n").suffix(5)
                .joined(separator: "\n") ?? ""
            throw StoreError(
                .unavailable,
                "\((tool as NSString).lastPathComponent) \(arguments.last ?? "") failed (exit \(status)): \(text)\(logTail.isEmpty ? "" : "\nserver log: " + logTail)"
            )
        }
        return text
    }
}
