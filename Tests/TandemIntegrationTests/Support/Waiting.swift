import Foundation
import TandemProtocol

struct TimedOut: Error, CustomStringConvertible {
    let what: String
    var description: String { "timed out waiting for \(what)" }
}

/// Polls `condition` every 50 ms until it holds or `timeout` passes.
func eventually(
    _ what: String, timeout: Duration = .seconds(5), _ condition: @Sendable () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    throw TimedOut(what: what)
}

/// The first pushed command matching `predicate` within `timeout`.
func nextCommand(
    _ commands: AsyncStream<Tandem_V1_ControlCommand>, within timeout: Duration = .seconds(2),
    where predicate: @escaping @Sendable (Tandem_V1_ControlCommand) -> Bool
) async throws -> Tandem_V1_ControlCommand {
    try await withThrowingTaskGroup(of: Tandem_V1_ControlCommand?.self) { group in
        group.addTask {
            for await command in commands where predicate(command) { return command }
            return nil
        }
        group.addTask {
            try await Task.sleep(for: timeout)
            return nil
        }
        let first = try await group.next() ?? nil
        group.cancelAll()
        guard let first else { throw TimedOut(what: "a pushed command") }
        return first
    }
}
