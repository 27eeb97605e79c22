/// The log metadata keys of Tandem's own identifiers, in one place (as postgres-nio keeps its
/// own in `Logging+PSQL.swift`), so that log queries and dashboards can rely on their names.
/// Values are identifiers only: never a token, a key or event data.
public enum LogKey {
    /// The node (`--node-id`) that logged.
    public static let node = "tandem.node"
    public static let tenant = "tandem.tenant"
    /// The HA group's token id (never the token itself).
    public static let token = "tandem.token"
    public static let connector = "tandem.connector"
    public static let analyst = "tandem.analyst"
}
