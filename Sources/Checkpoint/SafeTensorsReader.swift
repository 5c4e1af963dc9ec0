import Tensor

/// Validates a safetensors buffer and copies its tensors out; the checks follow the reference
/// reader (safetensors/src/tensor.rs) in the same order, plus Sharp's stricter ones.
struct SafeTensorsReader {
    let buffer: UnsafeRawBufferPointer
    let source: String
    let allowNonFinite: Bool
    /// Accept the dtypes other frameworks write (`ForeignDType`) and convert them (`sharp import`).
    var foreign = false

    /// One header entry after its own checks, before the layout checks that compare entries.
    private struct Entry {
        let name: String
        let stored: ForeignDType
        let shape: [Int]
        let begin: Int
        let end: Int
        let headerIndex: Int
    }

    private func fail(_ reason: CheckpointError.Reason) -> CheckpointError {
        CheckpointError(path: source, reason: reason)
    }

    func read() throws -> SafeTensors.Contents {
        guard buffer.count >= 8 else { throw fail(.safetensorsTooSmall(size: buffer.count)) }
        let length = UInt64(littleEndian: buffer.loadUnaligned(as: UInt64.self))
        guard length <= UInt64(SafeTensors.maxHeaderBytes) else { throw fail(.headerTooLarge(length: length)) }
        let headerLength = Int(length)
        guard 8 + headerLength <= buffer.count else {
            throw fail(.headerBeyondFile(length: length, fileSize: buffer.count))
        }
        let headerBytes = UnsafeRawBufferPointer(rebasing: buffer[8..<(8 + headerLength)])
        guard String(validating: headerBytes.bindMemory(to: UInt8.self), as: UTF8.self) != nil else {
            throw fail(.invalidHeader("header is not UTF-8"))
        }
        let root: HeaderJSONParser.Value
        do {
            root = try HeaderJSONParser.parse(headerBytes)
        } catch {
            throw fail(.invalidHeader(error.message))
        }
        guard case .object(let members) = root else { throw fail(.invalidHeader("header is not a JSON object")) }

        let data = UnsafeRawBufferPointer(rebasing: buffer[(8 + headerLength)...])
        var metadata: [String: String]?
        var entries: [Entry] = []
        var names = Set<String>()
        for (index, member) in members.enumerated() {
            if member.key == SafeTensors.metadataKey {
                guard metadata == nil else { throw fail(.invalidHeader("\(SafeTensors.metadataKey) appears twice")) }
                metadata = try metadataMap(member.value)
                continue
            }
            guard names.insert(member.key).inserted else { throw fail(.duplicateTensor(name: member.key)) }
            entries.append(try entry(named: member.key, member.value, index: index, dataSize: data.count))
        }

        // Layout: sorted by offset, tensors must tile the data section exactly.
        entries.sort { ($0.begin, $0.end, $0.headerIndex) < ($1.begin, $1.end, $1.headerIndex) }
        var expected = 0
        var previous: String?
        for entry in entries {
            if entry.begin < expected { throw fail(.overlappingTensors(first: previous ?? "", second: entry.name)) }
            if entry.begin > expected { throw fail(.gapBeforeTensor(tensor: entry.name, gap: entry.begin - expected)) }
            expected = entry.end
            previous = entry.name
        }
        guard expected == data.count else { throw fail(.trailingBytes(count: data.count - expected)) }

        var tensors: [NamedTensor] = []
        var converted: [String: String] = [:]
        tensors.reserveCapacity(entries.count)
        for entry in entries {
            let tensor = Tensor(zeros: entry.shape, dtype: entry.stored.converted)
            if entry.end > entry.begin {
                entry.stored.copy(from: data.baseAddress! + entry.begin, count: tensor.count, into: tensor)
            }
            if entry.stored.tag != tensor.dtype.safetensorsName { converted[entry.name] = entry.stored.tag }
            if !allowNonFinite, let (count, first) = Self.nonFiniteSummary(tensor) {
                throw fail(.nonFinite(tensor: entry.name, count: count, firstIndex: first))
            }
            tensors.append(NamedTensor(entry.name, tensor))
        }
        return SafeTensors.Contents(tensors: tensors, metadata: metadata ?? [:], convertedFrom: converted)
    }

    private func metadataMap(_ value: HeaderJSONParser.Value) throws -> [String: String] {
        guard case .object(let pairs) = value else {
            throw fail(.invalidHeader("\(SafeTensors.metadataKey) is not an object"))
        }
        var map: [String: String] = [:]
        for pair in pairs {
            guard case .string(let text) = pair.value else {
                throw fail(.invalidHeader("\(SafeTensors.metadataKey) value for '\(pair.key)' is not a string"))
            }
            map[pair.key] = text
        }
        return map
    }

    private func entry(named name: String, _ value: HeaderJSONParser.Value, index: Int, dataSize: Int) throws -> Entry {
        guard case .object(let fields) = value else { throw fail(.invalidHeader("tensor '\(name)' is not an object")) }
        func field(_ key: String) throws -> HeaderJSONParser.Value {
            guard let found = fields.first(where: { $0.key == key }) else {
                throw fail(.invalidHeader("tensor '\(name)' has no \(key)"))
            }
            return found.value
        }
        guard case .string(let tag) = try field("dtype") else {
            throw fail(.invalidHeader("tensor '\(name)' dtype is not a string"))
        }
        guard let dtype = ForeignDType(rawValue: tag), foreign || DType(safetensorsName: tag) != nil else {
            throw fail(.unsupportedDtype(tensor: name, dtype: tag))
        }

        guard case .array(let extents) = try field("shape") else {
            throw fail(.invalidShape(tensor: name, detail: "not an array"))
        }
        var shape: [Int] = []
        var elementCount = 1
        for extent in extents {
            guard case .number(let text) = extent, let value = Int(text) else {
                throw fail(.invalidShape(tensor: name, detail: "extents must be integers"))
            }
            guard value >= 0 else { throw fail(.invalidShape(tensor: name, detail: "negative extent \(value)")) }
            let (product, overflow) = elementCount.multipliedReportingOverflow(by: value)
            guard !overflow else { throw fail(.invalidShape(tensor: name, detail: "element count overflows")) }
            elementCount = product
            shape.append(value)
        }
        let (byteCount, overflow) = elementCount.multipliedReportingOverflow(by: dtype.byteSize)
        guard !overflow else { throw fail(.invalidShape(tensor: name, detail: "byte count overflows")) }

        guard case .array(let offsets) = try field("data_offsets"), offsets.count == 2,
            case .number(let beginText) = offsets[0], case .number(let endText) = offsets[1],
            let begin = Int(beginText), let end = Int(endText), begin >= 0
        else { throw fail(.invalidOffsets(tensor: name, detail: "expected two non-negative integers")) }
        guard end >= begin else {
            throw fail(.invalidOffsets(tensor: name, detail: "end \(end) is before begin \(begin)"))
        }
        guard end <= dataSize else { throw fail(.offsetsOutOfBounds(tensor: name, end: end, dataSize: dataSize)) }
        guard end - begin == byteCount else {
            throw fail(.sizeMismatch(tensor: name, expected: byteCount, actual: end - begin))
        }
        return Entry(name: name, stored: dtype, shape: shape, begin: begin, end: end, headerIndex: index)
    }

    /// How many elements are NaN or infinite, and the first one's index; nil when all are finite.
    static func nonFiniteSummary(_ tensor: Tensor) -> (count: Int, first: Int)? {
        var count = 0
        var first = -1
        func scan<T: BinaryFloatingPoint>(_ p: UnsafeMutablePointer<T>) {
            for i in 0..<tensor.count where !p[i].isFinite {
                if first < 0 { first = i }
                count += 1
            }
        }
        switch tensor.dtype {
        case .float32: scan(tensor.pointer(Float.self))
        case .float64: scan(tensor.pointer(Double.self))
        }
        return count == 0 ? nil : (count, first)
    }
}

/// The safetensors dtypes `sharp import` reads (docs/importing.md): floats become float32
/// (F16, BF16) or stay as they are (F32, F64); integers and booleans become float64, which holds
/// every value up to 2^53 exactly (BatchNorm's `num_batches_tracked` is I64). F8 formats and
/// unsigned types wider than a byte are refused by name.
enum ForeignDType: String {
    case f16 = "F16", bf16 = "BF16", f32 = "F32", f64 = "F64"
    case i64 = "I64", i32 = "I32", i16 = "I16", i8 = "I8", u8 = "U8", bool = "BOOL"

    var tag: String { rawValue }

    var byteSize: Int {
        switch self {
        case .f64, .i64: 8
        case .f32, .i32: 4
        case .f16, .bf16, .i16: 2
        case .i8, .u8, .bool: 1
        }
    }

    /// The element type the values are converted to.
    var converted: DType {
        switch self {
        case .f16, .bf16, .f32: .float32
        case .f64, .i64, .i32, .i16, .i8, .u8, .bool: .float64
        }
    }

    /// Copies `count` little-endian elements at `source` into `tensor`, converting them.
    func copy(from source: UnsafeRawPointer, count: Int, into tensor: Tensor) {
        func fill<T: BinaryFloatingPoint>(_ out: UnsafeMutablePointer<T>, _ element: (Int) -> T) {
            for i in 0..<count { out[i] = element(i) }
        }
        switch self {
        case .f32, .f64:
            UnsafeMutableRawPointer(mutating: tensor.rawPointer).copyMemory(from: source, byteCount: count * byteSize)
        case .f16:
            fill(tensor.pointer(Float.self)) { Float(Float16(bitPattern: source.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self))) }
        case .bf16:
            fill(tensor.pointer(Float.self)) {
                Float(bitPattern: UInt32(source.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self)) << 16)
            }
        case .i64: fill(tensor.pointer(Double.self)) { Double(source.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self)) }
        case .i32: fill(tensor.pointer(Double.self)) { Double(source.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self)) }
        case .i16: fill(tensor.pointer(Double.self)) { Double(source.loadUnaligned(fromByteOffset: 2 * $0, as: Int16.self)) }
        case .i8: fill(tensor.pointer(Double.self)) { Double(source.loadUnaligned(fromByteOffset: $0, as: Int8.self)) }
        case .u8, .bool: fill(tensor.pointer(Double.self)) { Double(source.loadUnaligned(fromByteOffset: $0, as: UInt8.self)) }
        }
    }
}
