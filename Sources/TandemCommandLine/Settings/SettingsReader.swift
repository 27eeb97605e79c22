import Configuration
import Foundation

/// Reads ``Settings`` through swift-configuration: the flags first, then the `TANDEM_…`
/// environment, then the setting's default. A value that does not fit its setting is an error
/// that names the flag and the variable; so is a flag no setting has.
struct SettingsReader {
    private let reader: ConfigReader

    /// A reader of `arguments` (the flags after the command's name) and `environment`, for
    /// `settings`: a flag none of them has is refused.
    init(
        arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment, settings: [Setting]
    ) throws {
        let flags = Set(settings.compactMap(\.flag))
        for argument in arguments where argument.hasPrefix("--") {
            let flag = String(argument.prefix { $0 != "=" })
            guard flags.contains(flag) else {
                throw ConfigurationError("unknown option \(flag) (`tandem serve --help` lists the settings)")
            }
        }
        self.init(checkedArguments: arguments, environment: environment, settings: settings)
    }

    /// A reader of the process's environment alone (the settings every command reads, whose
    /// flags ArgumentParser has parsed).
    static var environment: SettingsReader {
        SettingsReader(checkedArguments: [], environment: ProcessInfo.processInfo.environment, settings: Settings.all)
    }

    private init(checkedArguments arguments: [String], environment: [String: String], settings: [Setting]) {
        // The flags' names where they are not the key (`--trusted-proxy` for `trusted-proxies`).
        let renamed = Dictionary(
            uniqueKeysWithValues: settings.compactMap { setting in
                setting.flag.flatMap { $0 == "--" + setting.key ? nil : (setting.key, String($0.dropFirst(2))) }
            })
        let commandLine = CommandLineArgumentsProvider(arguments: ["tandem"] + arguments).mapKeys { key in
            guard key.components.count == 1, let flag = renamed[key.components[0]] else { return key }
            return AbsoluteConfigKey([flag])
        }
        let environment = EnvironmentVariablesProvider(environmentVariables: environment.filter { !$0.value.isEmpty })
            .prefixKeys(with: "tandem")
        reader = ConfigReader(providers: [commandLine, environment])
    }

    /// The text given for `setting`, if any.
    func text(_ setting: Setting) throws -> String? {
        do {
            return try reader.requiredString(forKey: ConfigKey([setting.key]), isSecret: true)
        } catch {
            guard isGiven(setting) else { return nil }
            throw ConfigurationError("\(setting.spelled) takes one value (without commas)")
        }
    }

    /// The integer given for `setting`, checked against its range; `nil` when none is given.
    func integer(_ setting: Setting) throws -> Int? {
        guard let text = try text(setting) else { return nil }
        guard let value = Int(text) else { throw ConfigurationError("\(setting.spelled) must be an integer; got \"\(text)\"") }
        return try setting.checked(value)
    }

    /// The integer given for `setting`, or `fallback`, checked against its range.
    func integer(_ setting: Setting, default fallback: Int) throws -> Int {
        try integer(setting) ?? setting.checked(fallback)
    }

    /// Whether the switch `setting` is on (the flag, or the variable set to `true`).
    func isOn(_ setting: Setting) throws -> Bool {
        do {
            return try reader.requiredBool(forKey: ConfigKey([setting.key]))
        } catch {
            guard isGiven(setting) else { return false }
            throw ConfigurationError("\(setting.spelled) is a switch: give the flag alone, or set the variable to true or false")
        }
    }

    /// Every value given for `setting` (the flag repeated, or commas).
    func list(_ setting: Setting) throws -> [String] {
        (reader.stringArray(forKey: ConfigKey([setting.key])) ?? [])
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Whether any source gives `setting` a value (a failed typed read is then the value's
    /// fault, not a missing value: swift-configuration keeps its error type to itself).
    private func isGiven(_ setting: Setting) -> Bool {
        reader.stringArray(forKey: ConfigKey([setting.key]), isSecret: true) != nil
    }
}
