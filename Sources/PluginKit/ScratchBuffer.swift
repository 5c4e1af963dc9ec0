/// A parameter-sized buffer owned by a plugin (gradients, backups, moments), zero-initialised.
///
/// Allocated once when the optimizer state is created, so a step allocates nothing.
public final class ScratchBuffer<Scalar: PluginScalar> {
    /// The elements, for writing.
    public let mutable: UnsafeMutableBufferPointer<Scalar>

    /// `count` zeros.
    public init(count: Int) {
        mutable = .allocate(capacity: count)
        mutable.initialize(repeating: 0)
    }

    deinit { mutable.deallocate() }

    /// The elements, for reading.
    public var view: UnsafeBufferPointer<Scalar> { UnsafeBufferPointer(mutable) }
    /// Number of elements.
    public var count: Int { mutable.count }

    /// Sets every element to zero.
    public func zero() { mutable.update(repeating: 0) }

    /// Elements `range` for writing (one tensor of the layout, say).
    public func slice(_ range: Range<Int>) -> UnsafeMutableBufferPointer<Scalar> {
        UnsafeMutableBufferPointer(rebasing: mutable[range])
    }
}
