#!/usr/bin/env python3
"""Goldens for `sharp import` (Tests/ImportTests/ImportGoldenTests.swift): PyTorch models exported
as safetensors, with the loss, gradient norm, one H·v and λmax PyTorch computes for them.

What
    Writes into Tests/ImportTests/Fixtures/:

      data.npz         12 RGB images 32x32 (uint8, 8 train + 4 test) and labels: the fixed batch.
                       Sharp imports every model with --data data.npz; the metrics below are over
                       the 8 training images.
      resnet18.safetensors
                       torchvision.models.resnet18(num_classes=2) (3 input channels), saved by
                       safetensors.torch.save_file from a DataParallel-style state dict: every key
                       carries the `module.` prefix. To keep the repository small, the file holds
                       only what training changed: the BatchNorm weights, biases, running
                       statistics and counters and the fc layer. The convolutions (11.2 M values,
                       45 MB as float32) stay at an initialisation drawn from a SplitMix64 recipe
                       that goldens.json names; the Swift test redraws them and adds them to the
                       file before importing it.
      vit.safetensors  torchvision's VisionTransformer with the layout of Sharp's vit-tiny (patch 8,
                       width 64, 4 layers of 4 heads, MLP 128) at 32x32 with 3 channels and 2
                       classes, saved in float16 (every weight rounded to float16 first, so the
                       reference below runs on exactly the values Sharp converts back to float32).
      goldens.json     per model: the import flags, the recipe of the tensors not in the file, and
                       in float64: the mean cross-entropy over the 8 training images in evaluation
                       mode, the norm of its gradient, H·v for a SplitMix64 direction (its norm,
                       its dot product with the direction, and 16 sampled entries), and λmax
                       (scipy's eigsh on the float64 Hessian-vector product, tolerance 1e-12).

How the weights were made
    resnet18: convolutions from the recipe (uniform with He-normal's variance); BatchNorm and fc
    trained for 3 SGD steps (lr 0.05, batch 8, training mode) on the 8 images with ImageNet
    normalisation, the convolutions frozen. vit: initialised as torchvision does (seed 1), then 3
    SGD steps (lr 0.05) on all parameters without normalisation.

Run: python3 tools/gen_import_goldens.py   (torch, torchvision, safetensors, numpy, scipy; ~1 min)
CI runs no Python: it reads the committed files.
"""
import json
import os
import platform
from collections import OrderedDict

import numpy as np
import scipy
import scipy.sparse.linalg as sla
import safetensors.torch
import torch
import torch.nn.attention
import torch.nn.functional as F
import torchvision
from torchvision.models.vision_transformer import VisionTransformer

from gen_model_goldens import unit_uniform  # SplitMix64 draws; Swift: Tests/TestSupport/SplitMixRecipe.swift

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(REPO_ROOT, "Tests", "ImportTests", "Fixtures")
IMAGENET_MEAN = [0.485, 0.456, 0.406]
IMAGENET_STD = [0.229, 0.224, 0.225]
DIRECTION_SEED = 77
SAMPLED = 16

def data():
    rng = np.random.default_rng(2026)
    images = rng.integers(0, 256, size=(12, 32, 32, 3), dtype=np.uint8)
    labels = np.array([0, 1, 1, 0, 1, 0, 0, 1, 0, 1, 1, 0], dtype=np.int64)
    return images, labels


def model_input(images, normalize):
    x = torch.from_numpy(images).permute(0, 3, 1, 2).to(torch.float32) / 255  # ToTensor
    if normalize:
        mean = torch.tensor(IMAGENET_MEAN, dtype=torch.float32).view(1, 3, 1, 1)
        std = torch.tensor(IMAGENET_STD, dtype=torch.float32).view(1, 3, 1, 1)
        x = (x - mean) / std  # Normalize
    return x


def train(model, x, y, parameters, steps=3, lr=0.05):
    optimizer = torch.optim.SGD(parameters, lr=lr)
    model.train()
    for _ in range(steps):
        optimizer.zero_grad()
        F.cross_entropy(model(x), y).backward()
        optimizer.step()
    model.eval()


def reference(model, x, y):
    """Loss, gradient norm, H·v summary and λmax in float64, evaluation mode (attention in
    PyTorch's math backend: the fused CPU kernel has no second derivative)."""
    with torch.nn.attention.sdpa_kernel(torch.nn.attention.SDPBackend.MATH):
        return reference_math(model, x, y)


def reference_math(model, x, y):
    model = model.double().eval()
    x = x.double()
    parameters = [p for p in model.parameters()]
    n = sum(p.numel() for p in parameters)

    def loss_fn():
        return F.cross_entropy(model(x), y)

    loss = loss_fn()
    grads = torch.autograd.grad(loss, parameters, create_graph=True)
    flat_grad = torch.cat([g.reshape(-1) for g in grads])

    def hvp(vector):
        v = torch.from_numpy(np.ascontiguousarray(vector, dtype=np.float64))
        product = torch.autograd.grad(flat_grad, parameters, grad_outputs=v, retain_graph=True)
        return torch.cat([p.reshape(-1) for p in product]).detach().numpy()

    direction = unit_uniform(DIRECTION_SEED, n)
    hv = hvp(direction)
    indices = [int(i) for i in np.linspace(0, n - 1, SAMPLED).round()]
    operator = sla.LinearOperator((n, n), matvec=hvp, dtype=np.float64)
    top = sla.eigsh(operator, k=1, which="LA", tol=1e-12, return_eigenvectors=False,
                    v0=unit_uniform(5, n), ncv=20)
    return OrderedDict(
        parameters=n, loss=float(loss.detach()), gradient_norm=float(flat_grad.detach().norm()),
        hvp=OrderedDict(direction_seed=DIRECTION_SEED, norm=float(np.linalg.norm(hv)),
                        dot_direction=float(hv @ direction), indices=indices,
                        values=[float(hv[i]) for i in indices]),
        lambda_max=float(top[0]))


def resnet18(images, labels):
    torch.manual_seed(0)
    model = torchvision.models.resnet18(num_classes=2)
    recipes = []
    with torch.no_grad():
        for seed, (name, p) in enumerate(model.named_parameters(), start=1000):
            if p.dim() == 4:  # convolutions: U(-b, b) with He-normal's variance 2/fan_in
                fan_in = p.shape[1] * p.shape[2] * p.shape[3]
                scale = float(np.sqrt(3.0 * 2.0 / fan_in))
                p.copy_(torch.from_numpy(scale * unit_uniform(seed, p.numel())).reshape(p.shape).float())
                recipes.append(OrderedDict(name=name, shape=list(p.shape), seed=seed, scale=scale))
    x, y = model_input(images[:8], normalize=True), torch.from_numpy(labels[:8])
    frozen = {r["name"] for r in recipes}
    train(model, x, y, [p for name, p in model.named_parameters() if name not in frozen])
    state = {("module." + k): v.contiguous() for k, v in model.state_dict().items() if k not in frozen}
    safetensors.torch.save_file(state, os.path.join(OUT, "resnet18.safetensors"), metadata={"source": "gen_import_goldens"})
    golden = reference(model, x, y)
    golden.update(model="resnet18", flags=["--channels", "3", "--image-size", "32", "--normalize", "imagenet", "--resize", "exact"],
                  recipes=recipes)
    return golden


def vit(images, labels):
    torch.manual_seed(1)
    model = VisionTransformer(image_size=32, patch_size=8, num_layers=4, num_heads=4, hidden_dim=64, mlp_dim=128,
                              num_classes=2)
    with torch.no_grad():  # torchvision zero-initialises the head; give it values
        model.heads.head.weight.normal_(0, 0.05)
    x, y = model_input(images[:8], normalize=False), torch.from_numpy(labels[:8])
    train(model, x, y, list(model.parameters()))
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(p.half().float())
    state = {k: v.half().contiguous() for k, v in model.state_dict().items()}
    safetensors.torch.save_file(state, os.path.join(OUT, "vit.safetensors"))
    golden = reference(model, x, y)
    golden.update(model="vit-tiny", flags=[], recipes=[])
    return golden


def main():
    torch.set_num_threads(2)
    os.makedirs(OUT, exist_ok=True)
    images, labels = data()
    np.savez(os.path.join(OUT, "data.npz"), train_images=images[:8], train_labels=labels[:8],
             test_images=images[8:], test_labels=labels[8:])
    goldens = OrderedDict(
        generator=(f"tools/gen_import_goldens.py; torch {torch.__version__}; torchvision {torchvision.__version__}; "
                   f"safetensors {safetensors.__version__}; numpy {np.__version__}; scipy {scipy.__version__}; "
                   f"python {platform.python_version()}"),
        models=OrderedDict(resnet18=resnet18(images, labels), vit=vit(images, labels)))
    with open(os.path.join(OUT, "goldens.json"), "w") as f:
        json.dump(goldens, f, indent=1)
        f.write("\n")
    for name, g in goldens["models"].items():
        print(f"{name}: {g['parameters']} parameters, loss {g['loss']:.6f}, |g| {g['gradient_norm']:.6f}, "
              f"λmax {g['lambda_max']:.6f}")
    for file in sorted(os.listdir(OUT)):
        print(f"  {file}: {os.path.getsize(os.path.join(OUT, file))} bytes")


if __name__ == "__main__":
    main()
