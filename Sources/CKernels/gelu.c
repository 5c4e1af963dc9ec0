// GELU and its slope, Float32, in a baseline and an AVX2+FMA build (see sharp_kernels.h).
// The math repeats Sources/Tensor/FloatMath.swift's exp and erf: Φ(x) = (1 + erf(x/√2))/2 and
// φ(x) = e^(−x²/2)/√(2π) share one exp; erf(a) = a·S(a²) below 0.75, 1 − e^(−a²)·R(1/(1 + a/2))
// above (coefficients from tools/fit_float_math.py), both computed and one selected so the loop
// has no branch and vectorises.
#include "sharp_kernels.h"

#include "float_math.h"

// Φ(x) and φ(x).
static inline void normal_cdf_density(float x, float *cdf, float *density) {
    float scaled = x * 0.7071067811865475f;
    float magnitude = scaled < 0 ? -scaled : scaled;
    float a = magnitude < 4 ? magnitude : 4;  // erf(4) rounds to 1 in Float
    float gaussian = exp_f32(-(scaled * scaled));
    float z = a * a;
    float p = 9.492955723544583e-05f;
    p = p * z + -0.0008361015934497118f;
    p = p * z + 0.005217073950916529f;
    p = p * z + -0.02686486579477787f;
    p = p * z + 0.11283779889345169f;
    p = p * z + -0.37612637877464294f;
    p = p * z + 1.128379225730896f;
    float near_zero = a * p;
    float t = 1 / (1 + 0.5f * a);
    float q = -0.07817590981721878f;
    q = q * t + 0.3648495078086853f;
    q = q * t + -0.630685567855835f;
    q = q * t + 0.42002958059310913f;
    q = q * t + -0.11120852082967758f;
    q = q * t + 0.2334878146648407f;
    q = q * t + 0.23654425144195557f;
    q = q * t + 0.28307032585144043f;
    q = q * t + 0.28207290172576904f;
    q = q * t + -2.3475415673601674e-06f;
    float far_from_zero = 1 - gaussian * q;
    float erf_magnitude = a < 0.75f ? near_zero : far_from_zero;
    float erf = scaled < 0 ? -erf_magnitude : erf_magnitude;
    erf = scaled != scaled ? scaled : erf;
    *cdf = (1 + erf) / 2;
    *density = gaussian * 0.3989422804014327f;
}

// The loop body, instantiated once per build: three loops so each vectorises on its own.
#define GELU_LOOPS                                                             \
    if (value && slope) {                                                      \
        for (size_t i = 0; i < n; i++) {                                       \
            float cdf, density;                                                \
            normal_cdf_density(x[i], &cdf, &density);                          \
            value[i] = x[i] * cdf;                                             \
            slope[i] = cdf + x[i] * density;                                   \
        }                                                                      \
    } else if (value) {                                                        \
        for (size_t i = 0; i < n; i++) {                                       \
            float cdf, density;                                                \
            normal_cdf_density(x[i], &cdf, &density);                          \
            value[i] = x[i] * cdf;                                             \
        }                                                                      \
    } else if (slope) {                                                        \
        for (size_t i = 0; i < n; i++) {                                       \
            float cdf, density;                                                \
            normal_cdf_density(x[i], &cdf, &density);                          \
            slope[i] = cdf + x[i] * density;                                   \
        }                                                                      \
    }

static void gelu_baseline(const float *restrict x, float *restrict value, float *restrict slope, size_t n) { GELU_LOOPS }

#if defined(__x86_64__)
SHARP_AVX2 static void gelu_avx2(const float *restrict x, float *restrict value, float *restrict slope, size_t n) { GELU_LOOPS }
#endif

void sharp_gelu_f32_build(int avx2, const float *x, float *value, float *slope, size_t n) {
    SHARP_PICK(avx2, gelu)(x, value, slope, n);
}

void sharp_gelu_f32(const float *x, float *value, float *slope, size_t n) { sharp_gelu_f32_build(1, x, value, slope, n); }
