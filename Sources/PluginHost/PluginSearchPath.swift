import Foundation

/// Where plugins are looked for, in order (docs/plugin-abi.md §Discovery): the directory of the running executable
/// (SwiftPM puts `lib*.so` products next to executables in `.build/<config>/`), then each entry
/// of `SHARP_PLUGIN_PATH` (colon-separated directories or `.so` files), then `<store>/plugins/`.
public struct PluginSearchPath: Sendable {
    /// One place to look.
    public struct Entry: Sendable, Equatable {
        /// A directory (every `*.so` in it) or one library file.
        public let path: String
        /// Where the entry came from, for `sharp plugins`: executable, SHARP_PLUGIN_PATH or store.
        public let origin: String
    }

    /// Entries in search order.
    public var entries: [Entry]

    /// An explicit list.
    public init(entries: [Entry]) { self.entries = entries }

    /// The standard order for a process, a store (optional) and an environment.
    public static func standard(store: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment,
                                executableDirectory: String? = executableDirectory()) -> PluginSearchPath {
        var entries: [Entry] = []
        if let executableDirectory { entries.append(Entry(path: executableDirectory, origin: "executable")) }
        for item in (environment["SHARP_PLUGIN_PATH"] ?? "").split(separator: ":") where !item.isEmpty {
            entries.append(Entry(path: String(item), origin: "SHARP_PLUGIN_PATH"))
        }
        if let store { entries.append(Entry(path: (store as NSString).appendingPathComponent("plugins"), origin: "store")) }
        return PluginSearchPath(entries: entries)
    }

    /// The directory of the running executable (`/proc/self/exe`), which for tests is the build directory.
    public static func executableDirectory() -> String? {
        guard let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
        return (exe as NSString).deletingLastPathComponent
    }

    /// The library files an entry stands for, and whether they were named explicitly.
    func libraries(of entry: Entry) -> (files: [String], explicit: Bool) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: entry.path, isDirectory: &isDirectory) else { return ([], false) }
        guard isDirectory.boolValue else { return ([entry.path], true) }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: entry.path)) ?? []
        let files = names.filter { $0.hasSuffix(".so") }.sorted().map { (entry.path as NSString).appendingPathComponent($0) }
        return (files, false)
    }
}
