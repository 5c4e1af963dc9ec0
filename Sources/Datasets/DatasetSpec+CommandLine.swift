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

extension ImagePreprocessing {
    /// Parses the import flags `--channels N`, `--resize shorter=S,crop=C|exact` and
    /// `--normalize imagenet|none|mean=a,b,c,std=d,e,f`. Returns the preprocessing and the crop
    /// size `resize` names (nil for `exact`, where the image size is the output size).
    public static func parse(channels: Int, resize: String, normalize: String) throws(DatasetError)
        -> (preprocessing: ImagePreprocessing, crop: Int?)
    {
        var result = ImagePreprocessing(channels: channels)
        var cropSize: Int?
        switch resize {
        case "exact": break
        default:
            var shorter: Int?, crop: Int?
            for item in resize.split(separator: ",") {
                let kv = item.split(separator: "=", maxSplits: 1).map(String.init)
                guard kv.count == 2, let value = Int(kv[1]), value > 0 else {
                    throw .invalidSpec("--resize \(resize): expected 'exact' or 'shorter=S,crop=C' with positive integers")
                }
                switch kv[0] {
                case "shorter": shorter = value
                case "crop": crop = value
                default: throw .invalidSpec("--resize \(resize): unknown key '\(kv[0])' (valid: shorter, crop)")
                }
            }
            guard let shorter, crop != nil else {
                throw .invalidSpec("--resize \(resize): give both, as in 'shorter=256,crop=224', or 'exact'")
            }
            result.resizeShorter = shorter
            cropSize = crop
        }
        switch normalize {
        case "none": break
        case "imagenet":  // three channels' statistics: `validate(size:)` checks them against the channels
            result.normalization = .imagenet
        default:
            var mean: [Double]?, std: [Double]?
            // "mean=a,b,c,std=d,e,f": split on the keys, then on commas.
            var current: String?
            for item in normalize.split(separator: ",") {
                var value = Substring(item)
                if let eq = item.firstIndex(of: "=") {
                    current = String(item[..<eq])
                    value = item[item.index(after: eq)...]
                    switch current {
                    case "mean": mean = []
                    case "std": std = []
                    default:
                        throw .invalidSpec("--normalize \(normalize): unknown key '\(current ?? "")' (valid: imagenet, none, mean=…,std=…)")
                    }
                }
                guard let number = Double(value) else {
                    throw .invalidSpec(current == nil ? "--normalize \(normalize): expected imagenet, none or mean=a,b,c,std=d,e,f"
                        : "--normalize \(normalize): '\(value)' is not a number")
                }
                if current == "mean" { mean?.append(number) } else if current == "std" { std?.append(number) } else {
                    throw .invalidSpec("--normalize \(normalize): expected imagenet, none or mean=a,b,c,std=d,e,f")
                }
            }
            guard let mean, let std else { throw .invalidSpec("--normalize \(normalize): give both mean=… and std=…") }
            result.normalization = Normalization(mean: mean, std: std)
        }
        return (result, cropSize)
    }
}
