import Foundation
import Hummingbird
import HummingbirdTesting
import TandemCore
import TandemStore
import Testing

@Suite("Fleet view: worst first, filters, search, pages of 50, the summary line")
struct FleetTests {
    /// A tenant with `healthy`, `degraded` and `down` groups (named by health and number, two
    /// members each; degraded and down ones lost one or both), wireless except every fifth.
    static func fleet(
        _ store: Store, healthy: Int, degraded: Int, down: Int
    ) async throws -> (tenant: TenantID, apiKey: String) {
        let (tenant, key) = try await store.tenants.create(name: try DisplayName("Fleet", field: "name"))
        var number = 0
        for (health, count) in [("healthy", healthy), ("degraded", degraded), ("down", down)] {
            for index in 0..<count {
                number += 1
                let (token, _) = try await store.tokens.create(
                    tenant: tenant.id, connectorName: try DisplayName("\(health) \(index)", field: "name"),
                    network: number % 5 == 0 ? .wired : .wireless)
                for member in 0..<2 {
                    let session = UUID()
                    let join = try await store.connectors.join(
                        tenant: tenant.id, token: token.id,
                        hello: try PagingTests.hello(number * 2 + member, host: "\(health)-\(index)-\(member)"), session: session,
                        node: try NodeID("test-node"), rules: PairingRules())
                    let lost = (health == "degraded" && member == 1) || health == "down"
                    if lost {
                        _ = try await store.connectors.leave(
                            tenant: tenant.id, token: token.id, connector: join.connectorID, session: session, reason: "test",
                            liveness: HALiveness(timeout: .seconds(15), grace: .seconds(5)))
                    }
                }
            }
        }
        return (tenant.id, key.revealed)
    }

    static func page(_ api: any TestClientProtocol, _ uri: String, cookie: String) async throws -> String {
        try await api.execute(uri: uri, method: .get, headers: [.cookie: cookie]) { response in
            #expect(response.status == .ok, "\(uri)")
            return String(buffer: response.body)
        }
    }

    /// The group names of the page's table rows, in order.
    static func rows(_ page: String) -> [String] {
        page.components(separatedBy: "<a href=\"/dashboard/groups/").dropFirst().compactMap { part in
            part.split(separator: ">", maxSplits: 1).last.map { String($0.prefix { $0 != "<" }) }
        }
    }

    @Test("down groups come first, then degraded, then healthy; the summary counts each and links to the filtered list")
    func worstFirstAndSummary() async throws {
        try await withOperatorAPI { store, api in
            let (_, key) = try await Self.fleet(store, healthy: 3, degraded: 2, down: 2)
            let cookie = try await DashboardTests.signIn(api, key: key)
            let page = try await Self.page(api, "/", cookie: cookie)
            #expect(Self.rows(page) == ["down 0", "down 1", "degraded 0", "degraded 1", "healthy 0", "healthy 1", "healthy 2"])
            #expect(page.contains(#"href="/?health=down">2 down</a>"#))
            #expect(page.contains(#"href="/?health=degraded">2 degraded</a>"#))
            #expect(page.contains(#"href="/?health=healthy">3 healthy</a>"#))
            #expect(page.contains("Connectors: 8 active · 6 inactive"))
            #expect(page.contains(#"<a class="member failed""#), "the failed member of a degraded pair is marked")
            #expect(page.contains("events/s (last 5 min)"))

            // A degraded group's card: its failover with a readable time, the failed member.
            let link = try #require(
                page.components(separatedBy: "href=\"/dashboard/groups/").dropFirst()
                    .first { $0.contains(">degraded 0<") }?.prefix { $0 != "\"" })
            let card = try await Self.page(api, "/dashboard/groups/\(link)", cookie: cookie)
            #expect(card.contains(#"<span class="badge degraded">degraded</span>"#))
            #expect(card.contains("Last failovers: <time datetime="), "\(card.suffix(1_500))")
            #expect(!card.contains("HTML(text"))
        }
    }

    @Test("filters by health and network, searches names, hostnames and IPs, and pages by 50 with a pager")
    func filtersSearchAndPages() async throws {
        try await withOperatorAPI { store, api in
            let (_, key) = try await Self.fleet(store, healthy: 110, degraded: 3, down: 1)
            let cookie = try await DashboardTests.signIn(api, key: key)
            #expect(Self.rows(try await Self.page(api, "/?health=degraded", cookie: cookie)) == ["degraded 0", "degraded 1", "degraded 2"])
            let wired = Self.rows(try await Self.page(api, "/?network=wired&health=healthy&page=1", cookie: cookie))
            #expect(wired.count == 22 && wired.allSatisfy { $0.hasPrefix("healthy") })
            #expect(Self.rows(try await Self.page(api, "/?search=HEALTHY-17-1", cookie: cookie)) == ["healthy 17"], "a hostname")
            #expect(Self.rows(try await Self.page(api, "/?search=degraded%202", cookie: cookie)) == ["degraded 2"], "a name")
            #expect(Self.rows(try await Self.page(api, "/?search=10.9.0.230", cookie: cookie)) == ["down 0"], "an IP address")

            let first = try await Self.page(api, "/", cookie: cookie)
            #expect(Self.rows(first).count == 50)
            #expect(first.contains("groups 1–50 of 114 · page 1 of 3") && first.contains(#"href="/?page=2">next →</a>"#))
            let last = try await Self.page(api, "/?page=3", cookie: cookie)
            #expect(Self.rows(last).count == 14 && last.contains("groups 101–114 of 114"))
            let all = try await (1...3).asyncFlatMap { Self.rows(try await Self.page(api, "/?page=\($0)", cookie: cookie)) }
            #expect(Set(all).count == 114, "every group on exactly one page")

            let fragment = try await Self.page(api, "/dashboard/fleet?health=down", cookie: cookie)
            #expect(Self.rows(fragment) == ["down 0"])
            // A bad query gets an HTML page naming the parameter, with or without a session, never
            // JSON; the refresh fragment without a session is a 401 page.
            let cases: [(String, HTTPFields, HTTPResponse.Status)] = [
                ("/?health=dead", [.cookie: cookie], .badRequest), ("/?health=dead", [:], .badRequest),
                ("/?page=0", [.cookie: cookie], .badRequest), ("/?page=0", [:], .badRequest),
                ("/dashboard/fleet?health=sick", [.cookie: cookie], .badRequest), ("/dashboard/fleet?health=sick", [:], .unauthorized),
            ]
            for (uri, headers, status) in cases {
                try await api.execute(uri: uri, method: .get, headers: headers) { response in
                    #expect(response.status == status, "\(uri)")
                    #expect(response.headers[.contentType] == "text/html; charset=utf-8", "\(uri)")
                    let body = String(buffer: response.body)
                    #expect(body.contains("<h2>\(status.code) \(status.reasonPhrase)</h2>") && !body.contains("{\"error\""), "\(uri)")
                    if status == .badRequest { #expect(body.contains(uri.contains("page") ? "page" : "health"), "names the parameter") }
                }
            }
        }
    }
}

extension ClosedRange where Bound == Int {
    fileprivate func asyncFlatMap<T>(_ transform: (Int) async throws -> [T]) async rethrows -> [T] {
        var result: [T] = []
        for value in self { result += try await transform(value) }
        return result
    }
}
