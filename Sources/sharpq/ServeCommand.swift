import ArgumentParser
import CommandLineSupport
import Dispatch
import Foundation
import Index
import WebUI

/// `sharpq serve`: the store in a browser (docs/web.md): status, checkpoints, one checkpoint,
/// comparisons, study reports, and the queries as JSON under /api.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a read-only web UI and JSON API over the store's index (http://127.0.0.1:8080/).",
        discussion: """
            Pages: / (status), /checkpoints (filter with where=, sort by any metric, paginate), \
            /checkpoint/HASH, /compare, /studies and /api (the sharpq queries as JSON). Nothing \
            can be changed through it. It binds 127.0.0.1 unless --host names another interface, \
            which also needs --allow-remote: there is no authentication.
            """)

    @Option(help: "The store directory holding index.sqlite (default: SHARP_STORE, else store/).")
    var store: String?

    @Option(help: "The index instead: postgres://USER@HOST/DB or an index.sqlite path (default: SHARP_INDEX_URL, else the store's).")
    var index: String?

    @Option(help: "Interface to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0: any free port; the address is printed).")
    var port = 8080

    @Flag(help: "Allow --host to be an address other machines can reach (anyone who reaches it reads the index).")
    var allowRemote = false

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0...65535") }
        if !WebServer.isLoopback(host) && !allowRemote {
            throw ValidationError(
                "--host \(host) would let other machines read the index; add --allow-remote if that is what you want")
        }
    }

    func run() throws {
        let store = StoreArgument.resolve(store)
        let location: IndexLocation
        do {
            location = try IndexLocation.resolve(index: index, store: store)
            // Open once now, so a missing or unreachable index is an error here, not on every page.
            _ = try IndexStore(location, mode: .readOnly)
        } catch let error as IndexError {
            Output.error(error.message)
            throw ExitCode.failure
        }
        if !WebServer.isLoopback(host) {
            Output.warning("listening on \(host): anyone who can reach this address can read the index (there is no login)")
        }
        let server = WebServer(app: WebApp(store: store, index: location), host: host, port: port)
        let finished = DispatchSemaphore(value: 0)
        let failure = FailureBox()
        Task {
            do {
                try await server.run { bound in
                    let shown = host.contains(":") ? "[\(host)]" : host
                    Output.write("sharpq serve: http://\(shown):\(bound)/ (index \(location); Ctrl-C stops)\n")
                }
            } catch {
                failure.set(error)
            }
            finished.signal()
        }
        finished.wait()
        if let error = failure.get() {
            Output.error("cannot serve on \(host):\(port): \(error)")
            throw ExitCode.failure
        }
    }
}

/// The error a server task ended with, handed to the waiting command.
private final class FailureBox: @unchecked Sendable {
    private let lock = NSLock()
    private var error: (any Error)?
    func set(_ error: any Error) { lock.withLock { self.error = error } }
    func get() -> (any Error)? { lock.withLock { error } }
}
