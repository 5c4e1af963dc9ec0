#!/usr/bin/env python3
"""PyTorch goldens for hessian-eigen: the top Hessian eigenvalues of the four zoo minis at batch 16.

What
    Writes Tests/MetricTests/Goldens/lambda_max.json: for mlp, vgg-mini, resnet-mini and vit-tiny
    (1x64x64 input, 2 classes), the weights as the SplitMix64 recipes of tools/gen_model_goldens.py
    (same modules, same recipes, same seeds), a batch of 16 inputs (a recipe, values rounded to
    float32 because Sharp's datasets hold float32 images) with labels i % 2, and lambda_max /
    lambda_min of the Hessian of the mean cross-entropy in evaluation mode, in float64, from
    scipy's ARPACK (eigsh, tol 1e-12) over exact double-backward HVPs.

Why
    MetricTests/LambdaMaxGoldenTests checks that Sharp's hessian-eigen plugin, run by the host on
    the same weights and batch, finds lambda_max within 1e-4 relative, and prints the HVPs
    Lanczos and PyHessian-style power iteration need to get there.

How to rerun
    pip install torch torchvision numpy scipy
    python3 Tests/MetricTests/Goldens/gen_lambda_max.py
"""

import json
import math
import os
import sys
from collections import OrderedDict

import numpy as np
import scipy
import scipy.sparse.linalg as sla
import torch
import torch.nn.attention
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.join(REPO, "tools"))
import gen_model_goldens as g  # noqa: E402

BATCH = 16


def main():
    torch.set_default_dtype(torch.float64)
    torch.set_num_threads(2)
    labels = torch.tensor([i % 2 for i in range(BATCH)])
    models = OrderedDict()
    for index, (name, make) in enumerate(g.MINI_MODELS.items()):
        module = make().double()
        recipes = g.weight_recipes(name, module, index)
        g.load_recipes(module, recipes)
        module.eval()
        input_recipe = g.recipe("input", 1_000_000 * (index + 1) + 888_001, [BATCH, 1, 64, 64], 0.5, 0.5)
        x = g.draw(input_recipe["seed"], input_recipe["shape"], 0.5, 0.5).astype(np.float32).astype(np.float64)
        x = torch.from_numpy(x.copy())
        params = list(module.parameters())
        loss = F.cross_entropy(module(x), labels)
        grads = torch.autograd.grad(loss, params, create_graph=True)
        n = sum(p.numel() for p in params)
        count = [0]

        def hvp(v):
            count[0] += 1
            parts, offset = [], 0
            for p in params:
                parts.append(torch.from_numpy(np.ascontiguousarray(v[offset:offset + p.numel()])).reshape(p.shape))
                offset += p.numel()
            out = torch.autograd.grad(grads, params, grad_outputs=parts, retain_graph=True)
            return torch.cat([o.reshape(-1) for o in out]).numpy()

        op = sla.LinearOperator((n, n), matvec=hvp, dtype=np.float64)
        top = sla.eigsh(op, k=1, which="LA", tol=1e-12, return_eigenvectors=False)[0]
        bottom = sla.eigsh(op, k=1, which="SA", tol=1e-12, return_eigenvectors=False)[0]
        print(f"{name}: n {n}, loss {loss.item():.6f}, lambda_max {top:.10g}, lambda_min {bottom:.10g}, {count[0]} HVPs")
        models[name] = OrderedDict(parameter_count=n, loss=loss.item(), lambda_max=float(top), lambda_min=float(bottom),
                                   state=recipes, input=input_recipe, labels=labels.tolist())
    out = OrderedDict(
        generator=f"Tests/MetricTests/Goldens/gen_lambda_max.py; torch {torch.__version__}, numpy {np.__version__}, scipy {scipy.__version__}",
        conventions="recipes as in tools/gen_model_goldens.py; input values rounded to float32; evaluation mode; float64",
        models=models)
    with open(os.path.join(HERE, "lambda_max.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    # PyTorch's fused CPU attention kernels have no double backward; the math path is the reference.
    with torch.nn.attention.sdpa_kernel(torch.nn.attention.SDPBackend.MATH):
        main()
