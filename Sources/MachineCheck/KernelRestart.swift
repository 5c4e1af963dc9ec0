import Glibc
import Tensor

/// The start-up step that moves a process off OpenBLAS's generic fallback kernel.
public enum KernelRestart {
    /// Runs this process on the best OpenBLAS kernel the CPU supports: called first thing in
    /// `main` by every executable that computes (sharp, sharpd and its children, sharp-bench).
    ///
    /// OpenBLAS reads `OPENBLAS_CORETYPE` once, while the dynamic loader initialises it, before
    /// any Swift code runs. So when OpenBLAS fell back to a generic kernel (`BLAS.kernelDecision`),
    /// the process starts itself again (`execv` of /proc/self/exe: same pid, arguments and
    /// descriptors) with the variable set, and the restarted process checks that the kernel took.
    /// Loading BLAS later (dlopen) was the alternative; it would turn every BLAS call into a
    /// function pointer and OpenBLAS into a run-time rather than a link-time dependency, for no
    /// gain. A user's own `OPENBLAS_CORETYPE` wins when OpenBLAS knows it; one it does not know is
    /// named in a warning on standard error. Children inherit the variables, so they start
    /// directly on the chosen kernel.
    public static func useBestKernel() {
        let decision = BLAS.kernelDecision
        for warning in decision.warnings { printWarning(warning) }
        guard let kernel = decision.restartWith else { return }
        let previous = getenv("OPENBLAS_CORETYPE").map { String(cString: $0) }
        setenv("OPENBLAS_CORETYPE", kernel, 1)
        setenv(BLAS.chosenKernelVariable, kernel, 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // Only reached when the restart failed: put the environment back, carry on, and say so.
        unsetenv(BLAS.chosenKernelVariable)
        if let previous { setenv("OPENBLAS_CORETYPE", previous, 1) } else { unsetenv("OPENBLAS_CORETYPE") }
        printWarning("could not restart on OpenBLAS's \(kernel) kernel (\(String(cString: strerror(errno)))); running on \(BLAS.kernel)")
    }

    private static func printWarning(_ text: String) {
        let name = CommandLine.arguments.first.map { String($0.split(separator: "/").last ?? "sharp") } ?? "sharp"
        let line = Array("\(name): warning: \(text)\n".utf8)
        _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }
}
