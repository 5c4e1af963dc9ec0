/// Which OpenBLAS kernel a process should run, as a pure function of the CPU, the kernel OpenBLAS
/// picked, the kernels this OpenBLAS build has and `OPENBLAS_CORETYPE` (tested case by case in
/// Tests/TensorTests/BLASKernelPolicyTests.swift; `MachineCheck.KernelRestart` acts on it).
///
/// Why it is needed: a DYNAMIC_ARCH OpenBLAS picks its kernel from a table of CPU models that it
/// knew when it was built. On a newer CPU it falls back to a generic kernel: Debian 12's 0.3.21
/// runs `Prescott` (SSE3) on an Intel Xeon of family 6 model 207, about 5× slower than its AVX-512
/// kernels there. The choice here goes by instruction sets instead, so it keeps working on CPUs
/// that no table lists yet.
public enum BLASKernelPolicy {
    /// OpenBLAS's x86-64 kernel names, each with the instruction-set level of its single- and
    /// double-precision GEMM: 0 SSE, 1 AVX, 2 AVX2 + FMA, 3 AVX-512 (SkylakeX, Cooperlake and
    /// SapphireRapids share their SGEMM and DGEMM kernels; they differ in BF16 routines).
    public static let kernels: [(name: String, level: Int)] = {
        let sse = [
            "Katmai", "Coppermine", "Northwood", "Prescott", "Banias", "Atom", "Core2", "Penryn", "Dunnington", "Nehalem",
            "Opteron", "Opteron_SSE3", "Barcelona", "Bobcat", "Nano", "Athlon",
        ]
        return sse.map { ($0, 0) } + ["Sandybridge", "Bulldozer", "Piledriver", "Steamroller"].map { ($0, 1) }
            + ["Haswell", "Zen", "Excavator"].map { ($0, 2) } + [("SkylakeX", 3), ("Cooperlake", 3), ("SapphireRapids", 3)]
    }()
    private static let byUppercaseName = Dictionary(uniqueKeysWithValues: kernels.map { ($0.name.uppercased(), $0) })

    /// The instruction-set level of a kernel name (any case), nil for a name not listed above.
    public static func level(of kernel: String) -> Int? { byUppercaseName[kernel.uppercased()]?.level }

    /// OpenBLAS's spelling of a kernel name given in any case (the name itself if not listed).
    public static func spelling(of kernel: String) -> String { byUppercaseName[kernel.uppercased()]?.name ?? kernel }

    /// The kernels this CPU can run, best first (OpenBLAS's spelling). SapphireRapids is never a
    /// candidate: OpenBLAS's `OPENBLAS_CORETYPE` cannot select it (its name is past the range
    /// `force_coretype` searches), and its GEMM is Cooperlake's.
    public static func candidates(for cpu: CPUInfo) -> [String] {
        var list: [String] = []
        if cpu.hasAVX512Core {
            if cpu.avx512bf16 { list.append("Cooperlake") }
            list.append("SkylakeX")
        }
        if cpu.avx2, cpu.fma { list += cpu.vendor == .amd ? ["Zen", "Haswell"] : ["Haswell", "Zen"] }
        if cpu.avx { list.append("Sandybridge") }
        return list
    }

    /// Who chose the kernel a process runs.
    public enum Source: String, Sendable, Equatable {
        /// OpenBLAS's own detection.
        case openBLAS = "OpenBLAS's detection"
        /// The user's `OPENBLAS_CORETYPE`.
        case user = "OPENBLAS_CORETYPE"
        /// Sharp, after OpenBLAS fell back to a generic kernel.
        case sharp = "Sharp (OpenBLAS fell back to a generic kernel)"
    }

    /// What to do at process start.
    public struct Decision: Sendable, Equatable {
        /// Start the process again with `OPENBLAS_CORETYPE` set to this kernel (nil: carry on).
        public var restartWith: String?
        /// Who chose the kernel the process runs (after the restart, if there is one).
        public var source: Source
        /// The best kernel this CPU and this OpenBLAS allow (nil: none of those listed).
        public var best: String?
        /// Lines for standard error: a request OpenBLAS ignored, a choice that did not take effect.
        public var warnings: [String] = []
    }

    /// Decides at process start.
    ///
    /// - Parameters:
    ///   - cpu: what the CPU can run.
    ///   - reported: the kernel OpenBLAS runs (`openblas_get_corename()`).
    ///   - available: the kernels this OpenBLAS build has (any case).
    ///   - requested: `OPENBLAS_CORETYPE`, if set.
    ///   - chosenBySharp: the kernel Sharp restarted this process with (`SHARP_BLAS_KERNEL`), if it
    ///     equals `requested`: the environment variable is then Sharp's, not the user's.
    public static func decide(cpu: CPUInfo, reported: String, available: Set<String>, requested: String?, chosenBySharp: String?)
        -> Decision
    {
        let availableUpper = Set(available.map { $0.uppercased() })
        let best = candidates(for: cpu).first { availableUpper.contains($0.uppercased()) }
        let runs = { (name: String) in reported.uppercased() == name.uppercased() }

        if let chosen = chosenBySharp, let requested, chosen.uppercased() == requested.uppercased() {
            var decision = Decision(restartWith: nil, source: .sharp, best: best)
            if !runs(chosen) { decision.warnings.append("Sharp asked OpenBLAS for its \(chosen) kernel, but it runs \(reported)") }
            return decision
        }
        var warnings: [String] = []
        if let requested, !requested.isEmpty {
            if runs(requested) { return Decision(restartWith: nil, source: .user, best: best) }
            warnings.append("OPENBLAS_CORETYPE=\(requested) is not a kernel this OpenBLAS has (it runs \(reported)); ignoring it")
        }
        // Restart only to move up a level: OpenBLAS's own pick within a level (Zen or Haswell on
        // an AVX2 AMD CPU) is tuned for the CPU it recognised.
        if let best, let bestLevel = level(of: best), let reportedLevel = level(of: reported), reportedLevel < bestLevel {
            return Decision(restartWith: best, source: .sharp, best: best, warnings: warnings)
        }
        return Decision(restartWith: nil, source: .openBLAS, best: best, warnings: warnings)
    }

    /// The kernels to test the float32 goldens on: Prescott and every candidate this OpenBLAS has,
    /// by level; a build for one CPU (no DYNAMIC_ARCH) ignores OPENBLAS_CORETYPE, so only `running`.
    public static func runnableKernels(cpu: CPUInfo, available: Set<String>, dynamicArch: Bool, running: String) -> [String] {
        guard dynamicArch else { return [spelling(of: running)] }
        let runnable = ["Prescott"] + candidates(for: cpu)
        return kernels.map(\.name).filter { runnable.contains($0) && available.contains($0) }
    }

    /// Whether a kernel is below what the CPU could run (the slow fallback this policy exists for).
    public static func isFallback(_ kernel: String, best: String?) -> Bool {
        guard let best, let bestLevel = level(of: best), let kernelLevel = level(of: kernel) else { return false }
        return kernelLevel < bestLevel
    }
}
