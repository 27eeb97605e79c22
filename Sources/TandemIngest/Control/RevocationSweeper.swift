public import Logging
public import ServiceLifecycle
public import TandemStore

/// Closes the channels of tokens revoked through another node. A revocation through this
/// node's API closes its channels here at once (``SessionRegistry/tokenRevoked(tenant:token:)``);
/// with several nodes on one database, the others learn it here, every `interval`, by asking
/// PostgreSQL which of the tokens with live channels on this node are revoked.
public struct RevocationSweeper: Service {
    private let store: Store
    private let registry: SessionRegistry
    private let interval: Duration
    private let logger: Logger

    public init(store: Store, registry: SessionRegistry, interval: Duration, logger: Logger) {
        self.store = store
        self.registry = registry
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        try await runPeriodically(every: interval, logger: logger, failure: "revocation check failed; retrying next interval") {
            try await sweep()
        }
    }

    /// One check: ends every channel on this node whose token is revoked.
    public func sweep() async throws {
        for (tenant, token) in try await store.tokens.revoked(among: registry.liveGroups) {
            registry.closeRevoked(tenant: tenant, token: token)
        }
    }
}
