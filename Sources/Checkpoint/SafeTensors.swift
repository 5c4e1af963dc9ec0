import JSON
import Tensor

#if !_endian(little)
    #error("safetensors data is little-endian; Sharp copies it without swapping bytes")
#endif

/// A tensor with the name it is stored under (`features.0.weight`, PyTorch-style).
public struct NamedTensor: Sendable {
    /// The key in the safetensors header.
    public var name: String
    /// The values.
    public var tensor: Tensor

    /// Pairs `tensor` with `name`.
    public init(_ name: String, _ tensor: Tensor) {
        self.name = name
        self.tensor = tensor
    }
}

/// The safetensors format (huggingface/safetensors): an 8-byte little-endian header length
/// `N`, `N` bytes of JSON `{name: {dtype, shape, data_offsets}, "__metadata__": {..}}` padded
/// with spaces to a multiple of 8, then the raw little-endian tensor bytes, back to back.
public enum SafeTensors {
    /// The reference reader's cap on the header length (`MAX_HEADER_SIZE`).
    public static let maxHeaderBytes = 100_000_000
    /// The reserved header key for free-form string metadata.
    public static let metadataKey = "__metadata__"

    /// What a safetensors file holds.
    public struct Contents: Sendable {
        /// The tensors, in the order of their data in the file.
        public var tensors: [NamedTensor]
        /// The `__metadata__` map (empty when absent).
        public var metadata: [String: String]
        /// Tensors stored in another dtype and converted on reading (`decodeForeign`): name → the
        /// stored dtype (`F16`, `BF16`, `I64`, ...). Empty for `decode`, which converts nothing.
        public var convertedFrom: [String: String] = [:]
    }

    /// Encodes `tensors` in the given order (their data follows that order), with `metadata`.
    ///
    /// - Throws: `CheckpointError` with `.cannotEncode` for a repeated or reserved name.
    public static func encode(_ tensors: [NamedTensor], metadata: [String: String] = [:]) throws -> [UInt8] {
        var seen = Set<String>()
        for entry in tensors {
            guard entry.name != metadataKey else {
                throw CheckpointError(path: "<memory>", reason: .cannotEncode("\(metadataKey) is a reserved name"))
            }
            guard seen.insert(entry.name).inserted else {
                throw CheckpointError(
                    path: "<memory>", reason: .cannotEncode("tensor name '\(entry.name)' is repeated"))
            }
        }
        // The header lists the tensors in the order of their data, so a reader walking it (Python's
        // json keeps the order) meets them as stored.
        var header: [(String, JSONValue)] = []
        if !metadata.isEmpty { header.append((metadataKey, .object(metadata.mapValues(JSONValue.string)))) }
        var offset = 0
        for entry in tensors {
            let byteCount = entry.tensor.count * entry.tensor.dtype.byteSize
            let record: [(String, JSONValue)] = [
                ("dtype", .string(entry.tensor.dtype.safetensorsName)),
                ("shape", .array(entry.tensor.shape.map { .integer(Int64($0)) })),
                ("data_offsets", [.integer(Int64(offset)), .integer(Int64(offset + byteCount))]),
            ]
            header.append((entry.name, .orderedObject(record)))
            offset += byteCount
        }
        var headerBytes = JSONWriter().bytes(.orderedObject(header))
        // The reference writer pads with spaces so the data section starts 8-byte aligned.
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }

        let total = 8 + headerBytes.count + offset
        return [UInt8](unsafeUninitializedCapacity: total) { buffer, initialized in
            let raw = UnsafeMutableRawBufferPointer(buffer)
            raw.storeBytes(of: UInt64(headerBytes.count).littleEndian, as: UInt64.self)
            headerBytes.withUnsafeBytes {
                raw.baseAddress!.advanced(by: 8).copyMemory(from: $0.baseAddress!, byteCount: $0.count)
            }
            var position = 8 + headerBytes.count
            for entry in tensors {
                let byteCount = entry.tensor.count * entry.tensor.dtype.byteSize
                if byteCount > 0 {
                    raw.baseAddress!.advanced(by: position).copyMemory(
                        from: entry.tensor.rawPointer, byteCount: byteCount)
                }
                position += byteCount
            }
            initialized = total
        }
    }

    /// Decodes and validates a safetensors file held in memory.
    ///
    /// Beyond the reference reader's checks (header bounds, offsets contiguous from 0 with no
    /// gaps, overlaps or trailing bytes, sizes matching shapes), this rejects repeated tensor
    /// names and, unless `allowNonFinite`, tensors holding NaN or ±Inf.
    ///
    /// - Parameters:
    ///   - bytes: The whole file.
    ///   - source: Names the file in errors.
    ///   - allowNonFinite: Accept NaN/Inf values instead of reporting them.
    /// - Throws: `CheckpointError` naming `source` and the first problem found.
    public static func decode(_ bytes: [UInt8], source: String = "<memory>", allowNonFinite: Bool = false) throws
        -> Contents
    {
        try bytes.withUnsafeBytes { try decode($0, source: source, allowNonFinite: allowNonFinite) }
    }

    /// Decodes a safetensors file another framework wrote (`sharp import`): every check of
    /// `decode`, but F16 and BF16 tensors are converted to float32 and integer or boolean ones
    /// to float64, each listed in `Contents.convertedFrom`.
    public static func decodeForeign(_ buffer: UnsafeRawBufferPointer, source: String) throws -> Contents {
        var reader = SafeTensorsReader(buffer: buffer, source: source, allowNonFinite: false)
        reader.foreign = true
        return try reader.read()
    }

    /// Decodes and validates a safetensors file held in `buffer` (see `decode(_:source:allowNonFinite:)`).
    public static func decode(
        _ buffer: UnsafeRawBufferPointer, source: String = "<memory>", allowNonFinite: Bool = false
    ) throws -> Contents {
        try SafeTensorsReader(buffer: buffer, source: source, allowNonFinite: allowNonFinite).read()
    }
}

extension Tensor {
    /// The first byte of this tensor's elements.
    var rawPointer: UnsafeRawPointer {
        switch dtype {
        case .float32: UnsafeRawPointer(pointer(Float.self))
        case .float64: UnsafeRawPointer(pointer(Double.self))
        }
    }
}

extension DType {
    /// The safetensors dtype tag (`F32`, `F64`).
    var safetensorsName: String {
        switch self {
        case .float32: "F32"
        case .float64: "F64"
        }
    }

    /// The element type for a safetensors tag Sharp supports.
    init?(safetensorsName: String) {
        switch safetensorsName {
        case "F32": self = .float32
        case "F64": self = .float64
        default: return nil
        }
    }
}
