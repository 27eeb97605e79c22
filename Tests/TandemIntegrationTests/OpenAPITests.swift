import Foundation
import Hummingbird
import HummingbirdTesting
import TandemAPI
import TandemConnector
import TandemCore
import TandemOpenAPI
import Testing

@Suite("OpenAPI: GET /openapi.json describes exactly the routes, and its examples match live responses")
struct OpenAPITests {
    static func document(_ api: any TestClientProtocol) async throws -> [String: Any] {
        try await api.execute(uri: "/openapi.json", method: .get) { response in
            #expect(response.status == .ok)
            return try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any] ?? [:]
        }
    }

    @Test("every routed method and path is documented, and every documented one is routed")
    func routesMatchTheDocument() async throws {
        try await TandemHarness.run { tandem in
            let routed = Set(
                try tandem.api.makeRouter().routes.map { route -> String in
                    let path = route.path.description
                    return "\(route.method.rawValue) \(path == "/" || path.isEmpty ? "/" : path)"
                })
            try await tandem.withAPI { api in
                let document = try await Self.document(api)
                #expect(document["openapi"] as? String == "3.1.0")
                let servers = document["servers"] as? [[String: Any]] ?? []
                #expect(servers.map { $0["url"] as? String } == ["/"], "a relative server: whatever address the document came from")
                let paths = try #require(document["paths"] as? [String: [String: Any]])
                let documented = Set(paths.flatMap { path, operations in operations.keys.map { "\($0.uppercased()) \(path)" } })
                #expect(routed.subtracting(documented).sorted() == [], "routed but not documented")
                #expect(documented.subtracting(routed).sorted() == [], "documented but not routed")
            }
        }
    }

    /// Decodes JSON as the generated type of a schema of OpenAPI/openapi.json, and says where
    /// it and that type's own encoding of it differ in keys (a key the type does not know).
    typealias SchemaCheck = @Sendable (Data) throws -> [String]

    static func check<Schema: Codable & Sendable>(_ type: Schema.Type) -> SchemaCheck {
        { data in
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            let value = try decoder.decode(Schema.self, from: data)
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .iso8601
            let again = try JSONSerialization.jsonObject(with: encoder.encode(value), options: [.fragmentsAllowed])
            return keyDifferences(try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]), again)
        }
    }

    /// Keys of `json` missing from `typed` (which drops unknown keys and nulls), at any depth.
    static func keyDifferences(_ json: Any, _ typed: Any, at path: String = "$") -> [String] {
        switch (json, typed) {
        case (let json as [String: Any], let typed as [String: Any]):
            var problems: [String] = []
            for (key, value) in json where !(value is NSNull) {
                guard let other = typed[key] else {
                    problems.append("\(path).\(key) is not in the schema")
                    continue
                }
                problems += keyDifferences(value, other, at: "\(path).\(key)")
            }
            return problems
        case (let json as [Any], let typed as [Any]):
            return zip(json, typed).enumerated().flatMap { index, pair in keyDifferences(pair.0, pair.1, at: "\(path)[\(index)]") }
        default:
            return []
        }
    }

    /// The generated type of each response schema.
    static let schemaChecks: [String: SchemaCheck] = [
        "Error": check(Components.Schemas._Error.self), "Health": check(Components.Schemas.Health.self),
        "IssuedToken": check(Components.Schemas.IssuedToken.self), "Token": check(Components.Schemas.Token.self),
        "TokenList": check(Components.Schemas.TokenList.self), "IssuedAnalyst": check(Components.Schemas.IssuedAnalyst.self),
        "Analyst": check(Components.Schemas.Analyst.self), "AnalystList": check(Components.Schemas.AnalystList.self),
        "ConnectorList": check(Components.Schemas.ConnectorList.self),
        "ConnectorDetails": check(Components.Schemas.ConnectorDetails.self),
        "ControllerList": check(Components.Schemas.ControllerList.self), "Controller": check(Components.Schemas.Controller.self),
        "HAGroupList": check(Components.Schemas.HAGroupList.self), "HAGroup": check(Components.Schemas.HAGroup.self),
        "Devices": check(Components.Schemas.Devices.self),
    ]

    /// The schema name a JSON response refers to.
    static func schemaName(_ media: [String: Any]) -> String? {
        ((media["schema"] as? [String: Any])?["$ref"] as? String).map { String($0.split(separator: "/").last!) }
    }

    @Test(
        "each documented JSON example, and the live response to the same request, decode as the schema's generated type with no key it lacks"
    )
    func examplesMatchLiveResponses() async throws {
        try await TandemHarness.run { tandem in
            let site = try await tandem.site()
            let a = try await tandem.connect(site, ip: "10.0.0.1")
            let b = try await tandem.connect(site, ip: "10.0.0.2")
            try await eventually("the heartbeats' controllers") {
                try await tandem.store.connectors.controllerReports(tenant: site.tenant).reports
                    .allSatisfy { !$0.statistics.controllers.isEmpty }
            }
            let auth: HTTPFields = [.authorization: "Bearer \(site.apiKey)", .contentType: "application/json"]
            let connector = a.welcome.connectorID
            // The list is checked against its example whatever order the requests run in.
            _ = try await tandem.store.analysts.create(tenant: site.tenant, name: try DisplayName("listed", field: "name"))
            // operationId and status → the request that produces that response.
            let requests: [String: (uri: String, method: HTTPRequest.Method, headers: HTTPFields, body: String?)] = [
                "healthz 200": ("/healthz", .get, [:], nil),
                "readyz 200": ("/readyz", .get, [:], nil),
                "createToken 201": ("/api/v1/tokens", .post, auth, #"{"connectorName": "Store 12"}"#),
                "createToken 400": ("/api/v1/tokens", .post, auth, #"{"connectorName": ""}"#),
                "createToken 401": ("/api/v1/tokens", .post, [.contentType: "application/json"], #"{"connectorName": "x"}"#),
                "createToken 413": ("/api/v1/tokens", .post, auth, String(repeating: " ", count: 70_000)),
                "createToken 415": ("/api/v1/tokens", .post, [.authorization: "Bearer \(site.apiKey)", .contentType: "text/plain"], "x"),
                "listTokens 200": ("/api/v1/tokens", .get, auth, nil),
                "createAnalyst 201": ("/api/v1/analysts", .post, auth, #"{"name": "reporting"}"#),
                "listAnalysts 200": ("/api/v1/analysts", .get, auth, nil),
                "getToken 200": ("/api/v1/tokens/\(site.tokenID)", .get, auth, nil),
                "getToken 404": ("/api/v1/tokens/\(TokenID.random())", .get, auth, nil),
                "listConnectors 200": ("/api/v1/connectors", .get, auth, nil),
                "getConnector 200": ("/api/v1/connectors/\(connector)", .get, auth, nil),
                "listControllers 200": ("/api/v1/controllers", .get, auth, nil),
                "getController 200": ("/api/v1/controllers/172.20.239.66", .get, auth, nil),
                "getHAGroup 200": ("/api/v1/ha-groups/\(site.tokenID)", .get, auth, nil),
            ]
            try await tandem.withAPI { api in
                let document = try await Self.document(api)
                let components = try #require(document["components"] as? [String: Any])
                let sharedResponses = components["responses"] as? [String: [String: Any]] ?? [:]
                var checked = 0
                for (_, operations) in try #require(document["paths"] as? [String: [String: [String: Any]]]) {
                    for (_, operation) in operations {
                        let id = try #require(operation["operationId"] as? String)
                        for (status, value) in operation["responses"] as? [String: [String: Any]] ?? [:] {
                            var response = value
                            if let reference = value["$ref"] as? String {
                                response = sharedResponses[String(reference.split(separator: "/").last!)] ?? [:]
                            }
                            guard let media = (response["content"] as? [String: Any])?["application/json"] as? [String: Any],
                                let example = media["example"]
                            else { continue }
                            let name = try #require(Self.schemaName(media), "\(id) \(status): a JSON response names its schema")
                            let check = try #require(Self.schemaChecks[name], "\(id) \(status): no generated type checked for \(name)")
                            let exampleProblems = try check(JSONSerialization.data(withJSONObject: example, options: [.fragmentsAllowed]))
                            #expect(exampleProblems == [], "\(id) \(status): the example")
                            guard let request = requests["\(id) \(status)"] else { continue }
                            try await api.execute(
                                uri: request.uri, method: request.method, headers: request.headers,
                                body: request.body.map { ByteBuffer(string: $0) }
                            ) { live in
                                #expect("\(live.status.code)" == status, "\(id): status")
                                let liveProblems = try check(Data(buffer: live.body))
                                #expect(liveProblems == [], "\(id) \(status): the live response")
                            }
                            checked += 1
                        }
                    }
                }
                #expect(checked >= requests.count - 2, "examples checked: \(checked)")
            }
            a.kill()
            b.kill()
        }
    }
}
