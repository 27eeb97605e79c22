import Logging
package import PostgresNIO

extension PostgresClient {
    /// Runs `body` with a client of `configuration` that runs only for the call (one-shot
    /// commands, maintenance, tests), and ends it afterwards.
    ///
    /// The client sends no keep-alive pings: its connections live only for the call, and
    /// postgres-nio 1.33's pool never ends `run()` when it is shut down while a ping is in
    /// flight (`tandem-lab bench` hung after its idle phase whenever the storm and the heartbeat
    /// round together lasted the pool's 30 s ping interval; its debug log ended in "run ping
    /// pong", "Connection closed").
    package static func withScoped<T: Sendable>(
        _ configuration: Configuration, logger: Logger, _ body: (PostgresClient) async throws -> T
    ) async throws -> T {
        var configuration = configuration
        configuration.options.keepAliveBehavior = nil
        // The pool's own warnings (a query leased before `run()` got going, which the pool
        // serves as soon as it does) are noise on every command; its errors still show.
        var background = logger
        background.logLevel = max(logger.logLevel, .error)
        let client = PostgresClient(configuration: configuration, backgroundLogger: background)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }
}
