import Foundation
import Hummingbird
import HummingbirdTesting
import TandemConnector
import TandemCore
import Testing

@Suite("Dashboard: sign-in, HA pair cards, connector page, escaping")
struct DashboardTests {
    static let hostile = #"<script>alert("x")</script>'"#

    /// Signs in through the form; returns the session cookie (`name=value`).
    static func signIn(_ api: any TestClientProtocol, key: String) async throws -> String {
        try await api.execute(
            uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
            body: .init(string: "apiKey=\(key.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")")
        ) { response in
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == "/")
            let cookie = try #require(response.headers[.setCookie])
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))
            #expect(!cookie.contains(key))
            return String(cookie.split(separator: ";")[0])
        }
    }

    @Test("a wrong key gets the form again; the right one a cookie session; the card escapes hostile connector and controller names")
    func signInAndEscaping() async throws {
        try await TandemHarness.run { tandem in
            let site = try await tandem.site(name: Self.hostile)
            let members = [
                try await ControlStream.open(
                    client: tandem.client, token: site.token,
                    identity: ConnectorIdentity(hostname: #"<img src=x onerror="alert(1)">"#, ipAddress: "10.0.0.1"),
                    heartbeat: {
                        .with {
                            $0.controllers = [
                                .with {
                                    $0.ipAddress = "172.20.0.1"
                                    $0.status = "<b>ACTIVE</b>"
                                }
                            ]
                        }
                    }),
                try await tandem.connect(site, ip: "10.0.0.2"),
            ]
            try await tandem.withAPI { api in
                try await api.execute(
                    uri: "/api/v1/ha-groups/\(site.tokenID)/controllers", method: .put,
                    headers: [.authorization: "Bearer \(site.apiKey)", .contentType: "application/json"],
                    body: .init(string: #"{"devices": [{"ipAddress": "172.20.0.1", "name": "<svg onload=alert(2)>"}]}"#)
                ) { #expect($0.status == .ok) }

                try await api.execute(uri: "/", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(String(buffer: response.body).contains(#"<form class="login" method="post" action="/login">"#))
                }
                try await api.execute(
                    uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                    body: .init(string: "apiKey=tdk_wrong")
                ) { response in
                    #expect(response.status == .unauthorized)
                    #expect(response.headers[.setCookie] == nil)
                    #expect(String(buffer: response.body).contains("unknown or revoked"))
                }
                let cookie = try await Self.signIn(api, key: site.apiKey)
                let page = try await api.execute(uri: "/", method: .get, headers: [.cookie: cookie]) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                    return String(buffer: response.body)
                }
                // The fleet view: the group's row, its members, its health; everything escaped.
                #expect(page.contains("10.0.0.1") && page.contains("10.0.0.2"))
                #expect(page.contains(#"<span class="badge healthy">healthy</span>"#))
                #expect(page.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;"))
                #expect(page.contains("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"))
                #expect(!page.contains("<script>alert") && !page.contains("<img src=x"))
                #expect(!page.contains(site.apiKey) && !page.contains(site.token))
                // The group's card: its configured controllers too, escaped.
                let card = try await api.execute(uri: "/dashboard/groups/\(site.tokenID)", method: .get, headers: [.cookie: cookie]) {
                    #expect($0.status == .ok)
                    return String(buffer: $0.body)
                }
                #expect(card.contains("&lt;svg onload=alert(2)&gt;") && !card.contains("<svg onload"))
                #expect(card.contains("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;") && !card.contains("<img src=x"))

                // The refresh fragment needs the session too.
                try await api.execute(uri: "/dashboard/fleet", method: .get) { #expect($0.status == .unauthorized) }
                try await api.execute(uri: "/dashboard/fleet", method: .get, headers: [.cookie: cookie]) { response in
                    #expect(String(buffer: response.body).hasPrefix(#"<section class="card summary">"#))
                    #expect(String(buffer: response.body).contains("10.0.0.2"))
                }

                // The connector page shows every field of the details endpoint, escaped.
                let connectorID = members[0].welcome.connectorID
                let details = try await api.execute(
                    uri: "/api/v1/connectors/\(connectorID)", method: .get, headers: [.authorization: "Bearer \(site.apiKey)"]
                ) { try JSONSerialization.jsonObject(with: Data(buffer: $0.body)) as? [String: Any] ?? [:] }
                try await eventually("the heartbeat's controllers to be stored") {
                    try await tandem.store.connectors.find(tenant: site.tenant, id: ConnectorID(connectorID)!)?.statistics.controllers
                        .isEmpty == false
                }
                let connectorPage = try await api.execute(
                    uri: "/dashboard/connectors/\(connectorID)", method: .get, headers: [.cookie: cookie]
                ) { String(buffer: $0.body) }
                for key in details.keys { #expect(connectorPage.contains("data-field=\"\(key)\""), "field \(key) missing") }
                for label in ["Connector Name", "Control Channel Connection Duration", "NMSP Messages Received", "TDL Incoming Msg Rate"] {
                    #expect(connectorPage.contains("<th>\(label)</th>"), "human label \(label)")
                }
                #expect(!connectorPage.contains("{\"connectedAt\""), "no raw JSON on the page")
                #expect(connectorPage.contains("&lt;b&gt;ACTIVE&lt;/b&gt;") && !connectorPage.contains("<b>ACTIVE"))

                // Another tenant's session sees none of it.
                let other = try await tandem.site(name: "other")
                let otherCookie = try await Self.signIn(api, key: other.apiKey)
                try await api.execute(uri: "/dashboard/connectors/\(connectorID)", method: .get, headers: [.cookie: otherCookie]) {
                    #expect($0.status == .notFound)
                    #expect($0.headers[.contentType]?.hasPrefix("text/html") == true, "a page, not a JSON error, in the browser")
                    #expect(String(buffer: $0.body).contains("<h2>Not found</h2>") && !String(buffer: $0.body).contains("10.0.0.1"))
                }
                try await api.execute(uri: "/", method: .get, headers: [.cookie: otherCookie]) {
                    #expect(!String(buffer: $0.body).contains("10.0.0.1"))
                }

                // Signing out ends the session.
                try await api.execute(uri: "/logout", method: .post, headers: [.cookie: cookie]) { response in
                    #expect(response.headers[.setCookie]?.contains("Max-Age=0") == true)
                }
                try await api.execute(uri: "/dashboard/fleet", method: .get, headers: [.cookie: cookie]) {
                    #expect($0.status == .unauthorized)
                }
            }
            for member in members { member.kill() }
        }
    }
}
