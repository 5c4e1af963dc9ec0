/*
 * sharp_kernels.h: what the CPU can run (CPUID), and Float32 elementwise kernels compiled twice,
 * for the x86-64 baseline (SSE2) and for AVX2 with FMA, and dispatched once per process on what
 * the CPU has.
 *
 * Swift has no per-function target attributes, so a Swift loop is vectorised for the baseline
 * only: four lanes, no fused multiply-add. The transcendental-heavy loops (GELU: one exp and a
 * ten-term polynomial per element; softmax rows: an exp per element) are the ones where eight
 * lanes and FMA pay; they live here.
 * The arithmetic is the same as Sources/Tensor/FloatMath.swift (same constants, same branch-free
 * selection); only FMA contraction differs between the two builds, so a result may differ in
 * the last bit between a CPU with AVX2 and one without (as OpenBLAS's per-CPU kernels do).
 * Accuracy of both builds is tested against Double libm (Tests/TensorTests/FloatKernelTests).
 */
#ifndef SHARP_KERNELS_H
#define SHARP_KERNELS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* GELU(x) = x·Φ(x) into `value` and its slope Φ(x) + x·φ(x) into `slope`, for x[0..<n]. Either
 * output may be NULL. The outputs may not overlap x. */
void sharp_gelu_f32(const float *x, float *value, float *slope, size_t n);

/* Softmax of each of `rows` rows of `n` contiguous values of x into y (y may not overlap x). */
void sharp_softmax_rows_f32(const float *x, float *y, size_t rows, size_t n);

/* Which build the kernels run: 1 for AVX2+FMA (the CPU has both), 0 for the baseline. */
int sharp_kernels_use_avx2(void);

/* The same kernels in a chosen build, for tests: avx2 = 0 the baseline, 1 AVX2+FMA (only when
 * the CPU has it; otherwise the baseline runs). */
void sharp_gelu_f32_build(int avx2, const float *x, float *value, float *slope, size_t n);
void sharp_softmax_rows_f32_build(int avx2, const float *x, float *y, size_t rows, size_t n);

/* Direct stride-1 convolution over flat planes (Sources/CKernels/conv_flat.c), Float32.
 * Forward: for o < outputs and q < length,
 *   out[o·out_stride + q] (+)= Σ_{c < inputs} Σ_{t < taps} weight[(o·inputs + c)·taps + t] · in[c·in_stride + q + offsets[t]]
 * (added to what `out` holds when `accumulate` is nonzero). `scratch` holds
 * sharp_conv_flat_scratch_count(inputs, taps) floats for the packed weights. `in` must be readable
 * at every index the sum names; `out` may not overlap it.
 * Weight gradient: for o < outputs, c < inputs, t < taps,
 *   dw[(o·inputs + c)·taps + t] += Σ_{q < length} g[o·g_stride + q] · in[c·in_stride + q + offsets[t]]
 * Sums run in vector lanes, so the order differs from a plain loop's (and between builds). */
void sharp_conv_flat_forward_f32(const float *in, size_t inputs, size_t in_stride, const float *weight, const ptrdiff_t *offsets,
    size_t taps, float *out, size_t outputs, size_t out_stride, size_t length, int accumulate, float *scratch);
void sharp_conv_flat_weight_f32(const float *in, size_t inputs, size_t in_stride, const ptrdiff_t *offsets, size_t taps,
    const float *g, size_t outputs, size_t g_stride, size_t length, float *dw);
size_t sharp_conv_flat_scratch_count(size_t inputs, size_t taps);

/* The convolution kernels in a chosen build (sharp_kernels_build), capped at what the CPU has (for tests). */
void sharp_conv_flat_forward_f32_build(int build, const float *in, size_t inputs, size_t in_stride, const float *weight,
    const ptrdiff_t *offsets, size_t taps, float *out, size_t outputs, size_t out_stride, size_t length, int accumulate,
    float *scratch);
void sharp_conv_flat_weight_f32_build(int build, const float *in, size_t inputs, size_t in_stride, const ptrdiff_t *offsets,
    size_t taps, const float *g, size_t outputs, size_t g_stride, size_t length, float *dw);

/* Sums in Float64 of Float32 values, for normalisation statistics: Σ x[i], Σ (x[i] − center)²
 * and Σ x[i]·y[i] over n values. Sixteen lanes (i mod 16) summed pairwise in a fixed order,
 * without fused multiply-adds, so every build gives the same bits. */
double sharp_sum_f64_of_f32(const float *x, size_t n);
double sharp_centered_squares_f64_of_f32(const float *x, size_t n, double center);
double sharp_dot_f64_of_f32(const float *x, const float *y, size_t n);
double sharp_sum_f64_of_f32_build(int build, const float *x, size_t n);
double sharp_centered_squares_f64_of_f32_build(int build, const float *x, size_t n, double center);
double sharp_dot_f64_of_f32_build(int build, const float *x, const float *y, size_t n);

/* Which build of the vector kernels (convolutions, sums) this CPU runs: 2 AVX-512 (F, VL, BW,
 * DQ), 1 AVX2+FMA, 0 the x86-64 baseline. */
int sharp_kernels_build(void);

/* A hint to the CPU inside a spin-wait loop (x86 PAUSE; nothing elsewhere): Sources/Tensor/WorkerPool.swift. */
static inline void sharp_spin_pause(void) {
#if defined(__x86_64__)
    __builtin_ia32_pause();
#endif
}

/* Names the calling thread as `top -H` and /proc/PID/task/TID/comm show it (15 bytes at most). */
void sharp_name_this_thread(const char *name);

/* What this CPU can run, read from CPUID; a feature counts only when the OS also saves its
 * registers (XCR0), so an instruction set the kernel leaves disabled reads as absent. All fields
 * are zero on a CPU other than x86-64. */
typedef struct {
    char vendor[13]; /* "GenuineIntel", "AuthenticAMD", ... */
    char brand[49];  /* the processor brand string, padded with spaces by some vendors */
    unsigned int family, model, stepping; /* display family and model, as Linux's /proc/cpuinfo */
    int sse3, ssse3, sse41, sse42, avx, fma, avx2;
    int avx512f, avx512dq, avx512bw, avx512vl, avx512bf16, avx512fp16, amx_tile, amx_bf16;
} sharp_cpu_info;

void sharp_cpu_info_read(sharp_cpu_info *info);

#ifdef __cplusplus
}
#endif

#endif
