#!/usr/bin/env python3
"""Fits the coefficients of Sharp's vectorisable float32 erf (Sources/Tensor/FloatMath.swift).

erf(a), a = |x|, is computed on two branches, both evaluated (no per-element branch, so the
loop vectorises) and one selected:
  a < 0.75:   erf(a) = a * S(a^2),                 S a degree-6 polynomial
  a >= 0.75:  erf(a) = 1 - exp(-a^2) * R(t),       t = 1 / (1 + a/2), R a degree-9 polynomial
(R approximates erfcx(a) = erfc(a) * exp(a^2), which is smooth in t.) Least squares in relative
error on dense grids, reference values from mpmath; the script then evaluates the result in
float32 arithmetic and prints the worst error in ulps. Needs numpy, scipy and mpmath (PyPI);
never run by CI: the printed coefficients are committed in FloatMath.swift.
"""
import mpmath
import numpy as np
from scipy.special import erf

SPLIT = 0.75
T_SCALE = 0.5
f32 = np.float32


def horner(coefficients, x):
    acc = f32(coefficients[-1])
    for c in reversed(coefficients[:-1]):
        acc = (acc * x + f32(c)).astype(f32)
    return acc


def fit_small():
    a = np.cos(np.linspace(0, np.pi, 4000)) * SPLIT / 2 + SPLIT / 2
    a = a[a > 1e-6]
    target = erf(a) / a
    vandermonde = np.vander(a * a, 7, increasing=True)
    weight = 1 / target
    c, *_ = np.linalg.lstsq(vandermonde * weight[:, None], target * weight, rcond=None)
    return [float(f32(x)) for x in c]


def fit_large():
    a = np.linspace(SPLIT, 4.0, 20000)
    t = 1 / (1 + T_SCALE * a)
    erfcx = np.array([float(mpmath.erfc(x) * mpmath.exp(x * x)) for x in a])
    vandermonde = np.vander(t, 10, increasing=True)
    c, *_ = np.linalg.lstsq(vandermonde / erfcx[:, None], np.ones_like(erfcx), rcond=None)
    return [float(f32(x)) for x in c]


def worst_ulps(small, large):
    x = np.linspace(1e-4, 3.95, 400001).astype(f32)
    z = (x * x).astype(f32)
    s = (x * horner(small, z)).astype(f32)
    t = (f32(1) / (f32(1) + f32(T_SCALE) * x)).astype(f32)
    l = (f32(1) - (np.exp(-z.astype(np.float64)).astype(f32) * horner(large, t)).astype(f32)).astype(f32)
    value = np.where(x < f32(SPLIT), s, l)
    reference = erf(x.astype(np.float64))
    return (np.abs(value - reference) / np.spacing(reference.astype(f32))).max()


if __name__ == "__main__":
    small, large = fit_small(), fit_large()
    print("small (a * S(a^2)):", ", ".join(repr(c) for c in small))
    print("large (R(t)):     ", ", ".join(repr(c) for c in large))
    print(f"worst error in float32 (exact exp): {worst_ulps(small, large):.2f} ulp")
