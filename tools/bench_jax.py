#!/usr/bin/env python3
"""JAX (CPU, float32) reference for Sharp's engine benchmark, beside tools/bench_torch.py.

What: the workloads of tools/bench_torch.py's run(), in plain jax / jax.numpy / jax.lax:
  sgemm 1024³; conv2d x 16×16×64×64, w 32×16×3×3, pad 1 (forward, backward-input, backward-weight:
  each a vjp of lax.conv_general_dilated, timed alone); the zoo minis of make_models() in
  tools/bench_torch.py (mlp, vgg-mini, resnet-mini, vit-tiny, swin-mini: same layers, parameters
  under torch's names and shapes) at batch 16 on 1×64×64: forward (training mode), gradient
  (training mode), exact HVP in evaluation mode from scratch (forward over reverse: jvp of grad)
  and with the linearization reused (jax.linearize once, then its linear function), one SAM step
  (2 gradients + Adam, one jitted function, the state donated as a training step would be).
  The JSON keys are bench_torch.py's, less `_sam_optimizer_share`: the SAM step is one XLA
  program, with no boundary at which to time its two gradient passes.
  Every timed function is jitted and compiled before its warm-up run, takes its data as arguments
  (so nothing folds into compile-time constants) and is timed up to jax.block_until_ready; the
  figure is median_seconds of bench_torch.py, the median over --repeats after one warm-up run.

Why: a second mature engine, of another kind: XLA compiles each workload into one fused program,
  where PyTorch runs it kernel by kernel.

How:
  python3 tools/bench_jax.py [--repeats 7] [--threads 2] [--models a,b] [--json]
  python3 tools/bench_jax.py --check   # parameter counts; with torch also names, shapes, logits
  tools/bench --compare jax            # or torch,jax: Sharp and each reference, round by round

Threads: XLA's CPU client sizes its intra-op thread pool when it is created, at the first
  computation, from the environment variable PJRT_NPROC (then NPROC, then the CPUs the process may
  run on). No XLA_FLAGS flag sets that count: `intra_op_parallelism_threads=N`, often quoted for
  this, is not an XLA flag (without `--` it is ignored, with `--` XLA aborts on it). So main() sets
  PJRT_NPROC to --threads before any computation (sampling the process's running threads shows N
  of them busy while a jitted sgemm runs, and with 1 every kernel runs on one thread).
"""
import argparse
import json
import os
import sys
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from bench_table import model_figures, print_figures
from bench_torch import make_models, median_seconds


class Init:
    """A model's parameters under torch's names and shapes, and its BatchNorm running statistics.
    Values are torch-like (weights normal / √fan-in, biases 0, norm scales 1); timings do not depend on them."""

    def __init__(self, seed=0):
        self.rng = np.random.default_rng(seed)
        self.params, self.stats = {}, {}

    def weight(self, name, shape):
        self.params[name] = self.rng.standard_normal(shape, np.float32) / np.sqrt(np.prod(shape[1:]))

    def bias(self, name, width):
        self.params[name] = np.zeros(width, np.float32)

    def tensor(self, name, shape):  # class token, position embedding, relative position bias table
        self.params[name] = 0.02 * self.rng.standard_normal(shape, np.float32)

    def linear(self, name, inputs, width, bias=True):
        self.weight(f"{name}.weight", (width, inputs))
        if bias:
            self.bias(f"{name}.bias", width)

    def conv(self, name, channels, width, kernel, bias=True):
        self.weight(f"{name}.weight", (width, channels, kernel, kernel))
        if bias:
            self.bias(f"{name}.bias", width)

    def norm(self, name, width):
        self.params[f"{name}.weight"] = np.ones(width, np.float32)
        self.bias(f"{name}.bias", width)

    def batch_norm(self, name, width):
        self.norm(name, width)
        self.stats[f"{name}.running_mean"] = np.zeros(width, np.float32)
        self.stats[f"{name}.running_var"] = np.ones(width, np.float32)


def conv2d(x, w, stride=1, padding=0):
    return lax.conv_general_dilated(x, w, (stride, stride), [(padding, padding)] * 2,
                                    dimension_numbers=("NCHW", "OIHW", "NCHW"))


def conv(p, name, x, stride=1, padding=0):
    y = conv2d(x, p[f"{name}.weight"], stride, padding)
    return y + p[f"{name}.bias"][:, None, None] if f"{name}.bias" in p else y


def dense(p, name, x):
    y = x @ p[f"{name}.weight"].T
    return y + p[f"{name}.bias"] if f"{name}.bias" in p else y


def layer_norm(p, name, x, eps):
    mean, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
    return (x - mean) / jnp.sqrt(var + eps) * p[f"{name}.weight"] + p[f"{name}.bias"]


def batch_norm(p, stats, name, x, train, eps=1e-5):
    """torch.nn.BatchNorm2d: batch statistics in training mode, running statistics in evaluation mode
    (the running statistics are not updated: nothing here reads them after a training-mode pass)."""
    if train:
        mean, var = x.mean((0, 2, 3)), x.var((0, 2, 3))
    else:
        mean, var = stats[f"{name}.running_mean"], stats[f"{name}.running_var"]
    scale = p[f"{name}.weight"] / jnp.sqrt(var + eps)
    return (x - mean[:, None, None]) * scale[:, None, None] + p[f"{name}.bias"][:, None, None]


def max_pool(x):
    return lax.reduce_window(x, -jnp.inf, lax.max, (1, 1, 2, 2), (1, 1, 2, 2), "VALID")


def gelu(x):
    return jax.nn.gelu(x, approximate=False)


def attention(q, k, v, heads, bias=0.0):
    """Multi-head softmax(q·kᵀ/√d + bias)·v over (..., tokens, width) inputs."""
    *batch, tokens, width = q.shape

    def split(t):  # (..., heads, tokens, width / heads)
        return t.reshape(*batch, tokens, heads, width // heads).swapaxes(-2, -3)

    scores = split(q) @ split(k).swapaxes(-1, -2) / np.sqrt(width // heads) + bias
    return (jax.nn.softmax(scores, axis=-1) @ split(v)).swapaxes(-2, -3).reshape(*batch, tokens, width)


def mlp_params(m):
    m.linear("1", 4096, 256)
    m.linear("3", 256, 256)
    m.linear("5", 256, 2)


def mlp(p, stats, x, train):
    x = jax.nn.relu(dense(p, "1", x.reshape(len(x), -1)))
    return dense(p, "5", jax.nn.relu(dense(p, "3", x)))


VGG = [16, 16, 0, 32, 32, 0, 64, 0]  # make_models(): a width is a 3×3 conv and a ReLU, 0 a 2×2 max pool


def vgg_mini_params(m):
    index, channels = 0, 1
    for width in VGG:
        if width:
            m.conv(f"0.{index}", channels, width, 3)
            channels = width
        index += 2 if width else 1
    m.linear("2", 4096, 128)
    m.linear("4", 128, 2)


def vgg_mini(p, stats, x, train):
    index = 0
    for width in VGG:
        x = jax.nn.relu(conv(p, f"0.{index}", x, padding=1)) if width else max_pool(x)
        index += 2 if width else 1
    return dense(p, "4", jax.nn.relu(dense(p, "2", x.reshape(len(x), -1))))


RESNET = [(3, 16, 16), (4, 16, 32), (5, 32, 64)]  # make_models(): (index, inputs, width) of each stage


def resnet_mini_params(m):
    m.conv("0", 1, 16, 3, bias=False)
    m.batch_norm("1", 16)
    for stage, inputs, width in RESNET:
        for block, channels in enumerate([inputs, width]):  # torchvision BasicBlock
            name = f"{stage}.{block}"
            m.conv(f"{name}.conv1", channels, width, 3, bias=False)
            m.batch_norm(f"{name}.bn1", width)
            m.conv(f"{name}.conv2", width, width, 3, bias=False)
            m.batch_norm(f"{name}.bn2", width)
        m.conv(f"{stage}.0.downsample.0", inputs, width, 1, bias=False)
        m.batch_norm(f"{stage}.0.downsample.1", width)
    m.linear("8", 64, 2)


def resnet_mini(p, stats, x, train):
    def norm(name, x):
        return batch_norm(p, stats, name, x, train)

    x = jax.nn.relu(norm("1", conv(p, "0", x, padding=1)))
    for stage, _, _ in RESNET:
        for block in range(2):
            name, stride = f"{stage}.{block}", 2 if block == 0 else 1
            y = jax.nn.relu(norm(f"{name}.bn1", conv(p, f"{name}.conv1", x, stride, padding=1)))
            y = norm(f"{name}.bn2", conv(p, f"{name}.conv2", y, padding=1))
            skip = norm(f"{name}.downsample.1", conv(p, f"{name}.downsample.0", x, stride=2)) if block == 0 else x
            x = jax.nn.relu(y + skip)
    return dense(p, "8", x.mean((2, 3)))


def vit_tiny_params(m):
    m.conv("conv_proj", 1, 64, 8)
    m.tensor("class_token", (1, 1, 64))
    m.tensor("encoder.pos_embedding", (1, 65, 64))
    for i in range(4):
        name = f"encoder.layers.encoder_layer_{i}"
        m.norm(f"{name}.ln_1", 64)
        m.weight(f"{name}.self_attention.in_proj_weight", (192, 64))
        m.bias(f"{name}.self_attention.in_proj_bias", 192)
        m.linear(f"{name}.self_attention.out_proj", 64, 64)
        m.norm(f"{name}.ln_2", 64)
        m.linear(f"{name}.mlp.0", 64, 128)
        m.linear(f"{name}.mlp.3", 128, 64)
    m.norm("encoder.ln", 64)
    m.linear("heads.head", 64, 2)


def vit_tiny(p, stats, x, train):
    n = len(x)
    x = conv(p, "conv_proj", x, stride=8).reshape(n, 64, 64).swapaxes(1, 2)  # (n, 8·8 patches, 64)
    x = jnp.concatenate([jnp.broadcast_to(p["class_token"], (n, 1, 64)), x], 1) + p["encoder.pos_embedding"]
    for i in range(4):
        name = f"encoder.layers.encoder_layer_{i}"
        y = layer_norm(p, f"{name}.ln_1", x, 1e-6)
        qkv = y @ p[f"{name}.self_attention.in_proj_weight"].T + p[f"{name}.self_attention.in_proj_bias"]
        x = x + dense(p, f"{name}.self_attention.out_proj", attention(*jnp.split(qkv, 3, -1), heads=4))
        y = layer_norm(p, f"{name}.ln_2", x, 1e-6)
        x = x + dense(p, f"{name}.mlp.3", gelu(dense(p, f"{name}.mlp.0", y)))
    return dense(p, "heads.head", layer_norm(p, "encoder.ln", x, 1e-6)[:, 0])


SWIN = [(1, 32, 2), (3, 64, 4)]  # make_models(): (index, width, heads) of each stage of two blocks
WINDOW, SHIFT = 4, 2  # every second block shifts its windows


def swin_mini_params(m):
    m.conv("features.0.0", 1, 32, 4)
    m.norm("features.0.2", 32)
    for stage, width, heads in SWIN:
        for block in range(2):
            name = f"features.{stage}.{block}"
            m.norm(f"{name}.norm1", width)
            m.tensor(f"{name}.attn.relative_position_bias_table", ((2 * WINDOW - 1) ** 2, heads))
            m.linear(f"{name}.attn.qkv", width, 3 * width)
            m.linear(f"{name}.attn.proj", width, width)
            m.norm(f"{name}.norm2", width)
            m.linear(f"{name}.mlp.0", width, 4 * width)
            m.linear(f"{name}.mlp.3", 4 * width, width)
    m.norm("features.2.norm", 128)  # PatchMerging 32 -> 64
    m.linear("features.2.reduction", 128, 64, bias=False)
    m.norm("norm", 64)
    m.linear("head", 64, 2)


def relative_position_index():
    """(16, 16): for two positions of a 4×4 window, the row of their relative offset in the bias table."""
    coords = np.stack(np.meshgrid(np.arange(WINDOW), np.arange(WINDOW), indexing="ij")).reshape(2, -1)
    offset = coords[:, :, None] - coords[:, None, :] + WINDOW - 1
    return offset[0] * (2 * WINDOW - 1) + offset[1]


def shift_mask(size):
    """(windows, 16, 16) for a size×size map shifted by SHIFT: 0 between positions that came from
    the same region of the unshifted map, -100 between positions that did not."""
    region = np.zeros((size, size))
    bounds = [(0, size - WINDOW), (size - WINDOW, size - SHIFT), (size - SHIFT, size)]
    for i, (top, bottom) in enumerate(bounds):
        for j, (left, right) in enumerate(bounds):
            region[top:bottom, left:right] = 3 * i + j
    windows = to_windows(region[None, :, :, None])[0, :, :, 0]
    return np.where(windows[:, None, :] != windows[:, :, None], -100.0, 0.0).astype(np.float32)


def to_windows(x):
    """(n, h, w, c) -> (n, windows, 4·4, c)."""
    n, h, w, c = x.shape
    x = x.reshape(n, h // WINDOW, WINDOW, w // WINDOW, WINDOW, c).transpose(0, 1, 3, 2, 4, 5)
    return x.reshape(n, -1, WINDOW * WINDOW, c)


def from_windows(x, h, w):
    n, _, _, c = x.shape
    x = x.reshape(n, h // WINDOW, w // WINDOW, WINDOW, WINDOW, c).transpose(0, 1, 3, 2, 4, 5)
    return x.reshape(n, h, w, c)


def window_attention(p, name, x, heads, shift):
    """torchvision's shifted_window_attention (Swin v1) on a (n, h, w, c) map."""
    _, h, w, _ = x.shape
    bias = p[f"{name}.relative_position_bias_table"][relative_position_index()].transpose(2, 0, 1)
    if shift:
        x = jnp.roll(x, (-SHIFT, -SHIFT), (1, 2))
        bias = bias + shift_mask(h)[:, None]  # (windows, heads, 16, 16)
    y = attention(*jnp.split(dense(p, f"{name}.qkv", to_windows(x)), 3, -1), heads, bias)
    y = from_windows(dense(p, f"{name}.proj", y), h, w)
    return jnp.roll(y, (SHIFT, SHIFT), (1, 2)) if shift else y


def swin_mini(p, stats, x, train):
    x = layer_norm(p, "features.0.2", conv(p, "features.0.0", x, stride=4).transpose(0, 2, 3, 1), 1e-5)
    for stage, width, heads in SWIN:
        if stage > 1:  # PatchMerging
            x = jnp.concatenate([x[:, 0::2, 0::2], x[:, 1::2, 0::2], x[:, 0::2, 1::2], x[:, 1::2, 1::2]], -1)
            x = dense(p, "features.2.reduction", layer_norm(p, "features.2.norm", x, 1e-5))
        for block in range(2):
            name = f"features.{stage}.{block}"
            y = layer_norm(p, f"{name}.norm1", x, 1e-5)
            x = x + window_attention(p, f"{name}.attn", y, heads, shift=block == 1)
            y = layer_norm(p, f"{name}.norm2", x, 1e-5)
            x = x + dense(p, f"{name}.mlp.3", gelu(dense(p, f"{name}.mlp.0", y)))
    return dense(p, "head", layer_norm(p, "norm", x, 1e-5).mean((1, 2)))


MODELS = {"mlp": (mlp_params, mlp), "vgg-mini": (vgg_mini_params, vgg_mini),
          "resnet-mini": (resnet_mini_params, resnet_mini), "vit-tiny": (vit_tiny_params, vit_tiny),
          "swin-mini": (swin_mini_params, swin_mini)}


def cross_entropy(logits, labels):
    return -jnp.take_along_axis(jax.nn.log_softmax(logits), labels[:, None], axis=1).mean()


def adam_state(p):
    """Adam's first and second moments (zero) and step count (0), in buffers of their own."""
    return jax.tree.map(jnp.zeros_like, p), jax.tree.map(jnp.zeros_like, p), jnp.zeros(())


def adam(p, g, state, lr=1e-4, b1=0.9, b2=0.999, eps=1e-8):
    """One torch.optim.Adam step (its defaults but lr, no weight decay), in its arithmetic."""
    m, v, t = state
    t = t + 1
    m = jax.tree.map(lambda m, g: b1 * m + (1 - b1) * g, m, g)
    v = jax.tree.map(lambda v, g: b2 * v + (1 - b2) * g * g, v, g)
    step, root = lr / (1 - b1**t), jnp.sqrt(1 - b2**t)
    p = jax.tree.map(lambda p, m, v: p - step * m / (jnp.sqrt(v) / root + eps), p, m, v)
    return p, (m, v, t)


def seconds(repeats, f, *args):
    """median_seconds of jitted f on args, compiled before its warm-up run."""
    compiled = jax.jit(f).lower(*args).compile()
    return median_seconds(lambda: jax.block_until_ready(compiled(*args)), repeats)


def step_seconds(repeats, step, state, *args):
    """The same for a step whose output is its next state (donated, so updated in place)."""
    compiled = jax.jit(step, donate_argnums=0).lower(state, *args).compile()

    def body():
        nonlocal state
        state = jax.block_until_ready(compiled(state, *args))
    return median_seconds(body, repeats)


def run(repeats, only=None):
    rng = np.random.default_rng(0)

    def normal(*shape):
        return jnp.asarray(rng.standard_normal(shape, np.float32))

    out = {}
    n = 1024
    out["sgemm_gflops"] = 2 * n**3 / seconds(repeats, jnp.dot, normal(n, n), normal(n, n)) / 1e9

    x, w = normal(16, 16, 64, 64), normal(32, 16, 3, 3)
    same = partial(conv2d, padding=1)
    g = same(x, w)
    flops = 2.0 * 16 * 32 * 64 * 64 * 16 * 3 * 3  # 2·N·O·OH·OW·C·kh·kw
    forward = seconds(repeats, same, x, w)
    backward_input = seconds(repeats, lambda x, w, g: jax.vjp(lambda x: same(x, w), x)[1](g)[0], x, w, g)
    backward_weight = seconds(repeats, lambda x, w, g: jax.vjp(lambda w: same(x, w), w)[1](g)[0], x, w, g)
    out["conv_forward_gflops"] = flops / forward / 1e9
    out["conv_backward_input_gflops"] = flops / backward_input / 1e9
    out["conv_backward_weight_gflops"] = flops / backward_weight / 1e9
    out["conv_total_gflops"] = 3 * flops / (forward + backward_input + backward_weight) / 1e9
    out["conv_fraction_of_sgemm"] = out["conv_total_gflops"] / out["sgemm_gflops"]

    for name, (build, apply) in MODELS.items():
        if only and name not in only:
            continue
        m = Init()
        build(m)
        p = {k: jnp.asarray(t) for k, t in m.params.items()}
        v = {k: normal(*t.shape) for k, t in m.params.items()}
        data = ({k: jnp.asarray(t) for k, t in m.stats.items()}, normal(16, 1, 64, 64), jnp.arange(16) % 2)

        def loss(p, data, train):
            stats, x, labels = data
            return cross_entropy(apply(p, stats, x, train), labels)

        gradient = jax.grad(partial(loss, train=True))
        gradient_eval = jax.grad(partial(loss, train=False))

        def hvp_fresh(p, v, data):
            return jax.jvp(lambda q: gradient_eval(q, data), (p,), (v,))[1]

        def sam_step(state, data, rho=0.05):
            p, moments = state
            g = gradient(p, data)
            norm = jnp.sqrt(sum(jnp.sum(t * t) for t in jax.tree.leaves(g)))
            e = jax.tree.map(lambda t: rho * t / jnp.maximum(norm, 1e-12), g)
            return adam(p, gradient(jax.tree.map(jnp.add, p, e), data), moments)

        fwd = seconds(repeats, lambda p, data: apply(p, data[0], data[1], True), p, data)
        grad = seconds(repeats, gradient, p, data)
        fresh = seconds(repeats, hvp_fresh, p, v, data)
        _, linear = jax.linearize(lambda q: gradient_eval(q, data), p)  # once; its residuals are arguments
        reused = seconds(repeats, lambda linear, v: linear(v), linear, v)
        sam = step_seconds(repeats, sam_step, (jax.tree.map(jnp.copy, p), adam_state(p)), data)
        out.update(model_figures(name, fwd, grad, fresh, reused, sam))
    return out


def check():
    """Each mini's parameter count; with torch importable, also its count in make_models(), whether
    the parameter names and shapes agree, and the largest logit difference in either mode once
    torch's parameters (perturbed, so that no layer is trivial) and running statistics are loaded."""
    try:
        import torch
    except ImportError:
        torch = None
    models = dict(make_models(torch)) if torch else {}
    for name, (build, apply) in MODELS.items():
        m = Init()
        build(m)
        line = f"{name:<12} JAX {sum(t.size for t in m.params.values()):>9,} parameters"
        if torch:
            line += compare_with_torch(torch, models[name], m, apply)
        print(line)


def compare_with_torch(torch, model, m, apply):
    torch.manual_seed(0)
    with torch.no_grad():
        for t in model.parameters():
            t.add_(0.1 * torch.randn_like(t))
        for key, t in model.named_buffers():
            if key.endswith("running_mean"):
                t.normal_()
            elif key.endswith("running_var"):
                t.uniform_(0.5, 1.5)
    shapes = {k: tuple(t.shape) for k, t in model.named_parameters()}
    same = shapes == {k: t.shape for k, t in m.params.items()}
    line = f", torch {sum(t.numel() for t in model.parameters()):>9,}; names and shapes {'agree' if same else 'DIFFER'}"
    if not same:
        return line
    p = {k: jnp.asarray(t.detach().numpy()) for k, t in model.named_parameters()}
    x = torch.randn(16, 1, 64, 64)
    for mode in ["train", "eval"]:
        stats = {k: jnp.asarray(t.numpy()) for k, t in model.named_buffers() if k in m.stats}  # before torch updates them
        model.train(mode == "train")
        with torch.no_grad():
            expected = model(x).numpy()
        got = np.asarray(apply(p, stats, jnp.asarray(x.numpy()), mode == "train"))
        line += f"; {mode} max |Δlogit| {np.abs(got - expected).max():.1e} of {np.abs(expected).max():.1e}"
    return line


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--models", default="", help="comma-separated subset of " + ",".join(MODELS))
    ap.add_argument("--check", action="store_true", help="print each mini's parameter count (and compare with torch's)")
    args = ap.parse_args()
    os.environ["PJRT_NPROC"] = str(args.threads)  # read when the CPU client is created: at the first computation
    jax.config.update("jax_platforms", "cpu")
    if args.check:
        check()
        return
    out = run(args.repeats, [m for m in args.models.split(",") if m])
    if args.json:
        print(json.dumps(out, sort_keys=True))
    else:
        print_figures(f"JAX {jax.__version__} CPU benchmark — threads {args.threads}, median of {args.repeats} runs", out)


if __name__ == "__main__":
    sys.exit(main())
