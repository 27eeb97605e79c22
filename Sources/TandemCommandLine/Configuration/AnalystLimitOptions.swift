import ArgumentParser
import TandemStore

/// What each analyst login may use of the database: shared by `serve` (logins created through
/// the API, and the statement limit it enforces) and `analyst create`.
struct AnalystLimitOptions: ParsableArguments {
    @Option(
        name: .customLong("analyst-connection-limit"),
        help: "Sessions each analyst login may have open at once (env TANDEM_ANALYST_CONNECTION_LIMIT; default 5).")
    var connectionLimit: Int?
    @Option(
        name: .customLong("analyst-statement-timeout"),
        help: "Seconds an analyst statement may run (env TANDEM_ANALYST_STATEMENT_TIMEOUT; default 60).")
    var statementTimeout: Int?

    func resolve() throws -> AnalystRepository.Limits {
        let connections = try connectionLimit ?? Environment.int("TANDEM_ANALYST_CONNECTION_LIMIT") ?? 5
        let timeout = try statementTimeout ?? Environment.int("TANDEM_ANALYST_STATEMENT_TIMEOUT") ?? 60
        guard connections >= 1, timeout >= 1 else {
            throw ConfigurationError("--analyst-connection-limit and --analyst-statement-timeout must be at least 1")
        }
        return AnalystRepository.Limits(connections: connections, statementTimeout: .seconds(timeout))
    }
}
