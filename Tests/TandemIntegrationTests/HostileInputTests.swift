import Foundation
import Hummingbird
import HummingbirdTesting
import TandemCore
import Testing

@Suite("Hostile HTTP input: always a 4xx with a JSON error, never a 500")
struct HostileInputTests {
    @Test("huge, truncated, mistyped, invalid and SQL-looking bodies, path tricks and absurd query values")
    func hostileRequests() async throws {
        try await TandemHarness.run { tandem in
            let site = try await tandem.site()
            let group = "/api/v1/ha-groups/\(site.tokenID)"
            let bodies: [(String, [UInt8])] = [
                ("huge", Array(repeating: UInt8(ascii: "a"), count: 1_000_000)),
                ("truncated", Array(#"{"connectorName": "ab"#.utf8)),
                ("not json", Array("connectorName=x".utf8)),
                ("invalid UTF-8", [0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xC3, 0x28, 0xFF, 0x22, 0x7D]),
                ("deeply nested", Array((String(repeating: "[", count: 5_000) + String(repeating: "]", count: 5_000)).utf8)),
                ("wrong types", Array(#"{"connectorName": 42, "network": ["wired"], "devices": "all", "services": {"iot": true}}"#.utf8)),
                ("nulls", Array(#"{"connectorName": null, "devices": null, "services": null}"#.utf8)),
                ("control characters", Array("{\"connectorName\": \"a\\u0000b\\u001b[31m\"}".utf8)),
            ]
            let targets: [(HTTPRequest.Method, String)] = [
                (.post, "/api/v1/tokens"), (.put, "\(group)/controllers"), (.put, "\(group)/switches"), (.post, "\(group)/reprovision"),
            ]
            try await tandem.withAPI { api in
                for (method, uri) in targets {
                    for (name, body) in bodies {
                        for contentType in ["application/json", "text/plain", "application/x-www-form-urlencoded"] {
                            try await api.execute(
                                uri: uri, method: method,
                                headers: [.authorization: "Bearer \(site.apiKey)", .contentType: contentType],
                                body: ByteBuffer(bytes: body)
                            ) { response in
                                #expect(
                                    (400..<500).contains(response.status.code),
                                    "\(method) \(uri) \(name) \(contentType): \(response.status)")
                                let json = try? JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                                #expect(json?["error"] != nil, "\(method) \(uri) \(name): no JSON error")
                            }
                        }
                    }
                }
                // SQL-looking names are data: stored and returned as they were sent.
                let sqlName = "x'); DROP TABLE tokens; --"
                try await api.execute(
                    uri: "/api/v1/tokens", method: .post,
                    headers: [.authorization: "Bearer \(site.apiKey)", .contentType: "application/json"],
                    body: ByteBuffer(string: #"{"connectorName": "x'); DROP TABLE tokens; --"}"#)
                ) { response in
                    #expect(response.status == .created)
                    #expect(String(buffer: response.body).contains(sqlName))
                }
                // Path tricks and absurd query values.
                let long = String(repeating: "a", count: 20_000)
                for uri in [
                    "/api/v1/tokens/../../healthz", "/api/v1/tokens/%2e%2e%2fhealthz", "/api/v1/tokens/\(long)",
                    "/api/v1/connectors/'%20OR%201=1--", "/api/v1/controllers/%00", "/api/v1/ha-groups/\(UUID())/../../tokens",
                    "/api/v1/tokens?limit=-1&offset=999999999999999999999999", "/api/v1/connectors?page=%FF%FE",
                ] {
                    try await api.execute(uri: uri, method: .get, headers: [.authorization: "Bearer \(site.apiKey)"]) { response in
                        #expect(response.status.code < 500, "\(uri.prefix(80)): \(response.status)")
                        if response.status.code >= 400 {
                            let json = try? JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                            #expect(json?["error"] != nil, "\(uri.prefix(80)): no JSON error")
                        }
                    }
                }
            }
            // The tokens table is intact.
            #expect(try await tandem.store.tokens.list(tenant: site.tenant).count == 2)
        }
    }
}
