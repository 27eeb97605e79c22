/// What build of Tandem runs: its version (`tandem --version`, `tandem_build_info`) and the
/// commit it was built from when the build said so.
public struct BuildInfo: Sendable, Hashable {
    /// The version of this source tree.
    public static let version = "0.14.0"

    public let version: String
    /// The commit, as the build passed it (`TANDEM_BUILD_COMMIT`; the Dockerfile's `COMMIT`
    /// argument), or `unknown`.
    public let commit: String

    public init(version: String = BuildInfo.version, commit: String?) {
        self.version = version
        self.commit = commit.flatMap { $0.isEmpty ? nil : $0 } ?? "unknown"
    }
}
