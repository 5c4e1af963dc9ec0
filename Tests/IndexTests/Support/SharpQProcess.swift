import Foundation
import TestSupport
import Testing

/// Runs the built `sharpq` (it sits next to the test binary after `swift build --build-tests`).
enum SharpQProcess {
    typealias Result = BuiltExecutable.Result

    static var executable: String? { BuiltExecutable.path("sharpq") }

    static var isAvailable: Bool { executable != nil }

    /// Runs `sharpq ARGS` with stdout and stderr piped (so never a terminal), without NO_COLOR.
    static func run(_ arguments: [String], environment extra: [String: String] = [:]) throws -> Result {
        var changes: [String: String?] = ["NO_COLOR": nil]
        for (key, value) in extra { changes[key] = value }
        return try BuiltExecutable.run(try #require(executable), arguments, environment: changes)
    }
}
