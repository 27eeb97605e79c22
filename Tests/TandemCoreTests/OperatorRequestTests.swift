import Foundation
import TandemCore
import Testing

/// Operator request bodies are validated in one place, before any handler touches the store;
/// each refusal names the field and the rule, whether the body did not decode or broke a rule.
@Suite("Operator request bodies")
struct OperatorRequestTests {
    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test("a token request keeps the name trimmed and the network as given")
    func tokenRequest() throws {
        let wired = try TokenRequest(connectorName: "  Site A  ", network: .wired)
        #expect(wired.connectorName.value == "Site A")
        #expect(wired.network == .wired)
    }

    @Test(
        "a bad connector name is refused naming the field and the rule",
        arguments: [
            ("a\u{0}b", "must not contain control characters"),
            ("   ", "must not be empty"),
        ])
    func tokenRefusals(name: String, message: String) {
        #expect(throws: RequestBodyError.invalid(ValidationError(field: "connectorName", message: message))) {
            try TokenRequest(connectorName: name, network: .wireless)
        }
    }

    /// The shape of a body, decoded as the generated types do (a required name, an optional
    /// list of objects).
    private struct Shape: Decodable {
        struct Entry: Decodable { let ipAddress: String }
        let name: String
        let devices: [Entry]?
    }

    @Test(
        "a body that does not decode names the field at fault, or is malformed when it is no JSON object",
        arguments: [
            (#"{"devices":[]}"#, RequestBodyError.invalid(ValidationError(field: "name", message: "is required"))),
            (#"{"name":7}"#, .invalid(ValidationError(field: "name", message: "must be a string"))),
            (#"{"name":null}"#, .invalid(ValidationError(field: "name", message: "must be a string"))),
            (
                #"{"name":"a","devices":[{"ipAddress":"x"},{}]}"#,
                .invalid(ValidationError(field: "devices[1].ipAddress", message: "is required"))
            ),
            (#"{"name":"a","devices":{}}"#, .invalid(ValidationError(field: "devices", message: "must be an array"))),
            (#"["name"]"#, .invalid(ValidationError(field: "body", message: "must be a JSON object"))),
            ("not json", .malformed),
            ("", .malformed),
        ])
    func decodingErrors(body: String, error: RequestBodyError) {
        #expect {
            _ = try JSONDecoder().decode(Shape.self, from: Data(body.utf8))
        } throws: { thrown in
            (thrown as? DecodingError).map(RequestBodyError.init) == error
        }
    }

    @Test(
        "a device list keeps canonical addresses in order and names each bad entry",
        arguments: [
            (["B"], "devices[0].ipAddress"),
            (["192.0.2.1", "1.2.3"], "devices[1].ipAddress"),
            (["999.1.1.1"], "devices[0].ipAddress"),
            (["1.2.3.4.5"], "devices[0].ipAddress"),
            (["192.0.2.61", "::ffff:192.0.2.61"], "devices[1].ipAddress"),
            ([""], "devices[0].ipAddress"),
        ])
    func deviceRefusals(addresses: [String], field: String) {
        #expect {
            try DeviceListRequest(devices: addresses.map { ($0, nil) })
        } throws: { error in
            guard case .invalid(let validation) = error as? RequestBodyError else { return false }
            return validation.field == field
        }
    }

    @Test("a device name with a control character is refused naming its entry")
    func deviceNameRefused() {
        #expect(throws: RequestBodyError.invalid(ValidationError(field: "devices[0].name", message: "must not contain control characters")))
        {
            try DeviceListRequest(devices: [("192.0.2.1", "a\u{7}")])
        }
    }

    @Test("a device list is stored in canonical spelling, names optional")
    func deviceList() throws {
        let request = try DeviceListRequest(devices: [("2001:DB8::0:1", "wlc"), ("192.0.2.9", nil)])
        #expect(request.devices == [.init(ipAddress: "2001:db8::1", name: "wlc"), .init(ipAddress: "192.0.2.9", name: "")])
    }

    @Test("more devices than a group may list are refused")
    func tooManyDevices() {
        let entries = (0...DeviceListRequest.maximumDevices).map { ("10.0.\($0 / 256).\($0 % 256)", String?.none) }
        #expect(throws: RequestBodyError.invalid(ValidationError(field: "devices", message: "at most 1000 devices per group"))) {
            try DeviceListRequest(devices: entries)
        }
    }

    @Test(
        "a reprovision names one or more known services",
        arguments: [
            (["iot", "hyperlocation", "iot"], Set<HAGroup.Service>([.iot, .hyperlocation]) as Set<HAGroup.Service>?),
            (["iot"], Set<HAGroup.Service>([.iot])),
            ([], nil),
            (["iot", "mail"], nil),
        ])
    func reprovision(names: [String], expected: Set<HAGroup.Service>?) {
        #expect((try? ReprovisionRequest(services: names))?.services == expected)
    }

    @Test("an analyst request needs a name that is not blank")
    func analystRequest() throws {
        #expect(try AnalystRequest(name: " Ana ").name.value == "Ana")
        #expect(throws: RequestBodyError.invalid(ValidationError(field: "name", message: "must not be empty"))) {
            try AnalystRequest(name: "  ")
        }
    }

    @Test(
        "the sign-in form reads a percent-encoded key and treats broken encoding as no key",
        arguments: [
            ("apiKey=tdm_abc%2Bdef+x", "tdm_abc+def x"),
            ("other=1&apiKey=k", "k"),
            ("apiKey=", ""),
            ("apiKey=%E2%82", ""),
            ("apiKey=%zz", ""),
            ("", ""),
        ])
    func signInForm(body: String, key: String) {
        #expect(SignInForm(body: bytes(body)).apiKey == key)
    }
}
