/// The `--data` syntax every command shares: `bus-synth[:count=N,seed=S,benign=B]`, a folder
/// `ROOT/<class>/*.png|jpg`, or a MedMNIST `.npz`.
extension DatasetSpec {
    /// Parses `--data`. Options after `bus-synth:` shrink or reseed the phantom set (tests, demos);
    /// without them it is the study's 2,405 images.
    public init(commandLine text: String, size: Int) throws {
        if text == "bus-synth" || text.hasPrefix("bus-synth:") {
            var count = 2405, seed: UInt64 = 0, benign: Int?
            for item in text.dropFirst("bus-synth:".count).split(separator: ",") {
                let kv = item.split(separator: "=", maxSplits: 1).map(String.init)
                guard kv.count == 2 else { throw DatasetError.invalidSpec("--data \(text): expected key=value after 'bus-synth:', got '\(item)'") }
                switch kv[0] {
                case "count":
                    guard let n = Int(kv[1]), n >= 4 else { throw DatasetError.invalidSpec("--data \(text): count must be an integer ≥ 4") }
                    count = n
                case "seed":
                    guard let s = UInt64(kv[1]) else { throw DatasetError.invalidSpec("--data \(text): seed must be a non-negative integer") }
                    seed = s
                case "benign":
                    guard let b = Int(kv[1]), b >= 2 else { throw DatasetError.invalidSpec("--data \(text): benign must be an integer ≥ 2") }
                    benign = b
                default:
                    throw DatasetError.invalidSpec("--data \(text): unknown option '\(kv[0])' (valid: count, seed, benign)")
                }
            }
            self = .busSynth(seed: seed, count: count, benignCount: benign, size: size)
        } else if text.hasSuffix(".npz") {
            self = .npz(Self.absolute(text), size: size)
        } else {
            self = .folder(Self.absolute(text), size: size)
        }
    }
}
