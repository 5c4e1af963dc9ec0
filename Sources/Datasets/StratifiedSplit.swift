import Tensor

/// A seeded stratified split: each class is shuffled on its own Philox stream and its first
/// `round(testFraction · classCount)` images go to the test set, so every class keeps the same
/// proportion (within half an image) and the split depends only on the labels and the seed.
public enum StratifiedSplit {
    /// Train and test indices (each ascending) for `labels` with `classCount` classes.
    public static func make(labels: [Int], classCount: Int, testFraction: Double, seed: UInt64) -> (
        train: [Int], test: [Int]
    ) {
        precondition(
            testFraction >= 0 && testFraction <= 1, "StratifiedSplit: test fraction \(testFraction) not in [0, 1]")
        var train: [Int] = [], test: [Int] = []
        for c in 0..<classCount {
            let members = labels.indices.filter { labels[$0] == c }
            var rng = RandomGenerator(seed: seed, stream: UInt64(c))
            let order = rng.permutation(members.count)
            let testCount = Int((testFraction * Double(members.count)).rounded())
            for (rank, position) in order.enumerated() {
                if rank < testCount { test.append(members[position]) } else { train.append(members[position]) }
            }
        }
        return (train.sorted(), test.sorted())
    }
}
