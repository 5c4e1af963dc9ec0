/// Elementwise functions as small types, so each `map` is specialised per function and per
/// scalar type (no closure calls or switches in the inner loop).
public protocol UnaryFunction {
    func callAsFunction<T: TensorScalar>(_ x: T) -> T
}

/// A function of two elements (after broadcasting).
public protocol BinaryFunction {
    func callAsFunction<T: TensorScalar>(_ x: T, _ y: T) -> T
}

/// Unary functions used by the tensor operations.
public enum Unary {
    public struct Negate: UnaryFunction { public init() {}; @inline(__always) public func callAsFunction<T: TensorScalar>(_ x: T) -> T { -x } }
    public struct Exp: UnaryFunction { public init() {}; @inline(__always) public func callAsFunction<T: TensorScalar>(_ x: T) -> T { T.exp(x) } }
    public struct Log: UnaryFunction { public init() {}; @inline(__always) public func callAsFunction<T: TensorScalar>(_ x: T) -> T { T.log(x) } }
    public struct Sqrt: UnaryFunction { public init() {}; @inline(__always) public func callAsFunction<T: TensorScalar>(_ x: T) -> T { x.squareRoot() } }
    public struct Tanh: UnaryFunction { public init() {}; @inline(__always) public func callAsFunction<T: TensorScalar>(_ x: T) -> T { T.tanh(x) } }
    public struct Erf: UnaryFunction { public init() {}; @inline(__always) public func callAsFunction<T: TensorScalar>(_ x: T) -> T { T.erf(x) } }
    public struct Abs: UnaryFunction { public init() {}; @inline(__always) public func callAsFunction<T: TensorScalar>(_ x: T) -> T { Swift.abs(x) } }
    public struct Square: UnaryFunction { public init() {}; @inline(__always) public func callAsFunction<T: TensorScalar>(_ x: T) -> T { x * x } }
    public struct Reciprocal: UnaryFunction { public init() {}; @inline(__always) public func callAsFunction<T: TensorScalar>(_ x: T) -> T { 1 / x } }
    public struct ReLU: UnaryFunction { public init() {}; @inline(__always) public func callAsFunction<T: TensorScalar>(_ x: T) -> T { x > 0 ? x : 0 } }
    /// 1 where x > 0, else 0 (ReLU's derivative; the derivative at 0 is taken as 0, like PyTorch).
    public struct PositiveMask: UnaryFunction { public init() {}; @inline(__always) public func callAsFunction<T: TensorScalar>(_ x: T) -> T { x > 0 ? 1 : 0 } }
    public struct Sign: UnaryFunction { public init() {}; @inline(__always) public func callAsFunction<T: TensorScalar>(_ x: T) -> T { x > 0 ? 1 : (x < 0 ? -1 : 0) } }
    public struct Sigmoid: UnaryFunction { public init() {}; @inline(__always) public func callAsFunction<T: TensorScalar>(_ x: T) -> T { 1 / (1 + T.exp(-x)) } }
    /// The standard normal density φ(x).
    public struct NormalDensity: UnaryFunction {
        public init() {}
        @inline(__always) public func callAsFunction<T: TensorScalar>(_ x: T) -> T { T.exp(-x * x / 2) * T(0.398_942_280_401_432_7) }
    }
    /// Exact GELU, x·Φ(x) with Φ(x) = (1 + erf(x/√2)) / 2.
    public struct GELU: UnaryFunction {
        public init() {}
        @inline(__always) public func callAsFunction<T: TensorScalar>(_ x: T) -> T { x * (1 + T.erf(x * T(0.707_106_781_186_547_5))) / 2 }
    }
    /// d/dx GELU(x) = Φ(x) + x·φ(x).
    public struct GELUDerivative: UnaryFunction {
        public init() {}
        @inline(__always) public func callAsFunction<T: TensorScalar>(_ x: T) -> T {
            (1 + T.erf(x * T(0.707_106_781_186_547_5))) / 2 + x * T.exp(-x * x / 2) * T(0.398_942_280_401_432_7)
        }
    }
    /// x·s.
    public struct Scale: UnaryFunction {
        public let factor: Double
        public init(factor: Double) { self.factor = factor }
        @inline(__always) public func callAsFunction<T: TensorScalar>(_ x: T) -> T { x * T(factor) }
    }
    /// x + s.
    public struct Shift: UnaryFunction {
        public let amount: Double
        public init(amount: Double) { self.amount = amount }
        @inline(__always) public func callAsFunction<T: TensorScalar>(_ x: T) -> T { x + T(amount) }
    }
    /// x^p.
    public struct Power: UnaryFunction {
        public let exponent: Double
        public init(exponent: Double) { self.exponent = exponent }
        @inline(__always) public func callAsFunction<T: TensorScalar>(_ x: T) -> T { T.pow(x, T(exponent)) }
    }
}

/// Binary functions used by the tensor operations.
public enum Binary {
    public struct Add: BinaryFunction { public init() {}; @inline(__always) public func callAsFunction<T: TensorScalar>(_ x: T, _ y: T) -> T { x + y } }
    public struct Subtract: BinaryFunction { public init() {}; @inline(__always) public func callAsFunction<T: TensorScalar>(_ x: T, _ y: T) -> T { x - y } }
    public struct Multiply: BinaryFunction { public init() {}; @inline(__always) public func callAsFunction<T: TensorScalar>(_ x: T, _ y: T) -> T { x * y } }
    public struct Divide: BinaryFunction { public init() {}; @inline(__always) public func callAsFunction<T: TensorScalar>(_ x: T, _ y: T) -> T { x / y } }
    public struct Maximum: BinaryFunction { public init() {}; @inline(__always) public func callAsFunction<T: TensorScalar>(_ x: T, _ y: T) -> T { x >= y ? x : y } }
    public struct Minimum: BinaryFunction { public init() {}; @inline(__always) public func callAsFunction<T: TensorScalar>(_ x: T, _ y: T) -> T { x <= y ? x : y } }
    /// 1 where x == y, else 0.
    public struct EqualMask: BinaryFunction { public init() {}; @inline(__always) public func callAsFunction<T: TensorScalar>(_ x: T, _ y: T) -> T { x == y ? 1 : 0 } }
    /// 1 where x > y, else 0.
    public struct GreaterMask: BinaryFunction { public init() {}; @inline(__always) public func callAsFunction<T: TensorScalar>(_ x: T, _ y: T) -> T { x > y ? 1 : 0 } }
}
