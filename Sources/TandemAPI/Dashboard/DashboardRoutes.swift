import Foundation
import Hummingbird
import TandemCore
import TandemStore

/// The operator dashboard: `GET /` (sign-in form or the tenant's HA pairs),
/// `POST /login` (the API key in the form body, never in a URL; sets an HTTP-only, SameSite
/// session cookie), `POST /logout`, `GET /dashboard/cards` (the cards alone, for the refresh)
/// and `GET /dashboard/connectors/{id}`.
struct DashboardRoutes {
    let store: Store
    let sessions: DashboardSessions
    let throttle: AuthenticationThrottle
    /// Mark the cookie `Secure` (the listener serves HTTPS).
    let secureCookie: Bool

    static let cookieName = "tandem_session"

    func add(to router: Router<OperatorContext>) {
        router.get("") { request, _ -> Response in
            guard let tenant = tenant(of: request) else { return html(DashboardPage.login(error: nil)) }
            let name = try await store.tenants.find(tenant)?.name.value ?? tenant.description
            return html(DashboardPage.dashboard(tenantName: name, groups: try await groups(tenant), now: Date()))
        }
        router.get("dashboard/cards") { request, _ -> Response in
            guard let tenant = tenant(of: request) else { throw APIError.unauthorized }
            return html(DashboardPage.cards(try await groups(tenant), now: Date()))
        }
        router.get("dashboard/connectors/{id}") { request, context -> Response in
            guard let tenant = tenant(of: request) else { return redirect("/") }
            guard let text = context.parameters.get("id"), let id = ConnectorID(text),
                let connector = try await store.connectors.find(tenant: tenant, id: id)
            else { return html(DashboardPage.notFound("connector"), status: .notFound) }
            let now = Date()
            return html(ConnectorPage.render(ConnectorRoutes.Details(connector, now: now), now: now))
        }
        router.post("login") { request, context -> Response in
            let form = SignInForm(body: try await request.body.collect(upTo: SignInForm.maximumSize).readableBytesView)
            guard let tenant = try await store.tenants.authenticate(apiKey: Secret(form.apiKey)) else {
                if let wait = throttle.fail(context.throttleKey) { throw APIError.tooManyFailures(retryAfter: wait) }
                var response = html(DashboardPage.login(error: "That API key is unknown or revoked."))
                response.status = .unauthorized
                return response
            }
            let session = sessions.open(tenant)
            var response = redirect("/")
            response.headers[.setCookie] = cookie(session.revealed, maxAge: Int(sessions.lifetime))
            return response
        }
        router.post("logout") { request, _ -> Response in
            if let id = Self.cookieValue(request) { sessions.close(Secret(id)) }
            var response = redirect("/")
            response.headers[.setCookie] = cookie("", maxAge: 0)
            return response
        }
    }

    private func tenant(of request: Request) -> TenantID? {
        Self.cookieValue(request).flatMap { sessions.tenant(of: Secret($0)) }
    }

    private func groups(_ tenant: TenantID) async throws -> [DashboardPage.Group] {
        let tokens = try await store.tokens.list(tenant: tenant).filter { $0.revokedAt == nil }
        let connectors = try await store.connectors.list(tenant: tenant)
        let minutes = try await store.pairStatistics.recent(tenant: tenant, since: Date().addingTimeInterval(-3_600))
        var groups: [DashboardPage.Group] = []
        for token in tokens {
            groups.append(
                .init(
                    token: token, state: try await store.groups.state(tenant: tenant, token: token.id, historyLimit: 20),
                    members: connectors.filter { $0.tokenID == token.id },
                    devices: try await store.groups.configuration(tenant: tenant, token: token.id)?.devices ?? [],
                    minutes: minutes.filter { $0.group == token.id }))
        }
        return groups
    }

    private func cookie(_ value: String, maxAge: Int) -> String {
        "\(Self.cookieName)=\(value); Path=/; HttpOnly; SameSite=Strict; Max-Age=\(maxAge)\(secureCookie ? "; Secure" : "")"
    }

    private func html(_ page: HTML, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [
                .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                .init("Content-Security-Policy")!:
                    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'",
            ],
            body: .init(byteBuffer: .init(string: page.text)))
    }

    private func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }

    static func cookieValue(_ request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for part in header.split(separator: ";") {
                let pair = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                if pair.count == 2, pair[0] == cookieName, !pair[1].isEmpty { return String(pair[1]) }
            }
        }
        return nil
    }

}
