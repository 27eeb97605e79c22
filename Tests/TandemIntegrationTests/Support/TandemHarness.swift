import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Hummingbird
import HummingbirdTesting
import Logging
import Prometheus
import TandemAPI
import TandemConnector
import TandemCore
import TandemIngest
import TandemProtocol
import TandemServer
import TandemStore

/// A running Tandem for a test: a fresh database, the real gRPC server on a free loopback
/// port, a gRPC client connected to it, and the operator API's router.
struct TandemHarness: Sendable {
    let store: Store
    let ingest: IngestServer
    let client: GRPCClient<HTTP2ClientTransport.Posix>
    let api: OperatorAPI
    /// The server's metrics, as `GET /metrics` shows them.
    let metrics: PrometheusCollectorRegistry
    /// What the ingest server and the API log to.
    let logger: Logger

    /// A tenant with its API key and one token of it.
    struct Site: Sendable {
        let tenant: TenantID
        let apiKey: String
        let tokenID: TokenID
        let token: String
    }

    /// Starts everything, runs `body`, stops everything.
    static func run(
        logger: Logger = TestDatabase.logger,
        configure: @Sendable (inout IngestConfiguration) -> Void = { _ in },
        _ body: @Sendable (TandemHarness) async throws -> Void
    ) async throws {
        var configuration = IngestConfiguration()
        // A broken stream is recorded lost at once here (the grace has tests of its own).
        configuration.reconnectGrace = .zero
        configure(&configuration)
        let settings = configuration
        try await TestDatabase.withStore { store, _ in
            try await store.partitions.maintain()
            var node = TandemNode.Configuration()
            node.ingest = settings
            node.grpcPort = 0
            node.httpPort = nil
            node.shutdownTimeout = .seconds(5)
            // The tests of sweepers and gauges run them by hand, when they choose.
            node.runsJudges = false
            let tandem = try TandemNode(store: store, runsDatabase: false, configuration: node, logger: logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await tandem.run() }
                let port = try await tandem.grpcPort()
                let client = try GRPCClient(
                    transport: .http2NIOPosix(
                        target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext))
                let harness = TandemHarness(
                    store: store, ingest: tandem.ingest, client: client, api: tandem.api, metrics: tandem.metrics, logger: logger)
                // The client is closed before the server stops: a connection the server accepts
                // while its accept loop is being torn down trips a fatal error in SwiftNIO's
                // async channel ("Deinited NIOAsyncWriter without calling finish()").
                // A graceful close waits for the RPCs still open (a test may leave streams
                // open): it gets 2 s, then the connections are cancelled, as before.
                let outcome = await withThrowingTaskGroup(of: Void.self) { connections in
                    connections.addTask { try await client.runConnections() }
                    let outcome = await Result(catching: { try await body(harness) })
                    client.beginGracefulShutdown()
                    connections.addTask { try await Task.sleep(for: .seconds(2)) }
                    _ = try? await connections.next()
                    connections.cancelAll()
                    return outcome
                }
                await tandem.triggerGracefulShutdown()
                _ = try? await group.next()
                try outcome.get()
            }
        }
    }

    /// Creates a tenant and a token through the repositories.
    func site(network: NetworkKind = .wireless, name: String = "site") async throws -> Site {
        let (tenant, key) = try await store.tenants.create(name: try DisplayName("tenant of \(name)", field: "name"))
        let (token, secret) = try await store.tokens.create(
            tenant: tenant.id, connectorName: try DisplayName(name, field: "name"), network: network)
        return Site(tenant: tenant.id, apiKey: key.revealed, tokenID: token.id, token: secret.revealed)
    }

    /// Another token (another pair) of `site`'s tenant.
    func anotherToken(of site: Site, name: String) async throws -> Site {
        let (token, secret) = try await store.tokens.create(
            tenant: site.tenant, connectorName: try DisplayName(name, field: "name"), network: .wireless)
        return Site(tenant: site.tenant, apiKey: site.apiKey, tokenID: token.id, token: secret.revealed)
    }

    /// Opens a connector's control channel.
    func connect(
        _ site: Site, ip: String, version: String = "2.3.460", instanceID: String = UUID().uuidString,
        controller: Bool = true, accessPoint: Bool = true, heartbeatEvery: Duration? = .milliseconds(300),
        controllers: [String] = ["172.20.239.66"]
    ) async throws -> ControlStream {
        try await ControlStream.open(
            client: client, token: site.token,
            identity: ConnectorIdentity(
                instanceID: instanceID, hostname: "connector-\(ip)", ipAddress: ip, ovaVersion: version,
                carriesController: controller, carriesAccessPoint: accessPoint),
            heartbeatEvery: heartbeatEvery,
            heartbeat: {
                .with {
                    $0.nmspMessagesReceived = 42
                    $0.controllers = controllers.map { ip in
                        .with {
                            $0.ipAddress = ip
                            $0.messageRate = 58
                            $0.status = "ACTIVE"
                        }
                    }
                }
            })
    }

    /// Runs `body` with a test client of the operator API (through the router, no socket).
    func withAPI(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let app = Application(router: try api.makeRouter(), logger: logger)
        try await app.test(.router) { try await body($0) }
    }

    /// Rows of the events table for a tenant.
    func storedEvents(_ tenant: TenantID) async throws -> Int {
        let rows = try await store.database.client.query("SELECT count(*) FROM events WHERE tenant_id = \(tenant.rawValue)")
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}

/// Builds events for tests: `count` distinct events of one controller, device times a minute
/// ago (or `deviceTimeMicros` for all of them).
/// The device-time base of every test batch: the minute before the suite started, fixed for
/// the run, so two calls that straddle a minute boundary still build the same events.
let batchBaseMicros: Int64 = {
    let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
    return (now - 60_000_000) / 60_000_000 * 60_000_000
}()

func makeBatch(
    sequence: UInt64, events count: Int, offset: Int = 0, kind: Tandem_V1_EventKind = .clientRssi,
    deviceTimeMicros: Int64? = nil
) -> Tandem_V1_EventBatch {
    let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
    let base = batchBaseMicros
    return .with { batch in
        batch.sequence = sequence
        batch.events = (0..<count).map { index in
            .with {
                $0.channel = .controller
                $0.sourceDevice = "172.20.239.66"
                $0.kind = kind
                $0.deviceTimeMicros = deviceTimeMicros ?? (base + Int64(offset + index) * 1_000)
                $0.subject = "aa:bb:cc:00:00:\(offset + index)"
                $0.body = Data("rssi=-\(40 + (offset + index) % 50)".utf8)
                $0.receivedAtMicros = now
                $0.connectorSequence = UInt64(offset + index)
            }
        }
    }
}
