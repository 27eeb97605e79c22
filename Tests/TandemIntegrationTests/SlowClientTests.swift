import Foundation
import Hummingbird
import HummingbirdTesting
import TandemAPI
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Slow-loris clients on the operator HTTP listener: a body trickled byte by byte and a
/// connection that never finishes its headers are cut off by the server, over a real socket.
@Suite("Slow HTTP clients time out and are disconnected")
struct SlowClientTests {
    /// 1 s for the limit under test, 30 s for the other.
    static func limits(body: Duration = .seconds(30), idle: Duration = .seconds(30)) -> HTTPLimits {
        var limits = HTTPLimits()
        limits.bodyTimeout = body
        limits.idleTimeout = idle
        return limits
    }

    func withServer(_ limits: HTTPLimits, _ body: @escaping @Sendable (Int) async throws -> Void) async throws {
        try await TestDatabase.withStore { store, _ in
            let api = OperatorAPI(store: store, notifier: NoConnectedSessions(), limits: limits)
            let app = try api.makeApplication(host: "127.0.0.1", port: 0, logger: TestDatabase.logger)
            try await app.test(.live) { client in
                try await body(try #require(client.port))
            }
        }
    }

    @Test(
        "a body trickled a byte every 200 ms gets 408 with a JSON error after the 1 s body timeout, then the connection closes",
        .timeLimit(.minutes(1)))
    func trickledBody() async throws {
        try await withServer(Self.limits(body: .seconds(1))) { port in
            let socket = try RawSocket(port: port)
            defer { socket.close() }
            try socket.send(
                "POST /api/v1/tokens HTTP/1.1\r\nHost: tandem\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{")
            let started = ContinuousClock.now
            let trickle = Task {
                for _ in 0..<100 where !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(200))
                    try? socket.send(" ")
                }
            }
            defer { trickle.cancel() }
            let answer = await socket.receiveUntilClosed(within: .seconds(10))
            let elapsed = ContinuousClock.now - started
            #expect(answer.text.hasPrefix("HTTP/1.1 408"), "answer: \(answer.text.prefix(200))")
            #expect(answer.text.contains("\"request_timeout\""))
            #expect(answer.closed, "the server kept the connection open")
            #expect(elapsed < .seconds(5), "took \(elapsed)")
        }
    }

    @Test(
        "a connection that never finishes its headers is closed after the 1 s idle timeout",
        .timeLimit(.minutes(1)))
    func unfinishedHeaders() async throws {
        try await withServer(Self.limits(idle: .seconds(1))) { port in
            let socket = try RawSocket(port: port)
            defer { socket.close() }
            try socket.send("GET /healthz HTTP/1.1\r\nHost: tan")
            let started = ContinuousClock.now
            let answer = await socket.receiveUntilClosed(within: .seconds(10))
            #expect(answer.closed, "the server kept the connection open")
            #expect(ContinuousClock.now - started < .seconds(5))
        }
    }

    @Test("a body sent at once is answered as usual (401 without a key), and its connection stays open")
    func promptBody() async throws {
        try await withServer(Self.limits(body: .seconds(1))) { port in
            let socket = try RawSocket(port: port)
            defer { socket.close() }
            let body = #"{"connectorName": "site-a", "network": "wireless"}"#
            try socket.send(
                "POST /api/v1/tokens HTTP/1.1\r\nHost: tandem\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
            )
            let answer = await socket.receiveUntilClosed(within: .seconds(3))
            #expect(answer.text.hasPrefix("HTTP/1.1 401"), "answer: \(answer.text.prefix(200))")
            #expect(!answer.closed)
        }
    }
}

/// A blocking TCP client socket on loopback, for byte-level control of what is sent.
private final class RawSocket: Sendable {
    let descriptor: Int32

    init(port: Int) throws {
        descriptor = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
    }

    func send(_ text: String) throws {
        let sent = Array(text.utf8).withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == text.utf8.count else { throw POSIXError(.EPIPE) }
    }

    /// Reads until the peer closes or `within` passes; returns what arrived and whether it
    /// closed. Polls without blocking, so the server's tasks keep the cooperative threads.
    func receiveUntilClosed(within: Duration) async -> (text: String, closed: Bool) {
        let deadline = ContinuousClock.now + within
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4_096)
        while ContinuousClock.now < deadline {
            var poll = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard Glibc.poll(&poll, 1, 0) > 0 else {
                try? await Task.sleep(for: .milliseconds(20))
                continue
            }
            let count = buffer.withUnsafeMutableBytes { Glibc.recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count <= 0 { return (String(decoding: received, as: UTF8.self), true) }
            received += buffer.prefix(count)
        }
        return (String(decoding: received, as: UTF8.self), false)
    }

    func close() { _ = Glibc.close(descriptor) }
}
