import Foundation
import TandemCore
import TandemStore

/// The fleet view (`GET /`): a summary line, then every HA group as one table row, worst first
/// (down, degraded, healthy), filtered by health, network and a search, a page at a time. Its
/// cost depends on the page, not on the fleet: one statement for the page, one for the totals.
enum FleetPage {
    /// What the page shows: the filter and which page, read from the query string.
    struct Query: Sendable {
        static let pageSize = 50

        var filter = FleetFilter()
        /// 1-based.
        var page = 1

        /// Reads `health`, `network`, `search` and `page`.
        /// - Throws: `ValidationError` naming the parameter at fault.
        init(_ parameters: (String) -> String?) throws(ValidationError) {
            filter = try FleetFilter(health: parameters("health"), network: parameters("network"), search: parameters("search"))
            if let text = parameters("page"), !text.isEmpty {
                guard let page = Int(text), page >= 1, page <= 1_000_000 else {
                    throw ValidationError(field: "page", message: "must be a page number from 1")
                }
                self.page = page
            }
        }

        var offset: Int { (page - 1) * Self.pageSize }

        /// The query string of this query with `changes` applied (empty values left out).
        func string(health: HAGroupHealth.Level?? = nil, page: Int? = nil) -> String {
            var items: [(String, String)] = []
            if let health = health ?? filter.health { items.append(("health", health.rawValue)) }
            if let network = filter.network { items.append(("network", network.rawValue)) }
            if let search = filter.search { items.append(("search", search)) }
            let page = page ?? self.page
            if page > 1 { items.append(("page", "\(page)")) }
            var components = URLComponents()
            components.queryItems = items.map { URLQueryItem(name: $0.0, value: $0.1) }
            return items.isEmpty ? "/" : "/?" + (components.percentEncodedQuery ?? "")
        }
    }

    static func render(
        tenantName: String, summary: FleetRepository.Summary, groups: [FleetRepository.Group], matching: Int, query: Query, now: Date
    ) -> HTML {
        DashboardPage.layout(
            title: "Tandem: fleet",
            body: """
                <header><strong>Tandem · \(tenantName)</strong>
                <span><a href="\(query.string())">refresh</a> · <form method="post" action="/logout" style="display:inline"><button>sign out</button></form></span></header>
                <main style="display:block">
                \(form(query))
                <div id="fleet-view">\(summaryLine(summary, query: query))
                <div id="fleet">\(table(groups, matching: matching, query: query, now: now))</div></div>
                </main>
                """, refreshing: true)
    }

    /// Groups by health and connectors by status, each number a link to the filtered list;
    /// events/s and missed-by-peer with their windows.
    static func summaryLine(_ summary: FleetRepository.Summary, query: Query) -> HTML {
        func link(_ count: Int, _ health: HAGroupHealth.Level) -> HTML {
            "<a class=\"count \(health.rawValue)-text\" href=\"\(query.string(health: .some(health), page: 1))\">\(count) \(health.rawValue)</a>"
        }
        return """
            <section class="card summary">
            <span>Groups: \(link(summary.down, .down)) · \(link(summary.degraded, .degraded)) · \(link(summary.healthy, .healthy)) \
            · \(link(summary.neverConnected, .neverConnected)) · <a href="\(query.string(health: .some(nil), page: 1))">all</a></span>
            <span>Connectors: \(summary.connectorsActive) active · \(summary.connectorsInactive) inactive</span>
            <span>Events: \(String(format: "%.1f", summary.eventsPerSecond))/s (last 5 min)</span>
            <span>Missed by a peer: \(summary.missedByPeerLastHour) (last hour)</span>
            </section>
            """
    }

    private static func form(_ query: Query) -> HTML {
        func option(_ value: String, _ label: String, selected: Bool) -> HTML {
            "<option value=\"\(value)\"\(selected ? HTML(" selected") : "")>\(label)</option>"
        }
        let healths =
            [option("", "any health", selected: query.filter.health == nil)]
            + HAGroupHealth.Level.allCases.map { option($0.rawValue, $0.rawValue, selected: query.filter.health == $0) }
        let networks =
            [option("", "any network", selected: query.filter.network == nil)]
            + NetworkKind.allCases.map { option($0.rawValue, $0.rawValue, selected: query.filter.network == $0) }
        return """
            <form class="filters" method="get" action="/">
            <select name="health">\(healths)</select><select name="network">\(networks)</select>
            <input type="search" name="search" value="\(query.filter.search ?? "")" placeholder="name, hostname or IP" maxlength="128">
            <button type="submit">Filter</button></form>
            """
    }

    /// The rows of one page and the pager: what the refresh replaces every 5 s.
    static func table(_ groups: [FleetRepository.Group], matching: Int, query: Query, now: Date) -> HTML {
        guard !groups.isEmpty else {
            return matching == 0 && query.filter == FleetFilter()
                ? "<p class=\"muted\">No HA groups yet: issue a token with POST /api/v1/tokens.</p>"
                : "<p class=\"muted\">No group matches. <a href=\"/\">Show all</a></p>"
        }
        let rows = groups.map { group -> HTML in
            let members = group.members.map { member -> HTML in
                """
                <a class="\(member.active ? "member" : "member failed")" href="/dashboard/connectors/\(member.id)" \
                title="\(member.active ? "active" : "inactive")">\(member.active ? "" : "✗ ")\(member.hostname) (\(member.ipAddress))</a>
                """
            }
            let heard = group.members.compactMap(\.lastHeard).max()
            return """
                <tr><td><span class="badge \(group.health.rawValue)">\(group.health.rawValue)</span></td>
                <td><a href="/dashboard/groups/\(group.token)">\(group.name)</a></td><td>\(group.network.rawValue)</td>
                <td>\(members.isEmpty ? ["<span class=\"muted\">no connector yet</span>"] : members)</td>
                <td>\(heard.map { DashboardPage.time($0, now: now) } ?? "never")</td>
                <td>\(String(format: "%.1f", group.eventsPerSecond))</td>
                <td>\(group.lastFailover.map { DashboardPage.time($0, now: now) } ?? "none")</td></tr>
                """
        }
        let first = query.offset + 1
        let last = query.offset + groups.count
        let pages = max(1, (matching + Query.pageSize - 1) / Query.pageSize)
        let previous: HTML = query.page > 1 ? "<a href=\"\(query.string(page: query.page - 1))\">← previous</a>" : ""
        let next: HTML = query.page < pages ? "<a href=\"\(query.string(page: query.page + 1))\">next →</a>" : ""
        return """
            <table class="fleet"><tr><th>health</th><th>group</th><th>network</th><th>members (✗ inactive)</th><th>last heard</th>\
            <th>events/s (last 5 min)</th><th>last failover</th></tr>\(rows)</table>
            <nav class="pager">\(previous) <span>groups \(first)–\(last) of \(matching) · page \(query.page) of \(pages)</span> \(next)</nav>
            """
    }
}
