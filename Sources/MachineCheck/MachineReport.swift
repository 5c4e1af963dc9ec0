import BuildInfo
import Foundation
import PluginHost
import Tensor

/// What `sharp doctor` reports about this machine: Sharp's build, the CPU, the BLAS kernel,
/// threads and plugins, and the problems (exit 1) and notes derived from them by `assess`.
public struct MachineReport {
    /// The facts the verdict depends on.
    public struct Facts: Sendable, Equatable {
        public var cpu: CPUInfo
        /// The kernel OpenBLAS runs, in OpenBLAS's spelling.
        public var kernel: String
        public var decision: BLASKernelPolicy.Decision
        /// Plugins that could not be loaded, one line each.
        public var refusedPlugins: [String]

        public init(cpu: CPUInfo, kernel: String, decision: BLASKernelPolicy.Decision, refusedPlugins: [String] = []) {
            self.cpu = cpu
            self.kernel = kernel
            self.decision = decision
            self.refusedPlugins = refusedPlugins
        }
    }

    /// Labelled lines (`blas`, `cpu`, ...), in order.
    public var rows: [(label: String, text: String)]
    /// Something is wrong: `sharp doctor` exits 1.
    public var problems: [String]
    /// Worth knowing, not wrong.
    public var notes: [String]

    /// Problems and notes from the facts: a fallback kernel Sharp did not fix, an
    /// OPENBLAS_CORETYPE OpenBLAS ignored, a refused plugin; a user-forced slower kernel and a CPU
    /// without AVX2 or AVX-512 are notes (Tests/MachineCheckTests).
    public static func assess(_ facts: Facts) -> (problems: [String], notes: [String]) {
        var problems = facts.decision.warnings, notes: [String] = []
        if !facts.cpu.avx2, !facts.cpu.hasAVX512Core {
            notes.append("this CPU has neither AVX2 nor AVX-512: GEMM runs on SSE kernels, several times slower than on a recent x86-64")
        }
        if BLASKernelPolicy.isFallback(facts.kernel, best: facts.decision.best) {
            let best = facts.decision.best ?? "?"
            if facts.decision.source == .user {
                notes.append("OPENBLAS_CORETYPE=\(facts.kernel) runs slower kernels than this CPU can (\(best)); unset it to let Sharp choose")
            } else {
                problems.append("OpenBLAS runs its \(facts.kernel) kernel although this CPU can run \(best): "
                    + "set OPENBLAS_CORETYPE=\(best) (Sharp's own restart did not take)")
            }
        }
        problems += facts.refusedPlugins.map { "plugin refused: \($0)" }
        return (problems, notes)
    }

    /// This machine's report; `store`'s plugins/ folder is searched last.
    public static func current(store: String?) -> MachineReport {
        var rows: [(String, String)] = []
        rows.append(("sharp", BuildInfo.description + (BuildInfo.commit == "unknown" ? "" : "; full commit \(BuildInfo.commit)")))
        rows.append(("swift", "\(BuildInfo.swift); toolchain \(Toolchain.current)"))
        let cpu = CPUInfo.current
        rows.append(("cpu", "\(cpu.brand.isEmpty ? "unknown" : cpu.brand) (\(cpu.vendorString), family \(cpu.family), model \(cpu.model)), "
            + "\(ProcessInfo.processInfo.activeProcessorCount) CPUs"))
        rows.append(("", "instruction sets: " + (cpu.instructionSets.isEmpty ? "none beyond SSE" : cpu.instructionSets.joined(separator: ", "))))

        let decision = BLAS.kernelDecision
        let kernel = BLASKernelPolicy.spelling(of: BLAS.kernel)
        rows.append(("blas", "OpenBLAS \(BLAS.version), kernel \(kernel), chosen by \(decision.source.rawValue)"))
        rows.append(("", BLAS.configuration))
        // The vector kernels this OpenBLAS has, by level (the SSE-era ones are left out).
        let vector = BLASKernelPolicy.kernels.filter { $0.level > 0 && BLAS.availableKernels.contains($0.name) }.map(\.name)
        rows.append(("", "best kernel for this CPU: \(decision.best ?? "none known"); this OpenBLAS has \(vector.joined(separator: ", "))"))
        rows.append(("threads", "Sharp's kernels \(Parallel.threads)"
            + (ProcessInfo.processInfo.environment["SHARP_THREADS"].map { " (SHARP_THREADS=\($0))" } ?? "")
            + "; OpenBLAS 1 per call (Sharp splits large GEMMs across its threads)"))

        let registry = PluginRegistry(store: store)
        let locations = registry.searchPath.entries.map { "\($0.path) (\($0.origin))" }
        rows.append(("plugins", "searched: " + (locations.isEmpty ? "nothing" : locations.joined(separator: ", "))))
        for kind in [PluginKind.optimizer, .metric] {
            let names = registry.plugins.filter { $0.kind == kind }.map { "\($0.name) \($0.version)" }
            rows.append(("", "\(kind)s (\(names.count)): " + (names.isEmpty ? "none" : names.joined(separator: ", "))))
        }
        let (problems, notes) = assess(
            Facts(cpu: cpu, kernel: kernel, decision: decision, refusedPlugins: registry.problems.map(\.description)))
        return MachineReport(rows: rows, problems: problems, notes: notes)
    }

    /// The report as `sharp doctor` prints it: a label column, then notes, problems and a status line.
    public var text: String {
        let all = rows + notes.map { ("note", $0) } + (problems.isEmpty ? [("status", "ok")] : problems.map { ("problem", $0) })
        return all.map { $0.label.padding(toLength: 9, withPad: " ", startingAt: 0) + $0.text }.joined(separator: "\n")
    }
}
