import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs a tool to completion with `posix_spawn` and `waitpid`.
///
/// Foundation's `Process` is not used here: `pg_ctl start` leaves a server daemon behind that
/// inherits every descriptor of its parent, including the one `Process` watches for the
/// child's exit, so the wait would never end. Here the child's stdin is `/dev/null`, its
/// stdout/stderr a file, no other descriptor of the parent is inherited (on Linux), and its
/// exit is read with `waitpid`, which no descriptor can hold up.
enum ChildProcess {
    /// Runs `executable` with `arguments`, output to `outputPath`; returns the exit status.
    static func run(_ executable: String, _ arguments: [String], outputPath: String) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Nothing else of the parent: `pg_ctl start` leaves a daemon that would keep the parent's
        // sockets (its clients' connections) open for as long as it runs.
        closeInheritedDescriptors(&actions)

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else {
            throw StoreError(.unavailable, "cannot run \(executable): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            guard errno == EINTR else { throw StoreError(.unavailable, "lost track of \(executable)") }
        }
        // WIFEXITED / WEXITSTATUS, which Swift does not import as macros.
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    /// Adds "close every descriptor from 3 up" to `actions`: glibc 2.34+ has
    /// `posix_spawn_file_actions_addclosefrom_np`, which Swift's Glibc module does not import,
    /// so it is looked up at run time; without it the child inherits them as before.
    private static func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return }
        _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
    }
}
