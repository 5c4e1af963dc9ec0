import Tensor
import Testing

@testable import Datasets

@Suite struct MiniBatchTests {
    let data = try! DatasetSpec.busSynth(seed: 2, count: 50, size: 16).build()

    @Test func anEpochVisitsEveryTrainingImageOnceInASeededOrder() {
        let batches = Array(data.trainingBatches(batchSize: 16, seed: 3, epoch: 0))
        #expect(batches.map(\.labels.count) == [16, 16, 8])
        #expect(batches.flatMap(\.indices).sorted() == data.trainIndices)
        let again = Array(data.trainingBatches(batchSize: 16, seed: 3, epoch: 0))
        #expect(again.flatMap(\.indices) == batches.flatMap(\.indices))
        #expect(
            Array(data.trainingBatches(batchSize: 16, seed: 3, epoch: 1)).flatMap(\.indices)
                != batches.flatMap(\.indices))
        #expect(
            Array(data.trainingBatches(batchSize: 16, seed: 4, epoch: 0)).flatMap(\.indices)
                != batches.flatMap(\.indices))
    }

    @Test func batchesHoldTheDatasetsImagesAndLabels() {
        var batches = data.trainingBatches(batchSize: 5, seed: 0, epoch: 0)
        let batch = batches.next()!
        #expect(batch.images.shape == [5, 1, 16, 16])
        let (all, got) = (data.images.floats, batch.images.floats)
        for (row, index) in batch.indices.enumerated() {
            let expected: [Float] = Array(all[(index * 256)..<(index * 256 + 256)])
            let actual: [Float] = Array(got[(row * 256)..<(row * 256 + 256)])
            #expect(actual == expected)
            #expect(batch.labels[row] == data.labels[index])
        }
    }

    @Test func dropLastLeavesOutTheShortBatch() {
        let batches = data.trainingBatches(batchSize: 16, seed: 0, epoch: 0, dropLast: true)
        #expect(batches.batchCount == 2)
        #expect(Array(batches).count == 2)
    }
}
