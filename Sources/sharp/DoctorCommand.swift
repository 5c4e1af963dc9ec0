import ArgumentParser
import CommandLineSupport
import MachineCheck
import Tensor

/// `sharp doctor`: what this machine gives Sharp (build, CPU, BLAS kernel, threads, plugins), and
/// whether anything is wrong with it (`MachineCheck.MachineReport`).
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

    @Option(name: .customLong("store"), help: "Store whose plugins/ directory is searched last (default: SHARP_STORE).") var storeArgument: String?
    /// --store, else SHARP_STORE.
    var store: String? { StoreArgument.optional(storeArgument) }
    @Flag(help: "Print only the OpenBLAS kernel this process runs, and exit.") var blasKernel = false
    @Flag(help: "Print the OpenBLAS kernels this CPU can run and this OpenBLAS has (Prescott and up, one per line), and exit.")
    var runnableKernels = false

    func run() throws {
        if blasKernel {
            print(BLASKernelPolicy.spelling(of: BLAS.kernel))
        } else if runnableKernels {
            print(BLASKernelPolicy.runnableKernels(cpu: .current, available: BLAS.availableKernels,
                                                   dynamicArch: BLAS.configuration.contains("DYNAMIC_ARCH"), running: BLAS.kernel)
                .joined(separator: "\n"))
        } else {
            let report = MachineReport.current(store: store)
            print(report.text)
            if !report.problems.isEmpty { throw ExitCode.failure }
        }
    }
}
