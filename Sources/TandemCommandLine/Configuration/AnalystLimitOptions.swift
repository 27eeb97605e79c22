import ArgumentParser
import TandemStore

/// What each analyst login may use of the database, for `analyst create` (`serve` reads the
/// same two settings through ``SettingsReader``).
struct AnalystLimitOptions: ParsableArguments {
    @Option(name: .customLong(Settings.analystConnectionLimit.key), help: Settings.analystConnectionLimit.argumentHelp)
    var connectionLimit: Int?
    @Option(name: .customLong(Settings.analystStatementTimeout.key), help: Settings.analystStatementTimeout.argumentHelp)
    var statementTimeout: Int?

    func resolve() throws -> AnalystRepository.Limits {
        let environment = SettingsReader.environment
        let connections =
            try connectionLimit.map(Settings.analystConnectionLimit.checked)
            ?? environment.integer(Settings.analystConnectionLimit, default: 5)
        let timeout =
            try statementTimeout.map(Settings.analystStatementTimeout.checked)
            ?? environment.integer(Settings.analystStatementTimeout, default: 60)
        return AnalystRepository.Limits(connections: connections, statementTimeout: .seconds(timeout))
    }
}
