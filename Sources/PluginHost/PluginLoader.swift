import CSharpPlugin
import Foundation

/// Opens one shared library as a plugin, after checking (in this order, each with its own message):
/// the file exports an entry point, of this ABI version; swiftc's clang in `.comment` is this
/// Sharp's (a Swift plugin of another toolchain is refused before it is mapped); dlopen with
/// RTLD_NOW|RTLD_LOCAL; the descriptor's ABI version and toolchain; the descriptor's content.
/// A library is never dlclosed: Swift's runtime keeps pointers into every image it has seen.
package enum PluginLoader {
    /// The result for one file: a plugin, a refusal, or nil for "not a plugin" (skipped quietly
    /// when found by a directory scan).
    package static func load(path: String) -> Result<LoadedPlugin, PluginLoadError>? {
        guard let elf = ELFFile(path: path) else { return .failure(.notLoadable(path: path, reason: "not an ELF64 shared library")) }
        let entries = elf.dynamicSymbols.filter { $0.hasPrefix("sharp_plugin_entry_v") }
        guard !entries.isEmpty else { return nil }
        guard entries.contains(SHARP_PLUGIN_ENTRY_SYMBOL) else {
            let found = entries.compactMap { UInt32($0.dropFirst("sharp_plugin_entry_v".count)) }.max() ?? 0
            return .failure(.abiMismatch(path: path, found: found, expected: SHARP_PLUGIN_ABI_VERSION))
        }
        let host = Toolchain.current
        let swiftBuilt = elf.comments.filter { $0.contains("swiftlang/llvm-project") }
        if !swiftBuilt.isEmpty, !swiftBuilt.contains(where: { Toolchain.sameCompiler($0, host) }) {
            return .failure(.toolchainMismatch(path: path, found: swiftBuilt[0], expected: host))
        }
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            return .failure(.notLoadable(path: path, reason: dlerror().map { String(cString: $0) } ?? "dlopen failed"))
        }
        guard let symbol = dlsym(handle, SHARP_PLUGIN_ENTRY_SYMBOL) else {
            return .failure(.notLoadable(path: path, reason: "no symbol \(SHARP_PLUGIN_ENTRY_SYMBOL)"))
        }
        let entry = unsafeBitCast(symbol, to: sharp_plugin_entry_fn_v1.self)
        guard let descriptor = entry() else { return .failure(.invalidDescriptor(path: path, reason: "the entry point returned NULL")) }
        let found = descriptor.pointee.abi_version
        guard found == SHARP_PLUGIN_ABI_VERSION else {
            return .failure(.abiMismatch(path: path, found: found, expected: SHARP_PLUGIN_ABI_VERSION))
        }
        let toolchain = descriptor.pointee.toolchain.map { String(cString: $0) } ?? "unknown"
        guard Toolchain.sameCompiler(toolchain, host) else {
            return .failure(.toolchainMismatch(path: path, found: toolchain, expected: host))
        }
        do {
            return .success(try LoadedPlugin(path: path, descriptor: descriptor))
        } catch let e as PluginLoadError {
            return .failure(e)
        } catch {
            return .failure(.invalidDescriptor(path: path, reason: "\(error)"))
        }
    }
}
