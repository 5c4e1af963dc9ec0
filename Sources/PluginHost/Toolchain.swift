import CSharpPlugin

/// The toolchain this Sharp was built with, in the form plugins report theirs
/// (`clang <version> (<llvm-project commit>)`: the clang inside swiftc identifies the Swift toolchain).
public enum Toolchain {
    /// This build's toolchain string.
    public static var current: String { String(cString: sharp_plugin_toolchain()) }

    /// Whether two toolchain strings name the same compiler; accepts both the descriptor form
    /// ("clang 21.0.0 (...)") and the ELF `.comment` form ("clang version 21.0.0 (...)").
    static func sameCompiler(_ a: String, _ b: String) -> Bool {
        func strip(_ s: String) -> Substring {
            var t = Substring(s.trimmingWhitespace)
            for prefix in ["clang version ", "clang "] where t.hasPrefix(prefix) { t = t.dropFirst(prefix.count); break }
            return t
        }
        return strip(a) == strip(b)
    }
}

extension String {
    var trimmingWhitespace: String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
