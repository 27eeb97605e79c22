import Foundation
import GRPCCore
import Hummingbird
import HummingbirdTesting
import TandemConnector
import TandemCore
import Testing

@Suite("Connector details and HA group routes with live connectors")
struct ConnectorRoutesTests {
    @Test("connector details carry every Figure 8 field, with both members in haActive")
    func details() async throws {
        try await TandemHarness.run { tandem in
            let site = try await tandem.site(name: "hq <pair>")
            let first = try await tandem.connect(site, ip: "10.22.212.220", instanceID: "a")
            let second = try await tandem.connect(site, ip: "10.22.244.222", instanceID: "b")
            let data = DataStream.open(client: tandem.client, token: site.token, instanceID: "b")
            #expect(try await data.write(makeBatch(sequence: 1, events: 25)).stored == 25)
            try await tandem.withAPI { api in
                let list = try await api.send(.get, "/api/v1/connectors", apiKey: site.apiKey)
                #expect(list.status == .ok)
                let connectors = try #require(list.json["connectors"] as? [[String: Any]])
                #expect(connectors.count == 2)
                #expect(Set(connectors.compactMap { $0["ipAddress"] as? String }) == ["10.22.212.220", "10.22.244.222"])
                #expect(connectors.allSatisfy { $0["group"] as? String == site.tokenID.description && $0["status"] as? String == "active" })

                // A heartbeat brings the connector's statistics, and the data stream reports its
                // counters (at most once a second): wait until both have arrived.
                var details: [String: Any] = [:]
                let deadline = ContinuousClock.now + .seconds(10)
                while details["nmspMessagesReceived"] as? Int != 42 || details["dataChannelNmspMessages"] as? Int != 25 {
                    try #require(ContinuousClock.now < deadline, "the heartbeat's statistics never arrived: \(details)")
                    if !details.isEmpty { try await Task.sleep(for: .milliseconds(100)) }  // a poll interval
                    let response = try await api.send(.get, "/api/v1/connectors/\(second.welcome.connectorID)", apiKey: site.apiKey)
                    #expect(response.status == .ok)
                    details = response.json
                }
                for key in [
                    "connectorName", "connectorVersion", "ovaVersion", "connectorId", "numberOfAssociatedControllers",
                    "controlChannel", "dataChannel", "lastModified", "lastHeard", "macAddress", "ipAddress",
                    "dataChannelNmspMessages", "nmspMessagesReceived", "haActive", "hostname", "tenantId",
                    "channels", "controllers", "accessPointChannel",
                ] {
                    #expect(details[key] != nil, "missing \(key)")
                }
                #expect(details["connectorName"] as? String == "hq <pair>")
                #expect(details["connectorVersion"] as? String == "v2.0.446")
                #expect(details["ovaVersion"] as? String == "2.3.460")
                #expect(details["haActive"] as? [String] == ["10.22.212.220", "10.22.244.222"])
                #expect(details["dataChannelNmspMessages"] as? Int == 25)
                #expect(details["nmspMessagesReceived"] as? Int == 42)
                #expect(details["numberOfAssociatedControllers"] as? Int == 1)
                #expect(details["tenantId"] as? String == site.tenant.description)
                let control = try #require(details["controlChannel"] as? [String: Any])
                #expect(control["status"] as? String == "active")
                #expect(control["connectedAt"] is String && control["connectionDurationSeconds"] is Int)
                #expect((details["dataChannel"] as? [String: Any])?["status"] as? String == "active")
                #expect((details["lastHeard"] as? String)?.hasSuffix("Z") == true)
            }
            data.finish()
            first.kill()
            second.kill()
        }
    }

    @Test(
        "a lost connector's details are not shown as live: its controllers read CONNECTOR DOWN at 0 as the controllers view says, rates 0, the last report's time, and inactive since it was lost"
    )
    func lostConnectorFiguresAreNotLive() async throws {
        try await TandemHarness.run { tandem in
            let site = try await tandem.site()
            let doomed = try await tandem.connect(site, ip: "10.0.0.1", instanceID: "a")
            let survivor = try await tandem.connect(site, ip: "10.0.0.2", instanceID: "b")
            try await eventually("a heartbeat's figures", timeout: .seconds(60)) {
                try await tandem.store.connectors.list(tenant: site.tenant, token: site.tokenID)
                    .first { $0.instanceID == "a" }?.statistics.controllers.first?.status == "ACTIVE"
            }
            doomed.kill()
            try await eventually("the loss", timeout: .seconds(30)) {
                try await tandem.store.connectors.haActive(tenant: site.tenant, token: site.tokenID) == ["10.0.0.2"]
            }
            try await tandem.withAPI { api in
                let details = try await api.send(.get, "/api/v1/connectors/\(doomed.welcome.connectorID)", apiKey: site.apiKey).json
                #expect(details["figuresLive"] as? Bool == false)
                #expect(details["figuresReportedAt"] as? String == details["lastHeard"] as? String)
                let controllers = try #require(details["controllers"] as? [[String: Any]])
                #expect(controllers.count == 1)
                #expect(controllers.allSatisfy { $0["status"] as? String == "CONNECTOR DOWN" && $0["messageRate"] as? Double == 0 })
                #expect(details["tdlIncomingRate"] as? Double == 0)
                let control = try #require(details["controlChannel"] as? [String: Any])
                #expect(control["status"] as? String == "inactive")
                let lostAt = try #require(control["lostAt"] as? String)
                #expect(lostAt >= (control["connectedAt"] as? String ?? ""), "inactive since the loss, not the connect time")
                let view = try await api.send(.get, "/api/v1/controllers", apiKey: site.apiKey).json
                let connections = (view["controllers"] as? [[String: Any]])?.flatMap { $0["connections"] as? [[String: Any]] ?? [] } ?? []
                let seen = try #require(connections.first { $0["connectorId"] as? String == doomed.welcome.connectorID })
                #expect(
                    seen["status"] as? String == "CONNECTOR DOWN" && seen["messageRate"] as? Double == 0, "the same as the controllers view"
                )
                let live = try await api.send(.get, "/api/v1/connectors/\(survivor.welcome.connectorID)", apiKey: site.apiKey).json
                #expect(live["figuresLive"] as? Bool == true)

                let cookie = try await DashboardTests.signIn(api, key: site.apiKey)
                let html = try await FleetTests.page(api, "/dashboard/connectors/\(doomed.welcome.connectorID)", cookie: cookie)
                #expect(html.contains("Not live: last reported"), "\(html.prefix(400))")
                #expect(html.contains("Inactive (lost"))
                #expect(!html.contains(">ACTIVE<"))
            }
            survivor.kill()
        }
    }

    @Test("the HA group view reports members, health, flags and history; other tenants get 404")
    func groupView() async throws {
        try await TandemHarness.run { tandem in
            let site = try await tandem.site()
            let other = try await tandem.site(name: "other")
            let first = try await tandem.connect(site, ip: "10.0.0.1")
            let second = try await tandem.connect(site, ip: "10.0.0.2")
            second.kill()
            try await eventually("the loss", timeout: .seconds(30)) {
                try await tandem.store.connectors.haActive(tenant: site.tenant, token: site.tokenID) == ["10.0.0.1"]
            }
            try await tandem.withAPI { api in
                let group = try await api.send(.get, "/api/v1/ha-groups/\(site.tokenID)", apiKey: site.apiKey)
                #expect(group.status == .ok)
                #expect(group.json["haActive"] as? [String] == ["10.0.0.1"])
                #expect(group.json["health"] as? String == "degraded")
                #expect((group.json["members"] as? [Any])?.count == 2)
                #expect((group.json["fastLocate"] as? [String: Any])?["state"] as? String == "re-establishing")
                let kinds = (group.json["history"] as? [[String: Any]])?.compactMap { $0["kind"] as? String }
                #expect(kinds == ["failover", "lost", "joined", "joined"])

                for (method, path, body) in [
                    (HTTPRequest.Method.get, "/api/v1/ha-groups/\(site.tokenID)", nil as String?),
                    (.put, "/api/v1/ha-groups/\(site.tokenID)/controllers", #"{"devices": []}"#),
                    (.post, "/api/v1/ha-groups/\(site.tokenID)/reprovision", #"{"services": ["iot"]}"#),
                    (.get, "/api/v1/connectors/\(first.welcome.connectorID)", nil),
                ] {
                    let response = try await api.send(method, path, apiKey: other.apiKey, body: body)
                    #expect(response.status == .notFound, "\(method) \(path) as another tenant")
                }
                let wrongKind = try await api.send(
                    .put, "/api/v1/ha-groups/\(site.tokenID)/switches", apiKey: site.apiKey, body: #"{"devices": []}"#)
                #expect(wrongKind.status == .badRequest)
                #expect(wrongKind.errorMessage.contains("wireless"))
                let badIP = try await api.send(
                    .put, "/api/v1/ha-groups/\(site.tokenID)/controllers", apiKey: site.apiKey,
                    body: #"{"devices": [{"ipAddress": "'; DROP TABLE events; --"}]}"#)
                #expect(badIP.status == .badRequest)
                #expect(badIP.errorField == "devices[0].ipAddress")
                let badService = try await api.send(
                    .post, "/api/v1/ha-groups/\(site.tokenID)/reprovision", apiKey: site.apiKey, body: #"{"services": ["fastlocate"]}"#)
                #expect(badService.status == .badRequest)
            }
            // The last member goes too: the group is down and FastLocate stopped since that loss.
            first.kill()
            try await eventually("the group to go down") {
                try await tandem.store.connectors.haActive(tenant: site.tenant, token: site.tokenID).isEmpty
            }
            try await tandem.withAPI { api in
                let group = try await api.send(.get, "/api/v1/ha-groups/\(site.tokenID)", apiKey: site.apiKey)
                #expect(group.json["health"] as? String == "down")
                let fastLocate = try #require(group.json["fastLocate"] as? [String: Any])
                #expect(fastLocate["state"] as? String == "stopped")
                let history = try #require(group.json["history"] as? [[String: Any]])
                let lastLoss = try #require(history.first { $0["kind"] as? String == "lost" })
                #expect(fastLocate["since"] as? String == lastLoss["occurredAt"] as? String)
            }
        }
    }
}
