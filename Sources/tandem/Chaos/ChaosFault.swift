import ArgumentParser

/// The faults the chaos run injects, each at a time drawn from the seed.
enum ChaosFault: String, CaseIterable, ExpressibleByArgument, Codable {
    /// `kill -9` of `tandem serve` mid-stream, then a restart on the same ports.
    case serveKill = "serve-kill"
    /// `pg_ctl restart -m immediate`: PostgreSQL as after a crash.
    case postgresRestart = "postgres-restart"
    /// Every PostgreSQL process stopped (SIGSTOP) for the stall time, then continued.
    case postgresStall = "postgres-stall"
    /// One connector of a pair drops abruptly and comes back 5 s later.
    case connectorLoss = "connector-loss"
    /// One connector stops reading its acks for 5 s.
    case slowConsumer = "slow-consumer"
    /// A burst of events whose device times straddle the last UTC midnight (two partitions).
    case midnightBurst = "midnight-burst"
    /// Events two years ahead and from 1971: they must land in quarantine, not be lost.
    case absurdTimestamps = "absurd-timestamps"

    /// Whether the fault needs the embedded PostgreSQL (it signals or restarts it).
    var needsEmbeddedPostgres: Bool { self == .postgresRestart || self == .postgresStall }
}
