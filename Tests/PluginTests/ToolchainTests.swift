import PluginHost
import Testing

struct ToolchainTests {
    @Test func hostToolchainNamesTheClangInsideSwiftc() {
        #expect(Toolchain.current.hasPrefix("clang "))
    }
}
