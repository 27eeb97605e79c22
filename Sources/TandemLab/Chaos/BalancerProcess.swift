import Foundation

/// HAProxy in front of the chaos run's nodes, configured from the committed template
/// (`deploy/haproxy/haproxy.cfg.template`, the one `scripts/cluster` uses), on free loopback ports.
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

    /// The template with its `@…@` lines filled in for nodes on loopback `(grpc, http)` ports.
    static func configuration(template: String, grpcPort: Int, httpPort: Int, nodes: [(grpc: Int, http: Int)]) -> String {
        template.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            if line.contains("@GRPC_SERVERS@") {
                return nodes.enumerated().map {
                    "    server node-\($0.offset) 127.0.0.1:\($0.element.grpc) proto h2 check port \($0.element.http) check-proto h1"
                }
                .joined(separator: "\n")
            }
            if line.contains("@HTTP_SERVERS@") {
                return nodes.enumerated().map { "    server node-\($0.offset) 127.0.0.1:\($0.element.http) check cookie node-\($0.offset)" }
                    .joined(separator: "\n")
            }
            return line.replacingOccurrences(of: "@GRPC_BIND@", with: "127.0.0.1:\(grpcPort)")
                .replacingOccurrences(of: "@HTTP_BIND@", with: "127.0.0.1:\(httpPort)")
        }.joined(separator: "\n")
    }

    /// Starts `haproxy` in the foreground for `nodes` and waits until its HTTP side is ready.
    /// `ports` reuses given ports (a restart), else free ones are picked.
    static func start(
        template: URL, nodes: [(grpc: Int, http: Int)], logFile: URL, ports: (grpc: Int, http: Int)? = nil
    ) async throws -> BalancerProcess {
        let grpcPort = try ports?.grpc ?? ServerProcess.freePort()
        let httpPort = try ports?.http ?? ServerProcess.freePort()
        let text = try String(contentsOf: template, encoding: .utf8)
        let configuration = logFile.deletingPathExtension().appendingPathExtension("cfg")
        try Self.configuration(template: text, grpcPort: grpcPort, httpPort: httpPort, nodes: nodes)
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
