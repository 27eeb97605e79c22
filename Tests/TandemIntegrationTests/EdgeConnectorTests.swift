import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import PostgresNIO
import Synchronization
import TandemConnector
import TandemProtocol
import TandemSimulator
import Testing

/// The one connector client the simulator, the benchmarks and the chaos run share, against a
/// real Tandem.
@Suite("EdgeConnector: a connector's queue, in-flight bound and resend after a loss")
struct EdgeConnectorTests {
    /// What the connector told its observer.
    final class Observed: Sendable {
        struct State {
            var acked: [UInt64] = []
            var outstanding: Set<UInt64> = []
            var mostOutstanding = 0
            var connected = 0
            var lost = 0
        }

        let state = Mutex(State())

        func record(_ event: EdgeConnector<HTTP2ClientTransport.Posix>.Event) {
            state.withLock { state in
                switch event {
                case .connected: state.connected += 1
                case .sent(let batch):
                    state.outstanding.insert(batch.sequence)
                    state.mostOutstanding = max(state.mostOutstanding, state.outstanding.count)
                case .acked(let batch, _):
                    state.acked.append(batch.sequence)
                    state.outstanding.remove(batch.sequence)
                case .disconnected(let error):
                    if error is EdgeConnector<HTTP2ClientTransport.Posix>.Lost { state.lost += 1 }
                case .command: break
                }
            }
        }
    }

    @Test(
        "lost mid-stream and restored, it resends every un-acked batch in order: each batch acked once and in order, each event stored once, never more than the bound in flight",
        .timeLimit(.minutes(1))
    )
    func resendAfterLoss() async throws {
        try await TandemHarness.run { tandem in
            let site = try await tandem.site(name: "edge")
            let port = try await tandem.ingest.listeningPort()
            let observed = Observed()
            var options = EdgeConnector<HTTP2ClientTransport.Posix>.Options()
            options.maximumInFlight = 3
            options.reconnectDelay = .milliseconds(50)
            let connector = EdgeConnector(
                identity: ConnectorIdentity(hostname: "edge-1", ipAddress: "10.9.0.1"), token: site.token, options: options
            ) {
                try GRPCClient(transport: .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext))
            } observe: {
                observed.record($0)
            }

            var generator = EventGenerator(seed: 3, site: 0)
            let batches = (1...30).map { sequence in
                Tandem_V1_EventBatch.with {
                    $0.sequence = UInt64(sequence)
                    $0.events = generator.next(20, now: Date())
                }
            }
            for batch in batches { connector.send(batch) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await connector.run() }
                try await eventually("five batches acked", timeout: .seconds(20)) { observed.state.withLock { $0.acked.count >= 5 } }
                connector.lose()
                #expect(connector.pending > 0, "the loss left batches un-acked")
                connector.restore()
                connector.finish()
                try await group.next()
            }

            let state = observed.state.withLock { $0 }
            #expect(state.acked == Array(1...30), "each batch acked once, in order")
            #expect(state.lost == 1)
            #expect(state.connected == 2, "one session before the loss, one after")
            #expect(state.mostOutstanding <= 3)
            #expect(connector.pending == 0)
            let rows = try await tandem.store.database.client.query(
                "SELECT count(*)::int8, count(DISTINCT identity)::int8 FROM events WHERE tenant_id = \(site.tenant.rawValue)")
            for try await (count, distinct) in rows.decode((Int64, Int64).self) {
                #expect(count == Int64(batches.reduce(0) { $0 + $1.events.count }))
                #expect(distinct == count)
            }
        }
    }
}
