package import Logging
import PostgresNIO

/// A throwaway database on a server, for one run of the lab or one test: created under a
/// random name beginning with `prefix`, handed to `body` by its URL, and dropped afterwards
/// (also when `body` fails, with `FORCE`, so a connection left open does not keep it).
/// The one place scratch databases are made; the lab and the tests build on it.
package enum ScratchDatabase {
    package static func with<T: Sendable>(
        on server: DatabaseURL, prefix: String, logger: Logger, _ body: (DatabaseURL) async throws -> T
    ) async throws -> T {
        let name = prefix + String(UInt64.random(in: 0...UInt64.max), radix: 16)
        _ = try await Database.withRunning(server, logger: logger) { admin in
            try await admin.statement(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        }
        let result: Result<T, any Error>
        do {
            result = .success(try await body(try DatabaseURL(urlWithDatabase: server, name)))
        } catch {
            result = .failure(error)
        }
        _ = try await Database.withRunning(server, logger: logger) { admin in
            try await admin.statement(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: logger)
        }
        return try result.get()
    }
}
