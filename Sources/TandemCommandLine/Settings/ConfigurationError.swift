/// A setting that can't be used; the message names the setting and what it accepts.
struct ConfigurationError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
