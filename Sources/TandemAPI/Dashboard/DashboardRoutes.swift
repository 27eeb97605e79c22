import Foundation
import Hummingbird
import TandemCore
import TandemStore

/// The operator dashboard: `GET /` (sign-in form or the fleet view), `POST /login` (the API
/// key in the form body, never in a URL; sets an HTTP-only, SameSite session cookie),
/// `POST /logout`, `GET /dashboard/fleet` (the summary and the page's table alone, for the
/// refresh), `GET /dashboard/groups/{tokenId}` (one group's card) and
/// `GET /dashboard/connectors/{id}`.
struct DashboardRoutes {
    let store: Store
    let sessions: DashboardSessions
    let throttle: AuthenticationThrottle
    /// Mark the cookie `Secure` (the listener serves HTTPS).
    let secureCookie: Bool

    static let cookieName = "tandem_session"

    func add(to router: Router<OperatorContext>) {
        router.get("") { request, context -> Response in
            try await page(context) { try await fleet(request) }
        }
        router.get("dashboard/fleet") { request, context -> Response in
            try await page(context) { try await fleetFragment(request) }
        }
        router.get("dashboard/groups/{tokenId}") { request, context -> Response in
            try await page(context) { try await groupPage(request, context) }
        }
        router.get("dashboard/connectors/{id}") { request, context -> Response in
            try await page(context) { try await connectorPage(request, context) }
        }
        router.post("login") { request, context -> Response in
            try await page(context) { try await signIn(request, context) }
        }
        router.post("logout") { request, _ -> Response in
            if let id = Self.cookieValue(request) { sessions.close(Secret(id)) }
            var response = redirect("/")
            response.headers[.setCookie] = cookie("", maxAge: 0)
            return response
        }
    }

    /// Runs a console handler: whatever it throws becomes an HTML page with the status and the
    /// message the API would give (the console never answers JSON, not even for a bad query).
    private func page(_ context: OperatorContext, _ body: () async throws -> Response) async throws -> Response {
        do {
            return try await body()
        } catch {
            let answer = ErrorMiddleware.answer(to: error, context: context)
            var response = html(DashboardPage.error(answer), status: answer.status)
            if let retry = answer.retryAfter { response.headers[.retryAfter] = "\(retry)" }
            return response
        }
    }

    /// `GET /`: the sign-in form, or the fleet view.
    private func fleet(_ request: Request) async throws -> Response {
        // The query is checked first: a bad one is a 400 with or without a session.
        let query = try Self.fleetQuery(request)
        guard let tenant = tenant(of: request) else { return html(DashboardPage.login(error: nil)) }
        let name = try await store.tenants.find(tenant)?.name.value ?? tenant.description
        async let summary = store.fleet.summary(tenant: tenant)
        let (groups, matching) = try await store.fleet.groups(
            tenant: tenant, filter: query.filter, offset: query.offset, limit: FleetPage.Query.pageSize)
        return html(
            FleetPage.render(
                tenantName: name, summary: try await summary, groups: groups, matching: matching, query: query, now: Date()))
    }

    /// `GET /dashboard/fleet`: the summary and the page's table alone, for the refresh.
    private func fleetFragment(_ request: Request) async throws -> Response {
        guard let tenant = tenant(of: request) else { throw APIError.unauthorized }
        let query = try Self.fleetQuery(request)
        async let summary = store.fleet.summary(tenant: tenant)
        let (groups, matching) = try await store.fleet.groups(
            tenant: tenant, filter: query.filter, offset: query.offset, limit: FleetPage.Query.pageSize)
        let now = Date()
        return html(
            "\(FleetPage.summaryLine(try await summary, query: query))<div id=\"fleet\">\(FleetPage.table(groups, matching: matching, query: query, now: now))</div>"
        )
    }

    /// `GET /dashboard/groups/{tokenId}`: one group's card.
    private func groupPage(_ request: Request, _ context: OperatorContext) async throws -> Response {
        guard let tenant = tenant(of: request) else { return redirect("/") }
        guard let text = context.parameters.get("tokenId"), let token = TokenID(text),
            let group = try await group(tenant, token: token)
        else { return html(DashboardPage.notFound("HA group"), status: .notFound) }
        return html(DashboardPage.groupPage(group, now: Date()))
    }

    /// `GET /dashboard/connectors/{id}`: the connector page.
    private func connectorPage(_ request: Request, _ context: OperatorContext) async throws -> Response {
        guard let tenant = tenant(of: request) else { return redirect("/") }
        guard let text = context.parameters.get("id"), let id = ConnectorID(text),
            let connector = try await store.connectors.find(tenant: tenant, id: id)
        else { return html(DashboardPage.notFound("connector"), status: .notFound) }
        let now = Date()
        return html(ConnectorPage.render(.init(connector, now: now), now: now))
    }

    /// `POST /login`: the API key in the form body; a session cookie.
    private func signIn(_ request: Request, _ context: OperatorContext) async throws -> Response {
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

    private func tenant(of request: Request) -> TenantID? {
        Self.cookieValue(request).flatMap { sessions.tenant(of: Secret($0)) }
    }

    /// The fleet view's query from the request's query string (400 naming a bad parameter).
    private static func fleetQuery(_ request: Request) throws -> FleetPage.Query {
        let parameters = request.uri.queryParameters
        do {
            return try FleetPage.Query { parameters.get($0) }
        } catch {
            throw APIError.invalid(error)
        }
    }

    /// One live group of the tenant with everything its card shows, or `nil` when it has none.
    private func group(_ tenant: TenantID, token: TokenID) async throws -> DashboardPage.Group? {
        guard let found = try await store.tokens.find(tenant: tenant, id: token), found.revokedAt == nil else { return nil }
        return .init(
            token: found, state: try await store.groups.state(tenant: tenant, token: token, historyLimit: 20),
            members: try await store.connectors.list(tenant: tenant, token: token),
            devices: try await store.groups.configuration(tenant: tenant, token: token)?.devices ?? [],
            minutes: try await store.pairStatistics.recent(tenant: tenant, since: Date().addingTimeInterval(-3_600), token: token))
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
