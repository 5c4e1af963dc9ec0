#!/usr/bin/env python3
"""PyTorch (CPU, float32) reference for Sharp's engine benchmark.

What: the workloads of `sharp-bench` (Sources/sharp-bench) with identical shapes and layers:
  sgemm 1024³; conv2d x 16×16×64×64, w 32×16×3×3, pad 1 (forward, backward-input,
  backward-weight); the zoo minis (mlp, vgg-mini, resnet-mini, vit-tiny, swin-mini) at batch 16 on
  1×64×64: forward, gradient (training mode), exact Hessian-vector product in evaluation mode
  from scratch (double backward) and with the first-order graph reused, one SAM step
  (2 gradients + Adam).
  Every figure is the median over --repeats runs after one untimed warm-up run, as in Sharp, and
  is printed under the same JSON key, so the two programs can be compared key by key.

Why: to tell whether a Sharp figure is good or bad on this machine, against a mature engine
  (PyTorch's oneDNN/MKL CPU kernels) running the same work on the same threads.

How:
  python3 tools/bench_torch.py [--repeats 7] [--threads 2] [--json]
  tools/bench --compare torch          # builds Sharp, runs both alternately, one table
                                       # (tools/bench_table.py merges the rounds)
"""
import argparse
import json
import statistics
import sys
import time

from bench_table import model_figures, print_figures


def median_seconds(body, repeats, warmup=1):
    for _ in range(warmup):
        body()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        body()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def make_models(torch):
    """Sharp's zoo minis (Sources/NN) as torch modules: same layers, shapes and torchvision layouts."""
    nn = torch.nn
    from torchvision.models.resnet import BasicBlock
    from torchvision.models.vision_transformer import VisionTransformer

    def mlp():
        return nn.Sequential(nn.Flatten(), nn.Linear(4096, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 2))

    def vgg_mini():
        layers, channels = [], 1
        for width in [16, 16, 0, 32, 32, 0, 64, 0]:
            if width == 0:
                layers.append(nn.MaxPool2d(2))
            else:
                layers += [nn.Conv2d(channels, width, 3, padding=1), nn.ReLU()]
                channels = width
        return nn.Sequential(nn.Sequential(*layers), nn.Flatten(), nn.Linear(4096, 128), nn.ReLU(), nn.Linear(128, 2))

    def resnet_mini():
        def stage(inputs, width):
            down = nn.Sequential(nn.Conv2d(inputs, width, 1, stride=2, bias=False), nn.BatchNorm2d(width))
            return nn.Sequential(BasicBlock(inputs, width, stride=2, downsample=down), BasicBlock(width, width))
        return nn.Sequential(nn.Conv2d(1, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU(),
                             stage(16, 16), stage(16, 32), stage(32, 64),
                             nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 2))

    def vit_tiny():
        vit = VisionTransformer(image_size=64, patch_size=8, num_layers=4, num_heads=4, hidden_dim=64, mlp_dim=128, num_classes=2)
        vit.conv_proj = nn.Conv2d(1, 64, kernel_size=8, stride=8)
        return vit

    def swin_mini():
        from torchvision.models.swin_transformer import SwinTransformer
        swin = SwinTransformer(patch_size=[4, 4], embed_dim=32, depths=[2, 2], num_heads=[2, 4], window_size=[4, 4],
                               mlp_ratio=4.0, stochastic_depth_prob=0.0, num_classes=2)
        swin.features[0][0] = nn.Conv2d(1, 32, kernel_size=4, stride=4)
        return swin

    return [("mlp", mlp()), ("vgg-mini", vgg_mini()), ("resnet-mini", resnet_mini()), ("vit-tiny", vit_tiny()),
            ("swin-mini", swin_mini())]


def run(repeats, threads, only=None):
    import torch
    F = torch.nn.functional
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    out = {}

    n = 1024
    a, b = torch.randn(n, n), torch.randn(n, n)
    out["sgemm_gflops"] = 2 * n**3 / median_seconds(lambda: torch.mm(a, b), repeats) / 1e9

    x, w = torch.randn(16, 16, 64, 64), torch.randn(32, 16, 3, 3)
    g = F.conv2d(x, w, padding=1)
    flops = 2.0 * 16 * 32 * 64 * 64 * 16 * 3 * 3  # 2·N·O·OH·OW·C·kh·kw
    forward = median_seconds(lambda: F.conv2d(x, w, padding=1), repeats)
    backward_input = median_seconds(lambda: torch.nn.grad.conv2d_input(x.shape, w, g, padding=1), repeats)
    backward_weight = median_seconds(lambda: torch.nn.grad.conv2d_weight(x, w.shape, g, padding=1), repeats)
    out["conv_forward_gflops"] = flops / forward / 1e9
    out["conv_backward_input_gflops"] = flops / backward_input / 1e9
    out["conv_backward_weight_gflops"] = flops / backward_weight / 1e9
    out["conv_total_gflops"] = 3 * flops / (forward + backward_input + backward_weight) / 1e9
    out["conv_fraction_of_sgemm"] = out["conv_total_gflops"] / out["sgemm_gflops"]

    grad = torch.autograd.grad
    for name, model in make_models(torch):
        if only and name not in only:
            continue
        p = list(model.parameters())
        v = [torch.randn_like(t) for t in p]
        x = torch.randn(16, 1, 64, 64)
        labels = torch.arange(16) % 2

        def loss(mode):
            model.train(mode == "train")
            return F.cross_entropy(model(x), labels)

        # PyTorch's fused CPU attention kernel has no double backward; HVPs use the math kernel.
        from torch.nn.attention import SDPBackend, sdpa_kernel

        def hvp_fresh():
            with sdpa_kernel(SDPBackend.MATH):
                gs = grad(loss("eval"), p, create_graph=True)
                return grad(gs, p, grad_outputs=v, allow_unused=True)

        def forward():
            model.train()
            with torch.no_grad():
                model(x)

        optimizer = torch.optim.Adam(p, lr=1e-4)

        inside = []  # seconds spent in the two gradient passes of each SAM step

        def timed_grad():
            start = time.perf_counter()
            g = grad(loss("train"), p)
            inside[-1] += time.perf_counter() - start
            return g

        def sam_step(rho=0.05):
            inside.append(0.0)
            start = time.perf_counter()
            sam_step_body(rho)
            total = time.perf_counter() - start
            inside[-1] = (total - inside[-1]) / inside[-1]

        def sam_step_body(rho):
            g = timed_grad()
            norm = torch.sqrt(sum((t * t).sum() for t in g))
            with torch.no_grad():
                e = [rho * t / max(norm, 1e-12) for t in g]
                for w, d in zip(p, e):
                    w.add_(d)
            g2 = timed_grad()
            with torch.no_grad():
                for w, d, t in zip(p, e, g2):
                    w.sub_(d)
                    w.grad = t
            optimizer.step()

        fwd = median_seconds(forward, repeats)
        gradient = median_seconds(lambda: grad(loss("train"), p), repeats)
        fresh = median_seconds(hvp_fresh, repeats)
        with sdpa_kernel(SDPBackend.MATH):
            gs = grad(loss("eval"), p, create_graph=True)  # first-order graph, kept across HVPs
        reused = median_seconds(lambda: grad(gs, p, grad_outputs=v, retain_graph=True, allow_unused=True), repeats)
        sam = median_seconds(sam_step, repeats)
        out.update(model_figures(name, fwd, gradient, fresh, reused, sam))
        out[f"{name}_sam_optimizer_share"] = statistics.median(inside[1:])  # the first call is the warm-up
    return out


def run_full(repeats, threads, only=None):
    """The full-size torchvision models at batch 16 on 3x224x224, two classes: gradient in
    training mode and an exact HVP from scratch in evaluation mode (Sharp: sharp-bench --full)."""
    import resource
    import torch
    import torchvision
    from torch.nn.attention import SDPBackend, sdpa_kernel
    F = torch.nn.functional
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    builders = {"resnet50": torchvision.models.resnet50, "vgg16": torchvision.models.vgg16,
                "vit-b16": torchvision.models.vit_b_16, "swin-t": torchvision.models.swin_t}
    grad = torch.autograd.grad
    out = {}
    for name, build in builders.items():
        if only and name not in only:
            continue
        model = build(num_classes=2)
        p = list(model.parameters())
        v = [torch.randn_like(t) for t in p]
        x = torch.randn(16, 3, 224, 224)
        labels = torch.arange(16) % 2

        def loss(mode):
            model.train(mode == "train")
            return F.cross_entropy(model(x), labels)

        def hvp_fresh():  # over the same 16 images in micro-batches of 4, as sharp-bench --full
            model.eval()
            with sdpa_kernel(SDPBackend.MATH):
                for k in range(4):
                    part = slice(4 * k, 4 * k + 4)
                    gs = grad(F.cross_entropy(model(x[part]), labels[part]), p, create_graph=True)
                    grad(gs, p, grad_outputs=v, allow_unused=True)

        gradient = median_seconds(lambda: grad(loss("train"), p), repeats)
        fresh = median_seconds(hvp_fresh, repeats)
        out[f"full_{name}_gradient_ms"] = gradient * 1e3
        out[f"full_{name}_hvp_fresh_ms"] = fresh * 1e3
        out[f"full_{name}_hvp_fresh_ratio"] = fresh / gradient
    out["full_peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def print_table(out, threads, repeats):
    import torch
    print_figures(f"PyTorch {torch.__version__} CPU benchmark — threads {threads}, median of {repeats} runs", out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--models", default="", help="comma-separated subset of mlp,vgg-mini,resnet-mini,vit-tiny,swin-mini")
    ap.add_argument("--full", action="store_true", help="the full-size models at 3x224x224 instead (resnet50, vgg16, vit-b16, swin-t)")
    args = ap.parse_args()
    run_models = run_full if args.full else run
    out = run_models(args.repeats, args.threads, [m for m in args.models.split(",") if m])
    if args.json:
        print(json.dumps(out, sort_keys=True))
    else:
        print_table(out, args.threads, args.repeats)


if __name__ == "__main__":
    sys.exit(main())
