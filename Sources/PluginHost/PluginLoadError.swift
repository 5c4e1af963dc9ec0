import CSharpPlugin

/// Why a plugin file was not registered. Each message names the file, what was expected and
/// found, and the fix, so `sharp plugins` can print it as is.
public enum PluginLoadError: Error, CustomStringConvertible, Sendable {
    /// The plugin speaks another ABI version.
    case abiMismatch(path: String, found: UInt32, expected: UInt32)
    /// The plugin was built with another toolchain (Swift's ABI is not stable on Linux).
    case toolchainMismatch(path: String, found: String, expected: String)
    /// dlopen or dlsym failed.
    case notLoadable(path: String, reason: String)
    /// The descriptor is malformed.
    case invalidDescriptor(path: String, reason: String)
    /// Another plugin of the same kind and name was found first.
    case duplicate(path: String, kind: PluginKind, name: String, registeredFrom: String)

    /// The fix for a plugin built against something else.
    public static let rebuildAdvice = "rebuild the plugin against this Sharp: swift build in its package"

    /// The file concerned.
    public var path: String {
        switch self {
        case .abiMismatch(let p, _, _), .toolchainMismatch(let p, _, _), .notLoadable(let p, _), .invalidDescriptor(let p, _),
             .duplicate(let p, _, _, _):
            return p
        }
    }

    /// One line for the user.
    public var description: String {
        switch self {
        case .abiMismatch(let path, let found, let expected):
            return "refused plugin \(path): built for plugin ABI version \(found), this Sharp expects version \(expected); \(Self.rebuildAdvice)"
        case .toolchainMismatch(let path, let found, let expected):
            return "refused plugin \(path): built with toolchain \"\(found)\", this Sharp with \"\(expected)\"; \(Self.rebuildAdvice)"
        case .notLoadable(let path, let reason):
            return "cannot load plugin \(path): \(reason)"
        case .invalidDescriptor(let path, let reason):
            return "refused plugin \(path): \(reason)"
        case .duplicate(let path, let kind, let name, let first):
            return "ignored plugin \(path): \(kind) \(name) is already registered from \(first) (the first one found wins)"
        }
    }
}

/// Errors of using a registered plugin.
public enum PluginHostError: Error, CustomStringConvertible, Sendable {
    /// No plugin of that kind and name.
    case unknownPlugin(kind: PluginKind, name: String, known: [String])
    /// A hyperparameter was rejected before the plugin saw it.
    case invalidHyperparameter(plugin: String, reason: String)
    /// The plugin returned an error status.
    case pluginFailed(plugin: String, operation: String, status: Int32, message: String)
    /// A caller-side mistake (buffer sizes, element types, optimizer composition).
    case invalidUse(String)

    /// The name of a plugin's status code (sharp_plugin.h's SHARP_ERROR_*).
    public static func statusName(_ status: Int32) -> String {
        switch status {
        case SHARP_ERROR_INVALID_ARGUMENT: return "invalid argument"
        case SHARP_ERROR_UNSUPPORTED: return "not supported by the plugin"
        case SHARP_ERROR_CALLBACK: return "a host callback failed"
        case SHARP_ERROR_NUMERICAL: return "numerical error"
        case SHARP_ERROR_INTERNAL: return "internal error"
        default: return "unknown status \(status)"
        }
    }

    /// One line for the user.
    public var description: String {
        switch self {
        case .unknownPlugin(let kind, let name, let known):
            return "no \(kind) plugin named \(name) (found: \(known.isEmpty ? "none" : known.joined(separator: ", "))); `sharp plugins` lists what was found and why anything was refused"
        case .invalidHyperparameter(let plugin, let reason):
            return "\(plugin): \(reason)"
        case .pluginFailed(let plugin, let operation, let status, let message):
            return "\(plugin) \(operation) failed, \(Self.statusName(status)): \(message.isEmpty ? "the plugin gave no message" : message)"
        case .invalidUse(let reason):
            return reason
        }
    }
}
