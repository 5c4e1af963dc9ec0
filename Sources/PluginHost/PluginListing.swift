import Foundation

/// `sharp plugins` output: every registered plugin (kind, name, version, path, parameters with
/// defaults) and every refusal, as a table, JSON or CSV.
public enum PluginListing {
    /// Aligned columns, then one line per problem.
    public static func table(_ registry: PluginRegistry, verbose: Bool = false) -> String {
        var rows = [["KIND", "NAME", "VERSION", "ROLE", "PASSES", "PARAMETERS", "PATH"]]
        for p in sorted(registry) {
            rows.append([p.kind.rawValue, p.name, p.version, role(p), p.kind == .optimizer ? String(p.passesPerStep) : "-",
                         p.schema.properties.map { "\($0.name)=\($0.defaultValue.displayText)" }.joined(separator: " "), p.path])
        }
        let widths = (0..<rows[0].count).map { c in rows.map { $0[c].count }.max() ?? 0 }
        var lines = rows.map { row in
            row.enumerated().map { c, cell in c == row.count - 1 ? cell : cell.padding(toLength: widths[c], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
        }
        if verbose {
            for p in sorted(registry) {
                lines.append("")
                lines.append("\(p.kind) \(p.name) \(p.version): \(p.summary)")
                for q in p.schema.properties { lines.append("  \(q.name) (\(q.type), default \(q.defaultValue)): \(q.summary)") }
            }
        }
        if registry.plugins.isEmpty { lines.append("(no plugins found)") }
        lines.append("")
        lines.append("searched: " + registry.searchPath.entries.map { "\($0.path) (\($0.origin))" }.joined(separator: ", "))
        for problem in registry.problems { lines.append(problem.description) }
        return lines.joined(separator: "\n")
    }

    /// One JSON object: `plugins`, `problems`, `search_path`.
    public static func json(_ registry: PluginRegistry) -> String {
        let plugins: [[String: Any]] = sorted(registry).map { p in
            var o: [String: Any] = [
                "kind": p.kind.rawValue, "name": p.name, "version": p.version, "summary": p.summary, "path": p.path,
                "toolchain": p.toolchain,
                "parameters": p.schema.properties.map { q in
                    ["name": q.name, "type": q.type, "default": jsonValue(q.defaultValue), "description": q.summary] as [String: Any]
                },
            ]
            if p.kind == .optimizer {
                o["role"] = role(p)
                o["passes_per_step"] = p.passesPerStep
                o["default_base"] = p.defaultBase ?? NSNull()
            }
            return o
        }
        let root: [String: Any] = [
            "plugins": plugins,
            "problems": registry.problems.map { ["path": $0.path, "message": $0.description] },
            "search_path": registry.searchPath.entries.map { ["path": $0.path, "origin": $0.origin] },
        ]
        let data = (try? JSONSerialization.data(withJSONObject: root, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// `kind,name,version,role,passes,parameters,path`, RFC 4180 quoting.
    public static func csv(_ registry: PluginRegistry) -> String {
        let header = "kind,name,version,role,passes,parameters,path"
        let rows = sorted(registry).map { p in
            [p.kind.rawValue, p.name, p.version, role(p), p.kind == .optimizer ? String(p.passesPerStep) : "",
             p.schema.properties.map { "\($0.name)=\($0.defaultValue.displayText)" }.joined(separator: " "), p.path].map(quote).joined(separator: ",")
        }
        return ([header] + rows).joined(separator: "\n")
    }

    /// Registered plugins by kind, then name (discovery order decides only which duplicate wins).
    static func sorted(_ registry: PluginRegistry) -> [LoadedPlugin] {
        registry.plugins.sorted { ($0.kind.rawValue, $0.name) < ($1.kind.rawValue, $1.name) }
    }

    static func role(_ p: LoadedPlugin) -> String {
        guard p.kind == .optimizer else { return "metric" }
        return p.wrapsBase ? "wraps \(p.defaultBase ?? "a base")" : (p.canBeBase ? "base" : "optimizer")
    }

    static func jsonValue(_ v: HyperparameterValue) -> Any {
        switch v {
        case .number(let x): return x
        case .boolean(let b): return b
        case .string(let s): return s
        case .null: return NSNull()
        }
    }

    static func quote(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
}
