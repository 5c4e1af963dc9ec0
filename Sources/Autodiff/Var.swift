import Tensor

/// A tensor that may be tracked on a `Tape` for differentiation.
///
/// A `Var` without a tape is a constant: operations on constants compute values and record
/// nothing, which is also how inference (no-grad) runs. Operations combining tracked variables
/// record their result on the shared tape.
public struct Var {
    /// The current value.
    public let value: Tensor
    /// The tape this variable is recorded on (nil for constants).
    public let tape: Tape?
    /// Position on the tape (-1 for constants).
    let index: Int

    init(value: Tensor, tape: Tape?, index: Int) {
        self.value = value
        self.tape = tape
        self.index = index
    }

    /// A constant (never differentiated).
    public init(_ value: Tensor) {
        self.init(value: value, tape: nil, index: -1)
    }

    public var shape: [Int] { value.shape }
    public var dtype: DType { value.dtype }
    public var rank: Int { value.rank }
    public var count: Int { value.count }
    /// True when this variable is recorded on a tape.
    public var isTracked: Bool { tape != nil }

    /// The same value, cut off from the tape (its derivative is treated as zero).
    public var detached: Var { Var(value) }

    /// True when an operation on `inputs` would be recorded (some input is on a recording tape).
    /// Pullbacks use it to take fused tensor kernels when their results are plain constants.
    static func recordsAny(_ inputs: [Var]) -> Bool { inputs.contains { $0.tape?.isRecording == true } }

    /// Records `value = op(inputs)` with `pullback` when any input is tracked on a recording tape;
    /// otherwise returns a constant. This is the one place where differentiable operations meet
    /// the tape.
    public static func record(_ value: Tensor, _ inputs: [Var], op: String, pullback: @escaping Pullback) -> Var {
        var tape: Tape?
        for input in inputs {
            guard let t = input.tape else { continue }
            if let existing = tape {
                tensorCheck(existing === t, op, "inputs are recorded on different tapes")
            } else {
                tape = t
            }
        }
        guard let tape, tape.isRecording else { return Var(value) }
        return tape.append(value, inputs: inputs, pullback: pullback)
    }
}

extension Var: CustomStringConvertible {
    public var description: String { "Var(\(isTracked ? "tracked #\(index)" : "constant"), \(value))" }
}
