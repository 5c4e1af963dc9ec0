import Foundation
import PackagePlugin

/// Stamps the build with the git commit it was built from (`BuildInfo.commit`), so `--version`,
/// `sharp doctor` and every checkpoint's manifest can name the exact source of the binary.
///
/// A prebuild command runs on every build (with no environment: the plugin passes its PATH on, so
/// `swift --version` names the compiler); the script rewrites `BuildStamp.swift` only when the
/// commit, the dirty flag or the compiler changed, so an unchanged tree recompiles nothing.
/// Outside a git checkout (a source tarball) the commit is `unknown`. `--no-optional-locks` keeps
/// `git status` from taking the index lock, so a build never collides with a commit.
@main
struct BuildInfoPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appending(path: "Generated")
        let script = #"""
            set -u
            root=$1; out=$2; mkdir -p "$out"
            commit=$(git --no-optional-locks -C "$root" rev-parse HEAD 2>/dev/null || echo unknown)
            dirty=false
            [ "$commit" != unknown ] && git --no-optional-locks -C "$root" status --porcelain --untracked-files=no 2>/dev/null | grep -q . && dirty=true
            date=$(git --no-optional-locks -C "$root" log -1 --format=%cI 2>/dev/null || echo unknown)
            swift=$(PATH=$3 swift --version 2>/dev/null | sed -n 's/.*\(Swift version [^ ]*\).*/\1/p' | head -n 1)
            text="// Generated at build time by Sources/BuildInfoPlugin; not committed.
            let stampedCommit = \"$commit\"
            let stampedDirty = $dirty
            let stampedCommitDate = \"$date\"
            let stampedSwift = \"${swift:-unknown}\"
            "
            if [ "$(cat "$out/BuildStamp.swift" 2>/dev/null)" != "$(printf '%s' "$text")" ]; then
                printf '%s' "$text" > "$out/BuildStamp.swift.tmp" && mv "$out/BuildStamp.swift.tmp" "$out/BuildStamp.swift"
            fi
            """#
        return [
            .prebuildCommand(
                displayName: "Stamp the git commit into BuildInfo",
                executable: URL(filePath: "/bin/sh"),
                arguments: ["-c", script, "sh", context.package.directoryURL.path, output.path, ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"],
                outputFilesDirectory: output)
        ]
    }
}
