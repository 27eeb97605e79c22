import Foundation

/// One setting of Tandem, declared once: its flag, its environment variable, what it accepts,
/// its default and what it means. `--help`, the reader (``SettingsReader``) and the table of
/// docs/operations.md (`tandem settings --markdown`, kept current by scripts/lint) all come
/// from the declarations in ``Settings``.
public struct Setting: Sendable, Hashable {
    /// The key: flag `--key`, environment variable `TANDEM_KEY` (dashes as underscores).
    public let key: String
    /// The flag, `--` and its name; `nil` for a setting read from the environment only.
    public let flag: String?
    /// The environment variable.
    public let environment: String
    /// What the value is, as `--help` shows it after the flag (`<seconds>`); `nil` for a switch.
    public let valueName: String?
    /// The default, as people read it.
    public let defaultText: String
    /// What it does (one or two sentences, no trailing period).
    public let help: String
    /// The integers accepted, for an integer setting.
    public let range: ClosedRange<Int>?

    init(
        _ key: String, flag: String? = nil, environmentOnly: Bool = false, value valueName: String?, default defaultText: String,
        range: ClosedRange<Int>? = nil, _ help: String
    ) {
        self.key = key
        self.flag = environmentOnly ? nil : "--" + (flag ?? key)
        self.environment = "TANDEM_" + key.uppercased().replacingOccurrences(of: "-", with: "_")
        self.valueName = valueName
        self.defaultText = defaultText
        self.range = range
        self.help = help
    }

    /// Where people set it, as an error message names it: `--http-port (TANDEM_HTTP_PORT)`.
    var spelled: String { flag.map { "\($0) (\(environment))" } ?? environment }

    /// The range accepted in words (`1 to 16`, `at least 1`), if any.
    var rangeText: String? {
        guard let range else { return nil }
        if range.upperBound == Int.max { return "at least \(range.lowerBound)" }
        return "\(range.lowerBound) to \(range.upperBound)"
    }

    /// `value` if `range` accepts it; a ``ConfigurationError`` naming the setting otherwise.
    func checked(_ value: Int) throws -> Int {
        guard let range, !range.contains(value), let rangeText else { return value }
        throw ConfigurationError("\(spelled) must be \(rangeText); got \(value)")
    }
}
