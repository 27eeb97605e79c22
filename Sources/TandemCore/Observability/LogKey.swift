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

    // The other keys Tandem logs, each spelled here once. Values stay safe: an error's
    // loggable description, counts, addresses, names; never a secret or event data.
    public static let attempt = "attempt"
    public static let batches = "batches"
    public static let channel = "channel"
    public static let control = "control"
    public static let count = "count"
    public static let data = "data"
    public static let deadline = "deadline"
    public static let duration = "duration"
    public static let directory = "directory"
    public static let error = "error"
    public static let eventRetentionDays = "eventRetentionDays"
    public static let failoverTo = "failoverTo"
    public static let grpc = "grpc"
    public static let haActive = "haActive"
    public static let http = "http"
    public static let ip = "ip"
    public static let lease = "lease"
    public static let limit = "limit"
    public static let messages = "messages"
    public static let migration = "migration"
    public static let reason = "reason"
    public static let recorded = "recorded"
    public static let role = "role"
    public static let rows = "rows"
    public static let rule = "rule"
    public static let sequence = "sequence"
    public static let socket = "socket"
    public static let statements = "statements"
    public static let type = "type"
    public static let url = "url"
    public static let version = "version"
}
