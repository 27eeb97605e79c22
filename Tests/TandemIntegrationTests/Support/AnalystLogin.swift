import Foundation
import NIOPosix
import PostgresNIO
import TandemStore

extension TestDatabase {
    /// A session logged in as analyst `role` with `password` (SCRAM over the test cluster's
    /// socket) on the database `store` uses.
    static func analystSession(_ store: Store, role: String, password: String) async throws -> PostgresConnection {
        guard let socketDirectory = URLComponents(string: try baseURL())?.queryItems?.first(where: { $0.name == "host" })?.value else {
            throw CancellationError()
        }
        var database = ""
        for try await name in try await store.database.client.query("SELECT current_database()").decode(String.self) { database = name }
        let configuration = PostgresConnection.Configuration(
            unixSocketPath: socketDirectory + "/.s.PGSQL.5432", username: role, password: password, database: database)
        return try await PostgresConnection.connect(
            on: MultiThreadedEventLoopGroup.singleton.any(), configuration: configuration, id: 1, logger: logger)
    }
}
