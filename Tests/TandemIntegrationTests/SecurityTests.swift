import Foundation
import GRPCCore
import Hummingbird
import HummingbirdTesting
import TandemConnector
import TandemCore
import Testing

@Suite("Security: revocation, tenant isolation, no secrets in logs")
struct SecurityTests {
    @Test("revoking a token closes its live control and data channels within 5 s and refuses new ones")
    func revocationClosesChannels() async throws {
        try await TandemHarness.run { tandem in
            let site = try await tandem.site()
            let control = try await tandem.connect(site, ip: "10.0.0.1", instanceID: "revoked-1")
            let data = DataStream.open(client: tandem.client, token: site.token, instanceID: "revoked-1")
            #expect(try await data.write(makeBatch(sequence: 1, events: 5)).stored == 5)
            let started = ContinuousClock.now
            try await tandem.withAPI { api in
                try await api.execute(
                    uri: "/api/v1/tokens/\(site.tokenID)", method: .delete, headers: [.authorization: "Bearer \(site.apiKey)"]
                ) { #expect($0.status == .ok) }
            }
            await #expect(throws: RPCError.self) { try await control.ended() }
            do {
                _ = try await data.nextAck()
                Issue.record("the data stream stayed open after revocation")
            } catch let error as RPCError {
                #expect(error.code == .unauthenticated)
            }
            #expect(ContinuousClock.now - started < .seconds(5))
            do {
                _ = try await tandem.connect(site, ip: "10.0.0.2")
                Issue.record("a revoked token opened a control channel")
            } catch let error as RPCError {
                #expect(error.code == .unauthenticated)
            }
        }
    }
}
