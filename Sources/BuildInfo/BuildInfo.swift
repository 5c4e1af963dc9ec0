/// What this build of Sharp is: its version, and the git commit and compiler it was built from
/// (stamped by Sources/BuildInfoPlugin at build time).
public enum BuildInfo {
    /// Sharp's version.
    public static let version = "0.2.0"
    /// The full git commit hash, or `unknown` outside a git checkout.
    public static let commit = stampedCommit
    /// Whether tracked files differed from `commit` when this was built.
    public static let dirty = stampedDirty
    /// The commit's date (ISO 8601), or `unknown`.
    public static let commitDate = stampedCommitDate
    /// `Swift version 6.3.1`, as the compiler driver reported it, or `unknown`.
    public static let swift = stampedSwift

    /// The commit abbreviated to 12 characters, with `-dirty` for a modified tree.
    public static var shortCommit: String {
        (commit == "unknown" ? commit : String(commit.prefix(12))) + (dirty ? "-dirty" : "")
    }

    /// `0.2.0 (commit 1a2b3c4d5e6f, 2026-12-07)`: what `--version` prints.
    public static var description: String {
        "\(version) (commit \(shortCommit)\(commitDate == "unknown" ? "" : ", " + commitDate.prefix(10)))"
    }
}
