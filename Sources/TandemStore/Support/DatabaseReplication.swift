import Logging
import PostgresNIO

/// Whether a commit on Tandem's database is on more than one machine when it returns, that is
/// whether "acked" means "survives the loss of the primary". Read from the primary itself:
/// `synchronous_commit`, `synchronous_standby_names` and the standbys `pg_stat_replication`
/// lists as synchronous right now (Patroni's `synchronous_mode` maintains both).
public struct DatabaseReplication: Sendable, Equatable, CustomStringConvertible {
    /// `synchronous_commit` of Tandem's sessions (`on`, `remote_apply`, `remote_write`, `local`, `off`).
    public var synchronousCommit: String
    /// `synchronous_standby_names`: empty when commits wait for no standby.
    public var synchronousStandbyNames: String
    /// Standbys streaming now whose acknowledgement a commit waits for (`sync` or `quorum`).
    public var synchronousStandbys: Int
    /// Every standby streaming now, synchronous or not.
    public var standbys: Int

    public init(synchronousCommit: String, synchronousStandbyNames: String, synchronousStandbys: Int, standbys: Int) {
        self.synchronousCommit = synchronousCommit
        self.synchronousStandbyNames = synchronousStandbyNames
        self.synchronousStandbys = synchronousStandbys
        self.standbys = standbys
    }

    /// Whether a commit returns only once a standby has it: commits wait for standbys
    /// (`synchronous_commit` of `on`, `remote_write` or `remote_apply` with standby names set)
    /// and at least one synchronous standby is connected.
    public var isSynchronous: Bool {
        ["on", "remote_write", "remote_apply"].contains(synchronousCommit)
            && synchronousStandbyNames.contains { $0 != " " }
            && synchronousStandbys > 0
    }

    /// Whether commits wait for a standby that is not there (a failover under way): they are
    /// not acked until one connects, or until Patroni drops the synchronous requirement.
    public var waitsForStandby: Bool {
        ["on", "remote_write", "remote_apply"].contains(synchronousCommit)
            && synchronousStandbyNames.contains { $0 != " " } && synchronousStandbys == 0
    }

    /// One line for operators: what "acked" means on this database.
    public var description: String {
        if isSynchronous {
            return "synchronous: a commit returns once \(synchronousStandbys) standby(s) have it (\(standbys) streaming)"
        }
        if waitsForStandby {
            return "waiting: commits wait for a synchronous standby, none is connected now (\(standbys) streaming)"
        }
        if standbys > 0 {
            return "asynchronous: \(standbys) standby(s) streaming, but a commit returns before any has it; "
                + "an acked event can be lost in a failover"
        }
        return "single server: no standby; an acked event is on one machine only"
    }

    /// Reads the replication state of the server `database` is on.
    ///
    /// Without the `pg_read_all_stats` privilege (or superuser) `pg_stat_replication` hides
    /// its `sync_state`, so the standbys count as asynchronous: the report errs on the safe side.
    static func read(from database: Database, logger: Logger) async throws -> DatabaseReplication {
        let rows = try await database.statement(
            """
            SELECT current_setting('synchronous_commit'), current_setting('synchronous_standby_names'),
                   (SELECT count(*) FROM pg_stat_replication WHERE sync_state IN ('sync', 'quorum')),
                   (SELECT count(*) FROM pg_stat_replication)
            """, logger: logger)
        for try await (commit, names, synchronous, all) in rows.decode((String, String, Int64, Int64).self) {
            return DatabaseReplication(
                synchronousCommit: commit, synchronousStandbyNames: names,
                synchronousStandbys: Int(synchronous), standbys: Int(all))
        }
        throw StoreError(.unavailable, "PostgreSQL answered the replication query with no row")
    }
}
