import TandemCore
import Testing

@Suite("Pairing rules and OVA versions")
struct PairingRulesTests {
    func hello(_ ip: String, _ version: String, instance: String = "new") throws -> ConnectorHello {
        try ConnectorHello(
            instanceID: instance, hostname: "h", ipAddress: ip, macAddress: "m", ovaVersion: version,
            dockerVersion: "v2.0.446", channels: .both)
    }

    func member(_ ip: String, _ version: String, instance: String = "old") -> PairingRules.Member {
        .init(instanceID: instance, ipAddress: ip, ovaVersion: OVAVersion(version)!)
    }

    @Test("versions parse with or without the ova- prefix and compare numerically")
    func versions() {
        #expect(OVAVersion("ova-2.3.460") == OVAVersion("2.3.460"))
        #expect(OVAVersion("2.10")! > OVAVersion("2.9.999")!)
        #expect(OVAVersion("2.3") == OVAVersion("2.3.0"))
        #expect(OVAVersion("2.3.0")!.supportsActiveActive)
        #expect(!OVAVersion("2.2.999")!.supportsActiveActive)
        for bad in ["", "2..3", "two", "2.3.x", "-1.2", "1.2.3.4.5.6.7"] { #expect(OVAVersion(bad) == nil, "\(bad)") }
    }

    @Test("an empty group admits anyone, even below 2.3")
    func loneConnector() throws {
        #expect(PairingRules().check(try hello("10.0.0.1", "2.2.1"), activeMembers: []) == nil)
    }

    @Test("a matching peer is admitted")
    func matchingPeer() throws {
        #expect(PairingRules().check(try hello("10.0.0.2", "2.3.460"), activeMembers: [member("10.0.0.1", "2.3.460")]) == nil)
    }

    @Test(
        "each rule refuses with its name and the values",
        arguments: [
            ("10.0.0.1", "2.3.460", "2.3.460", PairingRefusal.Rule.uniqueIPAddress),
            ("10.0.0.2", "2.3.461", "2.3.460", .sameVersion),
            ("10.0.0.2", "2.2.9", "2.3.460", .minimumVersion),
            ("10.0.0.2", "2.3.460", "2.2.9", .minimumVersion),
        ])
    func refusals(ip: String, version: String, peerVersion: String, rule: PairingRefusal.Rule) throws {
        let refusal = PairingRules().check(try hello(ip, version), activeMembers: [member("10.0.0.1", peerVersion)])
        #expect(refusal?.rule == rule)
        #expect(refusal?.description.contains(rule.rawValue) == true)
    }

    @Test("a full group refuses a third connector but lets a member reconnect")
    func groupFull() throws {
        let members = [member("10.0.0.1", "2.3.460", instance: "a"), member("10.0.0.2", "2.3.460", instance: "b")]
        #expect(PairingRules().check(try hello("10.0.0.3", "2.3.460"), activeMembers: members)?.rule == .groupFull)
        #expect(PairingRules().check(try hello("10.0.0.1", "2.3.460", instance: "a"), activeMembers: members) == nil)
        #expect(PairingRules(maximumActiveMembers: 3).check(try hello("10.0.0.3", "2.3.460"), activeMembers: members) == nil)
    }

    @Test("a Hello must name its instance, IP and a parsable version, and carry a channel")
    func helloValidation() {
        #expect(throws: ValidationError.self) { try hello("", "2.3.460") }
        #expect(throws: ValidationError.self) { try hello("10.0.0.1", "latest") }
        #expect(throws: ValidationError.self) {
            try ConnectorHello(
                instanceID: "i", hostname: "h", ipAddress: "10.0.0.1", macAddress: "m", ovaVersion: "2.3",
                dockerVersion: "v", channels: .init(controller: false, accessPoint: false))
        }
        #expect(throws: ValidationError.self) { try hello("10.0.0.1\n", "2.3.460") }
    }

    @Test("one version format: what is accepted is what the refusal says (2.3.460.0 is documented, and equals 2.3.460)")
    func versionFormatIsTheOneStated() throws {
        #expect(OVAVersion("2.3.460.0") == OVAVersion("2.3.460"))
        #expect(OVAVersion.format.contains("2.3.460.0") && OVAVersion.format.contains("1 to 6 numbers"))
        do {
            _ = try hello("10.0.0.1", "latest")
            Issue.record("a version that is not one was accepted")
        } catch let error as ValidationError {
            #expect(error.field == "ovaVersion")
            #expect(error.message.hasPrefix(OVAVersion.format))
        }
    }
}
