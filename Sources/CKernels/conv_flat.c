// Direct stride-1 convolution over flat planes, Float32 (see sharp_kernels.h), in a baseline
// (SSE2), an AVX2+FMA and an AVX-512 build, the one the CPU can run picked once per process.
// Sources/Tensor/FlatConvolution.swift lays images out for it: zero-padded phase planes (one per
// stride phase) whose rows are all equally wide, so that every tap (ki, kj) of a kernel is one
// offset and a whole output plane is one run of q with no per-row edges.
#include "sharp_kernels.h"

#define FLAT(name) name##_baseline
#define LANES 4
#define FORWARD_ROWS 4
#define WEIGHT_ROWS 3
#include "conv_flat_body.h"
#undef FLAT
#undef LANES
#undef FORWARD_ROWS
#undef WEIGHT_ROWS

#if defined(__x86_64__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#define FLAT(name) name##_avx2
#define LANES 8
#define FORWARD_ROWS 4
#define WEIGHT_ROWS 4
#include "conv_flat_body.h"
#undef FLAT
#undef LANES
#undef FORWARD_ROWS
#undef WEIGHT_ROWS
#pragma clang attribute pop

#pragma clang attribute push(__attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx2,fma"))), apply_to = function)
#define FLAT(name) name##_avx512
#define LANES 16
#define FORWARD_ROWS 8
#define WEIGHT_ROWS 8
#include "conv_flat_body.h"
#undef FLAT
#undef LANES
#undef FORWARD_ROWS
#undef WEIGHT_ROWS
#pragma clang attribute pop
#endif

size_t sharp_conv_flat_scratch_count(size_t inputs, size_t taps) { return inputs * taps * 8; }

void sharp_conv_flat_forward_f32_build(int build, const float *in, size_t inputs, size_t in_stride, const float *weight,
    const ptrdiff_t *offsets, size_t taps, float *out, size_t outputs, size_t out_stride, size_t length, int accumulate,
    float *scratch) {
    int usable = sharp_kernels_build();
    build = build < usable ? build : usable;
#if defined(__x86_64__)
    if (build == 2) {
        conv_flat_forward_avx512(in, inputs, in_stride, weight, offsets, taps, out, outputs, out_stride, length, accumulate, scratch);
        return;
    }
    if (build == 1) {
        conv_flat_forward_avx2(in, inputs, in_stride, weight, offsets, taps, out, outputs, out_stride, length, accumulate, scratch);
        return;
    }
#endif
    conv_flat_forward_baseline(in, inputs, in_stride, weight, offsets, taps, out, outputs, out_stride, length, accumulate, scratch);
}

void sharp_conv_flat_weight_f32_build(int build, const float *in, size_t inputs, size_t in_stride, const ptrdiff_t *offsets,
    size_t taps, const float *g, size_t outputs, size_t g_stride, size_t length, float *dw) {
    int usable = sharp_kernels_build();
    build = build < usable ? build : usable;
#if defined(__x86_64__)
    if (build == 2) {
        conv_flat_weight_avx512(in, inputs, in_stride, offsets, taps, g, outputs, g_stride, length, dw);
        return;
    }
    if (build == 1) {
        conv_flat_weight_avx2(in, inputs, in_stride, offsets, taps, g, outputs, g_stride, length, dw);
        return;
    }
#endif
    conv_flat_weight_baseline(in, inputs, in_stride, offsets, taps, g, outputs, g_stride, length, dw);
}

void sharp_conv_flat_forward_f32(const float *in, size_t inputs, size_t in_stride, const float *weight, const ptrdiff_t *offsets,
    size_t taps, float *out, size_t outputs, size_t out_stride, size_t length, int accumulate, float *scratch) {
    sharp_conv_flat_forward_f32_build(2, in, inputs, in_stride, weight, offsets, taps, out, outputs, out_stride, length, accumulate,
        scratch);
}

void sharp_conv_flat_weight_f32(const float *in, size_t inputs, size_t in_stride, const ptrdiff_t *offsets, size_t taps,
    const float *g, size_t outputs, size_t g_stride, size_t length, float *dw) {
    sharp_conv_flat_weight_f32_build(2, in, inputs, in_stride, offsets, taps, g, outputs, g_stride, length, dw);
}
