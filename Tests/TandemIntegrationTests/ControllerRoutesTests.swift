import Foundation
import Hummingbird
import HummingbirdTesting
import TandemConnector
import TandemCore
import Testing

@Suite("Controller view: GET /api/v1/controllers")
struct ControllerRoutesTests {
    @Test("each controller lists the connectors connected to it; one seen by only one member of an active pair is flagged")
    func controllersAndFlag() async throws {
        try await TandemHarness.run { tandem in
            let site = try await tandem.site()
            let both = "172.20.239.66"
            let lopsided = "172.20.239.67"
            let a = try await tandem.connect(site, ip: "10.0.0.1", controllers: [both, lopsided])
            let b = try await tandem.connect(site, ip: "10.0.0.2", controllers: [both])
            let other = try await tandem.site(name: "other")
            try await tandem.withAPI { api in
                try await api.execute(
                    uri: "/api/v1/ha-groups/\(site.tokenID)/controllers", method: .put,
                    headers: [.authorization: "Bearer \(site.apiKey)", .contentType: "application/json"],
                    body: .init(string: #"{"devices": [{"ipAddress": "172.20.239.66", "name": "<b>wlc-1</b>"}]}"#)
                ) { #expect($0.status == .ok) }
                try await eventually("both heartbeats to report their controllers") {
                    let (reports, _) = try await tandem.store.connectors.controllerReports(tenant: site.tenant)
                    return reports.filter { !$0.statistics.controllers.isEmpty }.count == 2
                }
                let list = try await api.execute(
                    uri: "/api/v1/controllers", method: .get, headers: [.authorization: "Bearer \(site.apiKey)"]
                ) { response in
                    #expect(response.status == .ok)
                    return try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                }
                let controllers = try #require(list?["controllers"] as? [[String: Any]])
                #expect(controllers.map { $0["ipAddress"] as? String } == [both, lopsided])
                #expect(controllers[0]["activeConnections"] as? Int == 2)
                #expect(controllers[0]["flagged"] as? Bool == false)
                #expect(controllers[0]["names"] as? [String] == ["<b>wlc-1</b>"])
                #expect(controllers[1]["activeConnections"] as? Int == 1)
                #expect(controllers[1]["flagged"] as? Bool == true)
                #expect(controllers[1]["seenByOneMemberOnly"] as? [String] == [site.tokenID.description])
                let connection = try #require((controllers[1]["connections"] as? [[String: Any]])?.first)
                #expect(connection["connectorIpAddress"] as? String == "10.0.0.1")
                #expect(connection["messageRate"] as? Double == 58)

                try await api.execute(
                    uri: "/api/v1/controllers/\(lopsided)", method: .get, headers: [.authorization: "Bearer \(site.apiKey)"]
                ) { #expect($0.status == .ok) }
                // A page at a time, by address.
                let first = try await api.execute(
                    uri: "/api/v1/controllers?limit=1", method: .get, headers: [.authorization: "Bearer \(site.apiKey)"]
                ) { try JSONSerialization.jsonObject(with: Data(buffer: $0.body)) as? [String: Any] }
                #expect((first?["controllers"] as? [[String: Any]])?.map { $0["ipAddress"] as? String } == [both])
                let cursor = try #require(first?["nextCursor"] as? String)
                let second = try await api.execute(
                    uri: "/api/v1/controllers?limit=1&cursor=\(cursor)", method: .get, headers: [.authorization: "Bearer \(site.apiKey)"]
                ) { try JSONSerialization.jsonObject(with: Data(buffer: $0.body)) as? [String: Any] }
                #expect((second?["controllers"] as? [[String: Any]])?.map { $0["ipAddress"] as? String } == [lopsided])
                #expect(second?.keys.contains("nextCursor") == false, "no nextCursor on the last page")
                // Another tenant learns nothing: an empty list, and 404 for the address.
                try await api.execute(
                    uri: "/api/v1/controllers", method: .get, headers: [.authorization: "Bearer \(other.apiKey)"]
                ) { response in
                    let json = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                    #expect((json?["controllers"] as? [Any])?.isEmpty == true && json?.keys.contains("nextCursor") == false)
                }
                try await api.execute(
                    uri: "/api/v1/controllers/\(both)", method: .get, headers: [.authorization: "Bearer \(other.apiKey)"]
                ) { #expect($0.status == .notFound) }
                try await api.execute(uri: "/api/v1/controllers", method: .get) { #expect($0.status == .unauthorized) }
            }
            a.kill()
            b.kill()
        }
    }
}
