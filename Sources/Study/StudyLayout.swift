import Checkpoint
import Foundation
import Index

/// Where a study's files live in a store:
///
///     <store>/study/<name>/plan.json                      the settings the cells were trained with
///     <store>/study/<name>/<runID>-eNNNN.ckpt.tar.zst     a finished cell (its final checkpoint; scored)
///     <store>/study/<name>/.partial/                      cells in progress and their intermediate
///                                                         checkpoints (hidden: sharpd never scores them)
///     <store>/study/<name>/report/                        report.md, results.csv, *.svg
///
/// A cell is finished exactly when its final checkpoint is in the study folder: the trainer
/// writes it into `.partial/` and it is renamed into place (atomic, so sharpd sees a complete file).
public struct StudyLayout: Sendable {
    /// The store directory.
    public let store: String
    /// The study's name.
    public let name: String
    /// Where the results are read and written: `<store>/index.sqlite` unless given (`--index`).
    public let index: IndexLocation

    /// A layout.
    public init(store: String, name: String, index: IndexLocation? = nil) {
        self.store = store
        self.name = name
        self.index = index ?? .sqlite(path: IndexStore.path(forStore: store))
    }

    /// `<store>/study/<name>`.
    public var directory: String { (store as NSString).appendingPathComponent("study/\(name)") }
    /// Where cells train.
    public var workDirectory: String { (directory as NSString).appendingPathComponent(".partial") }
    /// The default report folder.
    public var reportDirectory: String { (directory as NSString).appendingPathComponent("report") }
    /// The recorded settings.
    public var planFile: String { (directory as NSString).appendingPathComponent("plan.json") }

    /// The finished cell's checkpoint, if there is one.
    public func finalCheckpoint(of cell: StudyCell) -> String? {
        Self.checkpoints(of: cell.runID, in: directory).last?.path
    }

    /// The cell's checkpoints in the work folder, oldest epoch first.
    public func partialCheckpoints(of cell: StudyCell) -> [(epoch: Int, path: String)] {
        Self.checkpoints(of: cell.runID, in: workDirectory)
    }

    /// `<runID>-e<digits>.ckpt.tar.zst` files in `folder`, by epoch.
    static func checkpoints(of runID: String, in folder: String) -> [(epoch: Int, path: String)] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
        let prefix = runID + "-e"
        return names.compactMap { name -> (Int, String)? in
            guard name.hasPrefix(prefix), name.hasSuffix(Checkpoint.fileExtension) else { return nil }
            let digits = name.dropFirst(prefix.count).dropLast(Checkpoint.fileExtension.count)
            guard !digits.isEmpty, digits.allSatisfy(\.isNumber), let epoch = Int(digits) else { return nil }
            return (epoch, (folder as NSString).appendingPathComponent(name))
        }.sorted { $0.0 < $1.0 }.map { (epoch: $0.0, path: $0.1) }
    }
}
