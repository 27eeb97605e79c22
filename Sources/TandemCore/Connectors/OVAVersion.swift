/// A connector's OVA (appliance image) version: 1 to 6 numbers separated by dots, optionally
/// prefixed `ova-`, e.g. `2.3.460` or `2.3.460.0` (the format ``format`` states and docs/protocol.md
/// documents).
///
/// Pairing rules compare versions numerically, component by component: `2.10` is above `2.9`,
/// and missing components count as 0, so `2.3.460.0` is the same version as `2.3.460`.
public struct OVAVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The numeric components, most significant first.
    public let components: [Int]

    /// The accepted format, as refusals state it.
    public static let format = "must be 1 to 6 numbers separated by dots, optionally prefixed \"ova-\" (e.g. 2.3.460 or 2.3.460.0)"

    /// The lowest version that may be part of an active-active pair.
    public static let activeActiveMinimum = OVAVersion(components: [2, 3])

    /// Creates a version from its components.
    public init(components: [Int]) { self.components = components }

    /// Parses ``format``: `2.3.460`, `2.3.460.0` or `ova-2.3.460`; `nil` for anything else.
    public init?(_ text: String) {
        var body = Substring(text)
        if body.lowercased().hasPrefix("ova-") { body = body.dropFirst(4) }
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        guard !parts.isEmpty, parts.count <= 6 else { return nil }
        var numbers: [Int] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 9, part.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(part) else { return nil }
            numbers.append(number)
        }
        components = numbers
    }

    /// Whether this version may be part of an active-active pair (2.3 or higher).
    public var supportsActiveActive: Bool { self >= Self.activeActiveMinimum }

    public static func < (lhs: OVAVersion, rhs: OVAVersion) -> Bool {
        for index in 0..<max(lhs.components.count, rhs.components.count) {
            let left = index < lhs.components.count ? lhs.components[index] : 0
            let right = index < rhs.components.count ? rhs.components[index] : 0
            if left != right { return left < right }
        }
        return false
    }

    public static func == (lhs: OVAVersion, rhs: OVAVersion) -> Bool { !(lhs < rhs) && !(rhs < lhs) }

    public func hash(into hasher: inout Hasher) {
        var trimmed = components
        while trimmed.last == 0 { trimmed.removeLast() }
        hasher.combine(trimmed)
    }

    public var description: String { components.map(String.init).joined(separator: ".") }
}
