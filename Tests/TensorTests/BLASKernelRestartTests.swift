import Foundation
import TestSupport
import Testing

@testable import Tensor

/// The restart of `KernelRestart.useBestKernel()`, end to end on the built `sharp`: a preloaded shim makes
/// `openblas_get_corename()` answer `Prescott` while OPENBLAS_CORETYPE is unset, which is what
/// Debian 12's OpenBLAS does on a CPU it does not know (an Intel Xeon of family 6 model 207).
@Suite(.serialized) struct BLASKernelRestartTests {
    static var sharp: String? { BuiltExecutable.path("sharp") }

    /// `stuck`: the shim answers Prescott whatever the variable says (a restart that does not take).
    static func shimSource(stuck: Bool) -> String {
        """
        #define _GNU_SOURCE
        #include <dlfcn.h>
        #include <stdlib.h>
        char *openblas_get_corename(void) {
            char *(*real)(void) = (char *(*)(void))dlsym(RTLD_NEXT, "openblas_get_corename");
            return getenv("OPENBLAS_CORETYPE") && !\(stuck ? 1 : 0) ? real() : "Prescott";
        }
        """
    }

    /// Builds the shim with the system C compiler into a temporary directory (removed when the
    /// test process ends: it is tiny, and a loaded shim must not vanish under a running child).
    static func shim(stuck: Bool = false) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sharp-blas-shim-\(getpid())-\(stuck)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let source = directory.appendingPathComponent("shim.c").path, library = directory.appendingPathComponent("libshim.so").path
        try shimSource(stuck: stuck).write(toFile: source, atomically: true, encoding: .utf8)
        let (status, output) = try run("/usr/bin/env", [try #require(compiler), "-shared", "-fPIC", "-o", library, source, "-ldl"], environment: [:])
        try #require(status == 0, "cc failed: \(output.stderr)")
        return library
    }

    /// Runs `executable` without any OPENBLAS_CORETYPE, marker or preload of this process's own.
    static func run(_ executable: String, _ arguments: [String], environment extra: [String: String?]) throws
        -> (status: Int32, (stdout: String, stderr: String))
    {
        var changes: [String: String?] = ["OPENBLAS_CORETYPE": nil, BLAS.chosenKernelVariable: nil, "LD_PRELOAD": nil, "SHARP_PLUGIN_PATH": nil]
        for (key, value) in extra { changes[key] = value }
        let result = try BuiltExecutable.run(executable, arguments, environment: changes)
        return (result.status, (result.stdout.trimmingCharacters(in: .whitespacesAndNewlines), result.stderr))
    }

    /// The best kernel for this CPU among those this OpenBLAS has (nil on a CPU without AVX).
    static var best: String? { BLASKernelPolicy.decide(cpu: .current, reported: "Prescott", available: BLAS.availableKernels, requested: nil, chosenBySharp: nil).best }

    /// A C compiler for the shim (cc, clang or gcc on PATH).
    static let compiler: String? = ["cc", "clang", "gcc"].first { name in
        (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":").contains {
            FileManager.default.isExecutableFile(atPath: "\($0)/\(name)")
        }
    }

    static var runnable: Bool { sharp != nil && best != nil && compiler != nil }

    @Test(.enabled(if: runnable)) func aProcessOnTheFallbackRestartsOnTheBestKernel() throws {
        let shim = try Self.shim()
        let sharp = try #require(Self.sharp), best = try #require(Self.best)
        let withoutSharp = try Self.run(sharp, ["doctor", "--blas-kernel"], environment: ["LD_PRELOAD": shim, "OPENBLAS_CORETYPE": "Prescott"])
        #expect(withoutSharp.1.stdout == "Prescott", "the shim must leave a user's choice alone")
        let result = try Self.run(sharp, ["doctor", "--blas-kernel"], environment: ["LD_PRELOAD": shim])
        #expect(result.status == 0)
        #expect(result.1.stdout == best, "stderr: \(result.1.stderr)")
        #expect(result.1.stderr.isEmpty)
    }

    @Test(.enabled(if: runnable)) func theUsersKernelWins() throws {
        let shim = try Self.shim()
        let result = try Self.run(try #require(Self.sharp), ["doctor", "--blas-kernel"], environment: ["LD_PRELOAD": shim, "OPENBLAS_CORETYPE": "sandybridge"])
        #expect(result.1.stdout == "Sandybridge")
    }

    @Test(.enabled(if: runnable)) func aKernelNameOpenBLASDoesNotKnowIsNamedInOneLine() throws {
        let result = try Self.run(try #require(Self.sharp), ["doctor", "--blas-kernel"], environment: ["OPENBLAS_CORETYPE": "Skylake-X"])
        #expect(result.status == 0)
        let lines = result.1.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].contains("OPENBLAS_CORETYPE=Skylake-X is not a kernel this OpenBLAS has"), "\(result.1.stderr)")
        #expect(!BLASKernelPolicy.isFallback(result.1.stdout, best: Self.best))
    }

    @Test(.enabled(if: runnable)) func doctorFailsWhenTheFallbackKernelStaysInUse() throws {
        let shim = try Self.shim(stuck: true)
        let result = try Self.run(try #require(Self.sharp), ["doctor"], environment: ["LD_PRELOAD": shim])
        #expect(result.status == 1)
        #expect(result.1.stderr.contains("Sharp asked OpenBLAS for its \(try #require(Self.best)) kernel, but it runs Prescott"), "\(result.1.stderr)")
        #expect(result.1.stdout.contains("problem  OpenBLAS runs its Prescott kernel although this CPU can run"), "\(result.1.stdout)")
    }

    @Test(.enabled(if: sharp != nil)) func doctorFailsOnAnUnknownKernelNameAndPassesOtherwise() throws {
        let sharp = try #require(Self.sharp)
        let bad = try Self.run(sharp, ["doctor"], environment: ["OPENBLAS_CORETYPE": "Skylake-X"])
        #expect(bad.status == 1)
        #expect(bad.1.stdout.contains("problem  OPENBLAS_CORETYPE=Skylake-X is not a kernel this OpenBLAS has"), "\(bad.1.stdout)")
        let good = try Self.run(sharp, ["doctor"], environment: [:])
        #expect(good.status == 0, "\(good.1.stdout)")
        for label in ["sharp", "swift", "cpu", "blas", "threads", "plugins", "status"] {
            #expect(good.1.stdout.contains("\n" + label.padding(toLength: 9, withPad: " ", startingAt: 0)) || good.1.stdout.hasPrefix(label), "\(label)")
        }
    }

    @Test(.enabled(if: sharp != nil)) func versionNamesTheCommit() throws {
        let result = try Self.run(try #require(Self.sharp), ["--version"], environment: [:])
        #expect(result.status == 0)
        #expect(result.1.stdout.hasPrefix("0.") && result.1.stdout.contains("(commit "), "\(result.1.stdout)")
    }
}
