/// Wall-clock seconds since creation, for the `seconds` field of reported scalars.
public struct Stopwatch: Sendable {
    private let start = ContinuousClock.now

    /// Starts timing.
    public init() {}

    /// Seconds elapsed.
    public var seconds: Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
}
