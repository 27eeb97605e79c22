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
    /// Distinct events generated that no member sent: dropped by both (their loss rates), or by
    /// the only live member while its peer was down. Nobody could store them.
    public var sentByNeither = 0
    /// The distinct events per second the plan asked for (all sites), and what the run generated.
    public var plannedRate = 0.0
    public var achievedRate = 0.0
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
    /// Failovers (or handovers) recorded where none happened: the members stopped together,
    /// left on purpose, or came back within the grace (must be 0).
    public var falseFailovers = 0
    /// Failovers that happened (a member crashed and stayed away while its peer streamed) but
    /// were not recorded (must be 0).
    public var missedFailovers = 0
    /// Misses Tandem charged to a member beyond what it really did not deliver (must be 0).
    public var falseMisses = 0
    /// Real misses whose minute left Tandem's window before the end that Tandem did not charge
    /// (must be 0; a run shorter than the window has none to judge).
    public var unreportedMisses = 0
    /// Connectors that had stopped whose details still showed live figures (must be 0).
    public var staleLiveFigures = 0
    public var sites: [Site] = []

    /// Compares what the store holds (each stored event's key and its row count) with what the
    /// connectors had acked: an acked event missing is **lost**; a key with more than one row
    /// is **duplicated**; an unacked event that was stored anyway is fine.
    public mutating func verify(ackedPerSite: [Set<String>], stored: [(key: String, rows: Int)]) {
        let storedKeys = Set(stored.map(\.key))
        acked = ackedPerSite.reduce(0) { $0 + $1.count }
        self.stored = stored.reduce(0) { $0 + $1.rows }
        duplicated = stored.reduce(0) { $0 + max(0, $1.rows - 1) }
        missing = ackedPerSite.reduce(0) { $0 + $1.subtracting(storedKeys).count }
    }

    /// Whether the run generated less than 95 % of its planned rate (a busy machine).
    public var fellBehind: Bool { plannedRate > 0 && achievedRate < 0.95 * plannedRate }

    /// Whether all five truth figures are 0.
    public var truthful: Bool {
        falseFailovers == 0 && missedFailovers == 0 && falseMisses == 0 && unreportedMisses == 0 && staleLiveFigures == 0
    }

    /// The line that says whether what Tandem recorded about the pairs is what happened.
    public var truth: String {
        let verdict = truthful ? "true" : "NOT true"
        return
            "truth check \(verdict): \(failovers) failovers recorded, \(falseFailovers) false, \(missedFailovers) missed; \(falseMisses) false misses, \(unreportedMisses) unreported misses, \(staleLiveFigures) stale live figures"
    }

    /// The one line that says whether the store holds exactly what was acked.
    public var verification: String {
        if missing == 0 && duplicated == 0 {
            return "verified: \(acked) distinct events stored exactly once, 0 missing, 0 duplicated"
        }
        return "NOT verified: \(acked) acked distinct events, \(missing) missing, \(duplicated) duplicated"
    }
}
