import Foundation
import TandemCore
import Testing

@Suite("Event identity")
struct EventIdentityTests {
    let tenant = TenantID(UUID(uuidString: "6f9619ff-8b86-d011-b42d-00c04fc964ff")!)

    func event(subject: String = "aa:bb", body: String = "x", time: Int64 = 1_000, received: Int64 = 5, sequence: UInt64 = 1) -> DeviceEvent
    {
        DeviceEvent(
            channel: .controller, sourceDevice: "172.20.239.66", kind: .clientRSSI, deviceTimeMicros: time,
            subject: subject, body: Array(body.utf8), receivedAtMicros: received, connectorSequence: sequence)
    }

    @Test("connector-local fields don't change the identity")
    func connectorFieldsIgnored() {
        #expect(EventIdentity(tenant: tenant, event: event()) == EventIdentity(tenant: tenant, event: event(received: 99, sequence: 42)))
    }

    @Test("every device-set field and the tenant change the identity")
    func deviceFieldsCount() {
        let base = EventIdentity(tenant: tenant, event: event())
        #expect(base != EventIdentity(tenant: tenant, event: event(subject: "aa:bc")))
        #expect(base != EventIdentity(tenant: tenant, event: event(body: "y")))
        #expect(base != EventIdentity(tenant: tenant, event: event(time: 1_001)))
        #expect(base != EventIdentity(tenant: .random(), event: event()))
        var other = event()
        other.kind = .clientLocation
        #expect(base != EventIdentity(tenant: tenant, event: other))
    }

    @Test("the identity is the stored key of every event: its value never changes (computed independently with Python's hashlib)")
    func pinnedValue() {
        // sha256(tenant's 16 bytes ‖ u32le(13) "172.20.239.66" ‖ i16le(1) ‖ i64le(1000) ‖ u32le(5) "aa:bb" ‖ u32le(1) "x")[0..<16]
        #expect(EventIdentity(tenant: tenant, event: event()).description == "f74b3b52-8284-446b-d58a-da8cd42791e6")
    }

    @Test("fields are length-prefixed: moving bytes between subject and body changes the identity")
    func noAmbiguity() {
        #expect(
            EventIdentity(tenant: tenant, event: event(subject: "ab", body: "c"))
                != EventIdentity(tenant: tenant, event: event(subject: "a", body: "bc")))
    }
}
