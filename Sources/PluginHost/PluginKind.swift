import CSharpPlugin

/// What a plugin provides.
public enum PluginKind: String, Sendable, CaseIterable, CustomStringConvertible {
    case optimizer
    case metric

    init?(code: UInt32) {
        switch code {
        case SHARP_PLUGIN_KIND_OPTIMIZER: self = .optimizer
        case SHARP_PLUGIN_KIND_METRIC: self = .metric
        default: return nil
        }
    }

    /// `optimizer` or `metric`.
    public var description: String { rawValue }
}

/// The element type of a parameter buffer handed to an optimizer plugin.
public protocol OptimizerScalar: BinaryFloatingPoint, Sendable {
    /// `SHARP_DTYPE_*`.
    static var abiDType: UInt32 { get }
}

extension Float: OptimizerScalar {
    /// `SHARP_DTYPE_FLOAT32`.
    public static var abiDType: UInt32 { SHARP_DTYPE_FLOAT32 }
}

extension Double: OptimizerScalar {
    /// `SHARP_DTYPE_FLOAT64`.
    public static var abiDType: UInt32 { SHARP_DTYPE_FLOAT64 }
}

/// One trainable tensor of a model, in buffer order (the layout a host hands to a plugin).
public struct ParameterLayoutEntry: Sendable, Equatable {
    /// Dotted key (`features.0.weight`).
    public let name: String
    /// Shape.
    public let shape: [Int]

    /// An entry.
    public init(name: String, shape: [Int]) {
        self.name = name
        self.shape = shape
    }

    /// Elements.
    public var count: Int { shape.reduce(1, *) }
}
