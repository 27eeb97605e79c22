public import ArgumentParser
import Foundation
public import TandemCore
import TandemStore

/// `tandem token create --tenant ID --connector-name NAME [--network wired] [--json]`.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Manage connector tokens.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand, DatabaseCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue a connector token (its secret is shown once). Both connectors of a pair use the same token.")

        @Option(help: "The tenant id.") var tenant: String
        @Option(name: .customLong("connector-name"), help: "The connector name.") var connectorName: String
        @Option(help: "wireless or wired.") var network: NetworkKind = .wireless
        @Flag(help: "Print the JSON object the API returns.") var json = false
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let logger = database.logger
            guard let tenantID = TenantID(tenant) else { throw ValidationError("--tenant must be a tenant id (a UUID)") }
            let name = try DisplayName(connectorName, field: "--connector-name")
            let network = self.network
            let (token, secret) = try await database.withStore(logger: logger) { store in
                try await store.tokens.create(tenant: tenantID, connectorName: name, network: network)
            }
            if json {
                print(try JSONOutput.encode(IssuedToken(token, secret: secret)))
            } else {
                print("token \(token.id) issued for connector \"\(name)\" (\(network.rawValue))")
                print("  token: \(secret.revealed)")
                print("Configure this token on both connectors of the pair; it is shown only now.")
            }
        }
    }
}

extension NetworkKind: ExpressibleByArgument {}
