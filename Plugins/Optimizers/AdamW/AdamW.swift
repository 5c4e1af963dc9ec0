import PluginKit

/// The plugin's entry point (sharp_plugin.h): AdamW (Loshchilov & Hutter, ICLR 2019) with
/// PyTorch's semantics (torch.optim.AdamW): the weight decay is decoupled from the moments,
/// w ← w·(1 − lr·λ), applied before the Adam update. Defaults are PyTorch's (weight_decay 0.01).
/// The code is PluginKit's `AdamOptimizer`, shared with Adam.
@c(sharp_plugin_entry_v1)
public func sharpPluginEntry() -> UnsafeRawPointer {
    PluginExport.optimizer(AdamOptimizer<DecoupledWeightDecay, Float>.self, AdamOptimizer<DecoupledWeightDecay, Double>.self)
}
