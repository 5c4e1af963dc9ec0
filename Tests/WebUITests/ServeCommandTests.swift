import Foundation
import Glibc
import TestSupport
import Testing

/// `sharpq serve`'s command line: loopback unless the user consents, a missing index is an
/// error before anything listens.
struct ServeCommandTests {
    @Test func anAddressOtherMachinesReachNeedsAllowRemoteAndThenWarns() throws {
        guard let sharpq = BuiltExecutable.path("sharpq") else { return }
        let f = try WebFixture()
        let refused = try BuiltExecutable.run(sharpq, ["serve", "--store", f.store, "--host", "0.0.0.0", "--port", "0"])
        #expect(refused.status == 2, "\(refused.stderr)")
        #expect(refused.stderr.contains("--allow-remote"), "\(refused.stderr)")

        let process = Process()
        process.executableURL = URL(fileURLWithPath: sharpq)
        process.arguments = ["serve", "--store", f.store, "--host", "0.0.0.0", "--port", "0", "--allow-remote"]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        var line = ""
        while !line.contains("\n") {
            let data = out.fileHandleForReading.availableData
            if data.isEmpty { break }
            line += String(decoding: data, as: UTF8.self)
        }
        process.terminate()
        process.waitUntilExit()
        let warning = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(line.hasPrefix("sharpq serve: http://0.0.0.0:"), "\(line)")
        #expect(warning.contains("warning") && warning.contains("no login"), "\(warning)")
    }

    @Test func aMissingIndexIsAOneLineErrorBeforeListening() throws {
        guard let sharpq = BuiltExecutable.path("sharpq") else { return }
        let result = try BuiltExecutable.run(sharpq, ["serve", "--store", "/nonexistent/store", "--port", "0"])
        #expect(result.status == 1)
        #expect(result.stderr.split(separator: "\n").count == 1 && result.stderr.contains("no index at"), "\(result.stderr)")
    }
}
