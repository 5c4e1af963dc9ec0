import Tensor

/// Vector–Jacobian products over a tape: the reverse sweep.
public enum ReverseSweep {
    /// Σ_k seeds[k]ᵀ · ∂outputs[k]/∂wrt, for every `wrt` variable.
    ///
    /// Only nodes that both depend on some `wrt` and receive a cotangent are visited, and each
    /// pullback is told which inputs need a cotangent, so e.g. the first layer never computes a
    /// gradient for the data. With `createGraph` the sweep is itself recorded on the tape (its
    /// results are tracked variables that can be differentiated again); otherwise it records
    /// nothing and returns constants.
    ///
    /// - Returns: one cotangent per `wrt`, zeros where the outputs do not depend on it.
    public static func pullback(outputs: [Var], seeds: [Var], wrt: [Var], createGraph: Bool) -> [Var] {
        tensorCheck(outputs.count == seeds.count, "pullback", "\(outputs.count) outputs but \(seeds.count) seeds")
        for (o, s) in zip(outputs, seeds) {
            tensorCheck(o.shape == s.shape, "pullback", "seed shape \(s.shape) does not match output shape \(o.shape)")
        }
        guard let tape = (outputs + wrt).lazy.compactMap(\.tape).first else {
            return wrt.map { Var(Tensor(zeros: $0.shape, dtype: $0.dtype)) }
        }
        let tracked = wrt.filter { $0.tape === tape }
        let live = outputs.indices.filter { outputs[$0].tape === tape }
        guard !tracked.isEmpty, !live.isEmpty else {
            return wrt.map { Var(Tensor(zeros: $0.shape, dtype: $0.dtype)) }
        }
        let lo = tracked.map(\.index).min()!  // non-empty: checked above
        let hi = live.map { outputs[$0].index }.max()!

        // relevant[i - lo]: node i depends on at least one wrt variable.
        var relevant = [Bool](repeating: false, count: max(0, hi - lo + 1))
        for v in tracked where v.index <= hi { relevant[v.index - lo] = true }
        if hi >= lo {
            for i in lo...hi where !relevant[i - lo] {
                relevant[i - lo] = tape.nodes[i].inputs.contains { $0 >= lo && relevant[$0 - lo] }
            }
        }

        let wanted = Set(tracked.map(\.index))
        // Without recording, convolution backward-input terms are collected per node and summed
        // when the node's cotangent is needed (one col2im for all of them).
        let savedDeferred = tape.deferredBackwardInputs
        tape.deferredBackwardInputs = createGraph ? nil : [:]
        // The running sums live on the tape, so that pullbacks of a sweep that records nothing
        // can add a term into them in place (`Tape.foldCotangent`).
        let savedRunning = tape.runningCotangents
        let running = Tape.RunningCotangents(lo: lo, count: relevant.count)
        tape.runningCotangents = running
        defer {
            tape.deferredBackwardInputs = savedDeferred
            tape.runningCotangents = savedRunning
        }
        return tape.withRecording(createGraph) {
            func accumulate(_ index: Int, _ c: Var) {
                let k = index - lo
                guard running.sums[k] != nil else { running.sums[k] = c; return }
                if createGraph { running.sums[k] = running.sums[k]! + c; return }  // non-nil: checked above
                // Not recorded: add in place when the sum is the sweep's own tensor (copy-on-write;
                // the slot is cleared first so that `sum` holds the only reference).
                var sum = running.sums[k]!.value
                running.sums[k] = nil
                sum += c.value
                running.sums[k] = Var(sum)
            }
            func settle(_ index: Int) {
                guard let held = tape.deferredBackwardInputs?.removeValue(forKey: index) else { return }
                running.sums[index - lo] = Var(
                    Tensor.conv2dBackwardInputSum(held.terms, inputShape: held.inputShape, options: held.options,
                        adding: running.sums[index - lo]?.value))
            }
            for k in live where outputs[k].index >= lo && relevant[outputs[k].index - lo] {
                accumulate(outputs[k].index, seeds[k])
            }
            var i = hi
            while i >= lo {
                defer { i -= 1 }
                guard relevant[i - lo] else { continue }
                settle(i)
                guard let cotangent = running.sums[i - lo] else { continue }
                let node = tape.nodes[i]
                guard let pullback = node.pullback else { continue }
                let needs = node.inputs.map { $0 >= lo && relevant[$0 - lo] }
                guard needs.contains(true) else { continue }
                // Interior cotangents are consumed here; release them unless they are an answer.
                if !wanted.contains(i) { running.sums[i - lo] = nil }
                let results = pullback(cotangent, tape.inputs(of: node), tape.variable(at: i), needs)
                for (position, input) in node.inputs.enumerated() where needs[position] {
                    guard let c = results[position] else { continue }
                    tensorCheck(
                        c.shape == tape.values[input].shape, "pullback",
                        "a rule returned a cotangent of shape \(c.shape) for an input of shape \(tape.values[input].shape)")
                    accumulate(input, c)
                }
            }
            return wrt.map { v in
                if v.tape === tape, v.index >= lo, v.index <= hi { settle(v.index) }
                if v.tape === tape, v.index >= lo, v.index <= hi, let c = running.sums[v.index - lo] { return c }
                return Var(Tensor(zeros: v.shape, dtype: v.dtype))
            }
        }
    }
}
