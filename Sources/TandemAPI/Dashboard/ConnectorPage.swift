import Foundation
import TandemCore
import TandemOpenAPI

/// The connector page, laid out as the product document's Figure 8 (connector details),
/// Figure 9 (the controller channel) and the access point channel, with human labels: every
/// field of `GET /api/v1/connectors/{id}` appears once, in a row marked with its JSON name
/// (`data-field`), so a test can tell none is missing.
enum ConnectorPage {
    static func render(_ details: Components.Schemas.ConnectorDetails, now: Date) -> HTML {
        let identity: [HTML] = [
            row("connectorName", "Connector Name", "\(details.connectorName)"),
            row("connectorVersion", "Connector Version", "\(details.connectorVersion)"),
            row("ovaVersion", "OVA Version", "\(details.ovaVersion)"),
            row("connectorId", "Connector ID", "\(details.connectorId)"),
            row("numberOfAssociatedControllers", "Number of Associated Controllers", "\(details.numberOfAssociatedControllers)"),
            channel("controlChannel", "Control Channel", details.controlChannel, now: now),
            channel("dataChannel", "Data Channel", details.dataChannel, now: now),
            row("lastModified", "Last Modified", time(details.lastModified, now: now)),
            row("lastHeard", "Last Heard", details.lastHeard.map { time($0, now: now) } ?? "never"),
            row("figuresLive", "Heartbeat Figures", details.figuresLive ? "live" : "not live (not an active member)"),
            row("figuresReportedAt", "Figures Reported", details.figuresReportedAt.map { time($0, now: now) } ?? "never"),
            row("macAddress", "MAC Address", "\(details.macAddress)"),
            row("ipAddress", "IP Address", "\(details.ipAddress)"),
            row("dataChannelNmspMessages", "Data Channel NMSP Messages", "\(details.dataChannelNmspMessages)"),
            row("nmspMessagesReceived", "NMSP Messages Received", "\(details.nmspMessagesReceived)"),
            row("haActive", "HA Active", details.haActive.isEmpty ? "none" : "\(details.haActive.joined(separator: ", "))"),
            row("hostname", "Hostname", "\(details.hostname)"),
            row("instanceId", "Instance ID", "\(details.instanceId)"),
            row("channels", "Channels", "\(details.channels.map(channelName).joined(separator: ", "))"),
            row("tokenId", "HA Group (token)", "\(details.tokenId)"),
            row("tenantId", "Tenant", "\(details.tenantId)"),
        ]
        let controllers = details.controllers.map { controller -> HTML in
            """
            <tr><td>\(controller.ipAddress)</td><td>\(controller.connectedAt.map { time($0, now: now) } ?? "–")</td>\
            <td>\(String(format: "%.2f", controller.messageRate))</td><td>\(controller.status)</td></tr>
            """
        }
        let ap = details.accessPointChannel
        // A connector that is not an active member: its figures are its last report, not live.
        let reported: HTML =
            details.figuresLive
            ? ""
            : "<p class=\"muted not-live\">Not live: last reported \(details.figuresReportedAt.map { time($0, now: now) } ?? "never"); rates and connections as they are now</p>"

        return DashboardPage.layout(
            title: "Tandem: \(details.hostname)",
            body: """
                <header><strong><a href="/">Tandem</a> · \(details.connectorName) · \(details.hostname)</strong></header>
                <main style="display:block">
                <section class="card"><h2>Connector Details</h2><table class="details">\(identity)</table></section>
                <section class="card"><h2>Controller Channel</h2>\(reported)<table class="details">
                \(row("tdlIncomingRate", "TDL Incoming Msg Rate", "\(String(format: "%.2f", details.tdlIncomingRate)) events/second"))
                \(row("tdlIncomingCount", "TDL Incoming Msg Count", "\(details.tdlIncomingCount)"))
                </table>
                <table data-field="controllers"><tr><th>IP Address</th><th>Connected At</th><th>Msg Rate/Second</th><th>Status</th></tr>\
                \(controllers.isEmpty ? ["<tr><td colspan=\"4\" class=\"muted\">no controller reported in its heartbeats</td></tr>"] : controllers)</table>
                </section>
                <section class="card"><h2>Access Point Channel</h2>\(reported)<table class="details" data-field="accessPointChannel">
                <tr><th>gRPC Incoming Msg Rate</th><td>\(String(format: "%.2f", ap.incomingRate)) messages/second</td></tr>
                <tr><th>gRPC Incoming Msg Count</th><td>\(ap.incomingCount)</td></tr>
                <tr><th>gRPC Outgoing Msg Rate</th><td>\(String(format: "%.2f", ap.outgoingRate)) messages/second</td></tr>
                <tr><th>gRPC Outgoing Msg Count</th><td>\(ap.outgoingCount)</td></tr>
                <tr><th>Active Connections</th><td>\(ap.activeConnections)</td></tr>
                </table></section>
                </main>
                """)
    }

    private static func row(_ field: String, _ label: String, _ value: HTML) -> HTML {
        "<tr data-field=\"\(field)\"><th>\(label)</th><td>\(value)</td></tr>"
    }

    /// A channel as two rows, as Figure 8 has them: its status (with when it connected) and
    /// how long it has been connected.
    private static func channel(_ field: String, _ label: String, _ state: Components.Schemas.ChannelStatus, now: Date) -> HTML {
        let active = state.status == .active
        // Active: since it connected; inactive: since it was lost (not its old connect time).
        let since: HTML =
            active
            ? state.connectedAt.map { " (since \(time($0, now: now)))" } ?? ""
            : state.lostAt.map { " (lost \(time($0, now: now)))" } ?? ""
        let duration = state.connectionDurationSeconds.map { HumanTime.duration(seconds: $0) } ?? "–"
        return """
            <tr data-field="\(field)"><th>\(label) Connection Status</th><td class="\(active ? "ok" : "bad")">\(active ? "Active" : "Inactive")\(since)</td></tr>\
            <tr><th>\(label) Connection Duration</th><td>\(duration)</td></tr>
            """
    }

    private static func time(_ date: Date, now: Date) -> HTML { DashboardPage.time(date, now: now) }

    private static func channelName(_ name: String) -> String {
        switch name {
        case "controller": "Controller"
        case "accessPoint", "access-point", "ap": "Access Point"
        default: name
        }
    }
}
