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

    @Test("repeated failed authentications from one address get RESOURCE_EXHAUSTED / 429 with a retry-after")
    func failedAuthenticationsAreSlowedDown() async throws {
        try await TandemHarness.run { tandem in
            let site = try await tandem.site()
            for attempt in 0..<21 {
                do {
                    _ = try await ControlStream.open(
                        client: tandem.client, token: "tdt_guess-\(attempt)",
                        identity: ConnectorIdentity(hostname: "guesser", ipAddress: "10.9.9.9"), heartbeatEvery: nil)
                    Issue.record("a guessed token was accepted")
                } catch let error as RPCError {
                    if attempt < 20 {
                        #expect(error.code == .unauthenticated)
                    } else {
                        #expect(error.code == .resourceExhausted)
                        #expect(error.metadata[stringValues: "retry-after"].first(where: { _ in true }).flatMap { Int($0) } ?? 0 > 0)
                    }
                }
            }
            try await tandem.withAPI { api in
                for attempt in 0..<21 {
                    try await api.execute(
                        uri: "/api/v1/tokens", method: .get, headers: [.authorization: "Bearer tdk_guess-\(attempt)"]
                    ) { response in
                        if attempt < 20 {
                            #expect(response.status == .unauthorized)
                        } else {
                            #expect(response.status == .tooManyRequests)
                            #expect(Int(response.headers[.retryAfter] ?? "") ?? 0 > 0)
                            #expect(String(buffer: response.body).contains("too_many_failed_authentications"))
                        }
                    }
                }
            }
            _ = site
        }
    }
}
