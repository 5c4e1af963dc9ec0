import ArgumentParser
import BuildInfo
import CommandLineSupport
import Foundation
import PluginHost
import Tensor

/// `sharp doctor`: what this machine gives Sharp (build, CPU, BLAS kernel, threads, plugins), and
/// whether anything is wrong with it.
struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check this machine: Sharp's build, the CPU, the BLAS kernel in use, threads and plugins.",
        discussion: """
            Exits 1 when something is wrong: OpenBLAS still on a generic fallback kernel although the CPU \
            can run a faster one, an OPENBLAS_CORETYPE that OpenBLAS does not know, or a plugin that \
            cannot be loaded (another ABI version or toolchain). A slow CPU (neither AVX2 nor AVX-512) \
            is reported, not an error. `--blas-kernel` prints only the kernel name, `--runnable-kernels` the \
            kernels this machine can run, for scripts (tools/test runs the float32 goldens on each).
            """)

    @Option(help: "Store whose plugins/ directory is searched last.") var store: String?
    @Flag(help: "Print only the OpenBLAS kernel this process runs, and exit.") var blasKernel = false
    @Flag(help: "Print the OpenBLAS kernels this CPU can run and this OpenBLAS has (Prescott and up, one per line), and exit.")
    var runnableKernels = false

    func run() throws {
        if blasKernel {
            print(BLASKernelPolicy.spelling(of: BLAS.kernel))
            return
        }
        if runnableKernels {
            // A build for one CPU (no DYNAMIC_ARCH) ignores OPENBLAS_CORETYPE: only its own kernel runs.
            guard BLAS.configuration.contains("DYNAMIC_ARCH") else {
                print(BLASKernelPolicy.spelling(of: BLAS.kernel))
                return
            }
            let available = BLAS.availableKernels
            let runnable = ["Prescott"] + BLASKernelPolicy.candidates(for: .current)
            for (name, _) in BLASKernelPolicy.kernels where runnable.contains(name) && available.contains(name) { print(name) }
            return
        }
        var problems: [String] = []
        var notes: [String] = []
        func row(_ label: String, _ text: String) { print(label.padding(toLength: 9, withPad: " ", startingAt: 0) + text) }

        row("sharp", BuildInfo.description + (BuildInfo.commit == "unknown" ? "" : "; full commit \(BuildInfo.commit)"))
        row("swift", "\(BuildInfo.swift); toolchain \(Toolchain.current)")

        let cpu = CPUInfo.current
        row("cpu", "\(cpu.brand.isEmpty ? "unknown" : cpu.brand) (\(cpu.vendorString), family \(cpu.family), model \(cpu.model)), "
            + "\(ProcessInfo.processInfo.activeProcessorCount) CPUs")
        row("", "instruction sets: " + (cpu.instructionSets.isEmpty ? "none beyond SSE" : cpu.instructionSets.joined(separator: ", ")))
        if !cpu.avx2, !cpu.hasAVX512Core {
            notes.append("this CPU has neither AVX2 nor AVX-512: GEMM runs on SSE kernels, several times slower than on a recent x86-64")
        }

        let decision = BLAS.kernelDecision
        let kernel = BLASKernelPolicy.spelling(of: BLAS.kernel)
        row("blas", "OpenBLAS \(BLAS.version), kernel \(kernel), chosen by \(decision.source.rawValue)")
        row("", BLAS.configuration)
        // The vector kernels this OpenBLAS has, by level (the SSE-era ones are left out).
        let vector = BLASKernelPolicy.kernels.filter { $0.level > 0 && BLAS.availableKernels.contains($0.name) }.map(\.name)
        row("", "best kernel for this CPU: \(decision.best ?? "none known"); this OpenBLAS has \(vector.joined(separator: ", "))")
        problems += decision.warnings
        if BLASKernelPolicy.isFallback(kernel, best: decision.best) {
            if decision.source == .user {
                notes.append("OPENBLAS_CORETYPE=\(kernel) runs slower kernels than this CPU can (\(decision.best ?? "?")); unset it to let Sharp choose")
            } else {
                problems.append("OpenBLAS runs its \(kernel) kernel although this CPU can run \(decision.best ?? "?"): "
                    + "set OPENBLAS_CORETYPE=\(decision.best ?? "?") (Sharp's own restart did not take)")
            }
        }

        row("threads", "Sharp's kernels \(Parallel.threads)"
            + (ProcessInfo.processInfo.environment["SHARP_THREADS"].map { " (SHARP_THREADS=\($0))" } ?? "")
            + "; OpenBLAS 1 per call (Sharp splits large GEMMs across its threads)")

        let registry = PluginRegistry(store: store)
        let locations = registry.searchPath.entries.map { "\($0.path) (\($0.origin))" }
        row("plugins", "searched: " + (locations.isEmpty ? "nothing" : locations.joined(separator: ", ")))
        for kind in [PluginKind.optimizer, .metric] {
            let names = registry.plugins.filter { $0.kind == kind }.map { "\($0.name) \($0.version)" }
            row("", "\(kind)s (\(names.count)): " + (names.isEmpty ? "none" : names.joined(separator: ", ")))
        }
        problems += registry.problems.map { "plugin refused: \($0.description)" }

        for note in notes { row("note", note) }
        if problems.isEmpty {
            row("status", "ok")
            return
        }
        for problem in problems { row("problem", problem) }
        throw ExitCode.failure
    }
}
