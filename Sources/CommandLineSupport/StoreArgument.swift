import Foundation

/// Which store a command works on: `--store DIR` when given, else the `SHARP_STORE` environment
/// variable, else the command's default (docs/daemon.md). One rule for every command.
public enum StoreArgument {
    /// The environment variable naming the default store.
    public static let environmentVariable = "SHARP_STORE"

    /// `given`, else `SHARP_STORE` (when set and not empty), else `fallback`.
    public static func resolve(
        _ given: String?, fallback: String = "store", environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> String {
        optional(given, environment: environment) ?? fallback
    }

    /// `given`, else `SHARP_STORE`, else nil (for commands where a store is optional).
    public static func optional(_ given: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let given, !given.isEmpty { return given }
        if let value = environment[environmentVariable], !value.isEmpty { return value }
        return nil
    }
}
