import Foundation

/// Every plugin found on a search path, by kind and name, plus everything that was refused.
///
/// The first plugin found for a kind and name wins; later ones are reported as duplicates. Loading
/// is for the life of the process (never dlclose), so a registry is cheap to build again: a file
/// already loaded is mapped once and its descriptor reused.
public final class PluginRegistry: @unchecked Sendable {
    /// Registered plugins in discovery order.
    public let plugins: [LoadedPlugin]
    /// Refusals and duplicates, in discovery order.
    public let problems: [PluginLoadError]
    /// The search path used.
    public let searchPath: PluginSearchPath

    /// Scans the search path and loads every plugin it finds.
    public init(searchPath: PluginSearchPath) {
        self.searchPath = searchPath
        var plugins: [LoadedPlugin] = []
        var problems: [PluginLoadError] = []
        var seenFiles = Set<String>()
        for entry in searchPath.entries {
            let (files, explicit) = searchPath.libraries(of: entry)
            for file in files {
                let canonical = (file as NSString).resolvingSymlinksInPath
                guard seenFiles.insert(canonical).inserted else { continue }
                switch PluginLoader.load(path: file) {
                case nil:
                    if explicit { problems.append(.notLoadable(path: file, reason: "exports no sharp_plugin_entry_v1: not a Sharp plugin")) }
                case .failure(let refusal):
                    problems.append(refusal)
                case .success(let plugin):
                    if let first = plugins.first(where: { $0.kind == plugin.kind && $0.name == plugin.name }) {
                        problems.append(.duplicate(path: file, kind: plugin.kind, name: plugin.name, registeredFrom: first.path))
                    } else {
                        plugins.append(plugin)
                    }
                }
            }
        }
        self.plugins = plugins
        self.problems = problems
    }

    /// The standard search path for this process and an optional store.
    public convenience init(store: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.init(searchPath: .standard(store: store, environment: environment))
    }

    /// The plugin of a kind and name, if registered.
    public func plugin(_ kind: PluginKind, named name: String) -> LoadedPlugin? {
        plugins.first { $0.kind == kind && $0.name == name }
    }

    /// The optimizer plugin `name`, or an error listing the known ones.
    public func optimizer(named name: String) throws -> LoadedPlugin { try require(.optimizer, name) }

    /// The metric plugin `name`, or an error listing the known ones.
    public func metric(named name: String) throws -> LoadedPlugin { try require(.metric, name) }

    private func require(_ kind: PluginKind, _ name: String) throws -> LoadedPlugin {
        guard let p = plugin(kind, named: name) else {
            throw PluginHostError.unknownPlugin(kind: kind, name: name, known: plugins.filter { $0.kind == kind }.map(\.name))
        }
        return p
    }
}
