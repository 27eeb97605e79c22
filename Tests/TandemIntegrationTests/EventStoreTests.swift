import Foundation
import PostgresNIO
import TandemCore
import TandemStore
import Testing

@Suite("Event store: what is written reads back as sent")
struct EventStoreTests {
    @Test("every column of stored events reads back as sent: bodies of any bytes (empty, binary, large), times to the microsecond")
    func columnsRoundTrip() async throws {
        try await TestDatabase.withStore { store, _ in
            try await store.partitions.maintain()
            let (tenant, token) = try await TestDatabase.group(in: store)
            let connector = ConnectorID.random()
            let now = Int64(Date().timeIntervalSince1970 * 1e6)
            let bodies: [[UInt8]] = [
                [], Array(0...255), Array("{\"rssi\":-40}".utf8), (0..<60_000).map { UInt8(truncatingIfNeeded: $0 &* 31) },
            ]
            let events = bodies.enumerated().map { index, body in
                DeviceEvent(
                    channel: index % 2 == 0 ? .controller : .accessPoint, sourceDevice: "172.20.239.\(index)",
                    kind: .clientRSSI, deviceTimeMicros: now - 1_000_007 * Int64(index + 1), subject: "aa:bb:cc:00:00:\(index)",
                    body: body, receivedAtMicros: now - Int64(index), connectorSequence: UInt64(index))
            }
            let outcomes = try await store.events.write(
                events.map { EventRecord(tenant: tenant.id, token: token.id, connector: connector, event: $0) })
            #expect(outcomes == Array(repeating: .stored, count: events.count))

            var read: [String: (Int16, Int64, String, ByteBuffer, Int64)] = [:]
            let rows = try await store.database.client.query(
                """
                SELECT subject, channel, (extract(epoch FROM device_time) * 1000000)::int8, source_device, body,
                       (extract(epoch FROM received_at) * 1000000)::int8
                FROM events WHERE tenant_id = \(tenant.id.rawValue)
                """)
            for try await (subject, channel, device, source, body, received) in rows.decode(
                (String, Int16, Int64, String, ByteBuffer, Int64).self)
            {
                read[subject] = (channel, device, source, body, received)
            }
            #expect(read.count == events.count)
            for event in events {
                let row = try #require(read[event.subject])
                #expect(row.0 == Int16(event.channel.rawValue))
                #expect(row.1 == event.deviceTimeMicros)
                #expect(row.2 == event.sourceDevice)
                #expect(Array(row.3.readableBytesView) == event.body, "body of \(event.subject) (\(event.body.count) bytes)")
                #expect(row.4 == event.receivedAtMicros)
            }
        }
    }
}
