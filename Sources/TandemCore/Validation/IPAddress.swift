#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// An IPv4 or IPv6 address, parsed strictly and kept in one canonical spelling.
///
/// Addresses name connectors (one IP per member of a pair), controllers and switches, and
/// are compared as text everywhere else, so two spellings of one address must never both
/// get in: `192.0.2.061` (leading zero), ` 192.0.2.61` (space) and `1.2.3` are refused;
/// `::ffff:192.0.2.61` (an IPv4-mapped IPv6 address) becomes `192.0.2.61`; IPv6 is written
/// in RFC 5952 form (`2001:DB8:0:0::1` → `2001:db8::1`). Zone ids (`fe80::1%eth0`) are refused.
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    /// The canonical text.
    public let canonical: String

    /// The longest text ever considered (the longest IPv6 form is 45 characters).
    public static let maximumTextLength = 45

    /// Parses `text`; `nil` when it is not exactly an IPv4 dotted quad or an IPv6 address.
    public init?(_ text: String) {
        guard !text.isEmpty, text.utf8.count <= Self.maximumTextLength,
            text.utf8.allSatisfy({ $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: ":") || Self.isHexDigit($0) })
        else { return nil }
        if !text.contains(":") {
            var address = in_addr()
            guard inet_pton(AF_INET, text, &address) == 1 else { return nil }
            canonical = Self.format(family: AF_INET, &address, length: Int(INET_ADDRSTRLEN))
            return
        }
        var address = in6_addr()
        guard inet_pton(AF_INET6, text, &address) == 1 else { return nil }
        let bytes = withUnsafeBytes(of: &address) { Array($0) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xff && bytes[11] == 0xff {
            canonical = bytes[12..<16].map(String.init).joined(separator: ".")
        } else {
            canonical = Self.format(family: AF_INET6, &address, length: Int(INET6_ADDRSTRLEN))
        }
    }

    /// Parses `text` for `field`.
    /// - Throws: ``ValidationError`` naming the field when it is not an address.
    public init(_ text: String, field: String) throws {
        guard let address = IPAddress(text) else {
            throw ValidationError(
                field: field, message: "must be an IPv4 address like 192.0.2.10 or an IPv6 address like 2001:db8::10")
        }
        self = address
    }

    public var description: String { canonical }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
    }

    private static func format<Address>(family: Int32, _ address: inout Address, length: Int) -> String {
        var buffer = [CChar](repeating: 0, count: length)
        let written = withUnsafePointer(to: &address) { pointer in
            inet_ntop(family, pointer, &buffer, socklen_t(length))
        }
        precondition(written != nil, "inet_ntop refused an address inet_pton produced")
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
