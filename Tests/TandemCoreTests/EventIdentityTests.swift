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

    @Test("fields are length-prefixed: moving bytes between subject and body changes the identity")
    func noAmbiguity() {
        #expect(
            EventIdentity(tenant: tenant, event: event(subject: "ab", body: "c"))
                != EventIdentity(tenant: tenant, event: event(subject: "a", body: "bc")))
    }
}
