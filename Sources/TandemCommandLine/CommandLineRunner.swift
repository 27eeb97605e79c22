public import ArgumentParser
import Foundation
import Logging
import PostgresNIO
import TandemStore

/// Runs a root command of Tandem's executables (`tandem`, `tandem-lab`) the same way: a
/// database error is printed as what PostgreSQL said (postgres-nio's own description of it is a
/// fixed "Generic description to prevent accidental leakage").
public enum CommandLineRunner {
    /// Parses the process's arguments as `root`'s and runs the command they name.
    public static func main<Root: ParsableCommand>(_ root: Root.Type) async {
        do {
            var command = try root.parseAsRoot()
            let level = try (command as? any DatabaseCommand)?.database.logLevel() ?? .info
            // Once per process, here at the root, before any command logs.
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch let error as PSQLError {
            var text = StoreError.loggable(error)
            if let message = error.serverInfo?[.message] {
                text += ": \(message)"
            } else if error.code == .connectionError, let underlying = error.underlying {
                text = "could not connect to PostgreSQL (--database-url, or the embedded one in --data-dir): \(underlying)"
            }
            fail(root, ConfigurationError(text))
        } catch {
            fail(root, error)
        }
    }

    /// Exits with `error`'s message on standard error, as ArgumentParser does, but in one write:
    /// a log line of a thread still stopping (a listener's shutdown) can't split the message in
    /// two (it did: "Error: could not lis…ten for gRPC"). Help and `--version` go to ArgumentParser.
    private static func fail<Root: ParsableCommand>(_ root: Root.Type, _ error: any Error) -> Never {
        let code = root.exitCode(for: error)
        let message = root.fullMessage(for: error)
        guard code != .success, !message.isEmpty else { root.exit(withError: error) }
        FileHandle.standardError.write(Data((message + "\n").utf8))
        exit(code.rawValue)
    }
}
