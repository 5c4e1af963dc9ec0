import Foundation

/// Writes a new out-of-tree plugin package (`sharp plugin new optimizer|metric NAME`): a SwiftPM
/// package whose one dynamic library product depends on this Sharp's `PluginKit`, with a working
/// example to edit (a SAM-style optimizer, or a metric reporting the gradient norm and the top
/// Hessian eigenvalue). docs/writing-plugins.md walks through it.
public enum PluginScaffold {
    /// Creates `<directory>/<name>/` and returns the files written.
    public static func create(kind: PluginKind, name: String, in directory: String, sharpPackage: String) throws -> [String] {
        try validate(name: name)
        let root = (directory as NSString).appendingPathComponent(name)
        guard !FileManager.default.fileExists(atPath: root) else {
            throw PluginHostError.invalidUse("\(root) already exists; choose another name or directory")
        }
        let target = targetName(for: name)
        let source = kind == .optimizer
            ? Templates.optimizer(name: name, target: target)
            : Templates.metric(name: name, target: target)
        let files = [
            ("Package.swift", Templates.manifest(name: name, target: target, sharpPackage: sharpPackage)),
            ("Sources/\(target)/\(target).swift", source),
            ("Tests/\(target)Tests/\(target)Tests.swift", kind == .optimizer
                ? Templates.optimizerTests(name: name, target: target) : Templates.metricTests(name: name, target: target)),
            ("README.md", Templates.readme(kind: kind, name: name, target: target)),
            (".gitignore", ".build/\n.swiftpm/\n"),
        ]
        var written: [String] = []
        for (relative, text) in files {
            let path = (root as NSString).appendingPathComponent(relative)
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            written.append(path)
        }
        return written
    }

    /// The library target and product name for a plugin name: `lookahead-sam` → `LookaheadSam`.
    public static func targetName(for name: String) -> String {
        name.split(whereSeparator: { $0 == "-" || $0 == "_" }).map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// The Sharp package to build against: `SHARP_SOURCE` if set, else the first ancestor of the
    /// executable's directory holding a Package.swift named "Sharp" (`.build/release/sharp` sits
    /// two levels below it).
    public static func locateSharpPackage(environment: [String: String] = ProcessInfo.processInfo.environment,
                                          from start: String? = PluginSearchPath.executableDirectory()) -> String? {
        if let explicit = environment["SHARP_SOURCE"], !explicit.isEmpty { return explicit }
        var directory = start
        while let d = directory, d != "/" {
            let manifest = (d as NSString).appendingPathComponent("Package.swift")
            if let text = try? String(contentsOfFile: manifest, encoding: .utf8), text.contains("name: \"Sharp\"") { return d }
            directory = (d as NSString).deletingLastPathComponent
        }
        return nil
    }

    static func validate(name: String) throws {
        guard let first = name.first, first.isLowercase, first.isASCII,
              name.allSatisfy({ ($0.isLowercase || $0.isNumber || $0 == "-") && $0.isASCII }), !name.hasSuffix("-") else {
            throw PluginHostError.invalidUse("plugin name \"\(name)\" must start with a lower-case letter and use only a-z, 0-9 and -")
        }
    }
}
