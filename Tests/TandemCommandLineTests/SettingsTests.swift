import ArgumentParser
import TandemCore
import TandemIngest
import TandemStore
import Testing

@testable import TandemCommandLine

/// The settings are declared once (``Settings``): these tests prove each one is read from its
/// flag and from its environment variable, shows in `--help` and in the docs' table, and that a
/// value that does not fit is refused naming both.
@Suite("Settings: declared once, read from flags and environment, listed in help and docs")
struct SettingsTests {
    /// A value each integer setting accepts, and one it refuses (nil: none below its range).
    static let integerSettings: [(Setting, accepted: Int, refused: Int?)] = [
        (Settings.httpPort, 0, 65_536), (Settings.grpcPort, 9_000, -1), (Settings.pipelineWriters, 16, 17),
        (Settings.pipelineFlushDelay, 100, 101), (Settings.maxMessageBytes, 1_024, 1_023), (Settings.retentionDays, 1, 0),
        (Settings.shutdownTimeout, 2, 0), (Settings.httpMaxConnections, 1, 0), (Settings.reconnectGrace, 0, -1),
    ]

    @Test("every setting has its own key, flag and variable, and TANDEM_ + the key is its variable")
    func declarationsAreUnique() {
        let all = Settings.all
        #expect(Set(all.map(\.key)).count == all.count)
        #expect(Set(all.map(\.environment)).count == all.count)
        #expect(Set(all.compactMap(\.flag)).count == all.compactMap(\.flag).count)
        for setting in all { #expect(setting.environment.hasPrefix("TANDEM_")) }
        #expect(Set(Settings.serve).isDisjoint(with: Settings.everyCommand))
    }

    @Test("every setting of serve shows in `tandem serve --help`, every setting in the docs' table", arguments: Settings.all)
    func listed(setting: Setting) {
        let help = ServeCommand.helpMessage(columns: 200)
        let table = Settings.markdownTable
        if Settings.serve.contains(setting) || setting.flag != nil {
            #expect(help.contains(setting.flag ?? setting.environment), "\(setting.key) missing from serve --help")
        }
        #expect(help.contains(setting.environment) || Settings.everyCommand.contains(setting))
        #expect(table.contains("`\(setting.environment)`"))
        if let flag = setting.flag { #expect(table.contains("`\(flag)`")) }
    }

    @Test("an integer setting is read from its flag (both spellings), else its variable; the flag wins", arguments: integerSettings)
    func integerSources(setting: Setting, accepted: Int, refused: Int?) throws {
        let flag = try #require(setting.flag)
        let fromFlag = try SettingsReader(arguments: [flag, "\(accepted)"], environment: [:], settings: Settings.serve)
        #expect(try fromFlag.integer(setting) == accepted)
        let fromEquals = try SettingsReader(arguments: ["\(flag)=\(accepted)"], environment: [:], settings: Settings.serve)
        #expect(try fromEquals.integer(setting) == accepted)
        let fromEnvironment = try SettingsReader(
            arguments: [], environment: [setting.environment: "\(accepted)"], settings: Settings.serve)
        #expect(try fromEnvironment.integer(setting) == accepted)
        let both = try SettingsReader(
            arguments: [flag, "\(accepted)"], environment: [setting.environment: "\(accepted + 1)"], settings: Settings.serve)
        #expect(try both.integer(setting) == accepted)
        #expect(try SettingsReader(arguments: [], environment: [:], settings: Settings.serve).integer(setting) == nil)
    }

    @Test("a value outside its range is refused, naming the flag and the variable", arguments: integerSettings)
    func outOfRange(setting: Setting, accepted: Int, refused: Int?) throws {
        guard let refused else { return }
        let reader = try SettingsReader(arguments: [], environment: [setting.environment: "\(refused)"], settings: Settings.serve)
        let error = #expect(throws: ConfigurationError.self) { try reader.integer(setting) }
        #expect(error?.description.contains(setting.flag ?? "") == true)
        #expect(error?.description.contains(setting.environment) == true)
    }

    @Test(
        "wrong input gets a clear error",
        arguments: [
            (["--http-port", "abc"], [:], "must be an integer"),
            (["--bogus", "1"], [:], "unknown option --bogus"),
            (["--http-port", "1", "--http-port", "2"], [:], "takes one value"),
            ([], ["TANDEM_NO_MIGRATE": "maybe"], "is a switch"),
            (["--trusted-proxy", "1.2.3.4", "--trusted-proxy", "proxy"], [:], "'proxy' is not an IP address"),
            (["--liveness-timeout", "5"], [:], "must exceed the heartbeat interval"),
            (["--node-lease", "20"], [:], "below the liveness timeout"),
            (["--tls-cert", "a.pem"], [:], "TLS needs both"),
        ] as [([String], [String: String], String)])
    func refused(arguments: [String], environment: [String: String], message: String) {
        let error = #expect(throws: ConfigurationError.self) {
            _ = try ServeSettings(SettingsReader(arguments: arguments, environment: environment, settings: Settings.serve))
        }
        #expect(error?.description.contains(message) == true, "\(error?.description ?? "no error")")
    }

    @Test("with nothing given, serve's settings are the documented defaults")
    func defaults() throws {
        let settings = try ServeSettings(SettingsReader(arguments: [], environment: [:], settings: Settings.serve))
        #expect(settings.host == "127.0.0.1")
        #expect(settings.httpPort == 8080)
        #expect(settings.grpcPort == 7443)
        #expect(settings.tls == nil)
        #expect(settings.migrate)
        #expect(settings.shutdownTimeout == .seconds(30))
        #expect(settings.ingest.heartbeatInterval == .seconds(5))
        #expect(settings.ingest.livenessTimeout == .seconds(15))
        #expect(settings.ingest.reconnectGrace == .seconds(5))
        #expect(settings.ingest.nodeLease == .seconds(10))
        #expect(settings.ingest.pipeline.writers == 3)
        #expect(settings.eventPolicy.retentionDays == 30)
        #expect(settings.metricsToken == nil)
    }

    @Test("`tandem serve` hands its settings' flags to the reader and parses its database flags itself")
    func serveParses() throws {
        let command = try ServeCommand.parse([
            "--data-dir", "/tmp/x", "--http-port", "9", "--no-migrate", "--trusted-proxy", "10.0.0.1,10.0.0.2",
        ])
        let settings = try ServeSettings(SettingsReader(arguments: command.settings, environment: [:], settings: Settings.serve))
        #expect(settings.httpPort == 9)
        #expect(!settings.migrate)
        #expect(settings.ingest.trustedProxies.addresses.count == 2)
        #expect(command.database.dataDirectory == "/tmp/x")
    }
}
