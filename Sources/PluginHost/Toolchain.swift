import CSharpPlugin

/// The toolchain this Sharp was built with, in the form plugins report theirs
/// (`clang <version> (<llvm-project commit>)`: the clang inside swiftc identifies the Swift toolchain).
public enum Toolchain {
    /// This build's toolchain string.
    public static var current: String { String(cString: sharp_plugin_toolchain()) }
}
