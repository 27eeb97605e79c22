import TandemCore
import Testing

/// Operator request bodies are decoded and validated in one place, before any route touches
/// the store; each refusal names the field and the rule.
@Suite("Operator request bodies")
struct OperatorRequestTests {
    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test("a token request takes a name and a network, wireless by default")
    func tokenRequest() throws {
        let wired = try TokenRequest(json: bytes(#"{"connectorName":"  Site A  ","network":"wired"}"#))
        #expect(wired.connectorName.value == "Site A")
        #expect(wired.network == .wired)
        #expect(try TokenRequest(json: bytes(#"{"connectorName":"Site A"}"#)).network == .wireless)
    }

    @Test(
        "a bad body is refused naming the field and the rule",
        arguments: [
            (#"{"network":"wired"}"#, RequestBodyError.invalid(ValidationError(field: "connectorName", message: "is required"))),
            (#"{"connectorName":7}"#, .invalid(ValidationError(field: "connectorName", message: "must be a string"))),
            (
                #"{"connectorName":"a\u0000b"}"#,
                .invalid(ValidationError(field: "connectorName", message: "must not contain control characters"))
            ),
            (#"{"connectorName":"   "}"#, .invalid(ValidationError(field: "connectorName", message: "must not be empty"))),
            (
                #"{"connectorName":"a","network":"fiber"}"#,
                .invalid(ValidationError(field: "network", message: #"must be "wireless" or "wired" (got "fiber")"#))
            ),
            (#"["connectorName"]"#, .invalid(ValidationError(field: "body", message: "must be a JSON object"))),
            ("not json", .malformed),
            ("", .malformed),
        ])
    func tokenRefusals(body: String, error: RequestBodyError) {
        #expect(throws: error) { try TokenRequest(json: bytes(body)) }
    }

    @Test(
        "a device list keeps canonical addresses in order and names each bad entry",
        arguments: [
            (#"{"devices":[{"ipAddress":"B"}]}"#, "devices[0].ipAddress"),
            (#"{"devices":[{"ipAddress":"192.0.2.1"},{"ipAddress":"1.2.3"}]}"#, "devices[1].ipAddress"),
            (#"{"devices":[{"ipAddress":"999.1.1.1"}]}"#, "devices[0].ipAddress"),
            (#"{"devices":[{"ipAddress":"1.2.3.4.5"}]}"#, "devices[0].ipAddress"),
            (#"{"devices":[{"ipAddress":"192.0.2.61"},{"ipAddress":"::ffff:192.0.2.61"}]}"#, "devices[1].ipAddress"),
            (#"{"devices":[{"ipAddress":7}]}"#, "devices[0].ipAddress"),
            (#"{"devices":[{"ipAddress":"192.0.2.1","name":"a\u0007"}]}"#, "devices[0].name"),
            (#"{"devices":[{}]}"#, "devices[0].ipAddress"),
            (#"{}"#, "devices"),
        ])
    func deviceRefusals(body: String, field: String) {
        #expect {
            try DeviceListRequest(json: bytes(body))
        } throws: { error in
            guard case .invalid(let validation) = error as? RequestBodyError else { return false }
            return validation.field == field
        }
    }

    @Test("a device list is stored in canonical spelling, names optional")
    func deviceList() throws {
        let request = try DeviceListRequest(
            json: bytes(#"{"devices":[{"ipAddress":"2001:DB8::0:1","name":"wlc"},{"ipAddress":"192.0.2.9"}]}"#))
        #expect(request.devices == [.init(ipAddress: "2001:db8::1", name: "wlc"), .init(ipAddress: "192.0.2.9", name: "")])
    }

    @Test("more devices than a group may list are refused")
    func tooManyDevices() {
        let entries = (0...DeviceListRequest.maximumDevices).map { #"{"ipAddress":"10.0.\#($0 / 256).\#($0 % 256)"}"# }
        #expect(throws: RequestBodyError.invalid(ValidationError(field: "devices", message: "at most 1000 devices per group"))) {
            try DeviceListRequest(json: bytes(#"{"devices":[\#(entries.joined(separator: ","))]}"#))
        }
    }

    @Test(
        "a reprovision names one or more known services",
        arguments: [
            (#"{"services":["iot","hyperlocation","iot"]}"#, Set<HAGroup.Service>([.iot, .hyperlocation]) as Set<HAGroup.Service>?),
            (#"{"services":["iot"]}"#, Set<HAGroup.Service>([.iot])),
            (#"{"services":[]}"#, nil),
            (#"{"services":["iot","mail"]}"#, nil),
            (#"{}"#, nil),
        ])
    func reprovision(body: String, services: Set<HAGroup.Service>?) {
        #expect((try? ReprovisionRequest(json: bytes(body)))?.services == services)
    }

    @Test("an analyst request needs a name")
    func analystRequest() throws {
        #expect(try AnalystRequest(json: bytes(#"{"name":"Ana"}"#)).name.value == "Ana")
        #expect(throws: RequestBodyError.invalid(ValidationError(field: "name", message: "is required"))) {
            try AnalystRequest(json: bytes("{}"))
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
