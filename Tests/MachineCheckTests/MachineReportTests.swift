import Testing

@testable import MachineCheck
@testable import Tensor

/// `sharp doctor`'s verdict, case by case: what is a problem (exit 1) and what is only a note.
struct MachineReportTests {
    static let avx512: Set<String> = ["avx", "fma", "avx2", "avx512f", "avx512dq", "avx512bw", "avx512vl", "avx512bf16"]
    static let zen5 = CPUInfo(vendor: .amd, family: 26, model: 2, features: avx512)
    static let xeon207 = CPUInfo(vendor: .intel, family: 6, model: 207, features: avx512.union(["avx512fp16", "amx-tile", "amx-bf16"]))
    static let old = CPUInfo(vendor: .intel, family: 6, model: 23)

    func facts(_ cpu: CPUInfo, kernel: String, requested: String? = nil, marker: String? = nil, refused: [String] = []) -> MachineReport.Facts {
        let decision = BLASKernelPolicy.decide(cpu: cpu, reported: kernel, available: ["Prescott", "Haswell", "Zen", "SkylakeX", "Cooperlake"],
                                               requested: requested, chosenBySharp: marker)
        return MachineReport.Facts(cpu: cpu, kernel: kernel, decision: decision, refusedPlugins: refused)
    }

    @Test func theBestKernelIsOk() {
        let (problems, notes) = MachineReport.assess(facts(Self.zen5, kernel: "Cooperlake"))
        #expect(problems.isEmpty && notes.isEmpty)
    }

    @Test func aKernelSharpChoseIsOk() {
        let (problems, notes) = MachineReport.assess(facts(Self.xeon207, kernel: "Cooperlake", requested: "Cooperlake", marker: "Cooperlake"))
        #expect(problems.isEmpty && notes.isEmpty)
    }

    @Test func aFallbackThatStayedIsAProblemNamingTheFix() {
        let (problems, _) = MachineReport.assess(facts(Self.xeon207, kernel: "Prescott", requested: "Cooperlake", marker: "Cooperlake"))
        #expect(problems == [
            "Sharp asked OpenBLAS for its Cooperlake kernel, but it runs Prescott",
            "OpenBLAS runs its Prescott kernel although this CPU can run Cooperlake: set OPENBLAS_CORETYPE=Cooperlake (Sharp's own restart did not take)",
        ])
    }

    @Test func aSlowerKernelTheUserForcedIsANote() {
        let (problems, notes) = MachineReport.assess(facts(Self.zen5, kernel: "Haswell", requested: "Haswell"))
        #expect(problems.isEmpty)
        #expect(notes == ["OPENBLAS_CORETYPE=Haswell runs slower kernels than this CPU can (Cooperlake); unset it to let Sharp choose"])
    }

    @Test func anUnknownKernelNameAndARefusedPluginAreProblems() {
        let (problems, _) = MachineReport.assess(facts(Self.zen5, kernel: "Cooperlake", requested: "Zen5", refused: ["libX.so: ABI 9, expected 1"]))
        #expect(problems == [
            "OPENBLAS_CORETYPE=Zen5 is not a kernel this OpenBLAS has (it runs Cooperlake); ignoring it",
            "plugin refused: libX.so: ABI 9, expected 1",
        ])
    }

    @Test func aCPUWithoutAVX2IsSlowNotWrong() {
        let (problems, notes) = MachineReport.assess(facts(Self.old, kernel: "Core2"))
        #expect(problems.isEmpty)
        #expect(notes.count == 1 && notes[0].hasPrefix("this CPU has neither AVX2 nor AVX-512"))
    }

    @Test func runnableKernelsFollowTheCPUAndTheBuild() {
        let available: Set<String> = ["Prescott", "Sandybridge", "Haswell", "Zen", "SkylakeX", "Cooperlake"]
        #expect(BLASKernelPolicy.runnableKernels(cpu: Self.zen5, available: available, dynamicArch: true, running: "Cooperlake")
            == ["Prescott", "Sandybridge", "Haswell", "Zen", "SkylakeX", "Cooperlake"])
        #expect(BLASKernelPolicy.runnableKernels(cpu: Self.old, available: available, dynamicArch: true, running: "Core2") == ["Prescott"])
        #expect(BLASKernelPolicy.runnableKernels(cpu: Self.zen5, available: available, dynamicArch: false, running: "HASWELL") == ["Haswell"])
    }
}
