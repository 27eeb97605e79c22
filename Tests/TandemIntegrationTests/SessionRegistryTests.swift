import Foundation
import GRPCCore
import TandemCore
import TandemStore
import Testing

@testable import TandemIngest

/// The registry keeps the session of the join the database committed last, whatever order
/// the two sessions of one connector register in (the same-instance Hello race of issue 13).
@Suite("Session registry: the newest join wins")
struct SessionRegistryTests {
    /// What a session's writer would read: `true` when it was told to close.
    func closed(_ stream: AsyncStream<SessionRegistry.Outbound>) async -> Bool {
        for await item in stream {
            if case .close(let error) = item { return error.code == .aborted }
        }
        return false
    }

    @Test(
        "registration order against generation order: only the highest generation stays open",
        arguments: [[1, 2], [2, 1]] as [[Int64]])
    func newestGenerationWins(order: [Int64]) async throws {
        try await TestDatabase.withStore { store, _ in
            let registry = SessionRegistry(store: store, logger: TestDatabase.logger)
            let (tenant, token, connector) = (TenantID.random(), TokenID.random(), ConnectorID.random())
            var streams: [Int64: AsyncStream<SessionRegistry.Outbound>] = [:]
            var continuations: [Int64: AsyncStream<SessionRegistry.Outbound>.Continuation] = [:]
            for generation in order {
                let (stream, continuation) = AsyncStream<SessionRegistry.Outbound>.makeStream()
                streams[generation] = stream
                continuations[generation] = continuation
                registry.register(
                    UUID(), tenant: tenant, token: token, connector: connector, generation: generation,
                    continuation: continuation)
            }
            // What the registry told each session is buffered in its stream; end both streams
            // here so that reading them never waits.
            for continuation in continuations.values { continuation.finish() }
            #expect(await closed(streams[1]!), "the older session was not ended")
            #expect(await closed(streams[2]!) == false, "the newer session was ended")
        }
    }

    @Test(
        "a LISTEN reconnect's catch-up pushes nothing a connector has: each configuration version and HA Active list once per session"
    )
    func catchUpPushesOnlyWhatChanged() async throws {
        try await TestDatabase.withStore { store, _ in
            let registry = SessionRegistry(store: store, logger: TestDatabase.logger)
            let (tenant, token) = try await TestDatabase.group(in: store, name: "pushes")
            let configuration = try #require(try await store.groups.configuration(tenant: tenant.id, token: token.id))
            let (stream, continuation) = AsyncStream<SessionRegistry.Outbound>.makeStream()
            // As the Welcome left it: this version of the configuration, this HA Active list.
            registry.register(
                UUID(), tenant: tenant.id, token: token.id, connector: .random(), generation: 1,
                configurationVersion: configuration.modifiedAt, haActive: ["10.0.0.1"], continuation: continuation)
            let health = HAGroupHealth(level: .degraded, activeMembers: 1, fastLocate: .flowing, reprovisionPending: false)
            for _ in 0..<6 {  // six catch-ups of a burst of LISTEN reconnects
                await registry.pushConfiguration(tenant: tenant.id, token: token.id)
                registry.haActiveChanged(["10.0.0.1"], health: health, tenant: tenant.id, token: token.id)
            }
            _ = try await store.groups.replaceDevices(
                tenant: tenant.id, token: token.id, network: .wireless,
                devices: [HAGroupConfiguration.Device(ipAddress: "172.20.239.66", name: "wlc")])
            await registry.pushConfiguration(tenant: tenant.id, token: token.id)
            await registry.pushConfiguration(tenant: tenant.id, token: token.id)
            registry.haActiveChanged(["10.0.0.1", "10.0.0.2"], health: health, tenant: tenant.id, token: token.id)
            continuation.finish()
            var pushed: [String] = []
            for await item in stream {
                guard case .command(let command) = item else { continue }
                switch command.command {
                case .configuration(let pushedConfiguration): pushed.append("configuration \(pushedConfiguration.controllers.count)")
                case .haActive(let list): pushed.append("haActive \(list.ipAddresses.count)")
                default: pushed.append("other")
                }
            }
            #expect(pushed == ["configuration 1", "haActive 2"], "only the new version and the new list, once each")
        }
    }
}
