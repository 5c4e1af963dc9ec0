#!/usr/bin/env python3
"""Generate PyTorch/torchvision golden values for Sharp's model zoo (Tests/NNTests).

What
    Writes two JSON files that the Swift test target `NNTests` reads
    (Tests/NNTests/GoldenModelTests.swift):

      Tests/NNTests/Goldens/torchvision_keys.json
          For torchvision's resnet18/34/50, vgg11/16 (with and without _bn) and vit_b_16 (1000 classes, 3x224x224
          input): every `state_dict()` entry in order as {name, shape, kind}
          (kind "buffer" for BatchNorm running_mean / running_var /
          num_batches_tracked, "parameter" otherwise) and the parameter count.
          Sharp's `Model.entries` must equal this list exactly, so a torchvision
          checkpoint converted to safetensors loads unchanged.

      Tests/NNTests/Goldens/mini_models.json
          For Sharp's CPU minis mlp, vgg-mini, resnet-mini and vit-tiny (1x64x64
          input, 2 classes, docs/training.md §Models): a torch.nn module with exactly
          Sharp's architecture and state_dict keys, in float64, on fixed weights
          and a fixed batch of 4 (labels [0, 1, 1, 0]). Per mode ("evaluation":
          BatchNorm running statistics; "training": batch statistics, stored only
          where it differs, i.e. for resnet-mini): logits, mean cross-entropy loss,
          the gradient of every parameter, the exact Hessian-vector product H.v for
          a fixed direction v (double backward:
          autograd.grad(grads, params, grad_outputs=v)) and v^T H v; in training
          mode also the BatchNorm buffers after the forward pass (momentum 0.1,
          unbiased running variance, num_batches_tracked + 1).

Why
    The zoo claims torchvision compatibility (names, shapes, order, counts) and
    numerical equality with PyTorch (logits, loss, gradients, HVP in float64 and
    within 1e-4 relative in float32). These goldens come from an independent
    implementation (PyTorch CPU autograd). CI never runs this script: the JSON is
    committed and Swift only reads it.

Compact storage (why not every tensor in full)
    The minis have ~2M parameters together; writing state_dict, v, gradients and
    HVPs in full would be ~100 MB of JSON. Instead:
      * weights, buffers, the input and v are drawn from a tiny counter-based
        generator (SplitMix64, below) that Swift reproduces bit for bit; the JSON
        stores per tensor its recipe {seed, center, scale} plus a checksum
        (first, last, sum), value[i] = center + scale * (2*u_i - 1) with
        u_i = (splitmix64(seed + (i+1)*0x9E3779B97F4A7C15) >> 11) * 2^-53;
      * results (logits, running stats, and every gradient/HVP tensor with at
        most FULL_LIMIT elements) are stored in full as {"shape", "data"};
      * a larger gradient/HVP tensor is stored as {"shape", "summary"}: its
        max |b|, L2 norm, SAMPLES sampled elements (always including the argmax of
        |b|) by flat index, and the dot products with PROBES pseudo-random
        directions r (same generator, scale 1, center 0). Swift checks the
        sampled elements against max|b| (the same metric as for full tensors),
        max|a| against max|b|, and each projection as
        |<a,r> - <b,r>| / (|b|_2 * rms(r)), which is ~|a-b|_2/|b|_2 for any error
        not orthogonal to a random r.

How to rerun
    pip install torch torchvision numpy        # CPU is enough
    python3 tools/gen_model_goldens.py          # writes both files
    python3 tools/gen_model_goldens.py --only keys|minis
    Run from anywhere; paths are resolved relative to the repository root. The
    output is deterministic (no torch RNG is used for values; all tensors come
    from the SplitMix64 recipes). Rerun after changing a mini's layout in
    Sources/NN (and update MINI_MODELS below to match).

Conventions (PyTorch's)
    * Every full tensor is {"shape": [...], "data": [flat row-major float64]}; a
      scalar has shape [] and one data value. num_batches_tracked is a float.
    * Images NCHW, conv weights OIHW, linear weight [out, in]; MultiheadAttention
      keeps the packed in_proj_weight [3D, D].
    * Loss = torch.nn.functional.cross_entropy (mean over the batch).
    * Dropout is 0 in every mini, so training mode differs from evaluation mode
      only through BatchNorm.
"""

import argparse
import json
import math
import os
import platform
from collections import OrderedDict

import numpy as np
import torch
import torch.nn as nn
import torch.nn.attention
import torch.nn.functional as F
import torchvision
from torchvision.models.resnet import BasicBlock
from torchvision.models.vision_transformer import VisionTransformer

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOLDEN_DIR = os.path.join(REPO_ROOT, "Tests", "NNTests", "Goldens")

# Gradient/HVP tensors with more elements than this are stored as a summary.
FULL_LIMIT = 2048
SAMPLES = 128
PROBES = 2
BATCH = 4
LABELS = [0, 1, 1, 0]
# Kinks (docs/testing.md): the input is redrawn until every ReLU input and every max-pool
# top-1/top-2 gap lies at least KINK_MARGIN of its own float32 rounding deviations from the kink,
# a deviation below NOISE_FLOOR of the layer's largest |value| counting as that floor.
KINK_MARGIN = 20.0
NOISE_FLOOR = 1e-8
MAX_INPUT_DRAWS = 5000

# ----------------------------------------------------------------------------
# Shared generator (Swift: Tests/NNTests/Support/ModelGoldens.swift, SplitMix)
# ----------------------------------------------------------------------------

GAMMA = np.uint64(0x9E3779B97F4A7C15)
MIX1 = np.uint64(0xBF58476D1CE4E5B9)
MIX2 = np.uint64(0x94D049BB133111EB)


def unit_uniform(seed, n):
    """n values in [-1, 1): 2*u - 1, u = (splitmix64(seed + (i+1)*gamma) >> 11) * 2^-53."""
    with np.errstate(over="ignore"):
        z = np.uint64(seed) + np.arange(1, n + 1, dtype=np.uint64) * GAMMA
        z = (z ^ (z >> np.uint64(30))) * MIX1
        z = (z ^ (z >> np.uint64(27))) * MIX2
        z = z ^ (z >> np.uint64(31))
    u = (z >> np.uint64(11)).astype(np.float64) * (2.0 ** -53)
    return 2.0 * u - 1.0


def draw(seed, shape, center, scale):
    n = int(np.prod(shape, dtype=np.int64)) if len(shape) else 1
    values = center + scale * unit_uniform(seed, n)
    return values.reshape(shape)


def recipe(name, seed, shape, center, scale, kind=None):
    """JSON recipe of a drawn tensor, with a checksum Swift verifies after redrawing."""
    values = draw(seed, shape, center, scale).reshape(-1)
    entry = OrderedDict(name=name)
    if kind is not None:
        entry["kind"] = kind
    entry.update(shape=list(shape), seed=int(seed), center=float(center), scale=float(scale),
                 first=float(values[0]), last=float(values[-1]), sum=float(values.sum()))
    return entry


def generator_string():
    return (f"tools/gen_model_goldens.py; torch {torch.__version__}; torchvision {torchvision.__version__}; "
            f"numpy {np.__version__}; python {platform.python_version()}")


# ----------------------------------------------------------------------------
# JSON helpers
# ----------------------------------------------------------------------------

def full(a):
    a = np.asarray(a, dtype=np.float64)
    assert np.all(np.isfinite(a)), "non-finite value in golden"
    return OrderedDict(shape=list(a.shape), data=[float(x) for x in a.reshape(-1)])


def result(a, seed):
    """A gradient/HVP tensor: in full when small, else a summary (see module docstring)."""
    a = np.asarray(a, dtype=np.float64)
    assert np.all(np.isfinite(a)), "non-finite value in golden"
    if a.size <= FULL_LIMIT:
        return full(a)
    flat = a.reshape(-1)
    argmax = int(np.argmax(np.abs(flat)))
    rng = np.random.default_rng(seed)
    others = rng.choice(flat.size, size=SAMPLES - 1, replace=False)
    indices = sorted({argmax, *[int(i) for i in others]})
    probes = []
    for k in range(PROBES):
        probe_seed = seed * 16 + k + 1
        r = unit_uniform(probe_seed, flat.size)
        probes.append(OrderedDict(seed=int(probe_seed), dot=float(np.dot(flat, r))))
    summary = OrderedDict(
        max_abs=float(np.abs(flat).max()), l2=float(np.linalg.norm(flat)),
        indices=indices, values=[float(flat[i]) for i in indices], probes=probes)
    return OrderedDict(shape=list(a.shape), summary=summary)


def write_json(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(obj, f, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    with open(path) as f:
        assert json.load(f) == json.loads(json.dumps(obj, allow_nan=False))
    print(f"wrote {os.path.relpath(path, REPO_ROOT)} ({os.path.getsize(path)} bytes)")


# ----------------------------------------------------------------------------
# a) torchvision key lists
# ----------------------------------------------------------------------------

def state_entries(module):
    buffers = {name for name, _ in module.named_buffers()}
    parameters = {name for name, _ in module.named_parameters()}
    entries = []
    for name, value in module.state_dict().items():
        assert (name in buffers) != (name in parameters), name
        entries.append(OrderedDict(name=name, shape=list(value.shape),
                                   kind="buffer" if name in buffers else "parameter"))
    return entries


def torchvision_keys():
    builders = OrderedDict([
        ("resnet18", torchvision.models.resnet18),
        ("resnet34", torchvision.models.resnet34),
        ("resnet50", torchvision.models.resnet50),
        ("vgg11", torchvision.models.vgg11),
        ("vgg11-bn", torchvision.models.vgg11_bn),
        ("vgg16", torchvision.models.vgg16),
        ("vgg16-bn", torchvision.models.vgg16_bn),
        ("vit-b16", torchvision.models.vit_b_16),
    ])
    models = OrderedDict()
    for sharp_name, build in builders.items():
        with torch.device("meta"):  # shapes only; no weights are allocated
            module = build(weights=None, num_classes=1000)
        count = sum(p.numel() for p in module.parameters())
        models[sharp_name] = OrderedDict(
            torchvision=build.__name__, input=[3, 224, 224], classes=1000,
            parameter_count=count, entries=state_entries(module))
        print(f"{sharp_name} ({build.__name__}): {count} parameters, {len(models[sharp_name]['entries'])} state entries")
    return OrderedDict(generator=generator_string(), models=models)


# ----------------------------------------------------------------------------
# b) the minis, written with torch.nn to Sharp's layouts (Sources/NN)
# ----------------------------------------------------------------------------

class MLP(nn.Module):
    """Sources/NN/MLP.swift: flatten -> fc1 (C*H*W -> 256) -> ReLU -> fc2 (256 -> 256) -> ReLU -> fc3."""

    def __init__(self, inputs, classes):
        super().__init__()
        self.fc1 = nn.Linear(inputs, 256)
        self.fc2 = nn.Linear(256, 256)
        self.fc3 = nn.Linear(256, classes)
        self.relu = nn.ReLU()  # no state; a module so the margin hooks see it

    def forward(self, x):
        x = x.flatten(1)
        return self.fc3(self.relu(self.fc2(self.relu(self.fc1(x)))))


class VGGMini(nn.Module):
    """Sources/NN/VGG.swift `mini`: features [16,16,M,32,32,M,64,M] (3x3 pad 1 convs + ReLU, 2x2
    max-pools), no adaptive pool, flatten, classifier Linear(64*8*8 -> 128), ReLU, Linear(128 -> classes)
    (dropout 0, so the classifier's children are 0, 1, 2)."""

    def __init__(self, channels, size, classes):
        super().__init__()
        layers = []
        for width in [16, 16, 0, 32, 32, 0, 64, 0]:
            if width == 0:
                layers.append(nn.MaxPool2d(2))
                size //= 2
            else:
                layers += [nn.Conv2d(channels, width, 3, padding=1), nn.ReLU()]
                channels = width
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(nn.Linear(channels * size * size, 128), nn.ReLU(), nn.Linear(128, classes))

    def forward(self, x):
        return self.classifier(self.features(x).flatten(1))


class ResNetMini(nn.Module):
    """Sources/NN/ResNet.swift `mini`: conv1 3x3 (C -> 16, stride 1, no bias) + bn1 + ReLU, no max-pool;
    layer1..3 of two torchvision BasicBlocks (16, 32, 64), each stage's first block with stride 2 and a
    downsample = Sequential(1x1 conv stride 2, BatchNorm2d); global average pool; fc(64 -> classes)."""

    def __init__(self, channels, classes):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.relu = nn.ReLU()
        inputs = 16
        for stage, width in enumerate([16, 32, 64]):
            downsample = nn.Sequential(nn.Conv2d(inputs, width, 1, 2, bias=False), nn.BatchNorm2d(width))
            blocks = [BasicBlock(inputs, width, stride=2, downsample=downsample), BasicBlock(width, width)]
            setattr(self, f"layer{stage + 1}", nn.Sequential(*blocks))
            inputs = width
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(64, classes)

    def forward(self, x):
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(self.avgpool(x).flatten(1))


def vit_tiny(channels, size, classes):
    """Sources/NN/VisionTransformer.swift `tiny`: torchvision's VisionTransformer with patch 8, dim 64,
    depth 4, 4 heads, MLP 128 (LayerNorm eps 1e-6, exact GELU, dropout 0), conv_proj for C channels."""
    vit = VisionTransformer(image_size=size, patch_size=8, num_layers=4, num_heads=4, hidden_dim=64,
                            mlp_dim=128, num_classes=classes)
    vit.conv_proj = nn.Conv2d(channels, 64, kernel_size=8, stride=8)
    return vit


MINI_MODELS = OrderedDict([
    ("mlp", lambda: MLP(64 * 64, 2)),
    ("vgg-mini", lambda: VGGMini(1, 64, 2)),
    ("resnet-mini", lambda: ResNetMini(1, 2)),
    ("vit-tiny", lambda: vit_tiny(1, 64, 2)),
])

# Plain ReLU networks get He-uniform weights (variance 2/fan_in); resnet-mini (whose evaluation-mode
# BatchNorms do not renormalise, and whose residual sums grow) and the transformer variance 1/fan_in,
# so activations stay O(1) through depth and the loss is not saturated in either mode.
WEIGHT_GAIN = {"mlp": 2.0, "vgg-mini": 2.0, "resnet-mini": 1.0, "vit-tiny": 1.0}


def weight_recipes(model_name, module, model_index):
    """(center, scale) per state_dict key: non-trivial BatchNorm/LayerNorm affine parameters (1 +- 0.1,
    +-0.1), running means +-0.2, running variances in [0.5, 1.5), random biases (+-0.1), a random
    class token, positional embedding and head."""
    norms = set()
    for prefix, m in module.named_modules():
        if isinstance(m, (nn.BatchNorm2d, nn.LayerNorm)):
            norms.add(prefix)
    buffers = {name for name, _ in module.named_buffers()}
    entries = []
    for index, (name, value) in enumerate(module.state_dict().items()):
        owner, _, leaf = name.rpartition(".")
        shape = list(value.shape)
        if leaf == "num_batches_tracked":
            center, scale = 7.0, 0.0
        elif leaf == "running_mean":
            center, scale = 0.0, 0.2
        elif leaf == "running_var":
            center, scale = 1.0, 0.5
        elif owner in norms and leaf == "weight":
            center, scale = 1.0, 0.1
        elif name in ("class_token", "encoder.pos_embedding"):
            center, scale = 0.0, 0.5
        elif len(shape) >= 2:
            fan_in = int(np.prod(shape[1:]))
            center, scale = 0.0, math.sqrt(3.0 * WEIGHT_GAIN[model_name] / fan_in)
        else:  # biases (linear, conv, norm, attention)
            center, scale = 0.0, 0.1
        seed = 1_000_000 * (model_index + 1) + 1_000 * index + 1
        kind = "buffer" if name in buffers else "parameter"
        entries.append(recipe(name, seed, shape, center, scale, kind=kind))
    return entries


def load_recipes(module, recipes):
    state = OrderedDict()
    for r in recipes:
        state[r["name"]] = torch.from_numpy(draw(r["seed"], r["shape"], r["center"], r["scale"]).copy())
    state = OrderedDict((k, v.to(torch.long) if k.endswith("num_batches_tracked") else v) for k, v in state.items())
    module.load_state_dict(state, strict=True)


class Margins:
    """Smallest |pre-activation| at a ReLU and smallest top-1/top-2 gap in a max-pool window with a
    positive maximum, relative to the layer's largest |value| (reported only: values that close to a
    kink could make float32 and float64 take different branches)."""

    def __init__(self, module):
        self.relu = math.inf
        self.pool = math.inf
        self.handles = []
        for m in module.modules():
            if isinstance(m, nn.ReLU):
                self.handles.append(m.register_forward_pre_hook(self.on_relu))  # before an in-place ReLU
            if isinstance(m, nn.MaxPool2d):
                self.handles.append(m.register_forward_hook(self.on_pool))

    def on_relu(self, m, inputs):
        x = inputs[0].detach()
        self.relu = min(self.relu, float(x.abs().min() / x.abs().max()))

    def on_pool(self, m, inputs, output):
        x = inputs[0].detach()
        k = m.kernel_size
        windows = F.unfold(x.reshape(-1, 1, *x.shape[2:]), k, stride=m.stride)  # [N*C, k*k, L]
        top = windows.topk(2, dim=1).values
        positive = top[:, 0] > 0
        if positive.any():
            gap = (top[:, 0] - top[:, 1])[positive].min()
            self.pool = min(self.pool, float(gap / x.abs().max()))

    def remove(self):
        for h in self.handles:
            h.remove()


def kink_margin(module, x):
    """Smallest distance of a ReLU input or max-pool top-1/top-2 gap from its kink, in units of
    that value's float32 rounding deviation (the module run in float32 against float64), over
    both modes. Below a few units, float32 decides the branch by rounding: which one depends on
    the BLAS kernel (FMA or not, summation order), and so does the gradient through it."""
    import copy
    worst = math.inf
    for training in (False, True):
        m64 = copy.deepcopy(module).train(training)
        m32 = copy.deepcopy(module).float().train(training)
        captured = ([], [])
        handles = []
        for side, m in enumerate((m64, m32)):
            for sub in m.modules():
                if isinstance(sub, nn.ReLU):  # cloned: torchvision's blocks apply ReLU in place
                    handles.append(sub.register_forward_pre_hook(
                        lambda mod, inputs, side=side: captured[side].append(("relu", None, inputs[0].detach().double().clone()))))
                if isinstance(sub, nn.MaxPool2d):
                    handles.append(sub.register_forward_hook(
                        lambda mod, inputs, output, side=side: captured[side].append(("pool", mod, inputs[0].detach().double().clone()))))
        with torch.no_grad():
            m64(x)
            m32(x.float())
        for h in handles:
            h.remove()
        for (kind, pool, a), (_, _, b) in zip(*captured):
            floor = NOISE_FLOOR * float(a.abs().max())
            if kind == "relu":
                worst = min(worst, float((a.abs() / (a - b).abs().clamp(min=floor)).min()))
                continue
            k = pool.kernel_size
            unfold = lambda t: F.unfold(t.reshape(-1, 1, *t.shape[2:]), k, stride=pool.stride)  # [N*C, k*k, L]
            wa, wb = unfold(a), unfold(b)
            top = wa.topk(2, dim=1)
            gap64 = top.values[:, 0] - top.values[:, 1]
            gap32 = wb.gather(1, top.indices[:, :1])[:, 0] - wb.gather(1, top.indices[:, 1:2])[:, 0]
            # A window of ReLU zeros ties exactly in both precisions (the first index wins); only a
            # positive maximum can be decided by rounding.
            positive = top.values[:, 0] > 0
            if positive.any():
                ratio = gap64 / (gap64 - gap32).abs().clamp(min=floor)
                worst = min(worst, float(ratio[positive].min()))
    return worst


def choose_input(module, recipes, model_index):
    """The first input draw whose kinks are all at least KINK_MARGIN float32 deviations away."""
    for attempt in range(MAX_INPUT_DRAWS):
        seed = 1_000_000 * (model_index + 1) + 999_001 if attempt == 0 else 1_000_000_000 * (model_index + 1) + attempt
        input_recipe = recipe("input", seed, [BATCH, 1, 64, 64], 0.0, math.sqrt(3.0))
        x = torch.from_numpy(draw(seed, input_recipe["shape"], 0.0, math.sqrt(3.0)).copy())
        load_recipes(module, recipes)
        margin = kink_margin(module, x)
        if margin >= KINK_MARGIN:
            print(f"  input seed {seed}: kinks at least {margin:.1f} float32 deviations away (draw {attempt + 1})")
            return input_recipe, x, margin
    raise SystemExit(f"no input with kinks {KINK_MARGIN} float32 deviations away in {MAX_INPUT_DRAWS} draws")


def run_mode(module, params, x, labels, v, training, buffer_names):
    """Logits, loss, gradients, H.v, v^T H v (and updated buffers in training) at the loaded state."""
    module.train(training)
    margins = Margins(module)
    # PyTorch's fused CPU attention kernels have no double backward; the math path is the reference.
    with torch.nn.attention.sdpa_kernel(torch.nn.attention.SDPBackend.MATH):
        logits = module(x)
        margins.remove()
        loss = F.cross_entropy(logits, labels)
        grads = torch.autograd.grad(loss, params, create_graph=True)
        hv = torch.autograd.grad(grads, params, grad_outputs=v, allow_unused=True)
    hv = [torch.zeros_like(p) if h is None else h for p, h in zip(params, hv)]
    vhv = sum(float((a * b).sum()) for a, b in zip(v, hv))
    out = OrderedDict(
        logits=logits.detach().numpy(), loss=loss.item(), gradients=[g.detach().numpy() for g in grads],
        hvp=[h.detach().numpy() for h in hv], vHv=vhv, margins=(margins.relu, margins.pool))
    if training:
        state = module.state_dict()
        out["buffers"] = OrderedDict((n, state[n].detach().to(torch.float64).numpy()) for n in buffer_names)
    return out


def mini_models():
    torch.set_default_dtype(torch.float64)
    labels = torch.tensor(LABELS)
    models = OrderedDict()
    for model_index, (name, make) in enumerate(MINI_MODELS.items()):
        module = make().double()
        recipes = weight_recipes(name, module, model_index)
        input_recipe, x, margin = choose_input(module, recipes, model_index)
        names = [n for n, _ in module.named_parameters()]
        buffer_names = [n for n, _ in module.named_buffers()]
        assert [r["name"] for r in recipes if r["kind"] == "parameter"] == names
        directions = [recipe(n, 1_000_000 * (model_index + 1) + 500_000 + 1_000 * i + 7, r["shape"], 0.0, 1.0)
                      for i, (n, r) in enumerate((r["name"], r) for r in recipes if r["kind"] == "parameter")]
        v = [torch.from_numpy(draw(d["seed"], d["shape"], 0.0, 1.0).copy()) for d in directions]

        modes = OrderedDict()
        results = {}
        for mode, training in [("evaluation", False), ("training", True)]:
            load_recipes(module, recipes)  # fresh buffers for each mode
            params = list(module.parameters())
            results[mode] = run_mode(module, params, x, labels, v, training, buffer_names)
        has_bn = any(isinstance(m, nn.BatchNorm2d) for m in module.modules())
        if not has_bn:
            r_eval, r_train = results["evaluation"], results["training"]
            assert np.array_equal(r_eval["logits"], r_train["logits"]), name
        for mode in (["evaluation", "training"] if has_bn else ["evaluation"]):
            r = results[mode]
            mode_index = 0 if mode == "evaluation" else 1
            entry = OrderedDict(logits=full(r["logits"]), loss=r["loss"])
            entry["gradients"] = OrderedDict(
                (n, result(g, 7_000_000 * (model_index + 1) + 100_000 * mode_index + 100 * i))
                for i, (n, g) in enumerate(zip(names, r["gradients"])))
            entry["hvp"] = OrderedDict(
                (n, result(h, 7_000_000 * (model_index + 1) + 100_000 * mode_index + 100 * i + 50))
                for i, (n, h) in enumerate(zip(names, r["hvp"])))
            entry["vHv"] = r["vHv"]
            if mode == "training":
                entry["updated_buffers"] = OrderedDict((n, full(b)) for n, b in r["buffers"].items())
            entry["min_relative_relu_margin"] = r["margins"][0] if math.isfinite(r["margins"][0]) else None
            entry["min_relative_maxpool_gap"] = r["margins"][1] if math.isfinite(r["margins"][1]) else None
            modes[mode] = entry
            gnorm = math.sqrt(sum(float((g ** 2).sum()) for g in r["gradients"]))
            print(f"{name} {mode}: loss {r['loss']:.6f}, |logits|max {np.abs(r['logits']).max():.3f}, "
                  f"|grad| {gnorm:.4g}, vHv {r['vHv']:.6g}, relu margin {r['margins'][0]:.2e}, "
                  f"pool gap {r['margins'][1]:.2e}")
        models[name] = OrderedDict(
            config=OrderedDict(name=name, input_channels=1, input_size=64, classes=2),
            parameter_count=sum(p.numel() for p in module.parameters()),
            training_equals_evaluation=not has_bn,
            kink_margin_float32_deviations=margin if math.isfinite(margin) else None,
            state=recipes, input=input_recipe, labels=LABELS, direction=directions, modes=modes)
    return OrderedDict(
        generator=generator_string(),
        conventions=("state/input/direction entries are SplitMix64 recipes: value[i] = center + scale*(2u_i - 1), "
                     "u_i = (splitmix64(seed + (i+1)*0x9E3779B97F4A7C15) >> 11) * 2^-53 (checksum: first, last, sum); "
                     f"gradients/hvp with more than {FULL_LIMIT} elements are summaries (max_abs, l2, sampled "
                     "indices/values, dot products with SplitMix64 probes of scale 1); modes: evaluation = BatchNorm "
                     "running statistics, training = batch statistics (only stored where it differs)."),
        models=models)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=["keys", "minis"])
    args = parser.parse_args()
    torch.set_num_threads(2)
    if args.only in (None, "keys"):
        write_json(os.path.join(GOLDEN_DIR, "torchvision_keys.json"), torchvision_keys())
    if args.only in (None, "minis"):
        write_json(os.path.join(GOLDEN_DIR, "mini_models.json"), mini_models())


if __name__ == "__main__":
    main()
