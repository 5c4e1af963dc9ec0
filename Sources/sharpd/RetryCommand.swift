import ArgumentParser
import CommandLineSupport
import Daemon
import Foundation
import Glibc
import Index

/// `sharpd retry`: failed jobs get another chance (sharpq stays read-only, so this lives here).
/// A running daemon on this host is told at once (SIGHUP, sent only to the pid the kernel's lock
/// table proves holds the store's lock); daemons elsewhere find the jobs at their next claim.
struct RetryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry", abstract: "Queue failed jobs again: by plugin, metric request, checkpoint, or all.",
        discussion: """
            Examples:
              sharpd retry --store store/ --plugin lookahead-sharpness      # after fixing a plugin
              sharpd retry --store store/ --metric hessian-spectrum:mode=per-batch
              sharpd retry --store store/ --checkpoint 3fa2c1               # a sha256 prefix or a path
              sharpd retry --store store/ --all
            `sharpq jobs --state failed` lists them with their reasons.
            """)

    @Option(name: .customLong("store"), help: "Store directory (default: SHARP_STORE).") var storeArgument: String?
    /// --store, else SHARP_STORE (`validate` makes sure there is one).
    var store: String { StoreArgument.optional(storeArgument) ?? "" }
    @Option(help: "The index (default: SHARP_INDEX_URL, else <store>/index.sqlite).") var index: String?
    @Option(help: "Only this plugin's failed jobs: a metric plugin's, or the sharpness jobs that measure this optimizer plugin.") var plugin: String?
    @Option(name: .customLong("plugin-version"), help: "Only this version of --plugin.") var pluginVersion: String?
    @Option(help: "Only jobs of this metric request, as planned (NAME[:k=v,...]).") var metric: String?
    @Option(help: "Only this checkpoint's jobs: the start of its sha256 (at least 6 digits) or one of its paths.") var checkpoint: String?
    @Flag(help: "Every failed job.") var all = false

    func validate() throws {
        guard StoreArgument.optional(storeArgument) != nil else {
            throw ValidationError("which store? Give --store DIR or set \(StoreArgument.environmentVariable)")
        }
        let filtered = plugin != nil || metric != nil || checkpoint != nil
        guard filtered != all else {
            throw ValidationError(all ? "--all retries every failed job: give it alone" : "say which failed jobs: --plugin, --metric, --checkpoint, or --all")
        }
        if pluginVersion != nil, plugin == nil { throw ValidationError("--plugin-version needs --plugin") }
        if let c = checkpoint, !c.contains("/"), c.count < 6 || !c.allSatisfy(\.isHexDigit) {
            throw ValidationError("--checkpoint \(c): give at least 6 hex digits of its sha256, or its path")
        }
    }

    func run() throws {
        let location: IndexLocation
        let layout: StoreLayout
        do {
            location = try IndexLocation.resolve(index: index, store: store)
            layout = StoreLayout(root: store, index: location)
            guard location.mayHoldIndex else { throw IndexError(.noIndex, "no index at \(location): nothing has failed yet") }
            let path = checkpoint.map { $0.contains("/") ? URL(fileURLWithPath: $0).standardizedFileURL.path : $0.lowercased() }
            let retried = try IndexStore(location).retryFailedJobs(
                RetryFilter(plugin: plugin, version: pluginVersion, request: metric, checkpoint: path), at: Date())
            print("sharpd retry: \(retried) failed job(s) queued again")
            guard retried > 0 else { return }
        } catch let error as IndexError {
            throw CommandFailure("sharpd retry: \(error.message)")
        }
        if let pid = DaemonProbe.lockHolder(store: layout.root, scope: layout.lockScope) {
            kill(pid, SIGHUP)
            print("sharpd retry: told the running sharpd (pid \(pid))")
        }
    }
}
