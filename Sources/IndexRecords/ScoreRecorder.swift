import Checkpoint
import Foundation
import Index
import PluginHost
import Scoring

/// Records checkpoints scored outside the daemon (`sharp score --index`, a study's in-process
/// scoring) exactly as the daemon's workers record theirs: the checkpoint's row by content hash,
/// and each metric's results under its job key (`MetricJobKey`), so the daemon later finds them
/// scored and `sharpq` cannot tell who scored them.
public struct ScoreRecorder {
    /// The index written to.
    public let index: IndexStore

    /// A recorder into `index`.
    public init(index: IndexStore) { self.index = index }

    /// Upserts the checkpoint at `path` (its manifest, by content hash); returns its row id.
    public func record(checkpointAt path: String, manifest: Manifest) throws -> Int64 {
        let sha = try Checkpoint.contentHash(of: path)
        let size = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
        return try index.upsertCheckpoint(
            CheckpointRecord(manifest: manifest, sha256: sha, sizeBytes: size),
            path: URL(fileURLWithPath: path).standardizedFileURL.path
        ).id
    }

    /// The index key of `request` under `options`, as sharpd writes it (`optimizerSharpness`: whether
    /// a `sharpness` request measured the optimizer plugins, as sharpd's always does).
    public static func key(for request: MetricRequest, options: EvaluationOptions, registry: PluginRegistry,
                           optimizerSharpness: Bool = true) throws -> PluginKey {
        PluginKey(try MetricJobKey(request: request, evaluation: options, registry: registry, optimizerSharpness: optimizerSharpness))
    }

    /// Whether the index already holds results of `key` for the checkpoint.
    public func hasResults(checkpointID: Int64, key: PluginKey) throws -> Bool {
        try index.hasResults(checkpointID: checkpointID, key: key)
    }

    /// Records one metric's outcome.
    public func record(_ outcome: MetricOutcome, checkpointID: Int64, key: PluginKey) throws {
        try index.recordResults(ScoringResults(outcome, checkpointID: checkpointID, key: key), at: Date())
    }
}
