import Foundation
import Testing

@testable import Checkpoint

/// The four entries of a valid checkpoint, to tamper with before packing them into a tar.
struct CheckpointParts {
    var manifest: Manifest
    /// Replaces the encoded manifest entirely (invalid JSON, foreign formats).
    var manifestBytes: [UInt8]?
    var model: [UInt8]
    var optimizer: [UInt8]
    var history: [UInt8]
    /// Recompute `manifest.files` from the (tampered) bytes, so the check under test is the
    /// one that fires rather than the checksum.
    var refreshDigests = true
    var omitted: Set<String> = []
    /// Entries written before the valid ones...
    var leading: [ArchiveEntry] = []
    /// ...and after them.
    var extra: [ArchiveEntry] = []

    init(_ checkpoint: Checkpoint = Fixtures.small()) {
        let entries = try! checkpoint.entryBytes()
        manifest = try! Manifest.decode(entries[0].bytes)
        (model, optimizer, history) = (entries[1].bytes, entries[2].bytes, entries[3].bytes)
    }

    func archive(_ compression: CheckpointCompression = .zstd) -> [UInt8] {
        var stored = manifest
        if refreshDigests {
            stored.files = [
                "model.safetensors": Checkpoint.record(model), "optimizer.safetensors": Checkpoint.record(optimizer),
                "history.csv": Checkpoint.record(history),
            ]
        }
        let files = [
            ("manifest.json", manifestBytes ?? (try! stored.jsonBytes())), ("model.safetensors", model),
            ("optimizer.safetensors", optimizer), ("history.csv", history),
        ]
        let entries = files.filter { !omitted.contains($0.0) }.map { ArchiveEntry(name: $0.0, kind: .file($0.1)) }
        return try! ArchiveWriter.archive(leading + entries + extra, compression: compression)
    }

    /// A copy changed by `change`.
    func with(_ change: (inout CheckpointParts) -> Void) -> CheckpointParts {
        var copy = self
        change(&copy)
        return copy
    }
}

/// One hostile or corrupt archive and the phrase its rejection must contain.
struct HostileCase: Sendable, CustomTestStringConvertible {
    let label: String
    let phrase: String
    var limits = CheckpointReadLimits.default
    let make: @Sendable () -> [UInt8]

    var testDescription: String { label }

    init(
        _ label: String, _ phrase: String, limits: CheckpointReadLimits = .default,
        _ make: @escaping @Sendable () -> [UInt8]
    ) {
        self.label = label
        self.phrase = phrase
        self.limits = limits
        self.make = make
    }

    /// A case built from the valid parts with `change` applied.
    static func parts(
        _ label: String, _ phrase: String, limits: CheckpointReadLimits = .default,
        _ change: @escaping @Sendable (inout CheckpointParts) -> Void
    ) -> HostileCase {
        HostileCase(label, phrase, limits: limits) { CheckpointParts().with(change).archive() }
    }

    /// A case of the valid entries plus `extra` entries, uncompressed.
    static func extra(_ label: String, _ phrase: String, _ entries: [ArchiveEntry]) -> HostileCase {
        HostileCase(label, phrase) { CheckpointParts().with { $0.extra = entries }.archive(.none) }
    }

    /// A case of `entry` in front of the valid entries, uncompressed.
    static func leading(_ label: String, _ phrase: String, _ entry: ArchiveEntry) -> HostileCase {
        HostileCase(label, phrase) { CheckpointParts().with { $0.leading = [entry] }.archive(.none) }
    }
}

/// A hand-made ustar header block, for headers libarchive's writer would not produce.
enum UstarHeader {
    static func bytes(name: String, size: Int, type: UInt8 = UInt8(ascii: "0")) -> [UInt8] {
        var block = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, at offset: Int) {
            for (i, byte) in text.utf8.enumerated() { block[offset + i] = byte }
        }
        func octal(_ value: Int, width: Int) -> String {
            let digits = String(value, radix: 8)
            return String(repeating: "0", count: width - 1 - digits.count) + digits
        }
        put(name, at: 0)
        put(octal(0o644, width: 8), at: 100)
        put(octal(0, width: 8), at: 108)
        put(octal(0, width: 8), at: 116)
        put(octal(size, width: 12), at: 124)
        put(octal(0, width: 12), at: 136)
        block[156] = type
        put("ustar", at: 257)
        put("00", at: 263)
        // The checksum counts its own field as eight spaces.
        put("        ", at: 148)
        let sum = block.reduce(0) { $0 + Int($1) }
        put(octal(sum, width: 7), at: 148)
        return block
    }
}
