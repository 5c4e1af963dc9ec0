import CSharpPlugin

/// Which oracle call this is within one optimizer step.
public struct OraclePass: Sendable, Equatable {
    /// True only for the clean pass of a training step: the caller may update BatchNorm running
    /// statistics (keep the buffers the forward pass produced); on every other pass it must not.
    public let updatesStatistics: Bool
    /// 0-based index of the call within the step.
    public let index: Int
}

/// Loss and gradient on the current mini-batch at `parameters`, written into `gradient`: the
/// callback a trainer gives an optimizer step. Every call of one step must use the same batch
/// and the same dropout masks.
public typealias GradientOracle<S: OptimizerScalar> =
    (_ parameters: UnsafeBufferPointer<S>, _ gradient: UnsafeMutableBufferPointer<S>, _ pass: OraclePass) throws -> Double

/// The `void *user_data` behind the C callback: counts passes and keeps the Swift error, which
/// must not unwind through the plugin's C frames.
final class OracleBox {
    private let invoke: (UnsafeRawPointer, UnsafeMutableRawPointer, OraclePass) throws -> Double
    private(set) var error: (any Error)?
    private(set) var passes = 0

    init<S: OptimizerScalar>(count: Int, _ oracle: @escaping GradientOracle<S>) {
        invoke = { p, g, pass in
            try oracle(UnsafeBufferPointer(start: p.assumingMemoryBound(to: S.self), count: count),
                       UnsafeMutableBufferPointer(start: g.assumingMemoryBound(to: S.self), count: count), pass)
        }
    }

    func call(_ parameters: UnsafeRawPointer, _ gradient: UnsafeMutableRawPointer, _ flags: UInt32, _ loss: UnsafeMutablePointer<Double>) -> Int32 {
        let pass = OraclePass(updatesStatistics: flags & SHARP_PASS_UPDATE_STATISTICS != 0, index: passes)
        passes += 1
        do {
            loss.pointee = try invoke(parameters, gradient, pass)
            return SHARP_OK
        } catch {
            self.error = error
            return SHARP_ERROR_CALLBACK
        }
    }

    /// The C function the plugin calls.
    static let callback: sharp_loss_and_gradient_fn_v1 = { userData, parameters, gradient, loss, flags in
        guard let userData, let parameters, let gradient, let loss else { return SHARP_ERROR_INVALID_ARGUMENT }
        return Unmanaged<OracleBox>.fromOpaque(userData).takeUnretainedValue().call(parameters, gradient, flags, loss)
    }
}
