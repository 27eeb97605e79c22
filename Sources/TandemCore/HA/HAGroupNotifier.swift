/// Tells the live connector sessions of a group that something they must hear about changed.
///
/// The operator API calls it after committing a change; the ingest layer's session registry
/// implements it by pushing to the members' control channels.
public protocol HAGroupNotifier: Sendable {
    /// The group's configuration (controllers or switches) changed.
    func configurationChanged(tenant: TenantID, token: TokenID) async
    /// The operator asked the group's members to reprovision `services` (`hyperlocation`, `iot`).
    func reprovisionRequested(tenant: TenantID, token: TokenID, services: [String]) async
    /// The group's token was revoked: its live channels must close.
    func tokenRevoked(tenant: TenantID, token: TokenID) async
}
