import Foundation
import GRPCCore
import Hummingbird
import HummingbirdTesting
import Synchronization
import TandemConnector
import TandemCore
import TandemIngest
import Testing

@Suite("Security: revocation, tenant isolation, no secrets in logs")
struct SecurityTests {
    /// A connector's control channel and a data stream that has stored a first batch.
    private func openChannels(
        _ tandem: TandemHarness, _ site: TandemHarness.Site, instanceID: String
    ) async throws -> (ControlStream, DataStream) {
        let control = try await tandem.connect(site, ip: "10.0.0.1", instanceID: instanceID)
        let data = DataStream.open(client: tandem.client, token: site.token, instanceID: instanceID)
        #expect(try await data.write(makeBatch(sequence: 1, events: 5)).stored == 5)
        return (control, data)
    }

    /// Both channels ended by the revocation (the data stream with UNAUTHENTICATED) within 5 s.
    private func expectClosedByRevocation(_ control: ControlStream, _ data: DataStream, since started: ContinuousClock.Instant) async {
        await #expect(throws: RPCError.self) { try await control.ended() }
        do {
            _ = try await data.nextAck()
            Issue.record("the data stream stayed open after revocation")
        } catch let error as RPCError {
            #expect(error.code == .unauthenticated)
        } catch {
            Issue.record("the data stream ended with \(error), not UNAUTHENTICATED")
        }
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test("revoking a token closes its live control and data channels within 5 s and refuses new ones")
    func revocationClosesChannels() async throws {
        try await TandemHarness.run { tandem in
            let site = try await tandem.site()
            let (control, data) = try await openChannels(tandem, site, instanceID: "revoked-1")
            let started = ContinuousClock.now
            try await tandem.withAPI { api in
                try await api.execute(
                    uri: "/api/v1/tokens/\(site.tokenID)", method: .delete, headers: [.authorization: "Bearer \(site.apiKey)"]
                ) { #expect($0.status == .ok) }
            }
            await expectClosedByRevocation(control, data, since: started)
            do {
                _ = try await tandem.connect(site, ip: "10.0.0.2")
                Issue.record("a revoked token opened a control channel")
            } catch let error as RPCError {
                #expect(error.code == .unauthenticated)
            }
        }
    }

    @Test("revoking the token of a live pair records both members lost and no failover: no peer survives it")
    func revocationIsNoFailover() async throws {
        try await TandemHarness.run { tandem in
            let site = try await tandem.site()
            let a = try await tandem.connect(site, ip: "10.0.0.1", instanceID: "pair-a")
            let b = try await tandem.connect(site, ip: "10.0.0.2", instanceID: "pair-b")
            try await tandem.withAPI { api in
                try await api.execute(
                    uri: "/api/v1/tokens/\(site.tokenID)", method: .delete, headers: [.authorization: "Bearer \(site.apiKey)"]
                ) { #expect($0.status == .ok) }
            }
            try await eventually("both members to be recorded lost") {
                try await tandem.store.groups.state(tenant: site.tenant, token: site.tokenID)?.history
                    .filter { $0.kind == .lost }.count == 2
            }
            let state = try #require(try await tandem.store.groups.state(tenant: site.tenant, token: site.tokenID))
            #expect(!state.history.contains { $0.kind == .failover }, "\(state.history.map(\.kind))")
            #expect(!state.hyperlocationNeedsReprovision && !state.iotNeedsReprovision)
            a.kill()
            b.kill()
        }
    }

    @Test("a token revoked through another node (straight in the database): this node closes its channels within 5 s")
    func revocationThroughAnotherNode() async throws {
        try await TandemHarness.run { tandem in
            let site = try await tandem.site()
            let other = try await tandem.site(name: "other")
            let (control, data) = try await openChannels(tandem, site, instanceID: "revoked-elsewhere")
            let bystander = try await tandem.connect(other, ip: "10.0.1.1", instanceID: "bystander")
            let sweeper = RevocationSweeper(
                store: tandem.store, registry: tandem.ingest.registry, interval: .milliseconds(500), logger: tandem.logger)
            let sweeping = Task { try await sweeper.run() }
            defer { sweeping.cancel() }

            // Another node's API revoked it: this node's registry was not told.
            let started = ContinuousClock.now
            #expect(try await tandem.store.tokens.revoke(tenant: site.tenant, id: site.tokenID) != nil)
            await expectClosedByRevocation(control, data, since: started)
            // Another tenant's live channel on the same node is left alone, sweep after sweep
            // (two more sweeps run here, whatever the background one did meanwhile).
            try await sweeper.sweep()
            try await sweeper.sweep()
            #expect(try await tandem.store.connectors.haActive(tenant: other.tenant, token: other.tokenID) == ["10.0.1.1"])
            bystander.kill()
        }
    }

    @Test(
        "repeated failed authentications from one address get RESOURCE_EXHAUSTED / 429 with a retry-after, while a valid token or key from the same address still passes"
    )
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
            // The same address (a NAT, a load balancer) with a live token is not locked out.
            let innocent = try await tandem.connect(site, ip: "10.0.0.1", instanceID: "innocent")
            #expect(!innocent.welcome.connectorID.isEmpty)
            innocent.kill()
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
                try await api.execute(
                    uri: "/api/v1/tokens", method: .get, headers: [.authorization: "Bearer \(site.apiKey)"]
                ) { response in
                    #expect(response.status == .ok)
                }
            }
        }
    }

    @Test("another tenant's key gets exactly what a made-up id gets on every /api/v1 route with an id, and no rows on the lists")
    func tenantMatrix() async throws {
        try await TandemHarness.run { tandem in
            let owner = try await tandem.site(name: "owner")
            let intruder = try await tandem.site(name: "intruder")
            let a = try await tandem.connect(owner, ip: "10.0.0.1", instanceID: "owner-a")
            let b = try await tandem.connect(owner, ip: "10.0.0.2", instanceID: "owner-b")
            let ids: [String: String] = [
                "id": a.welcome.connectorID, "tokenId": owner.tokenID.description, "ip": "172.20.239.66",
            ]
            let routes = try tandem.api.makeRouter().routes.map { ($0.method, $0.path.description) }
                .filter { $0.1.hasPrefix("/api/v1/") }
            #expect(routes.count >= 12)
            try await tandem.withAPI { api in
                for (method, template) in routes {
                    let hasID = template.contains("{")
                    func uri(_ real: Bool) -> String {
                        var path = template
                        for (name, value) in ids {
                            // The token routes call their id "id" too: use the token there.
                            let fill = template.hasPrefix("/api/v1/tokens") && name == "id" ? owner.tokenID.description : value
                            path = path.replacingOccurrences(
                                of: "{\(name)}", with: real ? fill : (name == "ip" ? "172.31.0.99" : UUID().uuidString.lowercased()))
                        }
                        return path
                    }
                    let body = ByteBuffer(
                        string: method == .put
                            ? #"{"devices": []}"# : method == .post ? #"{"services": ["iot"], "connectorName": "x"}"# : "")
                    let headers: HTTPFields = [.authorization: "Bearer \(intruder.apiKey)", .contentType: "application/json"]
                    // No key at all: 401.
                    try await api.execute(uri: uri(true), method: method, body: body) {
                        #expect($0.status == .unauthorized, "\(method) \(template)")
                    }
                    guard hasID else {
                        if method == .get {
                            try await api.execute(uri: uri(true), method: method, headers: headers) { response in
                                #expect(response.status == .ok, "\(template) with the intruder's own key")
                                let text = String(buffer: response.body)
                                #expect(
                                    !text.contains(owner.tokenID.description) && !text.contains(a.welcome.connectorID), "\(template) leaks")
                            }
                        }
                        continue
                    }
                    let real = try await api.execute(uri: uri(true), method: method, headers: headers, body: body) {
                        ($0.status, String(buffer: $0.body))
                    }
                    let madeUp = try await api.execute(uri: uri(false), method: method, headers: headers, body: body) {
                        ($0.status, String(buffer: $0.body))
                    }
                    #expect(real.0 == .notFound, "\(method) \(template) with another tenant's id: \(real.0)")
                    #expect(real == madeUp, "\(method) \(template) tells an existing id from a made-up one")
                }
            }
            // The data channel: another tenant's token can't open the owner's connector, and the
            // refusal is the one a made-up instance id gets.
            func refusal(_ instanceID: String) async -> String {
                let stream = DataStream.open(client: tandem.client, token: intruder.token, instanceID: instanceID)
                do {
                    _ = try await stream.write(makeBatch(sequence: 1, events: 1))
                    return "accepted"
                } catch let error as RPCError {
                    return "\(error.code)"
                } catch {
                    return "\(error)"
                }
            }
            #expect(await refusal("owner-a") == "failedPrecondition")
            #expect(await refusal("made-up") == "failedPrecondition")
            #expect(try await tandem.storedEvents(owner.tenant) == 0)
            a.kill()
            b.kill()
        }
    }

    @Test("no token, API key or session id appears in the log of a full run at trace level")
    func noSecretsInLogs() async throws {
        let log = CapturedLog()
        try await TandemHarness.run(logger: log.logger()) { tandem in
            let site = try await tandem.site()
            let control = try await tandem.connect(site, ip: "10.0.0.1", instanceID: "logged")
            let data = DataStream.open(client: tandem.client, token: site.token, instanceID: "logged")
            _ = try await data.write(makeBatch(sequence: 1, events: 10))
            let secrets = SecretList([site.token, site.apiKey])
            try await tandem.withAPI { api in
                let cookie = try await DashboardTests.signIn(api, key: site.apiKey)
                secrets.add(String(cookie.split(separator: "=")[1]))
                try await api.execute(uri: "/", method: .get, headers: [.cookie: cookie]) { _ in }
                try await api.execute(uri: "/metrics", method: .get) { _ in }
                try await api.execute(
                    uri: "/api/v1/tokens", method: .post,
                    headers: [.authorization: "Bearer \(site.apiKey)", .contentType: "application/json"],
                    body: ByteBuffer(string: #"{"connectorName": "second"}"#)
                ) { response in
                    let issued = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                    secrets.add(try #require(issued?["token"] as? String, "the token route issued no secret"))
                }
                try await api.execute(
                    uri: "/api/v1/tokens/\(site.tokenID)", method: .delete, headers: [.authorization: "Bearer \(site.apiKey)"]
                ) { _ in }
            }
            _ = try? await control.ended()
            let text = log.text
            #expect(text.contains("revoked token"), "the capture saw nothing")
            for secret in secrets.all {
                #expect(!text.contains(secret), "a secret appears in the log")
                #expect(!text.contains(String(secret.dropFirst(4).prefix(16))), "part of a secret appears in the log")
            }
        }
    }

    @Test("a token gets at most --max-data-streams-per-token data streams at once; the next is RESOURCE_EXHAUSTED")
    func dataStreamsPerTokenAreLimited() async throws {
        try await TandemHarness.run(configure: { $0.maximumDataStreamsPerToken = 2 }) { tandem in
            let site = try await tandem.site()
            let control = try await tandem.connect(site, ip: "10.0.0.1", instanceID: "limited")
            let open = (0..<2).map { _ in DataStream.open(client: tandem.client, token: site.token, instanceID: "limited") }
            for (index, stream) in open.enumerated() {
                #expect(try await stream.write(makeBatch(sequence: 1, events: 1, offset: index)).sequence == 1)
            }
            let extra = DataStream.open(client: tandem.client, token: site.token, instanceID: "limited")
            do {
                _ = try await extra.write(makeBatch(sequence: 1, events: 1, offset: 9))
                Issue.record("a third data stream was accepted")
            } catch let error as RPCError {
                #expect(error.code == .resourceExhausted)
            }
            for stream in open { stream.kill() }
            control.kill()
        }
    }
}

/// Secrets a test collects across closures.
private final class SecretList: Sendable {
    private let items: Mutex<[String]>
    init(_ initial: [String]) { items = Mutex(initial) }
    func add(_ secret: String) { items.withLock { $0.append(secret) } }
    var all: [String] { items.withLock { $0 } }
}
