import ArgumentParser

/// Listener settings of `tandem serve`: flags, then `TANDEM_…` environment, then defaults.
struct ServerOptions: ParsableArguments {
    @Option(help: "Address to listen on (env TANDEM_HOST; default 127.0.0.1).") var host: String?
    @Option(name: .customLong("http-port"), help: "Operator HTTP API port (env TANDEM_HTTP_PORT; default 8080).")
    var httpPort: Int?
    @Flag(name: .customLong("no-migrate"), help: "Don't apply pending migrations at start.") var noMigrate = false

    /// Settings after flags, environment and defaults are combined.
    struct Settings {
        var host: String
        var httpPort: Int
        var migrate: Bool
    }

    func resolve() throws -> Settings {
        Settings(
            host: host ?? Environment.string("TANDEM_HOST") ?? "127.0.0.1",
            httpPort: try httpPort ?? Environment.int("TANDEM_HTTP_PORT") ?? 8080,
            migrate: !noMigrate && Environment.string("TANDEM_NO_MIGRATE") == nil)
    }
}
