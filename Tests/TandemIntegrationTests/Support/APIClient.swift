import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import TandemAPI
import TandemCore
import TandemStore

/// Runs `body` against the operator API's router (no socket) over a fresh test database.
func withOperatorAPI<T: Sendable>(
    _ body: @Sendable (Store, any TestClientProtocol) async throws -> T
) async throws -> T {
    try await TestDatabase.withStore { store, _ in
        let app = Application(router: try OperatorAPI(store: store, notifier: NoConnectedSessions()).makeRouter())
        return try await app.test(.router) { client in try await body(store, client) }
    }
}

extension TestClientProtocol {
    /// Sends a request as an operator holding `apiKey` (or none), with an optional raw body.
    func send(
        _ method: HTTPRequest.Method, _ uri: String, apiKey: String?, body: String? = nil,
        contentType: String? = "application/json"
    ) async throws -> TestResponse {
        var headers = HTTPFields()
        if let apiKey { headers[.authorization] = "Bearer \(apiKey)" }
        if body != nil, let contentType { headers[.contentType] = contentType }
        return try await execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
    }
}

extension TestResponse {
    /// The body parsed as a JSON object.
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
    }

    /// The `error.message` of a JSON error body.
    var errorMessage: String { ((json["error"] as? [String: Any])?["message"] as? String) ?? "" }

    /// The `error.field` of a JSON error body.
    var errorField: String? { (json["error"] as? [String: Any])?["field"] as? String }
}

/// A notifier for API tests that run without the ingest layer: no connector is connected.
struct NoConnectedSessions: HAGroupNotifier {
    func configurationChanged(tenant: TenantID, token: TokenID) async {}
    func reprovisionRequested(tenant: TenantID, token: TokenID, services: [String]) async {}
    func tokenRevoked(tenant: TenantID, token: TokenID) async {}
}
