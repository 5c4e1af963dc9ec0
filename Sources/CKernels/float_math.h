// Internal to CKernels: how each kernel is built twice (baseline, AVX2+FMA) and picked, and the
// Float32 exp both kernels use (the arithmetic of Sources/Tensor/FloatMath.swift's `exp`), as a
// static inline so each build compiles its own copy into its loops.
#ifndef SHARP_FLOAT_MATH_H
#define SHARP_FLOAT_MATH_H

#include "sharp_kernels.h"

// Each kernel is written once as a loop body and compiled into NAME_baseline and, on x86-64,
// NAME_avx2 (marked SHARP_AVX2). SHARP_PICK(avx2, NAME) is the build to run: AVX2 only when it
// was asked for and the CPU has it, so no AVX2 instruction ever reaches a CPU without it.
#if defined(__x86_64__)
#define SHARP_AVX2 __attribute__((target("avx2,fma")))
#define SHARP_PICK(avx2, name) (((avx2) && sharp_kernels_use_avx2()) ? name##_avx2 : name##_baseline)
#else
#define SHARP_PICK(avx2, name) name##_baseline
#endif

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
