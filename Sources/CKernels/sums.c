// Float64 sums of Float32 values for normalisation statistics (see sharp_kernels.h), in a
// baseline, an AVX2 and an AVX-512 build. Every build keeps the same sixteen lanes (lane l sums
// the values i ≡ l mod 16) and combines them in the same order, and contraction to FMA is off,
// so all builds return the same bits; wider registers only take the lanes in fewer instructions.
#include "sharp_kernels.h"

#pragma clang fp contract(off)

typedef float sums_floats __attribute__((vector_size(64), aligned(4)));
typedef double sums_doubles __attribute__((vector_size(128)));

#define LOAD(p, at) __builtin_convertvector(*(const sums_floats *)((p) + (at)), sums_doubles)

// Each sum as a vector of sixteen doubles from offset `at`, and as one double at index i.
#define SUM_TERM(at) LOAD(x, at)
#define SUM_SCALAR(i) ((double)x[i])
#define SQUARES_TERM(at) ((LOAD(x, at) - center) * (LOAD(x, at) - center))
#define SQUARES_SCALAR(i) (((double)x[i] - center) * ((double)x[i] - center))
#define DOT_TERM(at) (LOAD(x, at) * LOAD(y, at))
#define DOT_SCALAR(i) ((double)x[i] * (double)y[i])

// Two accumulators of sixteen lanes (lanes of both added at the end), the tail into its lanes,
// then the lanes pairwise: 0+8, 1+9, …, then 0+4, … .
#define SUMS_BODY(TERM, SCALAR)                                             \
    sums_doubles low = {0}, high = {0};                                     \
    size_t i = 0;                                                           \
    for (; i + 32 <= n; i += 32) {                                          \
        low += TERM(i);                                                     \
        high += TERM(i + 16);                                               \
    }                                                                       \
    double lanes[16];                                                       \
    for (int l = 0; l < 16; l++) lanes[l] = low[l] + high[l];               \
    for (; i < n; i++) lanes[i % 16] += SCALAR(i);                          \
    for (int width = 8; width > 0; width /= 2)                              \
        for (int l = 0; l < width; l++) lanes[l] += lanes[l + width];       \
    return lanes[0];

#define DEFINE_SUMS(SUFFIX, ATTRIBUTES)                                                                          \
    ATTRIBUTES static double sum_##SUFFIX(const float *x, size_t n) { SUMS_BODY(SUM_TERM, SUM_SCALAR) }          \
    ATTRIBUTES static double squares_##SUFFIX(const float *x, size_t n, double center) {                         \
        SUMS_BODY(SQUARES_TERM, SQUARES_SCALAR)                                                                  \
    }                                                                                                            \
    ATTRIBUTES static double dot_##SUFFIX(const float *x, const float *y, size_t n) { SUMS_BODY(DOT_TERM, DOT_SCALAR) }

DEFINE_SUMS(baseline, )
#if defined(__x86_64__)
DEFINE_SUMS(avx2, __attribute__((target("avx2,fma"))))
DEFINE_SUMS(avx512, __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx2,fma"))))
#define PICK(build, name) \
    ((build) >= 2 && sharp_kernels_build() >= 2 ? name##_avx512 : (build) >= 1 && sharp_kernels_build() >= 1 ? name##_avx2 : name##_baseline)
#else
#define PICK(build, name) name##_baseline
#endif

double sharp_sum_f64_of_f32_build(int build, const float *x, size_t n) { return PICK(build, sum)(x, n); }
double sharp_centered_squares_f64_of_f32_build(int build, const float *x, size_t n, double center) {
    return PICK(build, squares)(x, n, center);
}
double sharp_dot_f64_of_f32_build(int build, const float *x, const float *y, size_t n) { return PICK(build, dot)(x, y, n); }

double sharp_sum_f64_of_f32(const float *x, size_t n) { return sharp_sum_f64_of_f32_build(2, x, n); }
double sharp_centered_squares_f64_of_f32(const float *x, size_t n, double center) {
    return sharp_centered_squares_f64_of_f32_build(2, x, n, center);
}
double sharp_dot_f64_of_f32(const float *x, const float *y, size_t n) { return sharp_dot_f64_of_f32_build(2, x, y, n); }
