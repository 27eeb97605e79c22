// libFuzzer target (b): control-channel message bytes → protobuf decode → Hello validation and
// the pairing rules against a group of two, heartbeat statistics cleaning, Goodbye reasons. Properties: no
// crash, trap or hang; an accepted Hello's address is canonical (parsing it again gives the
// same text) and its fields carry no control character; the pairing rules answer every Hello
// (joins or refusals naming a rule); heartbeat statistics encode to JSON that PostgreSQL's
// jsonb takes (no NUL), with canonical or cleaned addresses.
import Foundation
import FuzzSupport
import SwiftProtobuf
import TandemCore
import TandemProtocol
import TandemWire

let rules = PairingRules(maximumActiveMembers: 2)
let members = [
    PairingRules.Member(instanceID: "a", ipAddress: "192.0.2.61", ovaVersion: OVAVersion("2.3.460")!),
    PairingRules.Member(instanceID: "b", ipAddress: "2001:db8::1", ovaVersion: OVAVersion("2.3.460")!),
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzControlChannel(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    guard let message = try? Tandem_V1_ControlMessage(serializedBytes: bytes) else { return 0 }
    switch message.message {
    case .hello(let wire):
        guard let hello = try? ConnectorHello(wire) else { return 0 }
        fuzzCheck(IPAddress(hello.ipAddress)?.canonical == hello.ipAddress, "address not canonical: \(hello.ipAddress)")
        fuzzCheck(!hello.instanceID.isEmpty, "empty instance id accepted")
        for field in [hello.instanceID, hello.hostname, hello.macAddress, hello.dockerVersion] {
            fuzzCheck(isStorableText(field), "control character accepted in a Hello")
        }
        for group in [[], Array(members.prefix(1)), members] {
            if let refusal = rules.check(hello, activeMembers: group) {
                fuzzCheck(!refusal.message.isEmpty, "a refusal without a message")
            } else {
                fuzzCheck(group.filter { $0.instanceID != hello.instanceID }.count < 2, "a third member joined")
                fuzzCheck(
                    !group.contains { $0.ipAddress == hello.ipAddress && $0.instanceID != hello.instanceID }, "an address joined twice")
            }
        }
    case .heartbeat(let heartbeat):
        let statistics = ConnectorStatistics(heartbeat)
        guard let json = try? JSONEncoder().encode(statistics) else { fatalError("heartbeat statistics did not encode") }
        fuzzCheck(!String(decoding: json, as: UTF8.self).contains("\\u0000"), "NUL reached the jsonb statistics")
        for controller in statistics.controllers {
            fuzzCheck(isStorableText(controller.ipAddress) && isStorableText(controller.status), "control character kept")
            fuzzCheck(controller.messageRate.isFinite, "a rate that is not finite")
        }
    case .goodbye(let goodbye):
        // Any reason decodes to a stated one or to one Tandem refuses (unspecified, unknown).
        switch goodbye.reason {
        case .restart, .upgrade, .shutdown, .unspecified, .UNRECOGNIZED: break
        }
    case nil:
        break
    }
    return 0
}
