/// Stops with a one-line message that names the operation and the offending shapes.
///
/// Shape and dtype mismatches inside the engine are programming errors (the model code is
/// wrong), so they trap like an out-of-bounds index, after printing what was wrong. Input from
/// outside (files, command lines) is validated by the modules that read it, which throw.
@inline(never)
public func tensorFailure(_ op: String, _ message: String, file: StaticString = #fileID, line: UInt = #line) -> Never {
    fatalError("Sharp tensor error in \(op): \(message)", file: file, line: line)
}

/// Checks a shape/dtype condition and stops via `tensorFailure` when it does not hold.
@inline(__always)
public func tensorCheck(
    _ condition: @autoclosure () -> Bool, _ op: @autoclosure () -> String,
    _ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line
) {
    if !condition() { tensorFailure(op(), message(), file: file, line: line) }
}
