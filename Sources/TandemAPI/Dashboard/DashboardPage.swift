import Foundation
import HTTPTypes
import TandemCore
import TandemStore

/// The dashboard's markup: server-rendered, self-contained (inline CSS and SVG, no external
/// assets), every value escaped by ``HTML``. JavaScript only refreshes the fleet view.
enum DashboardPage {
    /// One HA group as its card shows it.
    struct Group {
        let token: Token
        let state: HAGroupState?
        let members: [Connector]
        /// The controllers (or switches) configured on the group.
        let devices: [HAGroupConfiguration.Device]
        /// Pair statistics of the last hour, per connector and minute.
        let minutes: [PairMinute]
    }

    static func layout(title: String, body: HTML, refreshing: Bool = false) -> HTML {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(title)</title>
        <style>
        body{font:14px/1.4 system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1d2330}
        header{background:#1d2330;color:#fff;padding:10px 20px;display:flex;justify-content:space-between;align-items:center}
        header a,header button{color:#fff;background:none;border:0;font:inherit;cursor:pointer;text-decoration:underline}
        main{padding:16px 20px;display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:16px}
        .card{background:#fff;border-radius:8px;padding:14px 16px;box-shadow:0 1px 3px #0002}
        .card h2{margin:0 0 4px;font-size:17px}
        .badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;color:#fff}
        .healthy{background:#1f9d55}.degraded{background:#d97706}.down{background:#c81e1e}.never-connected{background:#6b7280}
        table{border-collapse:collapse;width:100%;margin:8px 0}th,td{text-align:left;padding:3px 6px;border-bottom:1px solid #e5e7eb;font-size:13px}
        .muted{color:#6b7280}.flags span{margin-right:10px}.charts{display:flex;gap:14px;flex-wrap:wrap}
        .chart{font-size:12px}.chart svg{display:block;background:#f9fafb;border:1px solid #e5e7eb}
        .spark{display:flex;gap:3px}.scale{display:flex;flex-direction:column;justify-content:space-between;font-size:10px;color:#6b7280}
        .axis{font-size:10px;color:#6b7280}time{white-space:nowrap}
        form.login{max-width:360px;margin:80px auto;background:#fff;padding:24px;border-radius:8px;box-shadow:0 1px 3px #0002}
        form.login input{width:100%;padding:8px;margin:8px 0;box-sizing:border-box}.error{color:#c81e1e}
        .summary{display:flex;gap:24px;flex-wrap:wrap;margin-bottom:12px}.summary a.count{font-weight:600}
        .down-text{color:#c81e1e}.degraded-text{color:#b45309}.healthy-text{color:#1f9d55}.never-connected-text{color:#4b5563}
        form.filters{margin:0 0 10px;display:flex;gap:8px}form.filters input{min-width:240px}
        table.fleet td{vertical-align:top}a.member{display:block}a.member.failed{color:#c81e1e;font-weight:600}
        nav.pager{display:flex;gap:16px;align-items:center;margin:6px 0}
        table.details th{width:40%;font-weight:500;color:#374151}td.ok{color:#1f9d55;font-weight:600}td.bad{color:#c81e1e;font-weight:600}
        time{border-bottom:1px dotted #9ca3af}main>section.card{margin-bottom:16px;max-width:900px}
        </style></head>
        <body>\(body)
        \(refreshing ? refreshScript : "")
        </body></html>
        """
    }

    /// Replaces the fleet view's summary and table every 5 s (the page shown, nothing else)
    /// without reloading the page; without JavaScript the "refresh" link does the same.
    private static let refreshScript: HTML = """
        <script>
        setInterval(async () => {
          try {
            const r = await fetch('/dashboard/fleet' + location.search, {credentials: 'same-origin'});
            if (r.ok) document.getElementById('fleet-view').innerHTML = await r.text();
          } catch (e) {}
        }, 5000);
        </script>
        """

    static func login(error: String?) -> HTML {
        layout(
            title: "Tandem: sign in",
            body: """
                <form class="login" method="post" action="/login">
                <h1>Tandem</h1><p class="muted">Sign in with your tenant's operator API key.</p>
                \(error.map { HTML("<p class=\"error\">\($0)</p>") } ?? "")
                <label>API key<input type="password" name="apiKey" autocomplete="off" required></label>
                <button type="submit">Sign in</button>
                </form>
                """)
    }

    /// One group's page: its card, with the last hour's charts.
    static func groupPage(_ group: Group, now: Date) -> HTML {
        layout(
            title: "Tandem: \(group.token.connectorName.value)",
            body: """
                <header><strong><a href="/">Tandem</a> · \(group.token.connectorName.value)</strong>
                <span><a href="/dashboard/groups/\(group.token.id)">refresh</a></span></header>
                <main style="display:block">\(card(group, now: now))</main>
                """)
    }

    private static func card(_ group: Group, now: Date) -> HTML {
        let active = group.state?.haActive ?? []
        let health = (group.state?.health.level ?? .down).rawValue
        let failovers = (group.state?.history ?? []).filter { $0.kind == .failover }.prefix(3)
        let failoverList: [HTML] =
            failovers.isEmpty
            ? ["none"]
            : failovers.enumerated().map { index, failover in
                "\(index > 0 ? "; " : "")\(time(failover.occurredAt, now: now)) from \(failover.ipAddress)"
            }
        let members = group.members.map { member -> HTML in
            let delivered = group.minutes.filter { $0.connector == member.id && now.timeIntervalSince($0.minute) <= 360 }
                .reduce(Int64(0)) { $0 + $1.totals.delivered }
            return """
                <tr><td><a href="/dashboard/connectors/\(member.id)">\(member.hostname)</a></td>
                <td>\(member.controlChannel.active ? "active" : "inactive")</td><td>\(member.ovaVersion)</td>
                <td>\(member.ipAddress)</td><td>\(member.lastHeard.map { time($0, now: now) } ?? "never")</td>
                <td>\(member.channels.names.joined(separator: ", "))</td>\
                <td>\(String(format: "%.1f", member.controlChannel.active ? Double(delivered) / 300 : 0))</td></tr>
                """
        }
        return """
            <section class="card">
            <h2>\(group.token.connectorName.value) <span class="badge \(health)">\(health)</span></h2>
            <div class="muted">\(group.token.network.rawValue) · group \(group.token.id) · HA Active: \(active.isEmpty ? "none" : active.joined(separator: ", "))</div>
            <table><tr><th>connector</th><th>status</th><th>OVA</th><th>IP</th><th>last heard</th><th>channels</th><th>events/s (last 5 min; 0 when inactive)</th></tr>\(members)</table>
            <div class="flags"><span>Hyperlocation reprovision: \(flag(group.state?.hyperlocationNeedsReprovision))</span>
            <span>IoT reprovision: \(flag(group.state?.iotNeedsReprovision))</span>
            <span>FastLocate: \(group.state?.fastLocateState.rawValue, or: "unknown")</span></div>
            <div class="muted">\(group.token.network == .wired ? "Switches" : "Controllers"): \(group.devices.isEmpty ? "none configured" : group.devices.map { $0.name.isEmpty ? $0.ipAddress : "\($0.name) (\($0.ipAddress))" }.joined(separator: ", "))</div>
            <div class="muted">Last failovers: \(failoverList)</div>
            \(pairCharts(group, now: now))
            </section>
            """
    }

    private static func flag(_ value: Bool?) -> String {
        switch value {
        case true?: "needed"
        case false?: "no"
        case nil: "unknown"
        }
    }

    /// Duplicate ratio, events missed by each member and copy lag, per minute over the last hour.
    private static func pairCharts(_ group: Group, now: Date) -> HTML {
        let start = (now.timeIntervalSince1970 / 60).rounded(.down) * 60 - 59 * 60
        func series(_ connector: ConnectorID?, _ value: (PairTotals) -> Double?) -> [Double] {
            (0..<60).map { index in
                let minute = Date(timeIntervalSince1970: start + Double(index) * 60)
                let rows = group.minutes.filter { $0.minute == minute && (connector == nil || $0.connector == connector) }
                guard !rows.isEmpty else { return 0 }
                return value(rows.map(\.totals).reduce(PairTotals.zero, +)) ?? 0
            }
        }
        let hour = group.minutes.map(\.totals).reduce(PairTotals.zero, +)
        let ratio = hour.delivered > 0 ? Double(hour.duplicates) / Double(hour.delivered) : 0
        let lag50 = hour.lagQuantileMillis(0.5).map { "\(Int($0)) ms" } ?? "–"
        let lag99 = hour.lagQuantileMillis(0.99).map { $0.isInfinite ? "> 10 s" : "\(Int($0)) ms" } ?? "–"
        let missed = group.members.map { member -> HTML in
            let count = group.minutes.filter { $0.connector == member.id }.reduce(Int64(0)) { $0 + $1.totals.missed }
            return """
                <div class="chart">missed by \(member.ipAddress): \(count)\(sparkline(series(member.id) { Double($0.missed) }, color: "#c81e1e", unit: "/min"))</div>
                """
        }
        return """
            <div class="charts">
            <div class="chart">duplicate ratio \(String(format: "%.1f %%", ratio * 100))\(sparkline(series(nil) { $0.delivered > 0 ? 100 * Double($0.duplicates) / Double($0.delivered) : nil }, color: "#2563eb", unit: " %"))</div>
            \(missed)
            <div class="chart">copy lag p50 \(lag50), p99 \(lag99)\(sparkline(series(nil) { $0.lagQuantileMillis(0.99).map { min($0, 10_000) } }, color: "#7c3aed", unit: " ms"))</div>
            </div>
            """
    }

    /// A 120×28 inline SVG line of `values` (one per minute, oldest first), scaled to its
    /// maximum, with its scale: the maximum at the top, 0 at the bottom, the hour below.
    static func sparkline(_ values: [Double], color: String, unit: String = "") -> HTML {
        let peak = values.max() ?? 0
        let top = max(peak, 1e-9)
        let step = 120.0 / Double(max(values.count - 1, 1))
        let points = values.enumerated()
            .map { String(format: "%.1f,%.1f", Double($0.offset) * step, 26 - 24 * $0.element / top) }
            .joined(separator: " ")
        let label = peak >= 100 || peak == peak.rounded() ? String(format: "%.0f", peak) : String(format: "%.2g", peak)
        return """
            <div class="spark"><svg width="120" height="28" viewBox="0 0 120 28" role="img" aria-label="last hour, 0 to \(label)\(unit)">\
            <polyline fill="none" stroke="\(color)" stroke-width="1.5" points="\(points)"/></svg>\
            <span class="scale"><span>\(label)\(unit)</span><span>0</span></span></div><div class="axis">60 min ago … now</div>
            """
    }

    /// The page for a connector (or anything else) this tenant does not have.
    /// A request the console could not answer: its status and what to do, as a page.
    static func error(_ error: APIError) -> HTML {
        layout(
            title: "Tandem: \(error.status.code) \(error.status.reasonPhrase)",
            body: """
                <header><strong><a href="/">Tandem</a></strong></header>
                <main style="display:block"><section class="card" data-status="\(error.status.code)">\
                <h2>\(error.status.code) \(error.status.reasonPhrase)</h2>
                <p class="error">\(error.message)</p>
                <p><a href="/">Back to the dashboard</a></p></section></main>
                """)
    }

    static func notFound(_ what: String) -> HTML {
        layout(
            title: "Tandem: not found",
            body: """
                <header><strong><a href="/">Tandem</a></strong></header>
                <main style="display:block"><section class="card"><h2>Not found</h2>
                <p>This tenant has no such \(what). It may have been removed, or the link may be mistyped.</p>
                <p><a href="/">Back to the dashboard</a></p></section></main>
                """)
    }

    /// A time as "3 min ago", with the ISO time on hover and for machines.
    static func time(_ date: Date, now: Date) -> HTML {
        let iso = ISO8601DateFormatter().string(from: date)
        return "<time datetime=\"\(iso)\" title=\"\(iso)\">\(HumanTime.ago(date, now: now))</time>"
    }
}
