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

    @Test(
        "payloads this version does not understand are ignored, not misread",
        arguments: [
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

/// Batching of cluster messages into notification payloads.
@Suite("Cluster message batches")
struct ClusterMessageBatchTests {
    @Test("1,000 messages go out in payloads under 8,000 bytes, each line intact, duplicates once, order kept")
    func batches() throws {
        let origin = try NodeID("node-1")
        let messages = (0..<1_000).map { _ in ClusterMessage(.haActive, origin: origin, tenant: .random(), token: .random()) }
        let payloads = ClusterMessage.payloads(messages + messages.prefix(10))
        #expect(payloads.allSatisfy { $0.utf8.count <= ClusterMessage.maximumPayloadBytes })
        #expect(payloads.count < 20)
        #expect(payloads.flatMap(ClusterMessage.messages(in:)) == messages)
    }

    @Test("a payload mixing known and unknown lines yields the known ones")
    func mixed() throws {
        let known = ClusterMessage(.revoked, origin: try NodeID("n"), tenant: .random(), token: .random())
        #expect(ClusterMessage.messages(in: "teleport x y z\n\(known.payload)\n") == [known])
    }
}
