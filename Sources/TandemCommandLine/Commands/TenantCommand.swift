import ArgumentParser
import Foundation
import TandemCore
import TandemStore

/// `tandem tenant create --name NAME [--json]`: a tenant and its operator API key.
struct TenantCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tenant", abstract: "Manage tenants.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand, DatabaseCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a tenant and print its id and operator API key (shown once).")

        @Option(help: "The tenant's display name.") var name: String
        @Flag(help: "Print one JSON object {\"id\", \"name\", \"apiKey\"}.") var json = false
        @OptionGroup var database: DatabaseOptions

        struct Output: Encodable {
            let id: TenantID
            let name: String
            let apiKey: String
        }

        func run() async throws {
            let logger = database.logger
            let displayName = try DisplayName(name, field: "--name")
            let (tenant, apiKey) = try await database.withStore(logger: logger) { store in
                try await store.migrations.run()
                return try await store.tenants.create(name: displayName)
            }
            if json {
                print(try JSONOutput.encode(Output(id: tenant.id, name: tenant.name.value, apiKey: apiKey.revealed)))
            } else {
                print("tenant \(tenant.name) created")
                print("  id:      \(tenant.id)")
                print("  API key: \(apiKey.revealed)")
                print("The API key is shown only now: keep it in a secret store.")
            }
        }
    }
}
