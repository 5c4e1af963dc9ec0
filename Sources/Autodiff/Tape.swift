import Tensor

/// How an operation sends a cotangent back to its inputs, written in differentiable `Var` ops so
/// that the backward pass can itself be recorded and differentiated (exact Hessian-vector products).
///
/// - Parameters:
///   - cotangent: ∂L/∂output.
///   - inputs: the operation's inputs as recorded (constants included).
///   - output: the operation's result (some rules reuse it, e.g. exp, tanh, log-softmax).
///   - needs: which inputs need a cotangent; a rule may return nil for the others and skip their cost.
/// - Returns: one cotangent (or nil for zero / not needed) per input, shaped like that input.
public typealias Pullback = (_ cotangent: Var, _ inputs: [Var], _ output: Var, _ needs: [Bool]) -> [Var?]

/// A Wengert list: every differentiable operation on `Var`s appends its result, the positions of
/// its inputs and its pullback. Nodes refer to each other by index, so a tape of any length is
/// released in one step (no recursive deinitialisation) when the last `Var` on it goes away.
///
/// A tape belongs to one thread at a time.
public final class Tape {
    struct Node {
        let inputs: [Int]  // tape positions; -1 marks a constant input
        let inputConstants: [Tensor?]  // values of constant inputs (nil for tape inputs)
        let pullback: Pullback?  // nil for leaves
    }

    var nodes: [Node] = []
    var values: [Tensor] = []
    /// When false, operations on this tape's variables produce constants (no new nodes).
    public internal(set) var isRecording = true
    /// Convolution backward-input terms held back by a sweep that records nothing, by target
    /// node (nil outside such a sweep); `ReverseSweep` sums each node's terms with one col2im.
    var deferredBackwardInputs: [Int: DeferredBackwardInput]?

    /// Directions of a one-off Hessian-vector product, by leaf position, announced before the
    /// first (recorded) sweep: a rule may then compute, at no extra lowering, a product that the
    /// second sweep would otherwise compute from scratch, and leave it in `memos`.
    var anticipatedDirections: [Int: Tensor] = [:]
    /// Results computed ahead for the second sweep, by node: `value` is the node's pullback result
    /// for the cotangent `key` (used only when the cotangent is that very tensor).
    var memos: [Int: (key: Tensor, value: Tensor)] = [:]

    /// The memo left for node `index`, if its cotangent is exactly the tensor it was computed
    /// for (same storage, offset and shape); it is handed out once.
    func takeMemo(for index: Int, cotangent: Tensor) -> Tensor? {
        guard let memo = memos[index], memo.key.storage === cotangent.storage, memo.key.offset == cotangent.offset,
            memo.key.shape == cotangent.shape
        else { return nil }
        memos[index] = nil
        return memo.value
    }

    /// The running cotangent sums of the sweep in progress, by node (nil outside a sweep).
    var runningCotangents: RunningCotangents?

    /// Σ of the cotangents received so far by nodes `lo ..< lo + sums.count`.
    final class RunningCotangents {
        let lo: Int
        var sums: [Var?]
        init(lo: Int, count: Int) {
            self.lo = lo
            sums = [Var?](repeating: nil, count: count)
        }
    }

    /// In a sweep that records nothing, lets a pullback add its term for `input` straight into
    /// that input's running cotangent instead of returning it (the pullback then returns nil for
    /// it): `add` receives the sum so far (nil when none; no other tensor shares a sum the sweep
    /// built, so copy-on-write updates happen in place) and leaves the new sum. False when the
    /// caller must return its term as usual (recording, or no sweep).
    func foldCotangent(into input: Var, _ add: (inout Tensor?) -> Void) -> Bool {
        guard !isRecording, input.tape === self, let box = runningCotangents else { return false }
        let k = input.index - box.lo
        guard k >= 0, k < box.sums.count else { return false }
        var sum = box.sums[k]?.value
        box.sums[k] = nil
        add(&sum)
        box.sums[k] = sum.map(Var.init)
        return true
    }

    struct DeferredBackwardInput {
        let inputShape: [Int]
        let weightShape: [Int]
        let options: ConvolutionOptions
        var terms: [(outputGradient: Tensor, weight: Tensor)]
    }

    public init() {}

    /// Number of recorded nodes.
    public var count: Int { nodes.count }

    /// A new independent variable (a leaf to differentiate with respect to).
    public func variable(_ value: Tensor) -> Var {
        append(value, inputs: [], pullback: nil)
    }

    /// Independent variables for every tensor, in order.
    public func variables(_ values: [Tensor]) -> [Var] { values.map(variable) }

    func append(_ value: Tensor, inputs: [Var], pullback: Pullback?) -> Var {
        nodes.append(
            Node(
                inputs: inputs.map { $0.tape === self ? $0.index : -1 },
                inputConstants: inputs.map { $0.tape === self ? nil : $0.value },
                pullback: pullback))
        values.append(value)
        return Var(value: value, tape: self, index: nodes.count - 1)
    }

    func variable(at index: Int) -> Var { Var(value: values[index], tape: self, index: index) }

    func inputs(of node: Node) -> [Var] {
        zip(node.inputs, node.inputConstants).map { index, constant in
            index >= 0 ? variable(at: index) : Var(constant!)  // constant is set exactly when index is -1
        }
    }

    /// Holds back Bᵀₓ(gy, w) for node `index` when a sweep collects such terms and the geometry
    /// matches any terms already held; false when the caller must compute it now.
    func deferBackwardInput(_ gy: Tensor, _ w: Tensor, for index: Int, inputShape: [Int], options: ConvolutionOptions) -> Bool {
        guard deferredBackwardInputs != nil else { return false }
        if let held = deferredBackwardInputs?[index] {
            guard held.weightShape == w.shape, held.options == options, held.terms[0].weight.dtype == w.dtype else { return false }
            deferredBackwardInputs?[index]?.terms.append((gy, w))
        } else {
            deferredBackwardInputs?[index] = DeferredBackwardInput(
                inputShape: inputShape, weightShape: w.shape, options: options, terms: [(gy, w)])
        }
        return true
    }

    /// Runs `body` with recording switched on or off, restoring the previous state afterwards.
    func withRecording<R>(_ on: Bool, _ body: () throws -> R) rethrows -> R {
        let saved = isRecording
        isRecording = on
        defer { isRecording = saved }
        return try body()
    }
}
