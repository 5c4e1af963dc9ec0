import Tensor
import Testing

/// `TensorStorage.borrowing`: tensors over caller-owned memory, read in place, never written.
struct BorrowedStorageTests {
    @Test func borrowedMemoryIsReadInPlace() {
        let memory: [Float] = [1, 2, 3, 4, 5, 6]
        memory.withUnsafeBufferPointer { buffer in
            TensorStorage.borrowing(buffer.baseAddress!, dtype: .float32, count: 6) { storage in
                let matrix = Tensor(shape: [2, 2], storage: storage, offset: 2)
                #expect(matrix.pointer(Float.self) == UnsafeMutablePointer(mutating: buffer.baseAddress! + 2))
                #expect(matrix.floats == [3, 4, 5, 6])
                #expect(matrix.matmul(matrix).floats == [29, 36, 45, 56])
            }
        }
    }

    @Test func inPlaceUpdatesCopyInsteadOfWritingBorrowedMemory() {
        let memory: [Float] = [1, 2, 3]
        memory.withUnsafeBufferPointer { buffer in
            TensorStorage.borrowing(buffer.baseAddress!, dtype: .float32, count: 3) { storage in
                // The only tensor on this storage: an owned one would be updated in place.
                var t = Tensor(shape: [3], storage: storage)
                t += Tensor(shape: [3], scalars: [10.0, 10.0, 10.0], dtype: .float32)
                #expect(t.floats == [11, 12, 13])
                #expect(t.pointer(Float.self) != UnsafeMutablePointer(mutating: buffer.baseAddress!))
            }
        }
        #expect(memory == [1, 2, 3])
    }

    @Test func aViewThatOutlivesTheCallIsCaught() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let memory: [Float] = [1, 2]
            var escaped: Tensor?
            memory.withUnsafeBufferPointer { buffer in
                TensorStorage.borrowing(buffer.baseAddress!, dtype: .float32, count: 2) { escaped = Tensor(shape: [2], storage: $0) }
            }
            _ = escaped
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("outlived the call"))
    }
}
