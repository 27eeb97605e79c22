public import ArgumentParser

/// The faults the chaos run injects, each at a time drawn from the seed.
public enum ChaosFault: String, CaseIterable, ExpressibleByArgument, Codable, Sendable {
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

    /// `kill -9` of one node of the cluster under load, restarted 2 s later (`--nodes` ≥ 2).
    case nodeKill = "node-kill"
    /// Every node in turn: SIGTERM (graceful drain), wait until it exits, start it again,
    /// wait until it is ready, next (`--nodes` ≥ 2).
    case rollingRestart = "rolling-restart"
    /// HAProxy stopped (every connection through it drops) and started again (`--nodes` ≥ 2).
    case balancerRestart = "haproxy-restart"

    /// `kill -9` of the Patroni primary's postmaster: Patroni promotes the synchronous standby
    /// and brings the old primary back as a standby (`--postgres patroni`).
    case primaryKill = "primary-kill"
    /// A planned `patronictl switchover` to the synchronous standby (`--postgres patroni`).
    case switchover = "switchover"
    /// The primary's machine frozen (Patroni and PostgreSQL, SIGSTOP) for the stall time,
    /// longer than Patroni's TTL, so it fails over; then resumed, the old primary returns as a
    /// standby (`--postgres patroni`).
    case primaryStall = "primary-stall"
    /// The primary cut off from its standbys (its WAL senders frozen) for 2 s while it takes
    /// writes, then `kill -9` of it (`--postgres patroni`): with asynchronous replication the
    /// commits of those 2 s were acked and are gone after the failover.
    case partitionKill = "partition-kill"

    /// Whether the fault needs the embedded PostgreSQL (it signals or restarts it).
    var needsEmbeddedPostgres: Bool { self == .postgresRestart || self == .postgresStall }
    /// Whether the fault needs a cluster behind HAProxy.
    var needsCluster: Bool { self == .nodeKill || self == .rollingRestart || self == .balancerRestart }
    /// Whether the fault needs the Patroni database tier.
    var needsPatroni: Bool { [.primaryKill, .switchover, .primaryStall, .partitionKill].contains(self) }
    /// Whether a failover recorded during the fault is genuine: only when a connector was
    /// really lost. Any other failover is a false one (the connectors never failed).
    var lossIsGenuine: Bool { self == .connectorLoss }
}
