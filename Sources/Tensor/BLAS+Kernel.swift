import CBLAS
import Glibc

/// The OpenBLAS kernel of this process: which one runs, which ones this OpenBLAS has, and the
/// start-up step that moves a process off a generic fallback (`BLASKernelPolicy`).
extension BLAS {
    /// The kernel OpenBLAS runs (`Haswell`, `SkylakeX`, `Cooperlake`, `Prescott`, ...).
    public static var kernel: String { String(cString: openblas_get_corename()) }

    /// OpenBLAS's version (`0.3.21`), from its build description.
    public static var version: String {
        configuration.split(separator: " ").dropFirst().first.map(String.init) ?? "unknown"
    }

    /// The kernels this OpenBLAS build has, in OpenBLAS's spelling: a DYNAMIC_ARCH build exports
    /// one parameter table per kernel (`gotoblas_HASWELL`, ...); a build for one CPU exports none,
    /// and then only the kernel it runs is known.
    public static var availableKernels: Set<String> {
        var names: Set<String> = [BLASKernelPolicy.spelling(of: kernel)]
        for (name, _) in BLASKernelPolicy.kernels where dlsym(nil, "gotoblas_" + name.uppercased()) != nil { names.insert(name) }
        return names
    }

    /// The environment variable that marks `OPENBLAS_CORETYPE` as set by Sharp's restart, not by the user.
    public static let chosenKernelVariable = "SHARP_BLAS_KERNEL"

    /// This process's decision, from its CPU, OpenBLAS and environment.
    public static var kernelDecision: BLASKernelPolicy.Decision {
        BLASKernelPolicy.decide(
            cpu: .current, reported: kernel, available: availableKernels,
            requested: environment("OPENBLAS_CORETYPE"), chosenBySharp: environment(chosenKernelVariable))
    }

    /// Runs this process on the best OpenBLAS kernel the CPU supports: called first thing in
    /// `main` by every executable that computes (sharp, sharpd and its children, sharp-bench).
    ///
    /// OpenBLAS reads `OPENBLAS_CORETYPE` once, while the dynamic loader initialises it, before
    /// any Swift code runs. So when OpenBLAS fell back to a generic kernel, the process starts
    /// itself again (`execv` of /proc/self/exe, same pid, arguments and descriptors) with the
    /// variable set; the restarted process checks that the choice took effect. Loading BLAS
    /// later (dlopen) was the alternative; it would turn every BLAS call into a function pointer
    /// and make OpenBLAS a run-time rather than a link-time dependency, for no gain.
    /// A user's own `OPENBLAS_CORETYPE` wins when OpenBLAS knows it; one it does not know is
    /// named in a warning on standard error. Children inherit the variables, so they start
    /// directly on the chosen kernel.
    public static func useBestKernel() {
        let decision = kernelDecision
        for warning in decision.warnings { printWarning(warning) }
        guard let kernel = decision.restartWith else { return }
        let previous = environment("OPENBLAS_CORETYPE")
        setenv("OPENBLAS_CORETYPE", kernel, 1)
        setenv(chosenKernelVariable, kernel, 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // Only reached when the restart failed: put the environment back, carry on, and say so.
        unsetenv(chosenKernelVariable)
        if let previous { setenv("OPENBLAS_CORETYPE", previous, 1) } else { unsetenv("OPENBLAS_CORETYPE") }
        printWarning("could not restart on OpenBLAS's \(kernel) kernel (\(String(cString: strerror(errno)))); running on \(BLAS.kernel)")
    }

    private static func environment(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }

    private static func printWarning(_ text: String) {
        let name = CommandLine.arguments.first.map { String($0.split(separator: "/").last ?? "sharp") } ?? "sharp"
        let line = Array("\(name): warning: \(text)\n".utf8)
        _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }
}
