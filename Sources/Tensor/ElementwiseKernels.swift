/// Elementwise functions as small types, so each `map` is specialised per function and per
/// scalar type (no closure calls or switches in the inner loop).
protocol UnaryFunction {
    func callAsFunction<T: TensorScalar>(_ x: T) -> T
}

/// A function of two elements (after broadcasting).
protocol BinaryFunction {
    func callAsFunction<T: TensorScalar>(_ x: T, _ y: T) -> T
}

/// Unary functions used by the tensor operations.
enum Unary {
    struct Negate: UnaryFunction { init() {}; @inline(__always) func callAsFunction<T: TensorScalar>(_ x: T) -> T { -x } }
    struct Exp: UnaryFunction { init() {}; @inline(__always) func callAsFunction<T: TensorScalar>(_ x: T) -> T { T.exp(x) } }
    struct Log: UnaryFunction { init() {}; @inline(__always) func callAsFunction<T: TensorScalar>(_ x: T) -> T { T.log(x) } }
    struct Sqrt: UnaryFunction { init() {}; @inline(__always) func callAsFunction<T: TensorScalar>(_ x: T) -> T { x.squareRoot() } }
    struct Tanh: UnaryFunction { init() {}; @inline(__always) func callAsFunction<T: TensorScalar>(_ x: T) -> T { T.tanh(x) } }
    struct Erf: UnaryFunction { init() {}; @inline(__always) func callAsFunction<T: TensorScalar>(_ x: T) -> T { T.erf(x) } }
    struct Abs: UnaryFunction { init() {}; @inline(__always) func callAsFunction<T: TensorScalar>(_ x: T) -> T { Swift.abs(x) } }
    struct Square: UnaryFunction { init() {}; @inline(__always) func callAsFunction<T: TensorScalar>(_ x: T) -> T { x * x } }
    struct Reciprocal: UnaryFunction { init() {}; @inline(__always) func callAsFunction<T: TensorScalar>(_ x: T) -> T { 1 / x } }
    struct ReLU: UnaryFunction { init() {}; @inline(__always) func callAsFunction<T: TensorScalar>(_ x: T) -> T { x > 0 ? x : 0 } }
    /// 1 where x > 0, else 0 (ReLU's derivative; the derivative at 0 is taken as 0, like PyTorch).
    struct PositiveMask: UnaryFunction { init() {}; @inline(__always) func callAsFunction<T: TensorScalar>(_ x: T) -> T { x > 0 ? 1 : 0 } }
    struct Sign: UnaryFunction { init() {}; @inline(__always) func callAsFunction<T: TensorScalar>(_ x: T) -> T { x > 0 ? 1 : (x < 0 ? -1 : 0) } }
    struct Sigmoid: UnaryFunction { init() {}; @inline(__always) func callAsFunction<T: TensorScalar>(_ x: T) -> T { 1 / (1 + T.exp(-x)) } }
    /// The standard normal density φ(x).
    struct NormalDensity: UnaryFunction {
        init() {}
        @inline(__always) func callAsFunction<T: TensorScalar>(_ x: T) -> T { T.exp(-x * x / 2) * T(0.398_942_280_401_432_7) }
    }
    /// Exact GELU, x·Φ(x) with Φ(x) = (1 + erf(x/√2)) / 2. Float tensors use CKernels'
    /// `sharp_gelu_f32` instead (`Tensor.floatGELU`).
    struct GELU: UnaryFunction {
        init() {}
        @inline(__always) func callAsFunction<T: TensorScalar>(_ x: T) -> T {
            return x * (1 + T.erf(x * T(0.707_106_781_186_547_5))) / 2
        }
    }
    /// d/dx GELU(x) = Φ(x) + x·φ(x).
    struct GELUDerivative: UnaryFunction {
        init() {}
        @inline(__always) func callAsFunction<T: TensorScalar>(_ x: T) -> T {
            return (1 + T.erf(x * T(0.707_106_781_186_547_5))) / 2 + x * T.exp(-x * x / 2) * T(0.398_942_280_401_432_7)
        }
    }
    /// x·s.
    struct Scale: UnaryFunction {
        let factor: Double
        init(factor: Double) { self.factor = factor }
        @inline(__always) func callAsFunction<T: TensorScalar>(_ x: T) -> T { x * T(factor) }
    }
    /// x + s.
    struct Shift: UnaryFunction {
        let amount: Double
        init(amount: Double) { self.amount = amount }
        @inline(__always) func callAsFunction<T: TensorScalar>(_ x: T) -> T { x + T(amount) }
    }
    /// x^p.
    struct Power: UnaryFunction {
        let exponent: Double
        init(exponent: Double) { self.exponent = exponent }
        @inline(__always) func callAsFunction<T: TensorScalar>(_ x: T) -> T { T.pow(x, T(exponent)) }
    }
}

/// Binary functions used by the tensor operations.
enum Binary {
    struct Add: BinaryFunction { init() {}; @inline(__always) func callAsFunction<T: TensorScalar>(_ x: T, _ y: T) -> T { x + y } }
    struct Subtract: BinaryFunction { init() {}; @inline(__always) func callAsFunction<T: TensorScalar>(_ x: T, _ y: T) -> T { x - y } }
    struct Multiply: BinaryFunction { init() {}; @inline(__always) func callAsFunction<T: TensorScalar>(_ x: T, _ y: T) -> T { x * y } }
    struct Divide: BinaryFunction { init() {}; @inline(__always) func callAsFunction<T: TensorScalar>(_ x: T, _ y: T) -> T { x / y } }
    struct Maximum: BinaryFunction { init() {}; @inline(__always) func callAsFunction<T: TensorScalar>(_ x: T, _ y: T) -> T { x >= y ? x : y } }
    struct Minimum: BinaryFunction { init() {}; @inline(__always) func callAsFunction<T: TensorScalar>(_ x: T, _ y: T) -> T { x <= y ? x : y } }
    /// 1 where x == y, else 0.
    struct EqualMask: BinaryFunction { init() {}; @inline(__always) func callAsFunction<T: TensorScalar>(_ x: T, _ y: T) -> T { x == y ? 1 : 0 } }
    /// 1 where x > y, else 0.
    struct GreaterMask: BinaryFunction { init() {}; @inline(__always) func callAsFunction<T: TensorScalar>(_ x: T, _ y: T) -> T { x > y ? 1 : 0 } }
    /// x where y > 0, else 0 (ReLU's pullback without a materialised mask).
    struct PositiveGate: BinaryFunction { init() {}; @inline(__always) func callAsFunction<T: TensorScalar>(_ x: T, _ y: T) -> T { y > 0 ? x : 0 } }
    /// g·GELU''(x) = g·φ(x)·(2 − x²): the pullback of GELU's slope in one pass.
    struct GELUCurvatureGate: BinaryFunction {
        init() {}
        @inline(__always) func callAsFunction<T: TensorScalar>(_ g: T, _ x: T) -> T {
            g * (T.exp(-x * x / 2) * T(0.398_942_280_401_432_7)) * (2 - x * x)
        }
    }
}
