import Foundation
import JSON

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
                for q in p.schema.properties { lines.append("  \(q.name) (\(constraints(q))): \(q.summary)") }
                for o in p.outputs { lines.append("  output \(o.name)" + (o.shortName.map { " (short: \($0))" } ?? "") + ": \(o.summary)") }
            }
        }
        if registry.plugins.isEmpty { lines.append("(no plugins found)") }
        lines.append("")
        lines.append("searched: " + registry.searchPath.entries.map { "\($0.path) (\($0.origin))" }.joined(separator: ", "))
        for problem in registry.problems { lines.append(problem.description) }
        return lines.joined(separator: "\n")
    }

    /// A parameter's type, default and what values it takes: `number ≥ 0 and < 1, default 0.9`,
    /// `one of "lanczos", "power", default "lanczos"`, `integer ≥ 1, or null`.
    static func constraints(_ q: HyperparameterSchema.Property) -> String {
        var parts: [String] = []
        if let choices = q.choices {
            parts.append("one of " + choices.map { "\"\($0)\"" }.joined(separator: ", "))
        } else {
            var bounds: [String] = []
            if let m = q.minimum { bounds.append("≥ \(HyperparameterValue.number(m).displayText)") }
            if let m = q.maximum { bounds.append("≤ \(HyperparameterValue.number(m).displayText)") }
            if let m = q.exclusiveMaximum { bounds.append("< \(HyperparameterValue.number(m).displayText)") }
            parts.append(([q.type] + (bounds.isEmpty ? [] : [bounds.joined(separator: " and ")])).joined(separator: " "))
        }
        if q.nullable { parts[0] += ", or null" }
        parts.append("default \(q.defaultValue.displayText)")
        return parts.joined(separator: ", ")
    }

    /// One JSON object: `plugins`, `problems`, `search_path`.
    public static func json(_ registry: PluginRegistry) -> String {
        let plugins: [JSONValue] = sorted(registry).map { p in
            var o: [String: JSONValue] = [
                "kind": .string(p.kind.rawValue), "name": .string(p.name), "version": .string(p.version),
                "summary": .string(p.summary), "path": .string(p.path), "toolchain": .string(p.toolchain),
                "parameters": .array(p.schema.properties.map { q in
                    var o: [String: JSONValue] = [
                        "name": .string(q.name), "type": .string(q.type), "default": q.defaultValue.json, "description": .string(q.summary),
                        "nullable": .bool(q.nullable),
                    ]
                    if let c = q.choices { o["choices"] = .array(c.map(JSONValue.string)) }
                    if let m = q.minimum { o["minimum"] = .number(m) }
                    if let m = q.maximum { o["maximum"] = .number(m) }
                    if let m = q.exclusiveMaximum { o["exclusive_maximum"] = .number(m) }
                    return .object(o)
                }),
            ]
            if !p.outputs.isEmpty {
                o["outputs"] = .array(p.outputs.map { d in
                    ["name": .string(d.name), "short": d.shortName.map(JSONValue.string) ?? .null, "summary": .string(d.summary)]
                })
            }
            if p.kind == .optimizer {
                o["role"] = .string(role(p))
                o["passes_per_step"] = .integer(Int64(p.passesPerStep))
                o["default_base"] = p.defaultBase.map(JSONValue.string) ?? .null
            }
            return .object(o)
        }
        let root: JSONValue = [
            "plugins": .array(plugins),
            "problems": .array(registry.problems.map { ["path": .string($0.path), "message": .string($0.description)] }),
            "search_path": .array(registry.searchPath.entries.map { ["path": .string($0.path), "origin": .string($0.origin)] }),
        ]
        return JSONWriter(pretty: true).text(root)
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

    static func quote(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
}
