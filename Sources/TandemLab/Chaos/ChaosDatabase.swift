public import ArgumentParser

/// The database of a chaos run.
public enum ChaosDatabase: String, CaseIterable, ExpressibleByArgument, Codable, Sendable {
    /// The embedded single server, or `--database-url`.
    case embedded
    /// Patroni + etcd + HAProxy on loopback (`scripts/patroni`).
    case patroni
}
