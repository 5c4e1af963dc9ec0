#!/usr/bin/env python3
"""Generate golden reference values for Sharp's autodiff tests.

What
    Writes two JSON files that the Swift test target `AutodiffTests` reads:

      Tests/AutodiffTests/Goldens/nets.json        three small networks (mlp, cnn,
                                                   attention): inputs, params,
                                                   loss, logits, gradients, a random
                                                   direction v, the exact
                                                   Hessian-vector product H·v and vᵀHv.
      Tests/AutodiffTests/Goldens/primitives.json  single-op cases: inputs, output,
                                                   a random cotangent and the VJP of
                                                   that cotangent w.r.t. each input.

Why
    Sharp computes exact Hessian-vector products. These goldens come from an
    independent implementation (JAX, float64, forward-over-reverse
    jax.jvp(jax.grad(loss))) so the Swift tests can compare against them. CI never
    runs this script: the JSON it writes is committed, and Swift only reads it.
    Every input/weight is stored in the JSON; Swift does not reproduce the RNG.

How to rerun
    pip install "jax[cpu]" numpy && python3 tools/gen_goldens.py
    python3 tools/gen_goldens.py --check     # also cross-check with plain numpy
                                             # and finite differences; prints the
                                             # max relative errors
    Run from anywhere; paths are resolved relative to the repository root.

Conventions (PyTorch's)
    * Every tensor is {"shape": [...], "data": [flat row-major float64]}; a scalar
      has shape [] and one data value.
    * conv weights OIHW [out, in/groups, kh, kw], images NCHW, explicit symmetric
      zero padding; linear weight [out, in] with y = x Wᵀ + b.
    * cross-entropy = mean over the batch of -log_softmax(logits)[label]; labels
      are a list of ints.
    * GELU is the exact erf form x·½(1+erf(x/√2)).
    * LayerNorm over the last axis, biased variance, eps = 1e-5,
      y = (x-μ)/√(var+eps)·weight + bias.
    * max_pool2d pads with -inf; avg_pool2d pads with zeros and always divides by
      kernel_h·kernel_w (torch's count_include_pad=True).
    * Relative errors printed by --check are normwise: max|a-b| / max|ref|.
"""

import argparse
import json
import math
import os
import platform
import sys

import numpy as np

import jax
import jax.numpy as jnp
from jax import lax

jax.config.update("jax_enable_x64", True)

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOLDEN_DIR = os.path.join(REPO_ROOT, "Tests", "AutodiffTests", "Goldens")

# Minimum separation required between a window's largest and second-largest
# value (max pooling), and minimum |pre-activation| at a ReLU, so that tiny
# numerical differences between implementations cannot flip a choice.
TIE_MARGIN = 1e-3


def generator_string():
    import jaxlib
    return (f"tools/gen_goldens.py; jax {jax.__version__}; jaxlib {jaxlib.__version__}; "
            f"numpy {np.__version__}; python {platform.python_version()}")


# ----------------------------------------------------------------------------
# JSON helpers
# ----------------------------------------------------------------------------

def tensor(a):
    """{"shape", "data"} object for an array (row-major, float64)."""
    a = np.asarray(a, dtype=np.float64)
    assert np.all(np.isfinite(a)), "non-finite value in golden"
    return {"shape": list(a.shape), "data": [float(x) for x in a.reshape(-1)]}


def tensor_dict(d):
    return {k: tensor(v) for k, v in d.items()}


def write_json(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(obj, f, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    # Round-trip sanity: Python's float repr is exact, so reading back must
    # reproduce every value bit-for-bit.
    with open(path) as f:
        assert json.load(f) == json.loads(json.dumps(obj, allow_nan=False))
    print(f"wrote {os.path.relpath(path, REPO_ROOT)} ({os.path.getsize(path)} bytes)")


# ----------------------------------------------------------------------------
# JAX building blocks (float64)
# ----------------------------------------------------------------------------

def linear(x, w, b=None):
    y = x @ w.T
    return y if b is None else y + b


def gelu(x):
    return x * 0.5 * (1.0 + lax.erf(x / math.sqrt(2.0)))


def layer_norm(x, w, b, eps=1e-5):
    mu = jnp.mean(x, axis=-1, keepdims=True)
    var = jnp.mean((x - mu) ** 2, axis=-1, keepdims=True)
    return (x - mu) / jnp.sqrt(var + eps) * w + b


def conv2d(x, w, b=None, stride=1, padding=0, groups=1):
    """NCHW input, OIHW weight; padding is an int or (ph, pw)."""
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    y = lax.conv_general_dilated(
        x, w, window_strides=(stride, stride), padding=[(ph, ph), (pw, pw)],
        dimension_numbers=("NCHW", "OIHW", "NCHW"), feature_group_count=groups,
        precision=lax.Precision.HIGHEST)
    return y if b is None else y + b[None, :, None, None]


def max_pool2d(x, k=2, s=2, p=0):
    return lax.reduce_window(x, -jnp.inf, lax.max, (1, 1, k, k), (1, 1, s, s),
                             [(0, 0), (0, 0), (p, p), (p, p)])


def avg_pool2d(x, k=2, s=2, p=0):
    """count_include_pad=True: zero padding, always divide by k*k."""
    return lax.reduce_window(x, 0.0, lax.add, (1, 1, k, k), (1, 1, s, s),
                             [(0, 0), (0, 0), (p, p), (p, p)]) / (k * k)


def cross_entropy(logits, labels):
    lp = jax.nn.log_softmax(logits, axis=-1)
    return -jnp.mean(lp[jnp.arange(logits.shape[0]), jnp.asarray(labels)])


# ----------------------------------------------------------------------------
# Networks
# ----------------------------------------------------------------------------
#
# mlp   input x [4, 12], labels [4] in 0..2
#       fc1  Linear 12→8   (fc1.weight [8,12], fc1.bias [8])  → tanh
#       fc2  Linear 8→6    (fc2.weight [6,8],  fc2.bias [6])  → gelu (erf)
#       fc3  Linear 6→3    (fc3.weight [3,6],  fc3.bias [3])  → logits [4,3]
#       loss = cross_entropy(logits, labels) (mean over batch)
#
# cnn   input x [2, 2, 8, 8] NCHW, labels [2] in 0..2
#       conv1 Conv2d 2→4, k3, stride 1, pad 1, bias  (conv1.weight [4,2,3,3],
#             conv1.bias [4])                          → [2,4,8,8] → relu
#       max_pool2d k2 s2                               → [2,4,4,4]
#       conv2 Conv2d 4→4, k3, stride 2, pad 1, groups 2, bias (conv2.weight
#             [4,2,3,3], conv2.bias [4])               → [2,4,2,2] → tanh
#       avg_pool2d k2 s2                               → [2,4,1,1]
#       flatten                                        → [2,4]
#       fc   Linear 4→3 (fc.weight [3,4], fc.bias [3]) → logits [2,3]
#       loss = cross_entropy(logits, labels)
#
# attention  input x [2, 5, 8] (batch, tokens, dim), labels [2] in 0..2;
#       one pre-norm transformer block, 2 heads of dim 4, then mean-pool + head:
#       h = x + Attn(LN1(x));  y = h + MLP(LN2(h));  out = mean_tokens(y) [2,8]
#       logits = head(out) [2,3];  loss = cross_entropy(logits, labels)
#       LN1/LN2: LayerNorm(8), eps 1e-5 (norm1.*, norm2.* weight/bias [8])
#       Attn(z): qkv = z attn.qkv.weightᵀ + attn.qkv.bias           [2,5,24]
#                reshape [2,5,3,2,4] (3, then heads, then headDim; timm order)
#                permute → q, k, v each [2,2,5,4] (batch, heads, tokens, hd)
#                a = softmax(q kᵀ / √4, last axis) v                [2,2,5,4]
#                transpose → [2,5,2,4] → reshape [2,5,8]
#                proj: attn.proj.weight [8,8], attn.proj.bias [8]
#       MLP(z) = mlp.fc2(gelu(mlp.fc1(z)));  mlp.fc1 8→16, mlp.fc2 16→8
#       head: head.weight [3,8], head.bias [3]

MLP_DESCRIPTION = (
    "input x [4,12]; fc1 Linear 12->8 -> tanh -> fc2 Linear 8->6 -> gelu(erf) -> "
    "fc3 Linear 6->3 -> logits [4,3]; loss = mean cross-entropy over batch. "
    "Linear: y = x W^T + b, W [out,in].")

CNN_DESCRIPTION = (
    "input x [2,2,8,8] NCHW; conv1 Conv2d 2->4 k3 s1 p1 bias -> relu -> "
    "max_pool2d k2 s2 -> conv2 Conv2d 4->4 k3 s2 p1 groups2 bias -> tanh -> "
    "avg_pool2d k2 s2 -> flatten [2,4] -> fc Linear 4->3 -> logits [2,3]; "
    "loss = mean cross-entropy. Weights OIHW. Drawn so every |conv1 "
    "pre-activation| > 1e-3 and every max-pool window with a positive max has a "
    "gap > 1e-3 to its runner-up (all-zero windows after relu carry zero gradient "
    "either way).")

ATTENTION_DESCRIPTION = (
    "input x [2,5,8] (batch,tokens,dim); h = x + Attn(LN1(x)); y = h + MLP(LN2(h)); "
    "out = mean over tokens of y [2,8] -> head Linear 8->3 -> logits [2,3]; "
    "loss = mean cross-entropy. LN: LayerNorm over last axis, biased var, eps 1e-5. "
    "Attn: qkv = LN1(x) W^T + b [2,5,24] -> reshape [2,5,3,heads=2,hd=4] -> "
    "permute to q,k,v [2,2,5,4] -> softmax(q k^T / sqrt(4), last axis) v -> "
    "transpose [2,5,2,4] -> reshape [2,5,8] -> proj Linear 8->8. "
    "MLP = mlp.fc2(gelu_erf(mlp.fc1(.))), 8->16->8.")


def mlp_forward(p, x):
    h = jnp.tanh(linear(x, p["fc1.weight"], p["fc1.bias"]))
    h = gelu(linear(h, p["fc2.weight"], p["fc2.bias"]))
    return linear(h, p["fc3.weight"], p["fc3.bias"])


def cnn_forward(p, x):
    h = jax.nn.relu(conv2d(x, p["conv1.weight"], p["conv1.bias"], stride=1, padding=1))
    h = max_pool2d(h, 2, 2)
    h = jnp.tanh(conv2d(h, p["conv2.weight"], p["conv2.bias"], stride=2, padding=1, groups=2))
    h = avg_pool2d(h, 2, 2)
    h = h.reshape(h.shape[0], -1)
    return linear(h, p["fc.weight"], p["fc.bias"])


ATTN_HEADS = 2


def attention_block(p, z):
    B, N, C = z.shape
    hd = C // ATTN_HEADS
    qkv = linear(z, p["attn.qkv.weight"], p["attn.qkv.bias"])          # [B,N,3C]
    qkv = qkv.reshape(B, N, 3, ATTN_HEADS, hd).transpose(2, 0, 3, 1, 4)  # [3,B,H,N,hd]
    q, k, v = qkv[0], qkv[1], qkv[2]
    att = jax.nn.softmax(q @ k.transpose(0, 1, 3, 2) / math.sqrt(hd), axis=-1)
    a = (att @ v).transpose(0, 2, 1, 3).reshape(B, N, C)
    return linear(a, p["attn.proj.weight"], p["attn.proj.bias"])


def attention_forward(p, x):
    h = x + attention_block(p, layer_norm(x, p["norm1.weight"], p["norm1.bias"]))
    z = layer_norm(h, p["norm2.weight"], p["norm2.bias"])
    y = h + linear(gelu(linear(z, p["mlp.fc1.weight"], p["mlp.fc1.bias"])),
                   p["mlp.fc2.weight"], p["mlp.fc2.bias"])
    return linear(jnp.mean(y, axis=1), p["head.weight"], p["head.bias"])


def init_linear(rng, params, name, fan_in, fan_out, gain=1.0):
    params[f"{name}.weight"] = rng.standard_normal((fan_out, fan_in)) * gain / math.sqrt(fan_in)
    params[f"{name}.bias"] = rng.standard_normal(fan_out) * 0.1


def make_mlp(seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((4, 12))
    labels = [int(l) for l in rng.integers(0, 3, size=4)]
    p = {}
    init_linear(rng, p, "fc1", 12, 8, gain=1.0)
    init_linear(rng, p, "fc2", 8, 6, gain=1.5)
    init_linear(rng, p, "fc3", 6, 3, gain=1.5)
    return x, labels, p


def cnn_degeneracy_gap(p, x):
    """Smallest |relu pre-activation| and smallest max-pool top-2 gap (over
    windows whose max is positive; all-zero windows contribute zero gradient)."""
    z = np.asarray(conv2d(jnp.asarray(x), jnp.asarray(p["conv1.weight"]),
                          jnp.asarray(p["conv1.bias"]), stride=1, padding=1))
    r = np.maximum(z, 0.0)
    B, C, H, W = r.shape
    win = r.reshape(B, C, H // 2, 2, W // 2, 2).transpose(0, 1, 2, 4, 3, 5).reshape(-1, 4)
    win = np.sort(win, axis=1)
    pos = win[:, -1] > 0
    gap = np.min(win[pos, -1] - win[pos, -2]) if pos.any() else np.inf
    return float(np.min(np.abs(z))), float(gap)


def make_cnn(seed):
    rng = np.random.default_rng(seed)
    for _attempt in range(1000):
        x = rng.standard_normal((2, 2, 8, 8))
        labels = [int(l) for l in rng.integers(0, 3, size=2)]
        p = {
            "conv1.weight": rng.standard_normal((4, 2, 3, 3)) * math.sqrt(2.0 / 18),
            "conv1.bias": rng.standard_normal(4) * 0.1,
            "conv2.weight": rng.standard_normal((4, 2, 3, 3)) * math.sqrt(1.0 / 18),
            "conv2.bias": rng.standard_normal(4) * 0.1,
        }
        init_linear(rng, p, "fc", 4, 3, gain=2.0)
        min_abs_pre, min_gap = cnn_degeneracy_gap(p, x)
        if min_abs_pre > TIE_MARGIN and min_gap > TIE_MARGIN:
            return x, labels, p
    raise RuntimeError("could not draw a non-degenerate cnn")


def make_attention(seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((2, 5, 8))
    labels = [int(l) for l in rng.integers(0, 3, size=2)]
    p = {}
    p["norm1.weight"] = 1.0 + 0.1 * rng.standard_normal(8)
    p["norm1.bias"] = 0.1 * rng.standard_normal(8)
    init_linear(rng, p, "attn.qkv", 8, 24, gain=1.0)
    init_linear(rng, p, "attn.proj", 8, 8, gain=1.0)
    p["norm2.weight"] = 1.0 + 0.1 * rng.standard_normal(8)
    p["norm2.bias"] = 0.1 * rng.standard_normal(8)
    init_linear(rng, p, "mlp.fc1", 8, 16, gain=1.0)
    init_linear(rng, p, "mlp.fc2", 16, 8, gain=1.0)
    init_linear(rng, p, "head", 8, 3, gain=1.0)
    # Keep the documented key order (dicts preserve insertion order).
    order = ["norm1.weight", "norm1.bias", "attn.qkv.weight", "attn.qkv.bias",
             "attn.proj.weight", "attn.proj.bias", "norm2.weight", "norm2.bias",
             "mlp.fc1.weight", "mlp.fc1.bias", "mlp.fc2.weight", "mlp.fc2.bias",
             "head.weight", "head.bias"]
    return x, labels, {k: p[k] for k in order}


# name → (builder, forward, seed for inputs/params, seed for v, description)
NETS = {
    "mlp": (make_mlp, mlp_forward, 1001, 2001, MLP_DESCRIPTION),
    "cnn": (make_cnn, cnn_forward, 1002, 2002, CNN_DESCRIPTION),
    "attention": (make_attention, attention_forward, 1003, 2003, ATTENTION_DESCRIPTION),
}


def net_loss_fn(forward, x, labels):
    xj = jnp.asarray(x)
    return lambda p: cross_entropy(forward(p, xj), labels)


def compute_net(name):
    build, forward, seed, vseed, desc = NETS[name]
    x, labels, params = build(seed)
    vrng = np.random.default_rng(vseed)
    v = {k: vrng.standard_normal(a.shape) for k, a in params.items()}

    loss_fn = net_loss_fn(forward, x, labels)
    pj = {k: jnp.asarray(a) for k, a in params.items()}
    vj = {k: jnp.asarray(a) for k, a in v.items()}
    logits = forward(pj, jnp.asarray(x))
    loss, grads = jax.value_and_grad(loss_fn)(pj)
    # Forward-over-reverse: d/dt grad(p + t v) at t = 0 = H v (joint Hessian).
    _, hvp = jax.jvp(jax.grad(loss_fn), (pj,), (vj,))
    vhv = sum(float(jnp.sum(vj[k] * hvp[k])) for k in params)

    return {
        "description": f"{desc} Inputs/params: default_rng({seed}); v: default_rng({vseed}).",
        "input": x, "labels": labels, "params": params, "loss": float(loss),
        "logits": np.asarray(logits), "grads": {k: np.asarray(g) for k, g in grads.items()},
        "v": v, "hvp": {k: np.asarray(h) for k, h in hvp.items()}, "vHv": vhv,
    }


def net_to_json(r):
    return {
        "description": r["description"],
        "input": tensor(r["input"]),
        "labels": r["labels"],
        "params": tensor_dict(r["params"]),
        "loss": r["loss"],
        "logits": tensor(r["logits"]),
        "grads": tensor_dict(r["grads"]),
        "v": tensor_dict(r["v"]),
        "hvp": tensor_dict(r["hvp"]),
        "vHv": r["vHv"],
    }


# ----------------------------------------------------------------------------
# Primitive cases
# ----------------------------------------------------------------------------

def draw_unique_max(rng, shape, k, s, p):
    """Standard-normal tensor whose every pooling window (with -inf padding) has a
    unique maximum separated from the runner-up by more than TIE_MARGIN."""
    for _ in range(1000):
        x = rng.standard_normal(shape)
        xp = np.pad(x, [(0, 0), (0, 0), (p, p), (p, p)], constant_values=-np.inf)
        H, W = xp.shape[2:]
        ok = True
        for i in range(0, H - k + 1, s):
            for j in range(0, W - k + 1, s):
                w = np.sort(xp[:, :, i:i + k, j:j + k].reshape(*x.shape[:2], -1), axis=-1)
                if np.min(w[..., -1] - w[..., -2]) <= TIE_MARGIN:
                    ok = False
        if ok:
            return x
    raise RuntimeError("could not draw unique maxima")


def primitive_specs():
    """List of (name, op, attributes, fn(*inputs) -> output, inputs).

    Each case gets its own RNG seed (3000 + case number) for inputs; the
    cotangent uses seed 4000 + case number."""
    specs = []

    def rng(i):
        return np.random.default_rng(3000 + i)

    r = rng(1)
    specs.append(("conv2d_s2_p1_g1", "conv2d", {"stride": 2, "padding": 1, "groups": 1},
                  lambda x, w: conv2d(x, w, stride=2, padding=1, groups=1),
                  [r.standard_normal((2, 3, 7, 6)), r.standard_normal((4, 3, 3, 3)) / math.sqrt(27)]))
    r = rng(2)
    specs.append(("conv2d_s1_p0_g2", "conv2d", {"stride": 1, "padding": 0, "groups": 2},
                  lambda x, w: conv2d(x, w, stride=1, padding=0, groups=2),
                  [r.standard_normal((1, 4, 5, 5)), r.standard_normal((6, 2, 3, 3)) / math.sqrt(18)]))
    r = rng(3)
    specs.append(("conv2d_k5x3_s1_p2_g1", "conv2d", {"stride": 1, "padding": 2, "groups": 1},
                  lambda x, w: conv2d(x, w, stride=1, padding=(2, 2), groups=1),
                  [r.standard_normal((2, 1, 6, 6)), r.standard_normal((2, 1, 5, 3)) / math.sqrt(15)]))
    r = rng(4)
    specs.append(("max_pool2d_k2_s2", "max_pool2d", {"kernel_size": 2, "stride": 2, "padding": 0},
                  lambda x: max_pool2d(x, 2, 2, 0), [draw_unique_max(r, (2, 3, 6, 6), 2, 2, 0)]))
    r = rng(5)
    specs.append(("max_pool2d_k3_s2_p1_neginf_pad", "max_pool2d",
                  {"kernel_size": 3, "stride": 2, "padding": 1},
                  lambda x: max_pool2d(x, 3, 2, 1), [draw_unique_max(r, (1, 2, 7, 7), 3, 2, 1)]))
    r = rng(6)
    specs.append(("avg_pool2d_k2_s2", "avg_pool2d", {"kernel_size": 2, "stride": 2, "padding": 0},
                  lambda x: avg_pool2d(x, 2, 2, 0), [r.standard_normal((2, 2, 6, 4))]))
    r = rng(7)
    specs.append(("avg_pool2d_k3_s2_p1_count_include_pad", "avg_pool2d",
                  {"kernel_size": 3, "stride": 2, "padding": 1},
                  lambda x: avg_pool2d(x, 3, 2, 1), [r.standard_normal((1, 2, 7, 7))]))
    r = rng(8)
    specs.append(("log_softmax_last_axis", "log_softmax", {"axes": [1]},
                  lambda x: jax.nn.log_softmax(x, axis=-1), [2.0 * r.standard_normal((3, 7))]))
    r = rng(9)
    specs.append(("gelu_erf", "gelu", {},
                  gelu, [1.5 * r.standard_normal((5, 6))]))
    r = rng(10)
    specs.append(("layer_norm_last_axis", "layer_norm", {"eps": 1e-5, "axes": [2]},
                  lambda x, w, b: layer_norm(x, w, b, 1e-5),
                  [r.standard_normal((3, 4, 6)) * 2.0 + 0.5,
                   1.0 + 0.1 * r.standard_normal(6), 0.1 * r.standard_normal(6)]))
    r = rng(11)
    specs.append(("roll", "roll", {"shifts": [-2, 1], "axes": [1, 2]},
                  lambda x: jnp.roll(x, (-2, 1), axis=(1, 2)), [r.standard_normal((2, 5, 4, 3))]))
    r = rng(12)
    specs.append(("matmul_batched", "matmul", {},
                  lambda a, b: a @ b, [r.standard_normal((3, 4, 5)), r.standard_normal((3, 5, 2))]))
    r = rng(13)
    ce_logits = 1.5 * r.standard_normal((5, 4))
    ce_labels = [int(l) for l in r.integers(0, 4, size=5)]
    specs.append(("cross_entropy_mean", "cross_entropy", {"labels": ce_labels},
                  lambda z: cross_entropy(z, ce_labels), [ce_logits]))
    r = rng(14)
    specs.append(("softmax_last_axis", "softmax", {"axes": [1]},
                  lambda x: jax.nn.softmax(x, axis=-1), [2.0 * r.standard_normal((4, 6))]))
    r = rng(15)
    specs.append(("sum_axes_0_2", "sum", {"axes": [0, 2], "keepdims": False},
                  lambda x: jnp.sum(x, axis=(0, 2), keepdims=False), [r.standard_normal((3, 4, 5))]))
    r = rng(16)
    specs.append(("erf", "erf", {},
                  lax.erf, [r.uniform(-3.0, 3.0, size=10)]))
    return specs


def compute_primitives():
    results = []
    for i, (name, op, attrs, fn, inputs) in enumerate(primitive_specs(), start=1):
        xs = [jnp.asarray(a) for a in inputs]
        out, vjp = jax.vjp(fn, *xs)
        cot = np.random.default_rng(4000 + i).standard_normal(np.shape(out))
        grads = vjp(jnp.asarray(cot))
        results.append({
            "name": name, "op": op, "attributes": attrs, "fn": fn,
            "inputs": [np.asarray(a, dtype=np.float64) for a in inputs],
            "output": np.asarray(out), "cotangent": np.asarray(cot),
            "input_grads": [np.asarray(g) for g in grads],
        })
    return results


def primitive_to_json(r):
    return {
        "name": r["name"], "op": r["op"], "attributes": r["attributes"],
        "inputs": [tensor(a) for a in r["inputs"]],
        "output": tensor(r["output"]),
        "cotangent": tensor(r["cotangent"]),
        "input_grads": [tensor(g) for g in r["input_grads"]],
    }


# ----------------------------------------------------------------------------
# --check: independent re-computation with plain numpy / finite differences
# ----------------------------------------------------------------------------

def rel_err(a, ref):
    a, ref = np.asarray(a, dtype=np.float64), np.asarray(ref, dtype=np.float64)
    assert a.shape == ref.shape, (a.shape, ref.shape)
    return float(np.max(np.abs(a - ref)) / max(np.max(np.abs(ref)), 1e-300))


def np_conv2d(x, w, stride, ph, pw, groups):
    """Direct loops. Returns y and a closure for its VJP (dx, dw)."""
    B, C, H, W = x.shape
    O, Cg, KH, KW = w.shape
    Og = O // groups
    xp = np.pad(x, [(0, 0), (0, 0), (ph, ph), (pw, pw)])
    OH = (H + 2 * ph - KH) // stride + 1
    OW = (W + 2 * pw - KW) // stride + 1
    y = np.zeros((B, O, OH, OW))
    for b in range(B):
        for o in range(O):
            g = o // Og
            for i in range(OH):
                for j in range(OW):
                    acc = 0.0
                    for c in range(Cg):
                        for ki in range(KH):
                            for kj in range(KW):
                                acc += (xp[b, g * Cg + c, i * stride + ki, j * stride + kj]
                                        * w[o, c, ki, kj])
                    y[b, o, i, j] = acc

    def vjp(gy):
        dxp = np.zeros_like(xp)
        dw = np.zeros_like(w)
        for b in range(B):
            for o in range(O):
                g = o // Og
                for i in range(OH):
                    for j in range(OW):
                        for c in range(Cg):
                            for ki in range(KH):
                                for kj in range(KW):
                                    ii, jj = i * stride + ki, j * stride + kj
                                    dxp[b, g * Cg + c, ii, jj] += gy[b, o, i, j] * w[o, c, ki, kj]
                                    dw[o, c, ki, kj] += gy[b, o, i, j] * xp[b, g * Cg + c, ii, jj]
        return dxp[:, :, ph:ph + H, pw:pw + W], dw

    return y, vjp


def np_pool2d(x, k, s, p, mode):
    """Direct loops; max pads with -inf, avg pads with 0 and divides by k*k."""
    B, C, H, W = x.shape
    fill = -np.inf if mode == "max" else 0.0
    xp = np.pad(x, [(0, 0), (0, 0), (p, p), (p, p)], constant_values=fill)
    OH = (H + 2 * p - k) // s + 1
    OW = (W + 2 * p - k) // s + 1
    y = np.zeros((B, C, OH, OW))
    arg = {}
    for b in range(B):
        for c in range(C):
            for i in range(OH):
                for j in range(OW):
                    win = xp[b, c, i * s:i * s + k, j * s:j * s + k]
                    if mode == "max":
                        a = np.unravel_index(np.argmax(win), win.shape)
                        arg[b, c, i, j] = (i * s + a[0], j * s + a[1])
                        y[b, c, i, j] = win[a]
                    else:
                        y[b, c, i, j] = win.sum() / (k * k)

    def vjp(gy):
        dxp = np.zeros_like(xp)
        for b in range(B):
            for c in range(C):
                for i in range(OH):
                    for j in range(OW):
                        if mode == "max":
                            dxp[(b, c) + arg[b, c, i, j]] += gy[b, c, i, j]
                        else:
                            dxp[b, c, i * s:i * s + k, j * s:j * s + k] += gy[b, c, i, j] / (k * k)
        return dxp[:, :, p:p + H, p:p + W]

    return y, vjp


np_erf = np.vectorize(math.erf)


def np_gelu(x):
    return x * 0.5 * (1.0 + np_erf(x / math.sqrt(2.0)))


def np_log_softmax(x):
    m = x.max(axis=-1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=-1, keepdims=True))


def np_layer_norm(x, w, b, eps=1e-5):
    mu = x.mean(axis=-1, keepdims=True)
    var = ((x - mu) ** 2).mean(axis=-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


def np_cross_entropy(logits, labels):
    lp = np_log_softmax(logits)
    return -np.mean(lp[np.arange(len(labels)), labels])


def np_net_logits(name, p, x):
    if name == "mlp":
        h = np.tanh(x @ p["fc1.weight"].T + p["fc1.bias"])
        h = np_gelu(h @ p["fc2.weight"].T + p["fc2.bias"])
        return h @ p["fc3.weight"].T + p["fc3.bias"]
    if name == "cnn":
        h, _ = np_conv2d(x, p["conv1.weight"], 1, 1, 1, 1)
        h = np.maximum(h + p["conv1.bias"][None, :, None, None], 0.0)
        h, _ = np_pool2d(h, 2, 2, 0, "max")
        h, _ = np_conv2d(h, p["conv2.weight"], 2, 1, 1, 2)
        h = np.tanh(h + p["conv2.bias"][None, :, None, None])
        h, _ = np_pool2d(h, 2, 2, 0, "avg")
        return h.reshape(h.shape[0], -1) @ p["fc.weight"].T + p["fc.bias"]
    if name == "attention":
        B, N, C = x.shape
        H, hd = ATTN_HEADS, C // ATTN_HEADS
        z = np_layer_norm(x, p["norm1.weight"], p["norm1.bias"])
        qkv = z @ p["attn.qkv.weight"].T + p["attn.qkv.bias"]
        out = np.zeros((B, N, C))
        for b in range(B):
            for h in range(H):
                # feature index of (which ∈ {q,k,v}, head h, d) is which*C + h*hd + d
                q = qkv[b, :, 0 * C + h * hd:0 * C + (h + 1) * hd]
                k = qkv[b, :, 1 * C + h * hd:1 * C + (h + 1) * hd]
                v = qkv[b, :, 2 * C + h * hd:2 * C + (h + 1) * hd]
                s = q @ k.T / math.sqrt(hd)
                s = np.exp(s - s.max(axis=-1, keepdims=True))
                s /= s.sum(axis=-1, keepdims=True)
                out[b, :, h * hd:(h + 1) * hd] = s @ v
        hh = x + out @ p["attn.proj.weight"].T + p["attn.proj.bias"]
        z = np_layer_norm(hh, p["norm2.weight"], p["norm2.bias"])
        m = np_gelu(z @ p["mlp.fc1.weight"].T + p["mlp.fc1.bias"])
        y = hh + m @ p["mlp.fc2.weight"].T + p["mlp.fc2.bias"]
        return y.mean(axis=1) @ p["head.weight"].T + p["head.bias"]
    raise KeyError(name)


def check_nets(results):
    worst = 0.0
    print("\n--check nets (relative errors are normwise max|Δ|/max|ref|)")
    for name, r in results.items():
        _, forward, _, _, _ = NETS[name]
        logits = np_net_logits(name, r["params"], r["input"])
        e_logits = rel_err(r["logits"], logits)
        e_loss = rel_err(r["loss"], np_cross_entropy(logits, r["labels"]))

        # Gradient: central difference of the numpy loss along v (directional).
        loss_np = lambda p: np_cross_entropy(np_net_logits(name, p, r["input"]), r["labels"])
        eps = 1e-5
        pp = {k: a + eps * r["v"][k] for k, a in r["params"].items()}
        pm = {k: a - eps * r["v"][k] for k, a in r["params"].items()}
        fd_dir = (loss_np(pp) - loss_np(pm)) / (2 * eps)
        gv = sum(float(np.sum(r["grads"][k] * r["v"][k])) for k in r["params"])
        e_grad = rel_err(gv, fd_dir)

        # H·v: central difference of jax.grad along v, compared to the stored hvp.
        loss_fn = net_loss_fn(forward, r["input"], r["labels"])
        g = jax.grad(loss_fn)
        gp = g({k: jnp.asarray(a) for k, a in pp.items()})
        gm = g({k: jnp.asarray(a) for k, a in pm.items()})
        fd_hvp = np.concatenate([((np.asarray(gp[k]) - np.asarray(gm[k])) / (2 * eps)).ravel()
                                 for k in r["params"]])
        hvp = np.concatenate([r["hvp"][k].ravel() for k in r["params"]])
        e_hvp = rel_err(hvp, fd_hvp)
        vflat = np.concatenate([r["v"][k].ravel() for k in r["params"]])
        e_vhv = rel_err(r["vHv"], float(vflat @ fd_hvp))

        # Symmetry of H: uᵀ(H v) == vᵀ(H u) for an independent u.
        urng = np.random.default_rng(9999)
        u = {k: urng.standard_normal(a.shape) for k, a in r["params"].items()}
        _, hu = jax.jvp(g, ({k: jnp.asarray(a) for k, a in r["params"].items()},),
                        ({k: jnp.asarray(a) for k, a in u.items()},))
        uhv = sum(float(np.sum(u[k] * r["hvp"][k])) for k in u)
        vhu = sum(float(np.sum(r["v"][k] * np.asarray(hu[k]))) for k in u)
        e_sym = rel_err(uhv, vhu)

        errs = [e_logits, e_loss, e_grad, e_hvp, e_vhv, e_sym]
        worst = max(worst, max(errs[:2] + [e_sym]))
        print(f"  {name:10s} loss={r['loss']:.6f} |logits|max={np.max(np.abs(r['logits'])):.3f}  "
              f"logits(numpy) {e_logits:.2e}  loss(numpy) {e_loss:.2e}  "
              f"grad·v(FD numpy) {e_grad:.2e}  hvp(FD jax.grad) {e_hvp:.2e}  "
              f"vHv(FD) {e_vhv:.2e}  symmetry {e_sym:.2e}")
    return worst


def check_primitives(results):
    print("\n--check primitives")
    worst_exact = 0.0
    for i, r in enumerate(results, start=1):
        x = r["inputs"]
        a = r["attributes"]
        msgs = []
        ref_out, ref_grads = None, None
        if r["op"] == "conv2d":
            ph = pw = a["padding"]
            ref_out, vjp = np_conv2d(x[0], x[1], a["stride"], ph, pw, a["groups"])
            ref_grads = list(vjp(r["cotangent"]))
        elif r["op"] in ("max_pool2d", "avg_pool2d"):
            ref_out, vjp = np_pool2d(x[0], a["kernel_size"], a["stride"], a["padding"],
                                     "max" if r["op"] == "max_pool2d" else "avg")
            ref_grads = [vjp(r["cotangent"])]
        elif r["op"] == "log_softmax":
            ref_out = np_log_softmax(x[0])
            sm = np.exp(ref_out)
            c = r["cotangent"]
            ref_grads = [c - sm * c.sum(axis=-1, keepdims=True)]
        elif r["op"] == "softmax":
            sm = np.exp(np_log_softmax(x[0]))
            ref_out = sm
            c = r["cotangent"]
            ref_grads = [sm * (c - (c * sm).sum(axis=-1, keepdims=True))]
        elif r["op"] == "gelu":
            ref_out = np_gelu(x[0])
            d = 0.5 * (1 + np_erf(x[0] / math.sqrt(2))) + x[0] * np.exp(-x[0] ** 2 / 2) / math.sqrt(2 * math.pi)
            ref_grads = [r["cotangent"] * d]
        elif r["op"] == "erf":
            ref_out = np_erf(x[0])
            ref_grads = [r["cotangent"] * 2 / math.sqrt(math.pi) * np.exp(-x[0] ** 2)]
        elif r["op"] == "layer_norm":
            ref_out = np_layer_norm(x[0], x[1], x[2], a["eps"])
            mu = x[0].mean(axis=-1, keepdims=True)
            sd = np.sqrt(((x[0] - mu) ** 2).mean(axis=-1, keepdims=True) + a["eps"])
            xhat, c = (x[0] - mu) / sd, r["cotangent"]
            dxhat = c * x[1]
            dx = (dxhat - dxhat.mean(axis=-1, keepdims=True)
                  - xhat * (dxhat * xhat).mean(axis=-1, keepdims=True)) / sd
            ref_grads = [dx, (c * xhat).sum(axis=(0, 1)), c.sum(axis=(0, 1))]
        elif r["op"] == "roll":
            ref_out = np.roll(x[0], a["shifts"], axis=a["axes"])
            ref_grads = [np.roll(r["cotangent"], [-s for s in a["shifts"]], axis=a["axes"])]
        elif r["op"] == "matmul":
            ref_out = x[0] @ x[1]
            c = r["cotangent"]
            ref_grads = [c @ x[1].transpose(0, 2, 1), x[0].transpose(0, 2, 1) @ c]
        elif r["op"] == "cross_entropy":
            labels = a["labels"]
            ref_out = np.asarray(np_cross_entropy(x[0], labels))
            onehot = np.eye(x[0].shape[1])[labels]
            ref_grads = [r["cotangent"] * (np.exp(np_log_softmax(x[0])) - onehot) / len(labels)]
        elif r["op"] == "sum":
            ref_out = x[0].sum(axis=tuple(a["axes"]), keepdims=a["keepdims"])
            ref_grads = [np.broadcast_to(r["cotangent"][None, :, None], x[0].shape)]

        e_out = rel_err(r["output"], ref_out)
        msgs.append(f"out(numpy) {e_out:.2e}")
        worst_exact = max(worst_exact, e_out)
        if ref_grads is not None:
            e_g = max(rel_err(g, rg) for g, rg in zip(r["input_grads"], ref_grads))
            msgs.append(f"grads(numpy) {e_g:.2e}")
            worst_exact = max(worst_exact, e_g)

        # Directional finite difference through the JAX function, all inputs at once:
        # <cot, (f(x+εd) - f(x-εd)) / 2ε>  vs  Σ <input_grad_i, d_i>.
        drng = np.random.default_rng(5000 + i)
        ds = [drng.standard_normal(xi.shape) for xi in x]
        eps = 1e-6
        fp = np.asarray(r["fn"](*[jnp.asarray(xi + eps * d) for xi, d in zip(x, ds)]))
        fm = np.asarray(r["fn"](*[jnp.asarray(xi - eps * d) for xi, d in zip(x, ds)]))
        fd = float(np.sum(r["cotangent"] * (fp - fm) / (2 * eps)))
        an = sum(float(np.sum(g * d)) for g, d in zip(r["input_grads"], ds))
        msgs.append(f"vjp·d(FD) {rel_err(an, fd):.2e}")
        print(f"  {i:2d} {r['name']:40s} " + "  ".join(msgs))
    return worst_exact


# ----------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true",
                    help="re-compute with plain numpy / finite differences and print errors")
    args = ap.parse_args()

    gen = generator_string()
    print(gen)

    nets = {name: compute_net(name) for name in NETS}
    write_json(os.path.join(GOLDEN_DIR, "nets.json"),
               {"generator": gen, **{k: net_to_json(r) for k, r in nets.items()}})

    prims = compute_primitives()
    write_json(os.path.join(GOLDEN_DIR, "primitives.json"),
               {"generator": gen, "cases": [primitive_to_json(r) for r in prims]})

    if args.check:
        w1 = check_nets(nets)
        w2 = check_primitives(prims)
        worst = max(w1, w2)
        print(f"\nworst exact-comparison relative error (numpy vs jax): {worst:.2e}")
        if worst > 1e-12:
            print("CHECK FAILED", file=sys.stderr)
            sys.exit(1)
        print("check OK")


if __name__ == "__main__":
    main()
