/// The outcome of a simulation, as printed and as written by `--json`.
public struct SimulationReport: Sendable, Codable {
    public struct Site: Sendable, Codable {
        public var tokenId: String
        public var connectorIds: [String]
        public var haActive: [String]
        public var failovers: Int

        public init(tokenId: String, connectorIds: [String], haActive: [String], failovers: Int) {
            self.tokenId = tokenId
            self.connectorIds = connectorIds
            self.haActive = haActive
            self.failovers = failovers
        }
    }

    public init() {}

    /// Distinct events generated.
    public var distinctEvents = 0
    /// Copies sent, per connector role (A, B).
    public var copiesSent: [String: Int] = [:]
    /// Distinct events acked by at least one connector.
    public var acked = 0
    /// Rows stored for these sites (read back from PostgreSQL).
    public var stored = 0
    /// Acked events missing from the table (must be 0).
    public var missing = 0
    /// Events stored more than once (must be 0).
    public var duplicated = 0
    /// Copies Tandem answered as duplicates.
    public var duplicatesDropped = 0
    /// Events that only one connector delivered while both were meant to (its peer lost them).
    public var missedByPeer = 0
    /// Failovers recorded across the sites.
    public var failovers = 0
    public var sites: [Site] = []

    /// The one line that says whether the store holds exactly what was acked.
    public var verification: String {
        if missing == 0 && duplicated == 0 {
            return "verified: \(acked) distinct events stored exactly once, 0 missing, 0 duplicated"
        }
        return "NOT verified: \(acked) acked distinct events, \(missing) missing, \(duplicated) duplicated"
    }
}
