import Foundation
import Tensor

@testable import Datasets

/// Datasets shared by several suites, generated once per test process.
enum TestData {
    /// The default `bus-synth` dataset built through its spec (stratified 80/20, seed 0).
    static let defaultDataset: Dataset = {
        do { return try DatasetSpec.busSynth().build() } catch { fatalError("default bus-synth: \(error)") }
    }()

    /// A fresh empty directory under the system's temporary directory.
    static func temporaryDirectory(_ name: String) -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "sharp-datasets-\(name)-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
