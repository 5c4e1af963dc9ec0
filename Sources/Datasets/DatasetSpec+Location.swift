import Foundation

/// Where a dataset's folder or file is (docs/datasets.md, "Where the data is"). A spec made from a
/// command line records an absolute path, so a checkpoint's data is found from any working
/// directory; manifests written before recorded the path as typed, and data moves between machines.
extension DatasetSpec {
    /// `path` made absolute against the working directory, with `.` and `..` resolved.
    static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true))
            .standardizedFileURL.path
    }

    /// The environment variable that adds data roots (colon-separated), like `--data-root`.
    public static let dataRootVariable = "SHARP_DATA_ROOT"

    /// The spec with its path replaced by where the data is now, looking in order at:
    /// 1. the recorded path (absolute, or relative to the working directory);
    /// 2. a relative path under each directory above `checkpoint` (a store inside the project the
    ///    model was trained from);
    /// 3. under each of `dataRoots`, the recorded path's last 1, 2, … components (data that moved).
    /// The first that exists wins; the dataset's fingerprint then proves it is the same data.
    /// Synthetic data has no path and comes back unchanged.
    public func located(checkpoint: String? = nil, dataRoots: [String] = []) throws(DatasetError) -> DatasetSpec {
        guard kind != .busSynth, let recorded = path, !recorded.isEmpty else { return self }
        var candidates = [Self.absolute(recorded)]
        if !recorded.hasPrefix("/"), let checkpoint {
            var directory = URL(fileURLWithPath: Self.absolute(checkpoint)).deletingLastPathComponent()
            while directory.path != "/" {
                candidates.append(directory.appendingPathComponent(recorded).standardizedFileURL.path)
                directory.deleteLastPathComponent()
            }
        }
        let components = recorded.split(separator: "/").map(String.init).filter { $0 != "." && !$0.isEmpty }
        for root in dataRoots where !root.isEmpty {
            for k in stride(from: 1, through: components.count, by: 1) {
                candidates.append(Self.absolute((root as NSString).appendingPathComponent(components.suffix(k).joined(separator: "/"))))
            }
        }
        var seen = Set<String>()
        let unique = candidates.filter { seen.insert($0).inserted }
        guard let found = unique.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            throw .notFound(path: recorded, tried: unique)
        }
        var moved = self
        moved.path = found
        return moved
    }

    /// Puts `roots` (`--data-root`) in front of `SHARP_DATA_ROOT` in this process's environment,
    /// so that every scorer it runs and every child it starts (sharpd's workers) looks there too.
    public static func addDataRoots(_ roots: [String]) {
        guard !roots.isEmpty else { return }
        let existing = ProcessInfo.processInfo.environment[dataRootVariable].map { [$0] } ?? []
        setenv(dataRootVariable, (roots.map(absolute) + existing).joined(separator: ":"), 1)
    }

    /// The data roots of `SHARP_DATA_ROOT` (colon-separated), after `given`.
    public static func dataRoots(given: [String], environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        given + (environment[dataRootVariable] ?? "").split(separator: ":").map(String.init)
    }
}
