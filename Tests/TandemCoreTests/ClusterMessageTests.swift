import Foundation
import TandemCore
import Testing

/// Node names and the wake-ups nodes send each other.
@Suite("Cluster messages and node ids")
struct ClusterMessageTests {
    static let tenant = TenantID(UUID(uuidString: "20000000-0000-0000-0000-000000000001")!)
    static let token = TokenID(UUID(uuidString: "30000000-0000-0000-0000-000000000001")!)

    @Test("every kind survives its payload, services included", arguments: ClusterMessage.Kind.allCases)
    func roundTrip(_ kind: ClusterMessage.Kind) throws {
        let message = ClusterMessage(
            kind, origin: try NodeID("node-1.eu_west"), tenant: Self.tenant, token: Self.token,
            services: kind == .reprovision ? ["hyperlocation", "iot"] : [])
        #expect(ClusterMessage(payload: message.payload) == message)
        #expect(message.payload.utf8.count < 200)
    }

    @Test("payloads this version does not understand are ignored, not misread", arguments: [
        "", "ha-active", "ha-active node-1 not-a-uuid 30000000-0000-0000-0000-000000000001",
        "teleport node-1 20000000-0000-0000-0000-000000000001 30000000-0000-0000-0000-000000000001",
        "ha-active bad/node 20000000-0000-0000-0000-000000000001 30000000-0000-0000-0000-000000000001",
        "ha-active node-1 20000000-0000-0000-0000-000000000001 30000000-0000-0000-0000-000000000001 iot extra",
    ])
    func unknown(_ payload: String) {
        #expect(ClusterMessage(payload: payload) == nil)
    }

    @Test("node ids: letters, digits, . _ -, 1 to 64 bytes; a generated one is valid and new each time")
    func nodeIDs() throws {
        #expect(try NodeID("tandem-a_1.prod").value == "tandem-a_1.prod")
        for bad in ["", "has space", "slash/", String(repeating: "n", count: 65), "naïve"] {
            #expect(throws: ValidationError.self, "\(bad)") { try NodeID(bad) }
        }
        let generated = NodeID.generated(hostname: "host name/with:odd chars")
        #expect(generated.value.hasPrefix("hostnamewithoddchars-"))
        #expect(NodeID.generated(hostname: "") != NodeID.generated(hostname: ""))
    }
}
