import ArgumentParser
import Foundation
import TandemCore
import TandemStore

/// `tandem analyst create|list|revoke`: PostgreSQL logins that read one tenant's tables.
struct AnalystCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyst", abstract: "Manage analyst logins (PostgreSQL roles that read one tenant's tables).",
        subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand, DatabaseCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an analyst login for a tenant (its password is shown once).")

        @Option(help: "The tenant id.") var tenant: String
        @Option(help: "A name for the analyst (a person, a team, a tool).") var name: String
        @Flag(help: "Print the JSON object the API returns.") var json = false
        @OptionGroup var limits: AnalystLimitOptions
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let logger = database.logger
            let tenantID = try AnalystCommand.tenant(tenant)
            let name = try DisplayName(self.name, field: "--name")
            let limits = try self.limits.resolve()
            let (analyst, password) = try await database.withStore(logger: logger) { store in
                try await store.analysts.create(tenant: tenantID, name: name, limits: limits)
            }
            if json {
                print(try JSONOutput.encode(IssuedAnalyst(analyst, password: password)))
            } else {
                print("analyst \(analyst.id) (\"\(name)\") created for tenant \(tenantID)")
                print("  role:     \(analyst.role)")
                print("  password: \(password.revealed)")
                print("It reads this tenant's analyst_* views only; the password is shown only now.")
            }
        }
    }

    struct List: AsyncParsableCommand, DatabaseCommand {
        static let configuration = CommandConfiguration(abstract: "List a tenant's analyst logins (never their passwords).")

        @Option(help: "The tenant id.") var tenant: String
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let logger = database.logger
            let tenantID = try AnalystCommand.tenant(tenant)
            let analysts = try await database.withStore(logger: logger) { try await $0.analysts.list(tenant: tenantID) }
            for analyst in analysts {
                let state = analyst.revokedAt.map { "revoked \($0.ISO8601Format())" } ?? "active"
                print("\(analyst.id)  \(analyst.role)  \(state)  \(analyst.name)")
            }
        }
    }

    struct Revoke: AsyncParsableCommand, DatabaseCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke an analyst login: it can't log in any more and its open sessions end.")

        @Option(help: "The tenant id.") var tenant: String
        @Option(help: "The analyst id.") var id: String
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let logger = database.logger
            let tenantID = try AnalystCommand.tenant(tenant)
            guard let analystID = AnalystID(id) else { throw ValidationError("--id must be an analyst id (a UUID)") }
            guard
                let analyst = try await database.withStore(
                    logger: logger,
                    { store in
                        try await store.analysts.revoke(tenant: tenantID, id: analystID)
                    })
            else {
                throw ValidationError("tenant \(tenantID) has no analyst \(analystID)")
            }
            print("analyst \(analyst.id) (\(analyst.role)) revoked")
        }
    }

    static func tenant(_ text: String) throws -> TenantID {
        guard let id = TenantID(text) else { throw ValidationError("--tenant must be a tenant id (a UUID)") }
        return id
    }
}
