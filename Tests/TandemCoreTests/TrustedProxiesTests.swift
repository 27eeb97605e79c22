import TandemCore
import Testing

/// Whose address a request behind the balancer is counted under.
@Suite("Trusted proxies and the client address")
struct TrustedProxiesTests {
    static let proxies = TrustedProxies([IPAddress("10.0.0.5")!, IPAddress("10.0.0.6")!])

    /// (peer, X-Forwarded-For values, client address).
    static let cases: [(String, [String], String)] = [
        ("203.0.113.9", [], "203.0.113.9"),
        ("203.0.113.9", ["198.51.100.1"], "203.0.113.9"),  // not a proxy: its header is ignored
        ("10.0.0.5", [], "10.0.0.5"),  // the balancer's own request (a health check)
        ("10.0.0.5", ["198.51.100.1"], "198.51.100.1"),
        ("10.0.0.5", ["1.2.3.4, 198.51.100.1"], "198.51.100.1"),  // a client can't pick what the balancer saw
        ("10.0.0.5", ["198.51.100.1, 10.0.0.6"], "198.51.100.1"),  // two trusted hops
        ("10.0.0.5", ["1.2.3.4", "198.51.100.1"], "198.51.100.1"),  // several headers, in order
        ("10.0.0.5", ["not-an-address"], "10.0.0.5"),
        ("10.0.0.5", [" 2001:DB8::1 "], "2001:db8::1"),
        ("::ffff:10.0.0.5", ["198.51.100.1"], "198.51.100.1"),  // the proxy seen over IPv6-mapped IPv4
    ]

    @Test("X-Forwarded-For counts only from a trusted proxy, rightmost untrusted hop first", arguments: cases)
    func clientAddress(_ peer: String, _ forwardedFor: [String], _ expected: String) {
        #expect(Self.proxies.clientAddress(peer: peer, forwardedFor: forwardedFor) == expected)
    }

    @Test("with no proxy trusted, the peer is always the client")
    func noneTrusted() {
        #expect(TrustedProxies().clientAddress(peer: "10.0.0.5", forwardedFor: ["198.51.100.1"]) == "10.0.0.5")
    }
}
