import Foundation

/// HAProxy in front of the chaos run's nodes, on free loopback ports, configured by the one
/// recipe there is: `scripts/cluster haproxy-config` (which fills in the committed template,
/// `deploy/haproxy/haproxy.cfg.template`, as it does for a local cluster and the compose file).
///
/// `@unchecked Sendable`: constants only; the `Process` is asked for its state or signalled.
final class BalancerProcess: @unchecked Sendable {
    let process: Process
    let grpcPort: Int
    let httpPort: Int
    let configuration: URL

    private init(process: Process, grpcPort: Int, httpPort: Int, configuration: URL) {
        self.process = process
        self.grpcPort = grpcPort
        self.httpPort = httpPort
        self.configuration = configuration
    }

    /// The configuration `clusterScript` prints for nodes on loopback `(grpc, http)` ports.
    static func configuration(clusterScript: URL, grpcPort: Int, httpPort: Int, nodes: [(grpc: Int, http: Int)]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments =
            ["bash", clusterScript.path, "haproxy-config", "\(grpcPort)", "\(httpPort)"] + nodes.map { "\($0.grpc):\($0.http)" }
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0, !text.isEmpty else {
            throw ServerProcess.Failure(description: "\(clusterScript.path) haproxy-config failed (status \(process.terminationStatus))")
        }
        return text
    }

    /// Starts `haproxy` in the foreground for `nodes` and waits until its HTTP side is ready.
    /// `ports` reuses given ports (a restart), else free ones are picked.
    static func start(
        clusterScript: URL, nodes: [(grpc: Int, http: Int)], logFile: URL, ports: (grpc: Int, http: Int)? = nil
    ) async throws -> BalancerProcess {
        let grpcPort = try ports?.grpc ?? ServerProcess.freePort()
        let httpPort = try ports?.http ?? ServerProcess.freePort()
        let configuration = logFile.deletingPathExtension().appendingPathExtension("cfg")
        try Self.configuration(clusterScript: clusterScript, grpcPort: grpcPort, httpPort: httpPort, nodes: nodes)
            .write(to: configuration, atomically: true, encoding: .utf8)
        let process = try ServerProcess.launch(
            URL(fileURLWithPath: "/usr/sbin/haproxy"), arguments: ["-db", "-f", configuration.path], logFile: logFile)
        let balancer = BalancerProcess(process: process, grpcPort: grpcPort, httpPort: httpPort, configuration: configuration)
        do {
            // Ready once a node's /readyz answers through it.
            try await ServerProcess.waitUntilReady(process, name: "haproxy", httpPort: httpPort, within: .seconds(20), logFile: logFile)
        } catch {
            balancer.stop()
            throw error
        }
        return balancer
    }

    /// Stops HAProxy at once (SIGTERM: every connection through it drops) and reaps it.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }
}
