// Row softmax, Float32, in a baseline and an AVX2+FMA build (see sharp_kernels.h). Per row:
// the maximum, e^(x − max) with the exp of float_math.h, the sum in Float64 over eight lanes
// combined in a fixed order (deterministic, as Tensor.pairwiseLaneSum), then one scaling pass.
#include "sharp_kernels.h"

#include "float_math.h"

#define SOFTMAX_ROWS                                                                  \
    for (size_t row = 0; row < rows; row++) {                                         \
        const float *s = x + row * n;                                                 \
        float *d = y + row * n;                                                       \
        /* NaN never wins a comparison, as in the Swift kernel: it reaches the output \
           through its exp. */                                                        \
        float lanes[8];                                                               \
        for (int l = 0; l < 8; l++) lanes[l] = -__builtin_inff();                     \
        size_t j = 0;                                                                 \
        for (; j + 8 <= n; j += 8)                                                    \
            for (int l = 0; l < 8; l++) lanes[l] = s[j + l] > lanes[l] ? s[j + l] : lanes[l]; \
        float m = -__builtin_inff();                                                  \
        for (int l = 0; l < 8; l++) m = lanes[l] > m ? lanes[l] : m;                  \
        for (; j < n; j++) m = s[j] > m ? s[j] : m;                                   \
        for (j = 0; j < n; j++) d[j] = exp_f32(s[j] - m);                             \
        double sums[8] = {0, 0, 0, 0, 0, 0, 0, 0};                                    \
        for (j = 0; j + 8 <= n; j += 8)                                               \
            for (int l = 0; l < 8; l++) sums[l] += (double)d[j + l];                  \
        double total = ((sums[0] + sums[1]) + (sums[2] + sums[3])) + ((sums[4] + sums[5]) + (sums[6] + sums[7])); \
        for (; j < n; j++) total += (double)d[j];                                     \
        float scale = (float)(1 / total);                                             \
        for (j = 0; j < n; j++) d[j] *= scale;                                        \
    }

static void softmax_baseline(const float *restrict x, float *restrict y, size_t rows, size_t n) { SOFTMAX_ROWS }

#if defined(__x86_64__)
SHARP_AVX2 static void softmax_avx2(const float *restrict x, float *restrict y, size_t rows, size_t n) { SOFTMAX_ROWS }
#endif

void sharp_softmax_rows_f32_build(int avx2, const float *x, float *y, size_t rows, size_t n) {
    SHARP_PICK(avx2, softmax)(x, y, rows, n);
}

void sharp_softmax_rows_f32(const float *x, float *y, size_t rows, size_t n) { sharp_softmax_rows_f32_build(1, x, y, rows, n); }
