import Checkpoint
import Foundation
import Hashing
import NN
import Tensor

/// A safetensors file another framework wrote, read without trusting it: recognised by its
/// bytes, decoded with every check of Sharp's own reader, dtypes converted, and wrapper
/// prefixes (`module.` from DataParallel, `_orig_mod.` from `torch.compile`) removed.
struct ForeignWeights {
    /// Tensors by key, after conversion and prefix removal, in file order.
    var tensors: [NamedTensor]
    /// The file's `__metadata__`.
    var metadata: [String: String]
    /// Lowercase hex sha256 of the file.
    var sha256: String
    /// What was changed, one line each.
    var conversions: [String]
    /// Tensors converted on reading: key (after prefix removal) → the stored dtype.
    var convertedFrom: [String: String] = [:]

    /// Prefixes that wrappers put before every key.
    static let wrapperPrefixes = ["module.", "_orig_mod."]

    /// Reads and checks `path`.
    static func read(_ path: String) throws -> ForeignWeights {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ImportError.unreadable(path: path, reason: "no such file; give the path of the exported .safetensors file")
        }
        guard !isDirectory.boolValue else {
            throw ImportError.unreadable(path: path, reason: "is a folder; give the .safetensors file inside it")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ImportError.unreadable(path: path, reason: "cannot read the file (permissions?)")
        }
        let bytes = [UInt8](data)
        if bytes.starts(with: [0x1F, 0x8B]) || bytes.starts(with: [0x28, 0xB5, 0x2F, 0xFD]), !path.hasSuffix(Checkpoint.fileExtension),
            !path.hasSuffix(".tar.gz")
        {
            throw ImportError.compressed(path: path, format: bytes[0] == 0x1F ? "gzip" : "zstd")
        }
        if let kind = Self.foreignKind(bytes, path: path) { throw ImportError.notSafetensors(path: path, found: kind) }
        let contents: SafeTensors.Contents
        do {
            contents = try bytes.withUnsafeBytes { try SafeTensors.decodeForeign($0, source: path) }
        } catch {
            throw ImportError.malformed(reason: "\(error)")
        }
        var weights = ForeignWeights(
            tensors: contents.tensors, metadata: contents.metadata, sha256: SHA256.hex(of: bytes),
            conversions: [])
        weights.conversions += Self.describe(conversions: contents.convertedFrom)
        weights.convertedFrom = contents.convertedFrom
        weights.stripWrapperPrefixes()
        return weights
    }

    /// What a file that is not safetensors is, judged by its first bytes (and its name for
    /// the PyTorch formats), or nil when it may be safetensors.
    static func foreignKind(_ bytes: [UInt8], path: String) -> String? {
        if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) || bytes.starts(with: [0x50, 0x4B, 0x05, 0x06]) {
            return "a zip archive (what torch.save writes for .pt/.pth)"
        }
        if bytes.count >= 2, bytes[0] == 0x80, (2...5).contains(bytes[1]) { return "a Python pickle" }
        if bytes.starts(with: [0x28, 0xB5, 0x2F, 0xFD]) || bytes.starts(with: [0x1F, 0x8B]) {
            return "already a Sharp checkpoint (copy it into the store instead)"
        }
        if bytes.count >= 262, Array(bytes[257..<262]) == Array("ustar".utf8) { return "a tar archive" }
        // safetensors: an 8-byte little-endian header length, then a JSON object.
        let lower = path.lowercased()
        let looksLikeHeader = bytes.count >= 9 && bytes[8] == UInt8(ascii: "{")
        if !looksLikeHeader && [".pt", ".pth", ".bin", ".ckpt", ".pkl", ".pickle"].contains(where: lower.hasSuffix) {
            return "a PyTorch or pickle file (by its name and contents)"
        }
        return nil
    }

    /// One line per kind of conversion (`161 F16 tensors converted to float32`).
    static func describe(conversions: [String: String]) -> [String] {
        var byType: [String: [String]] = [:]
        for (name, dtype) in conversions { byType[dtype, default: []].append(name) }
        return byType.keys.sorted().map { dtype in
            let names = byType[dtype]!.sorted()
            let target = ["F16", "BF16"].contains(dtype) ? "float32" : "float64"
            let counters = names.allSatisfy { $0.hasSuffix("num_batches_tracked") }
            return "\(names.count) \(dtype) tensor\(names.count == 1 ? "" : "s") converted to \(target)"
                + (counters ? " (BatchNorm's num_batches_tracked counters; no metric uses them)" : "")
        }
    }

    /// Removes wrapper prefixes that every key carries, in any order and nesting
    /// (`module._orig_mod.`, `_orig_mod.module.`).
    mutating func stripWrapperPrefixes() {
        while let prefix = Self.wrapperPrefixes.first(where: { p in !tensors.isEmpty && tensors.allSatisfy { $0.name.hasPrefix(p) } }) {
            tensors = tensors.map { NamedTensor(String($0.name.dropFirst(prefix.count)), $0.tensor) }
            convertedFrom = Dictionary(uniqueKeysWithValues: convertedFrom.map { (String($0.key.dropFirst(prefix.count)), $0.value) })
            conversions.append("removed the '\(prefix)' prefix from every key")
        }
    }

    /// The tensor stored under `key`.
    subscript(key: String) -> Tensor? { tensors.first { $0.name == key }?.tensor }

    /// The state dict for `model`: every key present with its shape (a missing BatchNorm
    /// counter is filled with 0), parameters in the model's element type.
    /// - Throws: `ImportError.mismatch` listing the first ten missing, unexpected and misshapen
    ///   keys with their counts, and the zoo model the keys fit best.
    func stateDict(for model: Model, path: String) throws -> [String: Tensor] {
        let given = Dictionary(tensors.map { ($0.name, $0.tensor) }, uniquingKeysWith: { a, _ in a })
        var state: [String: Tensor] = [:]
        var missing: [String] = [], misshapen: [String] = []
        let expected = Set(model.entries.map(\.name))
        let unexpected = tensors.map(\.name).filter { !expected.contains($0) }
        for entry in model.entries {
            guard let value = given[entry.name] else {
                if entry.name.hasSuffix("num_batches_tracked") {
                    state[entry.name] = Tensor(zeros: entry.shape, dtype: .float64)
                } else {
                    missing.append(entry.name)
                }
                continue
            }
            guard value.shape == entry.shape else {
                misshapen.append("\(entry.name) \(value.shape) (expected \(entry.shape))")
                continue
            }
            state[entry.name] = entry.kind == .parameter ? value.converted(to: model.parameters[entry.index].dtype)
                : value.converted(to: model.buffers[entry.index].dtype)
        }
        guard missing.isEmpty, unexpected.isEmpty, misshapen.isEmpty else {
            func list(_ label: String, _ items: [String]) -> String? {
                guard !items.isEmpty else { return nil }
                let shown = items.prefix(10).joined(separator: ", ")
                return "\(items.count) \(label) (\(shown)\(items.count > 10 ? ", …" : ""))"
            }
            let details = [list("missing", missing), list("unexpected", unexpected), list("with another shape", misshapen)]
                .compactMap { $0 }.joined(separator: "; ")
            var hints: [String] = []
            for m in missing {
                // `fc.1.weight` for `fc.weight`: a head wrapped in nn.Sequential (Dropout, Linear).
                if let u = unexpected.first(where: { Self.removingOneIndex($0).contains(m) }) {
                    hints.append("rename '\(u)' to '\(m)'")
                }
            }
            let hint = hints.isEmpty ? "" : "; a head inside nn.Sequential? \(hints.prefix(4).joined(separator: ", ")) in the state dict before saving"
            let suggestion = missing.isEmpty && unexpected.isEmpty || !hints.isEmpty ? nil : closestModel(than: model)
            throw ImportError.mismatch(path: path, model: model.name, details: details + hint, suggestion: suggestion)
        }
        return state
    }

    /// `a.1.b` → [`a.b`]: the key with one purely numeric component removed, each way.
    static func removingOneIndex(_ key: String) -> [String] {
        let parts = key.split(separator: ".", omittingEmptySubsequences: false)
        return parts.indices.filter { parts[$0].allSatisfy(\.isNumber) && !parts[$0].isEmpty }.map { i in
            (parts[..<i] + parts[(i + 1)...]).joined(separator: ".")
        }
    }

    /// The zoo model whose key names overlap this file's more than `current`'s do (Jaccard index
    /// over 0.5), built one at a time without initialisation; only on the error path.
    func closestModel(than current: Model) -> String? {
        let mine = Set(tensors.map(\.name).filter { !$0.hasSuffix("num_batches_tracked") })
        func overlap(_ model: Model) -> Double {
            let theirs = Set(model.entries.map(\.name).filter { !$0.hasSuffix("num_batches_tracked") })
            return Double(mine.intersection(theirs).count) / Double(max(mine.union(theirs).count, 1))
        }
        var best: (name: String, score: Double)? = (current.name, max(overlap(current), 0.5))
        for name in ModelZoo.names where name != current.name {
            let size = ModelZoo.isFullSize(name) ? 224 : 64
            guard let model = try? ModelZoo.build(ModelConfiguration(name: name, inputSize: size), initialized: false) else { continue }
            let score = overlap(model)
            if score > (best?.score ?? 0) { best = (name, score) }
        }
        return best?.name == current.name ? nil : best?.name
    }
}
