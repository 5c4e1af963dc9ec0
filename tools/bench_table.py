#!/usr/bin/env python3
"""tools/bench's tables: one program's figures, and Sharp beside its references.

What: `print_figures` prints one program's JSON figures as a list (tools/bench_torch.py,
  tools/bench_jax.py); `merge` takes the JSON files of several rounds per program, the median
  per key over each program's rounds, and prints one table: Sharp, each reference (PyTorch, JAX),
  Sharp's ratio to each, and a time ratio (Sharp's time over the reference's, or over the faster
  reference's when there are two).

Why: so that both references print and compare alike, and `tools/bench --compare` gets one table
  however many references it ran.

How (used by tools/bench):
  python3 tools/bench_table.py --sharp sharp1.json ... [--torch torch1.json ...] [--jax jax1.json ...]
"""
import argparse
import json
import statistics
import sys

REFERENCES = {"torch": "PyTorch", "jax": "JAX"}  # command-line name -> column name, in column order


def model_figures(name, forward, gradient, fresh, reused, sam):
    """One model's timings (seconds) under the JSON keys sharp-bench prints: ms and the ratios."""
    return {
        f"{name}_forward_ms": forward * 1e3,
        f"{name}_gradient_ms": gradient * 1e3,
        f"{name}_hvp_fresh_ms": fresh * 1e3,
        f"{name}_hvp_reused_ms": reused * 1e3,
        f"{name}_sam_step_ms": sam * 1e3,
        f"{name}_hvp_fresh_ratio": fresh / gradient,
        f"{name}_hvp_reused_ratio": reused / gradient,
        f"{name}_sam_overhead": sam / (2 * gradient) - 1,
    }


def unit(key):
    return "GFLOP/s" if key.endswith("_gflops") else "ms" if key.endswith("_ms") else "MB" if key.endswith("_mb") else "×"


def fmt(x):
    return "—" if x is None else f"{x:.3f}"


def print_figures(title, out):
    print(title)
    for key, value in out.items():
        print(f"{key:<40} {value:10.3f} {unit(key)}")


ORDER = ["forward", "backward_input", "backward_weight", "total", "fraction",
        "gradient_ms", "hvp_fresh_ms", "hvp_reused_ms", "hvp_fresh_ratio", "hvp_reused_ratio"]


def order(key):
    """sgemm, then conv, then each network (alphabetically); known figures in a fixed order."""
    group = 0 if key.startswith("sgemm") else 1 if key.startswith("conv_") else 2
    rank = next((i for i, word in enumerate(ORDER) if word in key), len(ORDER))
    model = key.split("_")[1] if key.startswith("full_") else key.split("_")[0]
    return group, model, rank, key


def medians(files):
    """Median per key over the rounds (one JSON file each) in which the key appears."""
    rounds = [json.load(open(f)) for f in files]
    keys = {k for r in rounds for k in r}
    return {k: statistics.median([r[k] for r in rounds if k in r]) for k in keys}


def time_ratio(key, sharp, references):
    """Sharp's time over the fastest reference's for the same work (GFLOP/s inverted); None for other units."""
    found = [r for r in references if r]
    if sharp is None or not found:
        return None
    if key.endswith("_ms"):
        return sharp / min(found)
    if key.endswith("_gflops") and sharp:
        return max(found) / sharp
    return None


def merge(sharp_files, references):
    """references: [(column name, JSON files)], one or two. One table, keys from any side."""
    s = medians(sharp_files)
    refs = [(name, medians(files)) for name, files in references]
    keys = sorted(set(s).union(*(set(r) for _, r in refs)), key=order)
    rounds = " / ".join(f"{len(files)} rounds ({name})" for name, files in [("Sharp", sharp_files)] + references)
    print(f"median over {rounds}")
    if len(refs) == 1:
        name = refs[0][0]
        print(f"time ratio = Sharp time / {name} time for the same work: < 1 means Sharp is faster")
        print(f"  (for _ms keys it is Sharp/{name}; for GFLOP/s keys it is {name}/Sharp)")
        last, width = "time ratio", 11
    else:
        print("Sharp ÷ faster = Sharp time / the faster reference's time for the same work: < 1 means Sharp beats both")
        print("  (for _ms keys it is Sharp/min(references); for GFLOP/s keys it is max(references)/Sharp)")
        last, width = "Sharp ÷ faster", 15
    header = (f"{'key':<30} {'unit':>8} {'Sharp':>10} " + "".join(f"{name:>10} " for name, _ in refs)
              + "".join(f"{'Sharp/' + name:>14} " for name, _ in refs) + f"{last:>{width}}")
    print(header)
    print("-" * len(header))
    for k in keys:
        a, bs = s.get(k), [r.get(k) for _, r in refs]
        ratios = [a / b if a is not None and b else None for b in bs]
        print(f"{k:<30} {unit(k):>8} {fmt(a):>10} " + "".join(f"{fmt(b):>10} " for b in bs)
              + "".join(f"{fmt(r):>14} " for r in ratios) + f"{fmt(time_ratio(k, a, bs)):>{width}}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sharp", nargs="+", required=True, metavar="JSON", help="Sharp's JSON files, one per round")
    for flag, name in REFERENCES.items():
        ap.add_argument(f"--{flag}", nargs="+", default=[], metavar="JSON", help=f"{name}'s JSON files, one per round")
    args = ap.parse_args()
    references = [(name, getattr(args, flag)) for flag, name in REFERENCES.items() if getattr(args, flag)]
    if not references:
        ap.error("give --torch or --jax files (or both)")
    merge(args.sharp, references)


if __name__ == "__main__":
    sys.exit(main())
