import CKernels

/// The processor this process runs on and the instruction sets it can use (CPUID, gated by what
/// the operating system enables), for choosing BLAS kernels and for `sharp doctor`.
public struct CPUInfo: Sendable, Equatable {
    /// CPU makers that OpenBLAS has kernels for.
    public enum Vendor: String, Sendable {
        case intel = "GenuineIntel", amd = "AuthenticAMD", other
    }

    /// The vendor.
    public var vendor: Vendor
    /// The vendor string as CPUID reports it (`GenuineIntel`).
    public var vendorString: String
    /// The processor's brand string (`AMD EPYC`, `Intel(R) Xeon(R) Platinum ...`).
    public var brand: String
    /// Display family and model, as `/proc/cpuinfo` reports them.
    public var family: Int, model: Int
    /// Instruction sets, each enabled by the OS (XCR0). AMX also needs a per-process permission
    /// request on Linux before use; Sharp only reports it.
    public var avx = false, fma = false, avx2 = false
    public var avx512f = false, avx512dq = false, avx512bw = false, avx512vl = false
    public var avx512bf16 = false, avx512fp16 = false, amxTile = false, amxBF16 = false

    /// A CPU described by hand (tests, and the cases of the kernel policy).
    public init(vendor: Vendor, family: Int = 0, model: Int = 0, brand: String = "", features: Set<String> = []) {
        self.vendor = vendor
        vendorString = vendor.rawValue
        self.brand = brand
        self.family = family
        self.model = model
        for feature in features {
            switch feature {
            case "avx": avx = true
            case "fma": fma = true
            case "avx2": avx2 = true
            case "avx512f": avx512f = true
            case "avx512dq": avx512dq = true
            case "avx512bw": avx512bw = true
            case "avx512vl": avx512vl = true
            case "avx512bf16": avx512bf16 = true
            case "avx512fp16": avx512fp16 = true
            case "amx-tile": amxTile = true
            case "amx-bf16": amxBF16 = true
            default: preconditionFailure("unknown CPU feature \(feature)")
            }
        }
    }

    /// This machine's CPU.
    public static let current: CPUInfo = {
        var raw = sharp_cpu_info()
        sharp_cpu_info_read(&raw)
        func text<T>(_ field: T) -> String {
            withUnsafeBytes(of: field) { bytes in
                String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self).trimmingCharacters(in: " ")
            }
        }
        let vendorString = text(raw.vendor)
        var cpu = CPUInfo(vendor: Vendor(rawValue: vendorString) ?? .other, family: Int(raw.family), model: Int(raw.model), brand: text(raw.brand))
        cpu.vendorString = vendorString
        cpu.avx = raw.avx != 0
        cpu.fma = raw.fma != 0
        cpu.avx2 = raw.avx2 != 0
        cpu.avx512f = raw.avx512f != 0
        cpu.avx512dq = raw.avx512dq != 0
        cpu.avx512bw = raw.avx512bw != 0
        cpu.avx512vl = raw.avx512vl != 0
        cpu.avx512bf16 = raw.avx512bf16 != 0
        cpu.avx512fp16 = raw.avx512fp16 != 0
        cpu.amxTile = raw.amx_tile != 0
        cpu.amxBF16 = raw.amx_bf16 != 0
        return cpu
    }()

    /// AVX-512 F, BW, DQ and VL: what OpenBLAS's AVX-512 kernels (SkylakeX and later) need.
    public var hasAVX512Core: Bool { avx512f && avx512bw && avx512dq && avx512vl }

    /// The instruction sets that matter for Sharp's kernels, as a list (`AVX2 FMA AVX-512 ...`).
    public var instructionSets: [String] {
        [
            (avx, "AVX"), (avx2, "AVX2"), (fma, "FMA"), (hasAVX512Core, "AVX-512"), (avx512bf16, "AVX-512 BF16"),
            (avx512fp16, "AVX-512 FP16"), (amxTile, "AMX"),
        ].filter(\.0).map(\.1)
    }
}

extension String {
    fileprivate func trimmingCharacters(in character: Character) -> String {
        String(drop { $0 == character }.reversed().drop { $0 == character }.reversed())
    }
}
