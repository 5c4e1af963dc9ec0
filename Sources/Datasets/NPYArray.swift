/// A numeric array parsed from NumPy's `.npy` format (versions 1.0, 2.0, 3.0).
///
/// Only what MedMNIST-style files need: C order, little-endian or byte-sized element types
/// `u1`, `i1`, `i4`, `i8`, `f4`, `f8`. Anything else is rejected with a message that says what
/// was found, rather than misread.
struct NPYArray {
    /// Extent of each dimension.
    var shape: [Int]
    /// The dtype string from the header, e.g. `|u1` or `<f4`.
    var descr: String
    /// The elements, row-major, converted to Float (exact for bytes and for integers below
    /// 2^24, which labels never reach; float64 pixels keep 24 bits, more than 8-bit sources have).
    var values: [Float]

    /// Whether the elements are integers (so labels can be taken from them directly).
    var isInteger: Bool { !descr.hasSuffix("f4") && !descr.hasSuffix("f8") }

    /// Parses the bytes of one `.npy` file.
    init(parsing bytes: [UInt8]) throws(NPYError) {
        let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else { throw NPYError("not a .npy array (bad magic)") }
        let major = bytes[6]
        let headerLength: Int, headerStart: Int
        switch major {
        case 1: (headerLength, headerStart) = (Int(bytes[8]) | Int(bytes[9]) << 8, 10)
        case 2, 3:
            guard bytes.count >= 12 else { throw NPYError("truncated header") }
            headerLength = (0..<4).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }
            headerStart = 12
        default: throw NPYError("unsupported .npy version \(major).\(bytes[7])")
        }
        guard headerStart + headerLength <= bytes.count else { throw NPYError("truncated header") }
        let header = String(decoding: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self)
        let fields = try NPYHeader(header)
        guard !fields.fortranOrder else {
            throw NPYError("Fortran-ordered arrays are not supported; save with np.ascontiguousarray")
        }
        shape = fields.shape
        descr = fields.descr
        var count = 1
        for extent in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: extent)
            guard !overflow, extent >= 0 else { throw NPYError("shape \(shape) is not a valid array shape") }
            count = product
        }
        let itemSize: Int
        switch descr {
        case "|u1", "<u1", "|i1", "<i1": itemSize = 1
        case "<i4", "<f4": itemSize = 4
        case "<i8", "<f8": itemSize = 8
        default:
            throw NPYError(
                "unsupported dtype '\(descr)' (supported: |u1, |i1, <i4, <i8, <f4, <f8, little-endian, C order)")
        }
        let dataStart = headerStart + headerLength
        guard count <= (bytes.count - dataStart) / itemSize else {
            throw NPYError("data is shorter than shape \(shape) of '\(descr)' needs")
        }
        let type = fields.descr
        values = bytes.withUnsafeBytes { raw in
            let base = raw.baseAddress! + dataStart
            func load<T: FixedWidthInteger>(_: T.Type, _ i: Int) -> T {
                T(littleEndian: base.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.size, as: T.self))
            }
            switch type {
            case "|u1", "<u1": return (0..<count).map { Float(base.load(fromByteOffset: $0, as: UInt8.self)) }
            case "|i1", "<i1": return (0..<count).map { Float(base.load(fromByteOffset: $0, as: Int8.self)) }
            case "<i4": return (0..<count).map { Float(load(Int32.self, $0)) }
            case "<i8": return (0..<count).map { Float(load(Int64.self, $0)) }
            case "<f4": return (0..<count).map { Float(bitPattern: load(UInt32.self, $0)) }
            default: return (0..<count).map { Float(Double(bitPattern: load(UInt64.self, $0))) }
            }
        }
    }
}

/// The three keys of a `.npy` header, a Python dict literal such as
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 28, 28), }`.
struct NPYHeader {
    var descr: String
    var fortranOrder: Bool
    var shape: [Int]

    init(_ text: String) throws(NPYError) {
        func value(of key: String) throws(NPYError) -> Substring {
            guard let keyRange = text.range(of: "'\(key)'"),
                let colon = text[keyRange.upperBound...].firstIndex(of: ":")
            else { throw NPYError("header has no '\(key)': \(text.trimmingWhitespace())") }
            return text[text.index(after: colon)...].drop { $0 == " " }
        }
        let d = try value(of: "descr")
        guard d.first == "'", let end = d.dropFirst().firstIndex(of: "'") else {
            throw NPYError("header 'descr' is not a string")
        }
        descr = String(d[d.index(after: d.startIndex)..<end])
        let f = try value(of: "fortran_order")
        if f.hasPrefix("False") {
            fortranOrder = false
        } else if f.hasPrefix("True") {
            fortranOrder = true
        } else {
            throw NPYError("header 'fortran_order' is neither True nor False")
        }
        let s = try value(of: "shape")
        guard s.first == "(", let close = s.firstIndex(of: ")") else { throw NPYError("header 'shape' is not a tuple") }
        var dims: [Int] = []
        for part in s[s.index(after: s.startIndex)..<close].split(separator: ",") {
            let trimmed = part.filter { $0 != " " && $0 != "L" }
            if trimmed.isEmpty { continue }
            guard let n = Int(trimmed), n >= 0 else { throw NPYError("header 'shape' has a bad extent '\(part)'") }
            dims.append(n)
        }
        shape = dims
    }
}

/// Why a `.npy` array could not be parsed.
struct NPYError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " || $0 == "\n" }.reversed())
    }
}
