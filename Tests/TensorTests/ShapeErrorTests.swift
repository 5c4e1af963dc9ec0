import Tensor
import Testing

/// Shape and dtype mistakes stop the process with one line naming the operation and the
/// shapes, instead of computing garbage. Each runs in a child process (an exit test).
struct ShapeErrorTests {
    @Test func matmulInnerDimensionMismatchNamesBothShapes() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor(zeros: [2, 3]).matmul(Tensor(zeros: [4, 5]))
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("Sharp tensor error in matmul"))
        #expect(message.contains("[2, 3]") && message.contains("[4, 5]"))
    }

    @Test func broadcastMismatchNamesBothShapes() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor(zeros: [2, 3]) + Tensor(zeros: [4])
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("add: shapes [2, 3] and [4] cannot be broadcast together"))
    }

    @Test func convolutionChannelMismatchIsExplained() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor(zeros: [1, 3, 8, 8]).conv2d(Tensor(zeros: [4, 2, 3, 3]))
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("conv2d: weight [4, 2, 3, 3] expects 2 input channels but input [1, 3, 8, 8] has 3"))
    }

    @Test func mixedDtypesAreRefused() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor(zeros: [2], dtype: .float32) * Tensor(zeros: [2], dtype: .float64)
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("multiply: dtypes float32 and float64 differ"))
    }

    @Test func reshapeToTheWrongCountIsRefused() async {
        await #expect(processExitsWith: .failure) {
            _ = Tensor(zeros: [2, 3]).reshaped([4, 2])
        }
    }
}
