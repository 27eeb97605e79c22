import TandemCore
import Testing

/// Addresses are parsed strictly and compared in one canonical spelling.
@Suite("IP addresses")
struct IPAddressTests {
    @Test(
        "each accepted spelling has one canonical form",
        arguments: [
            ("192.0.2.61", "192.0.2.61"),
            ("0.0.0.0", "0.0.0.0"),
            ("255.255.255.255", "255.255.255.255"),
            ("::ffff:192.0.2.61", "192.0.2.61"),
            ("::FFFF:c000:023d", "192.0.2.61"),
            ("2001:DB8:0:0:0:0:0:1", "2001:db8::1"),
            ("2001:db8::1", "2001:db8::1"),
            ("::1", "::1"),
            ("fe80::a:b", "fe80::a:b"),
        ])
    func canonicalForms(text: String, canonical: String) throws {
        #expect(try #require(IPAddress(text)).canonical == canonical)
    }

    @Test(
        "what is not exactly an address is refused",
        arguments: [
            "", "B", "abc", "1.2.3", "999.1.1.1", "1.2.3.4.5", "192.0.2.061", " 192.0.2.61", "192.0.2.61 ", "192.0.2.61\u{0}",
            "1.2.3.4/24", "fe80::1%eth0", "2001:db8:::1", "::ffff:999.0.0.1", "localhost", "１.2.3.4",
            String(repeating: "1", count: 100),
        ])
    func refused(text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test("a Hello's address is stored in canonical form, and a bad one names the field")
    func helloAddress() throws {
        func hello(_ ip: String) throws -> ConnectorHello {
            try ConnectorHello(
                instanceID: "i-1", hostname: "h", ipAddress: ip, macAddress: "", ovaVersion: "2.3.460",
                dockerVersion: "", channels: .both)
        }
        #expect(try hello("::ffff:192.0.2.61").ipAddress == "192.0.2.61")
        #expect(
            throws: ValidationError(
                field: "ipAddress", message: "must be an IPv4 address like 192.0.2.10 or an IPv6 address like 2001:db8::10")
        ) {
            try hello("192.0.2.061")
        }
        #expect(throws: ValidationError(field: "instanceId", message: "is required")) {
            try ConnectorHello(
                instanceID: "", hostname: "h", ipAddress: "192.0.2.1", macAddress: "", ovaVersion: "2.3.460",
                dockerVersion: "", channels: .both)
        }
    }
}

/// The edge's control-character check agrees with Unicode's general category Cc on every scalar
/// it can meet in one or two UTF-8 bytes, and on a few longer ones.
@Suite("Control characters")
struct ControlCharacterTests {
    @Test("containsControlCharacter matches general category Cc for U+0000…U+07FF and beyond")
    func matchesUnicode() {
        for value in Array(0...0x7FF) + [0x2028, 0xFEFF, 0x1F600] {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let text = "a" + String(Character(scalar)) + "b"
            #expect(text.containsControlCharacter == (scalar.properties.generalCategory == .control), "U+\(String(value, radix: 16))")
            #expect(!text.removingControlCharacters.containsControlCharacter)
        }
        #expect("ACT\u{0}IVE\u{85}".removingControlCharacters == "ACTIVE")
    }
}
