import Tensor

/// One mini-batch: images `[B, 1, H, W]`, their labels, and which dataset images they are.
public struct MiniBatch: Sendable {
    /// Images `[B, 1, H, W]`, float32.
    public let images: Tensor
    /// Label of each image.
    public let labels: [Int]
    /// Dataset index of each image.
    public let indices: [Int]

    /// A batch of `images` `[B, 1, H, W]` with their `labels` and dataset `indices`.
    public init(images: Tensor, labels: [Int], indices: [Int]) {
        self.images = images
        self.labels = labels
        self.indices = indices
    }
}

/// Mini-batches over a set of dataset indices in a shuffled order that depends only on
/// (`seed`, `epoch`): the order of epoch `e` is a permutation drawn from Philox stream `e`, so
/// a resumed run sees exactly the batches it would have seen.
public struct MiniBatches: Sequence, IteratorProtocol {
    /// The dataset the batches come from.
    public let dataset: Dataset
    /// Dataset indices in this epoch's order.
    public let order: [Int]
    /// Images per batch (the last batch may be smaller unless `dropLast`).
    public let batchSize: Int
    /// Whether a final batch smaller than `batchSize` is left out.
    public let dropLast: Bool
    private var position = 0

    /// Batches over `indices` of `dataset`, shuffled for (`seed`, `epoch`).
    public init(dataset: Dataset, indices: [Int], batchSize: Int, seed: UInt64, epoch: Int, dropLast: Bool = false) {
        precondition(batchSize > 0, "MiniBatches: batch size must be positive")
        precondition(epoch >= 0, "MiniBatches: epoch must not be negative")
        self.dataset = dataset
        var rng = RandomGenerator(seed: seed, stream: UInt64(epoch))
        order = rng.permutation(indices.count).map { indices[$0] }
        self.batchSize = batchSize
        self.dropLast = dropLast
    }

    /// Number of batches in the epoch.
    public var batchCount: Int { dropLast ? order.count / batchSize : (order.count + batchSize - 1) / batchSize }

    /// The next batch, or nil at the end of the epoch.
    public mutating func next() -> MiniBatch? {
        let remaining = order.count - position
        guard remaining > 0, !(dropLast && remaining < batchSize) else { return nil }
        let take = Swift.min(batchSize, remaining)
        defer { position += take }
        return dataset.batch(Array(order[position..<(position + take)]))
    }
}

extension Dataset {
    /// This epoch's shuffled mini-batches of the training images.
    public func trainingBatches(batchSize: Int, seed: UInt64, epoch: Int, dropLast: Bool = false) -> MiniBatches {
        MiniBatches(
            dataset: self, indices: trainIndices, batchSize: batchSize, seed: seed, epoch: epoch, dropLast: dropLast)
    }
}
