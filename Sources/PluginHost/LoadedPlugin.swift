import CSharpPlugin
import Foundation

/// A plugin that passed every check and is mapped into the process (for good: never dlclosed).
public final class LoadedPlugin: @unchecked Sendable {
    /// The shared library's path.
    public let path: String
    /// Optimizer or metric.
    public let kind: PluginKind
    /// Registered name (`sam`).
    public let name: String
    /// The plugin's own version.
    public let version: String
    /// One line.
    public let summary: String
    /// The toolchain it was built with.
    public let toolchain: String
    /// Its hyperparameters.
    public let schema: HyperparameterSchema
    /// The descriptor's JSON Schema text.
    public let schemaJSON: String
    /// Metrics: the outputs it declares (`outputs_json`), possibly none.
    public let outputs: [DeclaredOutput]
    // Immutable after load, and the library is never unloaded: safe to share across threads.
    let descriptor: UnsafePointer<sharp_plugin_descriptor_v1>

    package init(path: String, descriptor: UnsafePointer<sharp_plugin_descriptor_v1>) throws {
        let d = descriptor.pointee
        func text(_ p: UnsafePointer<CChar>?, _ field: String) throws -> String {
            guard let p else { throw PluginLoadError.invalidDescriptor(path: path, reason: "descriptor has no \(field)") }
            return String(cString: p)
        }
        guard let kind = PluginKind(code: d.kind) else {
            throw PluginLoadError.invalidDescriptor(path: path, reason: "unknown plugin kind \(d.kind)")
        }
        self.path = path
        self.kind = kind
        name = try text(d.name, "name")
        version = try text(d.version, "version")
        summary = (try? text(d.summary, "summary")) ?? ""
        toolchain = try text(d.toolchain, "toolchain")
        schemaJSON = try text(d.parameters_schema_json, "parameters_schema_json")
        self.descriptor = descriptor
        guard !name.isEmpty, name.allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw PluginLoadError.invalidDescriptor(path: path, reason: "plugin name \"\(name)\" must be lower-case letters, digits, - or _")
        }
        do {
            schema = try HyperparameterSchema(json: schemaJSON)
            outputs = try d.outputs_json.map { try DeclaredOutput.parse(String(cString: $0)) } ?? []
        } catch {
            throw PluginLoadError.invalidDescriptor(path: path, reason: "\(name): \(error)")
        }
        switch kind {
        case .optimizer:
            guard let t = d.optimizer, t.pointee.abi_version == SHARP_PLUGIN_ABI_VERSION, t.pointee.create != nil, t.pointee.destroy != nil,
                  t.pointee.step != nil else {
                throw PluginLoadError.invalidDescriptor(path: path, reason: "\(name): optimizer vtable missing, of another version, or without create/destroy/step")
            }
            if t.pointee.flags & SHARP_OPTIMIZER_CAN_BE_BASE != 0, t.pointee.apply == nil {
                throw PluginLoadError.invalidDescriptor(path: path, reason: "\(name): claims to be a base optimizer but has no apply")
            }
        case .metric:
            guard let t = d.metric, t.pointee.abi_version == SHARP_PLUGIN_ABI_VERSION, t.pointee.evaluate != nil else {
                throw PluginLoadError.invalidDescriptor(path: path, reason: "\(name): metric vtable missing, of another version, or without evaluate")
            }
        }
    }

    /// Metrics: it needs per-sample gradients, which hosts give in evaluation mode only.
    public var usesSampleGradients: Bool {
        kind == .metric && (descriptor.pointee.metric?.pointee.flags ?? 0) & SHARP_METRIC_USES_SAMPLE_GRADIENTS != 0
    }

    var optimizerTable: sharp_optimizer_vtable_v1 {
        guard let t = descriptor.pointee.optimizer else { preconditionFailure("\(name) is not an optimizer") }
        return t.pointee
    }

    /// Optimizers: wraps a base optimizer (SAM family).
    public var wrapsBase: Bool { kind == .optimizer && optimizerTable.flags & SHARP_OPTIMIZER_WRAPS_BASE != 0 }
    /// Optimizers: can serve as another optimizer's base.
    public var canBeBase: Bool { kind == .optimizer && optimizerTable.flags & SHARP_OPTIMIZER_CAN_BE_BASE != 0 }
    /// Optimizers: accepts float64 parameters (tests, analysis).
    public var supportsFloat64: Bool { kind == .optimizer && optimizerTable.flags & SHARP_OPTIMIZER_FLOAT64 != 0 }
    /// Optimizers: gradient passes per step as declared (the host also counts them).
    public var passesPerStep: Int { kind == .optimizer ? Int(optimizerTable.passes_per_step) : 0 }
    /// Optimizers that wrap a base: the base used when none is chosen.
    public var defaultBase: String? { kind == .optimizer ? optimizerTable.default_base.map { String(cString: $0) } : nil }
    /// Optimizers: whether `perturb` exists (none for base optimizers).
    public var hasPerturbation: Bool { kind == .optimizer && optimizerTable.perturb != nil }
}

/// One output a metric plugin declares (docs/plugin-abi.md, `outputs_json`).
public struct DeclaredOutput: Sendable, Equatable {
    /// The name it reports.
    public let name: String
    /// What tables and sharpq show and accept, if given.
    public let shortName: String?
    /// One line.
    public let summary: String

    /// An output.
    public init(name: String, shortName: String?, summary: String) {
        self.name = name
        self.shortName = shortName
        self.summary = summary
    }

    /// Reads `outputs_json`; short names are lower-case letters, digits and `_`, starting with a
    /// letter, and distinct.
    static func parse(_ json: String) throws -> [DeclaredOutput] {
        guard let items = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]] else {
            throw PluginHostError.invalidUse("outputs_json is not a JSON array of objects")
        }
        let outputs = try items.map { item in
            guard let name = item["name"] as? String, !name.isEmpty else { throw PluginHostError.invalidUse("an output in outputs_json has no name") }
            let short = item["short"] as? String
            if let short, !(short.first?.isLowercase ?? false) || !short.allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "_" }) || !short.isASCII {
                throw PluginHostError.invalidUse("output \(name): short name \"\(short)\" must be lower-case letters, digits and _, starting with a letter")
            }
            return DeclaredOutput(name: name, shortName: short, summary: item["summary"] as? String ?? "")
        }
        let shorts = outputs.compactMap(\.shortName)
        if Set(shorts).count != shorts.count { throw PluginHostError.invalidUse("two outputs declare the same short name") }
        return outputs
    }
}

extension String {
    fileprivate var isASCII: Bool { utf8.allSatisfy { $0 < 128 } }
}
