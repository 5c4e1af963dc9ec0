import ArgumentParser
import Foundation

/// Exit codes as in `sharp` (DESIGN.md §1): 0 ok, 1 failure, 2 usage.
enum ExitCodes {
    static func run<Command: ParsableCommand>(_: Command.Type) -> Never {
        do {
            var command = try Command.parseAsRoot()
            try command.run()
            Command.exit()
        } catch {
            if Command.exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((Command.fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            Command.exit(withError: error)
        }
    }
}

/// A failure (exit 1) with a one-line message.
struct ValidationFailure: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
