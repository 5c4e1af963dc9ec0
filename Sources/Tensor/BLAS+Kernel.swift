import CBLAS
import Glibc

/// The OpenBLAS kernel of this process: which one runs, which ones this OpenBLAS has, and what
/// `BLASKernelPolicy` decides for it (`MachineCheck.KernelRestart` acts on the decision).
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

    private static func environment(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }
}
