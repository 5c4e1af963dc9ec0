/// Caps applied while reading a checkpoint, so a hostile or broken file costs bounded memory
/// and time. Reading stops at the first cap exceeded; nothing is decompressed past it.
///
/// The defaults admit any realistic checkpoint (a ViT-B/16 with Adam state is about 1 GiB)
/// and refuse decompression bombs: a 10 GiB run of zeros packs into about 1 MB of zstd, so it
/// trips the expansion guard once 64 MiB have been decompressed.
public struct CheckpointReadLimits: Equatable, Sendable {
    /// Largest archive file accepted (compressed size).
    public var maxArchiveBytes: Int
    /// Most entries accepted before giving up (a checkpoint has 4).
    public var maxEntries: Int
    /// Largest single entry, uncompressed.
    public var maxEntryBytes: Int
    /// Largest total of all entries, uncompressed.
    public var maxTotalBytes: Int
    /// Largest ratio of uncompressed bytes to archive bytes...
    public var maxExpansionRatio: Int
    /// ...enforced once this many bytes have been decompressed (small files may compress well).
    public var expansionCheckAfterBytes: Int

    /// Limits with the given values; every one defaults to `CheckpointReadLimits.default`'s.
    public init(
        maxArchiveBytes: Int = 8 << 30, maxEntries: Int = 16, maxEntryBytes: Int = 4 << 30,
        maxTotalBytes: Int = 8 << 30, maxExpansionRatio: Int = 200, expansionCheckAfterBytes: Int = 64 << 20
    ) {
        self.maxArchiveBytes = maxArchiveBytes
        self.maxEntries = maxEntries
        self.maxEntryBytes = maxEntryBytes
        self.maxTotalBytes = maxTotalBytes
        self.maxExpansionRatio = maxExpansionRatio
        self.expansionCheckAfterBytes = expansionCheckAfterBytes
    }

    /// 8 GiB archive, 16 entries, 4 GiB per entry, 8 GiB in total, 200:1 expansion past 64 MiB.
    public static let `default` = CheckpointReadLimits()

    /// The first limit that `totalBytes` decompressed so far from an `archiveBytes` file breaks.
    func expansionViolation(totalBytes: Int, archiveBytes: Int) -> CheckpointError.Reason? {
        if totalBytes > maxTotalBytes { return .totalTooLarge(limit: maxTotalBytes) }
        let (allowed, overflow) = max(archiveBytes, 1).multipliedReportingOverflow(by: maxExpansionRatio)
        if totalBytes > expansionCheckAfterBytes, !overflow, totalBytes > allowed {
            return .expansionTooLarge(limit: maxExpansionRatio)
        }
        return nil
    }
}
