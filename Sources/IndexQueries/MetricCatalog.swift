import Index
/// A metric as stored: the plugin that emits it and the plugin's output name; `alias` is the
/// short name users type, when it has one.
public struct MetricRef: Hashable, Sendable {
    /// Plugin name (`hessian-trace`).
    public var plugin: String
    /// The plugin's output name (`trace`).
    public var name: String
    /// The short user name, if the catalog has one.
    public var alias: String?

    /// Names a stored metric.
    public init(plugin: String, name: String, alias: String? = nil) {
        self.plugin = plugin
        self.name = name
        self.alias = alias
    }

    /// What column headers show: the short name, else `plugin:name`.
    public var displayName: String { alias ?? "\(plugin):\(name)" }
}

/// A (plugin, output) recorded in the index, with the short name its plugin declares, if any.
public struct PresentMetric: Sendable, Equatable {
    public var plugin: String
    public var name: String
    public var shortName: String?

    /// A recorded output.
    public init(plugin: String, name: String, shortName: String? = nil) {
        self.plugin = plugin
        self.name = name
        self.shortName = shortName
    }
}

/// Short metric names → (plugin, output name): the built-in plugins' catalog, then the short names
/// other plugins declare (docs/index-and-queries.md §3 is the contract for their authors).
public enum MetricCatalog {
    /// (alias, plugin, output), in the order `sharpq metrics --all` lists them.
    public static let entries: [(alias: String, plugin: String, output: String)] = [
        ("test_acc", "accuracy", "test_acc"),
        ("train_acc", "accuracy", "train_acc"),
        ("test_loss", "accuracy", "test_loss"),
        ("train_loss", "accuracy", "train_loss"),
        ("gap", "accuracy", "gap"),
        ("lambda_max", "hessian-eigen", "lambda_max"),
        ("lambda_min", "hessian-eigen", "lambda_min"),
        ("abs_lambda_max", "hessian-eigen", "abs_lambda_max"),
        ("trace", "hessian-trace", "trace"),
        ("median", "hessian-spectrum", "median"),
        ("mean", "hessian-spectrum", "mean"),
        ("sd", "hessian-spectrum", "sd"),
        ("q05", "hessian-spectrum", "q05"),
        ("q25", "hessian-spectrum", "q25"),
        ("q75", "hessian-spectrum", "q75"),
        ("q95", "hessian-spectrum", "q95"),
        ("per_batch_median", "hessian-spectrum", "per_batch_median"),
        ("per_batch_mean", "hessian-spectrum", "per_batch_mean"),
        ("per_batch_sd", "hessian-spectrum", "per_batch_sd"),
        ("per_batch_max", "hessian-spectrum", "per_batch_max"),
        ("sharpness", "sharpness", "sharpness"),
        ("adaptive_sharpness", "sharpness", "adaptive_sharpness"),
        ("fisher_trace", "fisher", "fisher_trace"),
        ("ggn_trace", "fisher", "ggn_trace"),
        ("gradient_variance", "fisher", "gradient_variance"),
    ]

    /// Outputs `sharpness.<optimizer>` (each optimizer plugin's own sharpness) resolve by pattern.
    static let sharpnessPrefix = "sharpness."

    /// The catalog entry for a short name.
    public static func ref(alias: String) -> MetricRef? {
        if let e = entries.first(where: { $0.alias == alias }) {
            return MetricRef(plugin: e.plugin, name: e.output, alias: e.alias)
        }
        if alias.hasPrefix(sharpnessPrefix), alias.count > sharpnessPrefix.count {
            return MetricRef(plugin: "sharpness", name: alias, alias: alias)
        }
        return nil
    }

    /// The catalog's short name of a stored (plugin, output), if it has one.
    public static func alias(plugin: String, name: String) -> String? {
        if let e = entries.first(where: { $0.plugin == plugin && $0.output == name }) { return e.alias }
        if plugin == "sharpness", name.hasPrefix(sharpnessPrefix) { return name }
        return nil
    }

    /// The short name of a stored (plugin, output): the catalog's, else the one its plugin
    /// declares when that one is usable (`declaredAliases`).
    public static func alias(plugin: String, name: String, present: [PresentMetric]) -> String? {
        alias(plugin: plugin, name: name)
            ?? declaredAliases(present).first { $0.value.plugin == plugin && $0.value.name == name }?.key
    }

    /// A reference with its short name.
    public static func ref(plugin: String, name: String, present: [PresentMetric]) -> MetricRef {
        MetricRef(plugin: plugin, name: name, alias: alias(plugin: plugin, name: name, present: present))
    }

    /// The short names plugins declare that work as names: not a catalog name, not a checkpoint
    /// field, not an output name another plugin reports, and declared for one output only (a
    /// clash leaves both to `plugin:name`).
    public static func declaredAliases(_ present: [PresentMetric]) -> [String: (plugin: String, name: String)] {
        var claims: [String: Set<String>] = [:]
        for p in present { if let s = p.shortName { claims[s, default: []].insert(p.plugin + ":" + p.name) } }
        var out: [String: (plugin: String, name: String)] = [:]
        for (short, owners) in claims where owners.count == 1 && ref(alias: short) == nil && CheckpointField.named(short) == nil {
            guard let owner = present.first(where: { $0.shortName == short }),
                !present.contains(where: { $0.name == short && !($0.plugin == owner.plugin && $0.name == owner.name) })
            else { continue }
            out[short] = (owner.plugin, owner.name)
        }
        return out
    }

    /// Resolves what a user typed against the catalog and the (plugin, name) pairs present in
    /// the index: a short name (the catalog's or a plugin's), `plugin:name`, or an output name that
    /// only one plugin emits.
    public static func resolve(_ text: String, present: [PresentMetric]) throws -> MetricRef {
        if let ref = ref(alias: text) { return ref }
        if let declared = declaredAliases(present)[text] { return MetricRef(plugin: declared.plugin, name: declared.name, alias: text) }
        if let colon = text.firstIndex(of: ":") {
            let plugin = String(text[..<colon]), name = String(text[text.index(after: colon)...])
            if present.contains(where: { $0.plugin == plugin && $0.name == name }) {
                return ref(plugin: plugin, name: name, present: present)
            }
        }
        let owners = Set(present.filter { $0.name == text }.map(\.plugin)).sorted()
        if owners.count == 1 { return ref(plugin: owners[0], name: text, present: present) }
        if owners.count > 1 {
            let candidates = owners.map { "\($0):\(text)" }
            throw IndexError(
                .ambiguous(candidates: candidates),
                "metric '\(text)' is emitted by several plugins; use one of: \(candidates.joined(separator: ", "))")
        }
        let valid = validNames(present: present)
        throw IndexError.unknown("metric", text, valid: valid)
    }

    /// Every name `resolve` accepts: the catalog's short names, the plugins' usable ones, then
    /// present `plugin:name` forms.
    public static func validNames(present: [PresentMetric]) -> [String] {
        var names = entries.map(\.alias) + declaredAliases(present).keys.sorted()
        for p in present where alias(plugin: p.plugin, name: p.name) == nil {
            names.append(p.name)
            names.append("\(p.plugin):\(p.name)")
        }
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }
    }
}
