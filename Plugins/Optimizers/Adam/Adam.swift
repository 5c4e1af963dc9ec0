import PluginKit

/// The plugin's entry point (sharp_plugin.h): Adam (Kingma & Ba, ICLR 2015) with PyTorch's
/// semantics (docs/algorithms.md#adam, torch.optim.Adam): bias-corrected moments, eps added to √v̂, and
/// `weight_decay` as an L2 term coupled into the moments (d ← d + λ·w), not AdamW's decoupled
/// decay. Defaults are PyTorch's; the study trains at lr 1e-4. The base optimizer of every
/// SAM-family plugin unless another is chosen. The code is PluginKit's `AdamOptimizer`, shared with AdamW.
@c(sharp_plugin_entry_v1)
public func sharpPluginEntry() -> UnsafeRawPointer {
    PluginExport.optimizer(AdamOptimizer<CoupledWeightDecay, Float>.self, AdamOptimizer<CoupledWeightDecay, Double>.self)
}
