// libFuzzer target (c): the HTTP bodies of every operator route that takes one → decoding and
// validation, exactly as the routes run them (TandemCore's request types). The first byte picks
// the route; the rest is the body. Properties: no crash, trap or hang; whatever is accepted
// keeps the rules (names storable and at most 128 characters, addresses canonical and unique,
// at most 1,000 devices, one or more known services), and its round trip holds (the accepted
// value written back as JSON, or as a form, decodes to the same value).
import Foundation
import FuzzSupport
import TandemCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOperatorRequests(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    guard count > 0 else { return 0 }
    let bytes = UnsafeRawBufferPointer(start: start, count: count)
    let body = Array(bytes.dropFirst())
    switch bytes[0] % 5 {
    case 0:
        guard let request = try? TokenRequest(json: body) else { return 0 }
        checkName(request.connectorName)
        let again = json(["connectorName": request.connectorName.value, "network": request.network.rawValue])
        fuzzCheck((try? TokenRequest(json: again)) == request, "token request round trip")
    case 1:
        guard let request = try? AnalystRequest(json: body) else { return 0 }
        checkName(request.name)
        fuzzCheck((try? AnalystRequest(json: json(["name": request.name.value]))) == request, "analyst request round trip")
    case 2:
        guard let request = try? DeviceListRequest(json: body) else { return 0 }
        fuzzCheck(request.devices.count <= DeviceListRequest.maximumDevices, "too many devices accepted")
        fuzzCheck(Set(request.devices.map(\.ipAddress)).count == request.devices.count, "an address listed twice")
        for device in request.devices {
            fuzzCheck(IPAddress(device.ipAddress)?.canonical == device.ipAddress, "address not canonical: \(device.ipAddress)")
            fuzzCheck(isStorableText(device.name) && device.name.count <= DisplayName.maximumLength, "device name kept as given")
        }
        let again = json([
            "devices": request.devices.map { $0.name.isEmpty ? ["ipAddress": $0.ipAddress] : ["ipAddress": $0.ipAddress, "name": $0.name] }
        ])
        fuzzCheck((try? DeviceListRequest(json: again)) == request, "device list round trip")
    case 3:
        guard let request = try? ReprovisionRequest(json: body) else { return 0 }
        fuzzCheck(!request.services.isEmpty, "an empty reprovision accepted")
        let again = json(["services": request.services.map(\.rawValue).sorted()])
        fuzzCheck((try? ReprovisionRequest(json: again)) == request, "reprovision round trip")
    default:
        let form = SignInForm(body: body)
        let key = form.apiKey.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        fuzzCheck(SignInForm(body: Array("apiKey=\(key)".utf8)).apiKey == form.apiKey, "sign-in form round trip")
    }
    return 0
}

/// Names are what the domain promises: trimmed, storable, not too long.
func checkName(_ name: DisplayName) {
    fuzzCheck(!name.value.isEmpty && name.value.count <= DisplayName.maximumLength, "name length")
    fuzzCheck(isStorableText(name.value), "control character accepted in a name")
    fuzzCheck((try? DisplayName(name.value, field: "name")) == name, "a name not stable under validation")
}

func json(_ object: Any) -> [UInt8] {
    guard let data = try? JSONSerialization.data(withJSONObject: object) else { fatalError("JSON did not encode") }
    return Array(data)
}
