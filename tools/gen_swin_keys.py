#!/usr/bin/env python3
"""Golden files for Sharp's Swin Transformer (Tests/NNTests/SwinTests.swift).

Writes, from torchvision's own implementation:

* Tests/NNTests/Goldens/swin_t_keys.json: every `swin_t().state_dict()` key with its shape, in
  order, and the parameter count (28,288,354 for 1000 classes).
* Tests/NNTests/Goldens/swin_mini.json: float64 references for two small models in eval mode:
  - "mini": Sharp's swin-mini (patch 4, dim 32, depths (2, 2), heads (2, 4), window 4, 1 input
    channel, 2 classes). Case "64x64": input [2,1,64,64], logits, mean cross-entropy for labels
    [0, 1] and the gradient of every parameter. Case "20x20": the same weights on [2,1,20,20]
    (5x5 feature map padded to 8x8 for the windows, odd size padded by patch merging, 3x3 map
    in stage 2 where the window covers it and the shift is dropped). Case "20x36": non-square,
    stage 2 is 3x5 padded to 4x8, so only the width is shifted (torchvision's mask then treats
    the whole height as one region). Both: logits, loss and the gradients of a subset of
    parameters (the keys present in "grads").
  - "window3": patch 4, dim 8, depths (2, 2), heads (1, 2), window 3 (shift 1) on [2,1,28,28]
    (7x7 padded to 9x9, merge pads 7 to 8, 4x4 padded to 6x6); all gradients.

Weights are random from fixed seeds, with the relative position bias tables, LayerNorm affine
parameters and biases perturbed so that none is trivial. Weights and inputs are rounded to a few
significant digits *before* the reference runs, so the JSON text holds them exactly; outputs are
written with 13 significant digits (the Swift tests compare at 1e-9 / 1e-8).

Run: python3 tools/gen_swin_keys.py   (torch + torchvision, CPU; a few seconds)
"""
import json
import os
import platform

import torch
import torch.nn.functional as F
import torchvision
from torch import nn
from torchvision.models.swin_transformer import SwinTransformer, swin_t

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "NNTests", "Goldens")
GENERATOR = (
    f"tools/gen_swin_keys.py; torch {torch.__version__}; torchvision {torchvision.__version__}; "
    f"python {platform.python_version()}"
)


def tensor_json(t, digits):
    t = t.detach().to(torch.float64).contiguous()
    return {"shape": list(t.shape), "data": [float(f"{v:.{digits}g}") for v in t.reshape(-1).tolist()]}


def round_significant(t, digits):
    flat = [float(f"{v:.{digits}g}") for v in t.reshape(-1).tolist()]
    return torch.tensor(flat, dtype=t.dtype).reshape(t.shape)


def write(name, payload):
    path = os.path.join(ROOT, name)
    with open(path, "w") as f:
        json.dump(payload, f, separators=(",", ":"))
    print(f"wrote {path} ({os.path.getsize(path) / 1e6:.2f} MB)")


def keys():
    model = swin_t()
    entries = [[k, list(v.shape)] for k, v in model.state_dict().items()]
    count = sum(p.numel() for p in model.parameters())
    write("swin_t_keys.json", {"generator": GENERATOR, "parameters": count, "keys": entries})


def make_model(seed, embed_dim, depths, heads, window):
    torch.manual_seed(seed)
    model = SwinTransformer(
        patch_size=[4, 4], embed_dim=embed_dim, depths=depths, num_heads=heads, window_size=[window, window],
        stochastic_depth_prob=0.0, num_classes=2)
    model.features[0][0] = nn.Conv2d(1, embed_dim, kernel_size=4, stride=4)
    model = model.double().eval()
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("relative_position_bias_table"):
                p.normal_(0, 0.5)  # visible position preferences, not the 0.02 init
            elif ".norm" in name or name.startswith("norm") or name.startswith("features.0.2"):
                p.copy_((1.0 if name.endswith("weight") else 0.0) + 0.2 * torch.randn_like(p))
            elif name.endswith("bias"):
                p.normal_(0, 0.05)
            p.copy_(round_significant(p, 6))
    return model


def run_case(model, name, shape, seed, grad_keys=None):
    g = torch.Generator().manual_seed(seed)
    x = round_significant(torch.randn(shape, generator=g, dtype=torch.float64), 6)
    labels = torch.tensor([0, 1])
    model.zero_grad()
    logits = model(x)
    loss = F.cross_entropy(logits, labels)
    loss.backward()
    grads = {k: tensor_json(p.grad, 13) for k, p in model.named_parameters() if grad_keys is None or k in grad_keys}
    return {"name": name, "input": tensor_json(x, 17), "labels": labels.tolist(), "logits": tensor_json(logits, 15),
            "loss": float(f"{loss.item():.15g}"), "grads": grads}


def state(model):
    return {k: tensor_json(v, 17) for k, v in model.state_dict().items()}


def references():
    mini = make_model(1234, 32, [2, 2], [2, 4], 4)
    subset = [k for k, _ in mini.named_parameters()
              if k.startswith("features.0.") or k.startswith("features.2.") or k.endswith("relative_position_bias_table")
              or k.startswith("head.")]
    mini_payload = {
        "config": {"patch": 4, "embed_dim": 32, "depths": [2, 2], "heads": [2, 4], "window": 4},
        "state_dict": state(mini),
        "cases": [run_case(mini, "64x64", (2, 1, 64, 64), 1), run_case(mini, "20x20", (2, 1, 20, 20), 2, subset),
                  run_case(mini, "20x36", (2, 1, 20, 36), 4, subset)],
    }
    small = make_model(99, 8, [2, 2], [1, 2], 3)
    small_payload = {
        "config": {"patch": 4, "embed_dim": 8, "depths": [2, 2], "heads": [1, 2], "window": 3},
        "state_dict": state(small),
        "cases": [run_case(small, "28x28", (2, 1, 28, 28), 3)],
    }
    write("swin_mini.json", {
        "generator": GENERATOR,
        "description": "torchvision SwinTransformer (v1) float64 eval mode, features[0][0] = Conv2d(1, C, 4, 4), "
                       "num_classes 2, stochastic_depth_prob 0; loss = mean cross-entropy; see tools/gen_swin_keys.py",
        "mini": mini_payload,
        "window3": small_payload,
    })


if __name__ == "__main__":
    torch.set_num_threads(1)
    keys()
    references()
