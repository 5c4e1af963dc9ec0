import Tensor

/// Converts between the Float64 flat buffers of the metric ABI and a model's parameter tensors.
struct ParameterPoint {
    let shapes: [[Int]]
    let offsets: [Int]
    let count: Int
    let dtype: DType

    init(shapes: [[Int]], dtype: DType) {
        self.shapes = shapes
        var running = 0
        offsets = shapes.map { shape in
            defer { running += Shape.count(shape) }
            return running
        }
        count = running
        self.dtype = dtype
    }

    /// One tensor per parameter (views into one flat tensor of the model's element type).
    func tensors(_ flat: UnsafeBufferPointer<Double>) -> [Tensor] {
        precondition(flat.count == count, "ParameterPoint: \(flat.count) values for \(count) parameters")
        let storage = Tensor(zeros: [count], dtype: dtype)
        switch dtype {
        case .float32:
            let p = storage.pointer(Float.self)
            for i in 0..<count { p[i] = Float(flat[i]) }
        case .float64:
            if let base = flat.baseAddress { storage.pointer(Double.self).update(from: base, count: count) }
        }
        return zip(shapes, offsets).map { Tensor(shape: $0, storage: storage.storage, offset: storage.offset + $1) }
    }

    /// out ← out + weight·(the parameter-shaped tensors, flattened).
    func accumulate(_ parts: [Tensor], weight: Double, into out: UnsafeMutableBufferPointer<Double>) {
        for (t, offset) in zip(parts, offsets) {
            switch t.dtype {
            case .float32:
                let p = t.pointer(Float.self)
                for i in 0..<t.count { out[offset + i] += weight * Double(p[i]) }
            case .float64:
                let p = t.pointer(Double.self)
                for i in 0..<t.count { out[offset + i] += weight * p[i] }
            }
        }
    }

    /// The tensors' values as one Float64 array.
    func flatten(_ parts: [Tensor]) -> [Double] {
        var out = [Double](repeating: 0, count: count)
        out.withUnsafeMutableBufferPointer { accumulate(parts, weight: 1, into: $0) }
        return out
    }
}
