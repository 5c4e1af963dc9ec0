import CSharpPlugin

/// The model's trainable tensors as views into one flat buffer: a Swift copy of `sharp_layout_v1`.
public struct ParameterLayout: Sendable {
    /// One tensor.
    public struct Entry: Sendable {
        /// Dotted key, e.g. `features.0.weight`.
        public let name: String
        /// Shape.
        public let shape: [Int]
        /// Elements of the flat buffer this tensor occupies.
        public let range: Range<Int>
    }

    /// The tensors in buffer order; they tile `0..<parameterCount` exactly.
    public let entries: [Entry]
    /// Length of the flat buffer.
    public let parameterCount: Int
    /// `SHARP_DTYPE_*` of the buffer.
    public let dtypeCode: UInt32

    /// A layout built directly (for tests and for tools that drive plugins in-process).
    public init(entries: [(name: String, shape: [Int])], dtypeCode: UInt32) {
        var offset = 0
        self.entries = entries.map { e in
            let count = e.shape.reduce(1, *)
            defer { offset += count }
            return Entry(name: e.name, shape: e.shape, range: offset..<offset + count)
        }
        parameterCount = offset
        self.dtypeCode = dtypeCode
    }

    /// Copies and checks a layout received through the ABI.
    init(_ raw: UnsafePointer<sharp_layout_v1>) throws {
        let layout = raw.pointee
        guard layout.abi_version == SHARP_PLUGIN_ABI_VERSION else {
            throw PluginError.invalidArgument("layout has ABI version \(layout.abi_version), expected \(SHARP_PLUGIN_ABI_VERSION)")
        }
        guard layout.parameter_count >= 0, layout.tensor_count >= 0, layout.tensor_count == 0 || layout.tensors != nil else {
            throw PluginError.invalidArgument("layout has \(layout.tensor_count) tensors and \(layout.parameter_count) parameters")
        }
        var entries: [Entry] = []
        for i in 0..<Int(layout.tensor_count) {
            let t = layout.tensors[i]
            let name = t.name.map { String(cString: $0) } ?? "tensor \(i)"
            let shape = (0..<Int(max(t.rank, 0))).map { Int(t.shape[$0]) }
            guard shape.allSatisfy({ $0 >= 0 }), shape.reduce(1, *) == Int(t.count), t.offset >= 0 else {
                throw PluginError.invalidArgument("layout tensor \(name): shape \(shape) does not hold \(t.count) elements at offset \(t.offset)")
            }
            entries.append(Entry(name: name, shape: shape, range: Int(t.offset)..<Int(t.offset + t.count)))
        }
        entries.sort { $0.range.lowerBound < $1.range.lowerBound }
        var next = 0
        for e in entries {
            guard e.range.lowerBound == next else {
                throw PluginError.invalidArgument("layout tensors must tile the buffer: \(e.name) starts at \(e.range.lowerBound), expected \(next)")
            }
            next = e.range.upperBound
        }
        guard next == Int(layout.parameter_count) else {
            throw PluginError.invalidArgument("layout tensors cover \(next) of \(layout.parameter_count) parameters")
        }
        self.entries = entries
        parameterCount = Int(layout.parameter_count)
        dtypeCode = layout.dtype
    }
}
