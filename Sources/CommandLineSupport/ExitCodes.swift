import ArgumentParser
import Foundation

/// Sharp's exit codes (docs/architecture.md): 0 ok, 1 failure, 2 usage. ArgumentParser reports usage
/// errors with 64 (EX_USAGE); this maps them to 2 like most Unix tools and keeps its messages.
public enum ExitCodes {
    public static func run<Command: ParsableCommand>(_: Command.Type, arguments: [String]? = nil) -> Never {
        do {
            var command = try Command.parseAsRoot(arguments)
            try command.run()
            Command.exit()
        } catch {
            let code = Command.exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((Command.fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            Command.exit(withError: error)
        }
    }
}

/// A one-line error for the user, with exit code 1 (ArgumentParser prints "Error: ...").
public struct CommandFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
