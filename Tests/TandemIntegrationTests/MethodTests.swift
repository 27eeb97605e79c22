import Foundation
import Hummingbird
import HummingbirdTesting
import TandemCore
import TandemStore
import Testing

@Suite("HTTP methods: HEAD wherever GET works, 405 with Allow for a method a path does not take")
struct MethodTests {
    @Test(
        "a wrong method on a routed path is 405 with the path's methods in Allow, for the API, the dashboard and the probes",
        arguments: [
            (HTTPRequest.Method.delete, "/api/v1/tokens", "GET, HEAD, POST"),
            (.put, "/api/v1/connectors/5e9a7b13-2c4d-4f8e-8b1a-9d6c3e2f1a07", "GET, HEAD"),
            (.post, "/api/v1/ha-groups/8d1f4c2a-6f0e-4c1b-9f62-3c7b9a1e5d40/controllers", "PUT"),
            (.get, "/login", "POST"), (.post, "/healthz", "GET, HEAD"), (.delete, "/openapi.json", "GET, HEAD"),
        ])
    func wrongMethod(method: HTTPRequest.Method, path: String, allow: String) async throws {
        try await withOperatorAPI { _, client in
            let response = try await client.send(method, path, apiKey: nil)
            #expect(response.status == .methodNotAllowed)
            #expect(response.headers[.allow] == allow)
            let error = response.json["error"] as? [String: Any]
            #expect(error?["code"] as? String == "method_not_allowed")
        }
    }

    @Test("HEAD answers what GET would, without a body; an unrouted path stays 404")
    func headAndUnknownPaths() async throws {
        try await withOperatorAPI { store, client in
            let (_, key) = try await store.tenants.create(name: try DisplayName("Acme", field: "name"))
            let get = try await client.send(.get, "/api/v1/tokens", apiKey: key.revealed)
            let head = try await client.send(.head, "/api/v1/tokens", apiKey: key.revealed)
            #expect(get.status == .ok && head.status == .ok)
            #expect(head.body.readableBytes == 0)
            #expect(head.headers[.contentType] == get.headers[.contentType])
            #expect(try await client.send(.head, "/api/v1/tokens", apiKey: nil).status == .unauthorized, "HEAD is authenticated as GET")
            #expect(try await client.send(.head, "/healthz", apiKey: nil).status == .ok)
            let unknown = try await client.send(.get, "/api/v1/nothing-here", apiKey: key.revealed)
            #expect(unknown.status == .notFound && unknown.headers[.allow] == nil)
        }
    }
}
