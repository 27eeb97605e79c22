import Foundation
import GRPCCore
import TandemConnector
import TandemCore
import TandemProtocol
import Testing

/// A node shutting down (SIGTERM) ends its connectors' streams itself instead of waiting for
/// them forever, acks what is in flight, and records nobody as lost.
@Suite("Graceful drain of a node")
struct DrainTests {
    @Test("drain ends control and data streams with UNAVAILABLE, acks batches in flight, records no loss or failover")
    func drainEndsStreamsWithoutLoss() async throws {
        try await TandemHarness.run { tandem in
            let site = try await tandem.site()
            let a = try await tandem.connect(site, ip: "10.0.0.1", instanceID: "a")
            let b = try await tandem.connect(site, ip: "10.0.0.2", instanceID: "b")
            let data = DataStream.open(client: tandem.client, token: site.token, instanceID: "a")
            #expect(try await data.write(makeBatch(sequence: 1, events: 50)).stored == 50)
            for sequence in 2...6 { data.send(makeBatch(sequence: UInt64(sequence), events: 500, offset: sequence * 1_000)) }

            tandem.ingest.registry.drain()

            for control in [a, b] {
                let ended = await #expect(throws: RPCError.self) { try await control.ended() }
                #expect(ended?.code == .unavailable, "\(String(describing: ended))")
            }
            var acked = 50
            var end: (any Error)?
            do {
                while let ack = try await data.nextAck() { acked += Int(ack.stored + ack.duplicates) }
            } catch {
                end = error
            }
            #expect((end as? RPCError)?.code == .unavailable, "\(String(describing: end))")
            // Every acked event is durable; nothing unacked matters (the connector resends it).
            #expect(try await tandem.storedEvents(site.tenant) >= acked)
            let state = try #require(try await tandem.store.groups.state(tenant: site.tenant, token: site.tokenID))
            #expect(state.history.map(\.kind) == [.joined, .joined], "\(state.history.map(\.kind))")
            #expect(state.haActive.count == 2)
        }
    }
}
