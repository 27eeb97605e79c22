// libFuzzer target (c): the HTTP bodies of every operator operation that takes one → decoding
// and validation, exactly as the server runs them (the generated types of OpenAPI/openapi.json
// decode the JSON, TandemCore's request types apply the rules). The first byte picks the
// operation; the rest is the body. Properties: no crash, trap or hang; a body that does not
// decode gets an error naming a field or saying it is malformed; whatever is accepted keeps the
// rules (names storable and at most 128 characters, addresses canonical and unique, at most
// 1,000 devices, one or more known services), and its round trip holds (the accepted value
// written back as JSON, or as a form, decodes to the same value).
import Foundation
import FuzzSupport
import TandemCore
import TandemOpenAPI

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOperatorRequests(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    guard count > 0 else { return 0 }
    let bytes = UnsafeRawBufferPointer(start: start, count: count)
    let body = Array(bytes.dropFirst())
    switch bytes[0] % 5 {
    case 0:
        let parse = { (body: Components.Schemas.TokenRequest) throws(RequestBodyError) in
            try TokenRequest(
                connectorName: body.connectorName, network: body.network.flatMap { NetworkKind(rawValue: $0.rawValue) } ?? .wireless)
        }
        guard let request = validated(body, as: Components.Schemas.TokenRequest.self, parse) else { return 0 }
        checkName(request.connectorName)
        let again = json(["connectorName": request.connectorName.value, "network": request.network.rawValue])
        fuzzCheck(validated(again, as: Components.Schemas.TokenRequest.self, parse) == request, "token request round trip")
    case 1:
        let parse = { (body: Components.Schemas.AnalystRequest) throws(RequestBodyError) in try AnalystRequest(name: body.name) }
        guard let request = validated(body, as: Components.Schemas.AnalystRequest.self, parse) else { return 0 }
        checkName(request.name)
        fuzzCheck(
            validated(json(["name": request.name.value]), as: Components.Schemas.AnalystRequest.self, parse) == request,
            "analyst request round trip")
    case 2:
        let parse = { (body: Components.Schemas.DevicesRequest) throws(RequestBodyError) in
            try DeviceListRequest(devices: body.devices.map { ($0.ipAddress, $0.name) })
        }
        guard let request = validated(body, as: Components.Schemas.DevicesRequest.self, parse) else { return 0 }
        fuzzCheck(request.devices.count <= DeviceListRequest.maximumDevices, "too many devices accepted")
        fuzzCheck(Set(request.devices.map(\.ipAddress)).count == request.devices.count, "an address listed twice")
        for device in request.devices {
            fuzzCheck(IPAddress(device.ipAddress)?.canonical == device.ipAddress, "address not canonical: \(device.ipAddress)")
            fuzzCheck(isStorableText(device.name) && device.name.count <= DisplayName.maximumLength, "device name kept as given")
        }
        let again = json([
            "devices": request.devices.map { $0.name.isEmpty ? ["ipAddress": $0.ipAddress] : ["ipAddress": $0.ipAddress, "name": $0.name] }
        ])
        fuzzCheck(validated(again, as: Components.Schemas.DevicesRequest.self, parse) == request, "device list round trip")
    case 3:
        let parse = { (body: Components.Schemas.ReprovisionRequest) throws(RequestBodyError) in
            try ReprovisionRequest(services: body.services.map(\.rawValue))
        }
        guard let request = validated(body, as: Components.Schemas.ReprovisionRequest.self, parse) else { return 0 }
        fuzzCheck(!request.services.isEmpty, "an empty reprovision accepted")
        let again = json(["services": request.services.map(\.rawValue).sorted()])
        fuzzCheck(validated(again, as: Components.Schemas.ReprovisionRequest.self, parse) == request, "reprovision round trip")
    default:
        let form = SignInForm(body: body)
        let key = form.apiKey.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        fuzzCheck(SignInForm(body: Array("apiKey=\(key)".utf8)).apiKey == form.apiKey, "sign-in form round trip")
    }
    return 0
}

/// `body` decoded as the generated type `Body` and validated by `rules`, or `nil` when it is
/// refused; a refusal must say what is wrong (a field and a rule, or malformed JSON).
func validated<Body: Decodable, Request>(
    _ body: [UInt8], as _: Body.Type, _ rules: (Body) throws(RequestBodyError) -> Request
) -> Request? {
    let decoded: Body
    do {
        decoded = try JSONDecoder().decode(Body.self, from: Data(body))
    } catch let error as DecodingError {
        if case .invalid(let validation) = RequestBodyError(error) { fuzzCheck(!validation.field.isEmpty, "a refusal names no field") }
        return nil
    } catch {
        fuzzCheck(false, "decoding threw \(type(of: error)), not a DecodingError")
        return nil
    }
    do {
        return try rules(decoded)
    } catch {
        if case .invalid(let validation) = error { fuzzCheck(!validation.field.isEmpty, "a refusal names no field") }
        return nil
    }
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
