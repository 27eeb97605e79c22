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
}
