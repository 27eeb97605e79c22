import Foundation
import Hummingbird
import HummingbirdTesting
import TandemCore
import TandemStore
import Testing

@Suite("List routes: cursor paging and the connector filters")
struct PagingTests {
    /// Follows `nextCursor` from the first page of `path` until a page has none.
    /// - Returns: every page's item ids, page by page.
    static func pages(
        _ client: any TestClientProtocol, _ path: String, key: String, apiKey: String, limit: Int
    ) async throws -> [[String]] {
        var pages: [[String]] = []
        var cursor: String?
        repeat {
            let separator = path.contains("?") ? "&" : "?"
            let url = "\(path)\(separator)limit=\(limit)" + (cursor.map { "&cursor=\($0)" } ?? "")
            let response = try await client.send(.get, url, apiKey: apiKey)
            #expect(response.status == .ok, "\(url)")
            let json = response.json
            #expect(json["nextCursor"] == nil || json["nextCursor"] is String, "nextCursor is a string, absent on the last page")
            let items = try #require(json[key] as? [[String: Any]])
            #expect(items.count <= limit)
            pages.append(items.compactMap { ($0["id"] ?? $0["tokenId"]) as? String })
            cursor = json["nextCursor"] as? String
            try #require(pages.count <= 100, "paging must end")
        } while cursor != nil
        return pages
    }

    static func hello(_ number: Int, host: String) throws -> ConnectorHello {
        try ConnectorHello(
            instanceID: "instance-\(number)", hostname: host, ipAddress: "10.9.\(number / 250).\(number % 250 + 1)",
            macAddress: "00:50:56:00:00:\(String(format: "%02x", number % 256))", ovaVersion: "2.3.460", dockerVersion: "v2.0.446",
            channels: ConnectorChannels(controller: true, accessPoint: true))
    }

    @Test("tokens page by page, newest first: every token once, limit per page, no nextCursor on the last")
    func tokensPageThrough() async throws {
        try await withOperatorAPI { store, client in
            let (tenant, key) = try await store.tenants.create(name: try DisplayName("Acme", field: "name"))
            var issued: [String] = []
            for number in 0..<7 {
                let (token, _) = try await store.tokens.create(
                    tenant: tenant.id, connectorName: try DisplayName("pair \(number)", field: "name"), network: .wireless)
                issued.append(token.id.description)
            }
            let pages = try await Self.pages(client, "/api/v1/tokens", key: "tokens", apiKey: key.revealed, limit: 3)
            #expect(pages.map(\.count) == [3, 3, 1])
            #expect(pages.flatMap { $0 } == Array(issued.reversed()), "newest first, each once")

            let all = try await client.send(.get, "/api/v1/tokens", apiKey: key.revealed)
            #expect((all.json["tokens"] as? [Any])?.count == 7, "the default limit (100) holds them all")
            #expect(all.json["nextCursor"] == nil)
        }
    }

    @Test("a token issued between two pages neither shifts nor repeats the tokens already listed")
    func tokensStableUnderInserts() async throws {
        try await withOperatorAPI { store, client in
            let (tenant, key) = try await store.tenants.create(name: try DisplayName("Acme", field: "name"))
            for number in 0..<4 {
                _ = try await store.tokens.create(
                    tenant: tenant.id, connectorName: try DisplayName("pair \(number)", field: "name"), network: .wireless)
            }
            let first = try await client.send(.get, "/api/v1/tokens?limit=2", apiKey: key.revealed)
            let firstIDs = try #require(first.json["tokens"] as? [[String: Any]]).compactMap { $0["id"] as? String }
            let cursor = try #require(first.json["nextCursor"] as? String)
            // Issued after the first page was read: newer than everything, so it belongs before it.
            _ = try await store.tokens.create(tenant: tenant.id, connectorName: try DisplayName("late", field: "name"), network: .wired)
            let second = try await client.send(.get, "/api/v1/tokens?limit=2&cursor=\(cursor)", apiKey: key.revealed)
            let secondIDs = try #require(second.json["tokens"] as? [[String: Any]]).compactMap { $0["id"] as? String }
            let everyOld = try await store.tokens.list(tenant: tenant.id).map(\.id.description)
            #expect(Set(firstIDs).isDisjoint(with: secondIDs))
            #expect(firstIDs + secondIDs == Array(everyOld.dropFirst()), "the four older tokens, in order, once each")
            #expect(second.json["nextCursor"] == nil)
        }
    }

    @Test("connectors page by group and id, and filter by status, network and search (name, hostname, IP)")
    func connectorsPageAndFilter() async throws {
        try await withOperatorAPI { store, client in
            let (tenant, key) = try await store.tenants.create(name: try DisplayName("Acme", field: "name"))
            var number = 0
            var everyConnector: [String] = []
            for (name, network) in [("Store North", NetworkKind.wireless), ("Store South", .wireless), ("Depot", .wired)] {
                let (token, _) = try await store.tokens.create(
                    tenant: tenant.id, connectorName: try DisplayName(name, field: "name"), network: network)
                for member in 0..<2 {
                    number += 1
                    let join = try await store.connectors.join(
                        tenant: tenant.id, token: token.id,
                        hello: try Self.hello(number, host: "\(name.lowercased().replacingOccurrences(of: " ", with: "-"))-\(member)"),
                        session: UUID(), node: try NodeID("test-node"), rules: PairingRules())
                    everyConnector.append(join.connectorID.description)
                }
            }
            let pages = try await Self.pages(client, "/api/v1/connectors", key: "connectors", apiKey: key.revealed, limit: 4)
            #expect(pages.map(\.count) == [4, 2])
            #expect(Set(pages.flatMap { $0 }) == Set(everyConnector) && pages.flatMap { $0 }.count == 6)

            func ids(_ query: String) async throws -> Set<String> {
                let response = try await client.send(.get, "/api/v1/connectors?\(query)", apiKey: key.revealed)
                #expect(response.status == .ok, "\(query)")
                return Set(try #require(response.json["connectors"] as? [[String: Any]]).compactMap { $0["id"] as? String })
            }
            #expect(try await ids("network=wired") == Set(everyConnector[4...]))
            #expect(try await ids("search=store%20s") == Set(everyConnector[2..<4]), "token name, case-insensitive")
            #expect(try await ids("search=depot-1") == [everyConnector[5]], "hostname")
            #expect(try await ids("search=10.9.0.4") == [everyConnector[2]], "IP address (the third connector is number 3: 10.9.0.4)")
            #expect(try await ids("status=active&network=wireless").count == 4)
            #expect(try await ids("status=inactive").isEmpty)
            let filtered = try await Self.pages(
                client, "/api/v1/connectors?network=wireless", key: "connectors", apiKey: key.revealed, limit: 3)
            #expect(filtered.map(\.count) == [3, 1], "a filter and paging together")
        }
    }

    @Test("HA groups page by token id with their health and members, and filter by health, network and search")
    func groupsPageAndFilter() async throws {
        try await withOperatorAPI { store, client in
            let (_, key) = try await FleetTests.fleet(store, healthy: 4, degraded: 2, down: 1)
            let pages = try await Self.pages(client, "/api/v1/ha-groups", key: "groups", apiKey: key, limit: 3)
            let ids = pages.flatMap { $0 }
            #expect(pages.map(\.count) == [3, 3, 1])
            #expect(ids == ids.sorted() && Set(ids).count == 7, "token-id order, each group once")

            let degraded = try await client.send(.get, "/api/v1/ha-groups?health=degraded", apiKey: key)
            let groups = try #require(degraded.json["groups"] as? [[String: Any]])
            #expect(groups.count == 2 && groups.allSatisfy { $0["health"] as? String == "degraded" })
            let first = try #require(groups.first)
            #expect((first["haActive"] as? [String])?.count == 1)
            #expect(
                (first["members"] as? [[String: Any]])?.map { $0["status"] as? String }.sorted { ($0 ?? "") < ($1 ?? "") } == [
                    "active", "inactive",
                ])
            #expect(first["lastFailover"] is String, "a degraded group's failover")
            let search = try await client.send(.get, "/api/v1/ha-groups?search=down-0-1", apiKey: key)
            #expect((search.json["groups"] as? [[String: Any]])?.map { $0["connectorName"] as? String } == ["down 0"])
            let wired = try await client.send(.get, "/api/v1/ha-groups?network=wired", apiKey: key)
            #expect((wired.json["groups"] as? [[String: Any]])?.count == 1, "the fifth group is wired")
        }
    }

    @Test("a bad limit, cursor or filter is a 400 naming the parameter, on every list route")
    func badParametersRefused() async throws {
        try await withOperatorAPI { store, client in
            let (_, key) = try await store.tenants.create(name: try DisplayName("Acme", field: "name"))
            let foreign = PageCursor.encode(["not-a-number", UUID().uuidString])
            let cases: [(String, String)] = [
                ("/api/v1/tokens?limit=0", "limit"), ("/api/v1/tokens?limit=1001", "limit"), ("/api/v1/analysts?limit=x", "limit"),
                ("/api/v1/connectors?limit=-1", "limit"), ("/api/v1/tokens?cursor=garbage", "cursor"),
                ("/api/v1/analysts?cursor=\(foreign)", "cursor"), ("/api/v1/connectors?cursor=\(foreign)", "cursor"),
                ("/api/v1/connectors?status=dead", "status"), ("/api/v1/connectors?network=lte", "network"),
                ("/api/v1/connectors?search=", "search"), ("/api/v1/ha-groups?health=dead", "health"),
                ("/api/v1/ha-groups?limit=5000", "limit"), ("/api/v1/ha-groups?cursor=\(foreign)", "cursor"),
                ("/api/v1/ha-groups?network=lte", "network"), ("/api/v1/ha-groups?search=", "search"),
                ("/api/v1/controllers?limit=0", "limit"), ("/api/v1/controllers?cursor=\(foreign)", "cursor"),
            ]
            for (path, field) in cases {
                let response = try await client.send(.get, path, apiKey: key.revealed)
                #expect(response.status == .badRequest, "\(path)")
                let error = response.json["error"] as? [String: Any]
                #expect(error?["code"] as? String == "invalid_field", "\(path)")
                #expect(error?["field"] as? String == field, "\(path)")
            }
            let largest = try await client.send(.get, "/api/v1/tokens?limit=1000", apiKey: key.revealed)
            #expect(largest.status == .ok)
        }
    }
}
