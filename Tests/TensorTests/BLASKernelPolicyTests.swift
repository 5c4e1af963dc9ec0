import Foundation
import Testing

@testable import Tensor

/// `BLASKernelPolicy.decide`, case by case: (CPU, OpenBLAS's pick, its kernels, OPENBLAS_CORETYPE,
/// Sharp's marker) → restart or not, with which kernel, chosen by whom, with which warnings.
@Suite struct BLASKernelPolicyTests {
    /// Debian 12's OpenBLAS 0.3.21 (DYNAMIC_ARCH): no SapphireRapids kernel.
    static let debian12: Set<String> = [
        "Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Atom", "Nano", "Opteron", "Opteron_SSE3", "Barcelona", "Bobcat",
        "Sandybridge", "Bulldozer", "Piledriver", "Steamroller", "Excavator", "Haswell", "Zen", "SkylakeX", "Cooperlake",
    ]
    static let newer = debian12.union(["SapphireRapids"])

    static let avx512: Set<String> = ["avx", "fma", "avx2", "avx512f", "avx512dq", "avx512bw", "avx512vl"]
    /// Intel Xeon family 6 model 207 (AVX-512 with BF16 and FP16, AMX): unknown to OpenBLAS 0.3.21.
    static let xeon207 = CPUInfo(vendor: .intel, family: 6, model: 207, features: avx512.union(["avx512bf16", "avx512fp16", "amx-tile", "amx-bf16"]))
    static let skylakeSP = CPUInfo(vendor: .intel, family: 6, model: 85, features: avx512)
    static let haswell = CPUInfo(vendor: .intel, family: 6, model: 63, features: ["avx", "fma", "avx2"])
    static let sandyBridge = CPUInfo(vendor: .intel, family: 6, model: 42, features: ["avx"])
    static let sseOnly = CPUInfo(vendor: .intel, family: 6, model: 23)
    /// Knights Landing: AVX-512 F without BW, DQ and VL; OpenBLAS's AVX-512 kernels need all four.
    static let knightsLanding = CPUInfo(vendor: .intel, family: 6, model: 87, features: ["avx", "fma", "avx2", "avx512f"])
    static let zen3 = CPUInfo(vendor: .amd, family: 25, model: 33, features: ["avx", "fma", "avx2"])
    static let zen4 = CPUInfo(vendor: .amd, family: 25, model: 17, features: avx512.union(["avx512bf16"]))
    static let zen5 = CPUInfo(vendor: .amd, family: 26, model: 2, features: avx512.union(["avx512bf16"]))

    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let cpu: CPUInfo
        let reported: String
        var available: Set<String> = BLASKernelPolicyTests.debian12
        var requested: String? = nil
        var marker: String? = nil
        let restart: String?
        let source: BLASKernelPolicy.Source
        let best: String?
        var warning: String? = nil
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "Intel 6/207, OpenBLAS fell back to Prescott", cpu: xeon207, reported: "Prescott", restart: "Cooperlake", source: .sharp, best: "Cooperlake"),
        Case(name: "Intel 6/207 with an OpenBLAS that has SapphireRapids (not selectable by name)", cpu: xeon207, reported: "Prescott",
             available: newer, restart: "Cooperlake", source: .sharp, best: "Cooperlake"),
        Case(name: "Intel 6/207, OpenBLAS knows it", cpu: xeon207, reported: "SapphireRapids", available: newer, restart: nil, source: .openBLAS, best: "Cooperlake"),
        Case(name: "Skylake-SP fell back", cpu: skylakeSP, reported: "Prescott", restart: "SkylakeX", source: .sharp, best: "SkylakeX"),
        Case(name: "Skylake-SP recognised", cpu: skylakeSP, reported: "SkylakeX", restart: nil, source: .openBLAS, best: "SkylakeX"),
        Case(name: "Haswell-class fell back", cpu: haswell, reported: "Nehalem", restart: "Haswell", source: .sharp, best: "Haswell"),
        Case(name: "Haswell-class recognised", cpu: haswell, reported: "Haswell", restart: nil, source: .openBLAS, best: "Haswell"),
        Case(name: "Sandy Bridge fell back", cpu: sandyBridge, reported: "Prescott", restart: "Sandybridge", source: .sharp, best: "Sandybridge"),
        Case(name: "SSE-only CPU: nothing better to pick", cpu: sseOnly, reported: "Core2", restart: nil, source: .openBLAS, best: nil),
        Case(name: "Knights Landing: AVX-512 F alone is not enough", cpu: knightsLanding, reported: "Prescott", restart: "Haswell", source: .sharp, best: "Haswell"),
        Case(name: "Zen 3 recognised as Zen", cpu: zen3, reported: "Zen", restart: nil, source: .openBLAS, best: "Zen"),
        Case(name: "Zen 3 on Haswell kernels is the same level", cpu: zen3, reported: "Haswell", restart: nil, source: .openBLAS, best: "Zen"),
        Case(name: "Zen 3 fell back", cpu: zen3, reported: "Prescott", restart: "Zen", source: .sharp, best: "Zen"),
        Case(name: "Zen 4 recognised as Cooperlake", cpu: zen4, reported: "Cooperlake", restart: nil, source: .openBLAS, best: "Cooperlake"),
        Case(name: "Zen 5 fell back", cpu: zen5, reported: "Prescott", restart: "Cooperlake", source: .sharp, best: "Cooperlake"),
        Case(name: "Zen 5 on SkylakeX stays: same GEMM as Cooperlake", cpu: zen5, reported: "SkylakeX", restart: nil, source: .openBLAS, best: "Cooperlake"),
        Case(name: "an OpenBLAS with only generic kernels", cpu: xeon207, reported: "Prescott", available: ["Prescott"], restart: nil, source: .openBLAS, best: nil),
        Case(name: "the user's kernel wins, even a slower one", cpu: zen5, reported: "Haswell", requested: "Haswell", restart: nil, source: .user, best: "Cooperlake"),
        Case(name: "the user's kernel wins in any case", cpu: skylakeSP, reported: "SkylakeX", requested: "skylakex", restart: nil, source: .user, best: "SkylakeX"),
        Case(name: "the user asked for the fallback", cpu: xeon207, reported: "Prescott", requested: "Prescott", restart: nil, source: .user, best: "Cooperlake"),
        Case(name: "a name OpenBLAS does not know, on a fallback", cpu: xeon207, reported: "Prescott", requested: "Skylake-X", restart: "Cooperlake",
             source: .sharp, best: "Cooperlake", warning: "OPENBLAS_CORETYPE=Skylake-X is not a kernel this OpenBLAS has (it runs Prescott); ignoring it"),
        Case(name: "a name OpenBLAS does not know, on a good kernel", cpu: zen5, reported: "Cooperlake", requested: "Zen5", restart: nil,
             source: .openBLAS, best: "Cooperlake", warning: "OPENBLAS_CORETYPE=Zen5 is not a kernel this OpenBLAS has (it runs Cooperlake); ignoring it"),
        Case(name: "after Sharp's restart", cpu: xeon207, reported: "Cooperlake", requested: "Cooperlake", marker: "Cooperlake", restart: nil, source: .sharp, best: "Cooperlake"),
        Case(name: "after a restart that did not take: warn, never loop", cpu: xeon207, reported: "Prescott", requested: "Cooperlake", marker: "Cooperlake",
             restart: nil, source: .sharp, best: "Cooperlake", warning: "Sharp asked OpenBLAS for its Cooperlake kernel, but it runs Prescott"),
        Case(name: "a stale marker does not override the user's variable", cpu: zen5, reported: "Haswell", requested: "Haswell", marker: "Cooperlake",
             restart: nil, source: .user, best: "Cooperlake"),
    ]

    @Test(arguments: cases)
    func decides(_ c: Case) {
        let decision = BLASKernelPolicy.decide(cpu: c.cpu, reported: c.reported, available: c.available, requested: c.requested, chosenBySharp: c.marker)
        #expect(decision.restartWith == c.restart)
        #expect(decision.source == c.source)
        #expect(decision.best == c.best)
        #expect(decision.warnings == (c.warning.map { [$0] } ?? []))
    }

    @Test func fallbackMeansBelowTheBestLevel() {
        #expect(BLASKernelPolicy.isFallback("Prescott", best: "Cooperlake"))
        #expect(BLASKernelPolicy.isFallback("Haswell", best: "SkylakeX"))
        #expect(!BLASKernelPolicy.isFallback("SkylakeX", best: "Cooperlake"))
        #expect(!BLASKernelPolicy.isFallback("Zen", best: "Haswell"))
        #expect(!BLASKernelPolicy.isFallback("Cooperlake", best: "Cooperlake"))
        #expect(!BLASKernelPolicy.isFallback("Prescott", best: nil))
        #expect(!BLASKernelPolicy.isFallback("SomeFutureKernel", best: "Cooperlake"))
    }

    @Test func thisProcessRunsAKernelThisOpenBLASHas() {
        #expect(BLAS.availableKernels.contains(BLASKernelPolicy.spelling(of: BLAS.kernel)))
        #expect(BLAS.version.first?.isNumber == true, "\(BLAS.configuration)")
    }
}
