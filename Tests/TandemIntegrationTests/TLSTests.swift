import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import TandemConnector
import TandemIngest
import TandemServer
import Testing

@Suite("TLS on the gRPC listener")
struct TLSTests {
    @Test("a connector reaches Tandem over TLS with a certificate generated at test time")
    func tls() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-tls-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let cert = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ]
        openssl.standardOutput = FileHandle.nullDevice
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        try #require(openssl.terminationStatus == 0, "openssl could not make a test certificate")

        try await TestDatabase.withStore { store, _ in
            let (tenant, _) = try await store.tenants.create(name: .init("tls", field: "name"))
            let (_, secret) = try await store.tokens.create(
                tenant: tenant.id, connectorName: .init("tls", field: "name"), network: .wireless)
            var configuration = TandemNode.Configuration()
            configuration.grpcPort = 0
            configuration.httpPort = nil
            configuration.tls = .init(certificateChainPath: cert, privateKeyPath: key)
            configuration.runsJudges = false
            configuration.shutdownTimeout = .seconds(5)
            let node = try TandemNode(store: store, runsDatabase: false, configuration: configuration, logger: TestDatabase.logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await node.run() }
                let port = try await node.grpcPort()
                let client = try GRPCClient(
                    transport: .http2NIOPosix(
                        target: .ipv4(address: "127.0.0.1", port: port),
                        transportSecurity: .tls { $0.trustRoots = .certificates([.file(path: cert, format: .pem)]) }))
                let plaintext = try GRPCClient(
                    transport: .http2NIOPosix(
                        target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext,
                        config: .defaults { $0.backoff.initial = .milliseconds(50) }))
                // The clients are closed, and their connections ended, before the server stops:
                // a connection the server accepts while its accept loop is being torn down trips a
                // fatal error in SwiftNIO's async channel ("Deinited NIOAsyncWriter without calling
                // finish()", apple/swift-nio#2637; it crashed the suite once when this test cancelled
                // the node while the plaintext client was reconnecting every 50 ms).
                let outcome = await withTaskGroup(of: Bool.self) { clients in
                    clients.addTask {
                        _ = try? await client.runConnections()
                        return true
                    }
                    clients.addTask {
                        _ = try? await plaintext.runConnections()
                        return true
                    }
                    let outcome = await Result {
                        let control = try await ControlStream.open(
                            client: client, token: secret.revealed, identity: .init(hostname: "tls", ipAddress: "10.0.0.1"))
                        #expect(control.welcome.tenantID == tenant.id.description)
                        control.kill()
                        await #expect(throws: (any Error).self) {
                            try await ControlStream.open(
                                client: plaintext, token: secret.revealed, identity: .init(hostname: "x", ipAddress: "10.0.0.2"))
                        }
                    }
                    plaintext.beginGracefulShutdown()
                    client.beginGracefulShutdown()
                    clients.addTask {
                        try? await Task.sleep(for: .seconds(10))
                        return false
                    }
                    var ended = 0
                    for await clientEnded in clients {
                        guard clientEnded else { break }
                        ended += 1
                        if ended == 2 { break }
                    }
                    clients.cancelAll()
                    return outcome
                }
                await node.triggerGracefulShutdown()
                try await group.waitForAll()
                try outcome.get()
            }
        }
    }
}
