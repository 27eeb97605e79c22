import TandemCore
import Testing

@Suite("Display names and identifiers")
struct DisplayNameTests {
    @Test("names are trimmed and kept as given otherwise")
    func valid() throws {
        #expect(try DisplayName("  hq <pair> 'one'  ", field: "connectorName").value == "hq <pair> 'one'")
        #expect(try DisplayName(String(repeating: "é", count: 128), field: "n").value.count == 128)
    }

    @Test(
        "empty, blank, over-long and control-character names are refused naming the field",
        arguments: [
            "", "   ", String(repeating: "x", count: 129), "a\u{0}b", "line\nbreak",
            // 128 Swift characters, 129 code points: PostgreSQL's length() (the CHECK) counts 129.
            String(repeating: "x", count: 127) + "e\u{0301}",
        ])
    func invalid(text: String) {
        #expect(throws: ValidationError.self) { try DisplayName(text, field: "connectorName") }
        do {
            _ = try DisplayName(text, field: "connectorName")
        } catch let error as ValidationError {
            #expect(error.field == "connectorName")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("identifiers parse canonical UUIDs only and print lowercase")
    func identifiers() {
        #expect(TenantID("not-a-uuid") == nil)
        let id = TokenID("6F9619FF-8B86-D011-B42D-00C04FC964FF")
        #expect(id?.description == "6f9619ff-8b86-d011-b42d-00c04fc964ff")
    }
}
