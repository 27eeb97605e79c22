import Foundation
import PostgresNIO
public import TandemCore

extension ConnectorRepository {
    /// What every connector of `tenant` last reported about its controllers, and the controllers
    /// configured on the tenant's groups: the inputs of ``ControllerView/build(reports:configured:)``.
    public func controllerReports(
        tenant: TenantID
    ) async throws -> (reports: [ControllerView.Report], configured: [ControllerView.Configured]) {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        var reports: [ControllerView.Report] = []
        let rows = try await database.statement(
            """
            SELECT connector_id, token_id, hostname, ip_address, control_status = 'active', statistics::text
            FROM connectors WHERE tenant_id = \(tenant.rawValue)
            """, logger: logger)
        for try await (connector, token, hostname, ip, active, json) in rows.decode((UUID, UUID, String, String, Bool, String).self) {
            let statistics = (try? decoder.decode(ConnectorStatistics.self, from: Data(json.utf8))) ?? ConnectorStatistics()
            reports.append(
                .init(
                    connector: ConnectorID(connector), group: TokenID(token), hostname: hostname, ipAddress: ip, active: active,
                    statistics: statistics))
        }
        var configured: [ControllerView.Configured] = []
        let devices = try await database.statement(
            "SELECT token_id, ip_address, name FROM controllers WHERE tenant_id = \(tenant.rawValue)", logger: logger)
        for try await (token, ip, name) in devices.decode((UUID, String, String).self) {
            configured.append(.init(group: TokenID(token), ipAddress: ip, name: name))
        }
        return (reports, configured)
    }
}
