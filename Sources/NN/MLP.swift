import Autodiff
import Tensor

/// `mlp`: flatten → fc1 (C·H·W → 256) → ReLU → fc2 (256 → 256) → ReLU → fc3 (256 → classes).
enum MLP {
    static func make(_ b: ModelBuilder, _ c: ModelConfiguration) throws(ModelError) -> any Layer {
        let inputs = c.inputChannels * c.inputHeight * c.inputWidth
        let fc1 = b.scope("fc1") { Linear(b, inputs: inputs, outputs: 256) }
        let fc2 = b.scope("fc2") { Linear(b, inputs: 256, outputs: 256) }
        let fc3 = b.scope("fc3") { Linear(b, inputs: 256, outputs: c.classes) }
        return Sequential([Activation.flatten, fc1, Activation.relu, fc2, Activation.relu, fc3])
    }
}
