import Foundation

/// Reads `TANDEM_…` environment variables: the second source of every setting, after flags
/// and before defaults (see the configuration table of docs/operations.md).
enum Environment {
    static func string(_ name: String) -> String? {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
        return value
    }

    static func int(_ name: String) throws -> Int? {
        guard let text = string(name) else { return nil }
        guard let value = Int(text) else { throw ConfigurationError("\(name) must be an integer (got \"\(text)\")") }
        return value
    }
}

/// A setting that can't be used; the message names the setting and what it accepts.
struct ConfigurationError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
