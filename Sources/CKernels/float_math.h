// Internal to CKernels: the Float32 exp both kernels use (the arithmetic of
// Sources/Tensor/FloatMath.swift's `exp`), as a static inline so each build (baseline, AVX2+FMA)
// compiles its own copy into its loops.
#ifndef SHARP_FLOAT_MATH_H
#define SHARP_FLOAT_MATH_H

#include <stdint.h>
#include <string.h>

static inline float bits_to_float(uint32_t u) { float f; memcpy(&f, &u, sizeof f); return f; }
static inline uint32_t float_to_bits(float f) { uint32_t u; memcpy(&u, &f, sizeof u); return u; }

// eˣ = 2ⁿ·eʳ, r = x − n·ln 2 (ln 2 in two parts), eʳ by Taylor to r⁷; 0 below −87.33, ∞ above 88.72.
static inline float exp_f32(float x) {
    float clamped = x < -87.5f ? -87.5f : (x > 88.75f ? 88.75f : x);
    const float shifter = 12582912.0f;  // 1.5·2²³: adding it rounds to an integer
    float shifted = clamped * 1.44269504f + shifter;
    float n = shifted - shifter;
    float r = (clamped - n * 0.693145751953125f) - n * 1.4286067653301870e-6f;
    float p = 1.0f / 5040;
    p = p * r + 1.0f / 720;
    p = p * r + 1.0f / 120;
    p = p * r + 1.0f / 24;
    p = p * r + 1.0f / 6;
    p = p * r + 0.5f;
    p = p * r + 1;
    p = p * r + 1;
    int32_t k = (int32_t)float_to_bits(shifted) - 0x4B400000;
    int32_t half = k >> 1;
    float scale1 = bits_to_float((uint32_t)(half + 127) << 23);
    float scale2 = bits_to_float((uint32_t)(k - half + 127) << 23);
    float result = p * scale1 * scale2;
    result = x < -87.33f ? 0.0f : result;
    result = x > 88.72f ? __builtin_inff() : result;
    return x != x ? x : result;
}

#endif
