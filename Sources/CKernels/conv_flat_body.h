// Internal to CKernels: the body of conv_flat.c's two kernels, included once per build with
//   FLAT(name)   the build's name for `name` (name_baseline, name_avx2, name_avx512)
//   LANES        Float32 lanes per vector register of the build
//   FORWARD_ROWS output planes per forward tile (FORWARD_ROWS × FORWARD_VECTORS accumulators)
//   WEIGHT_ROWS  output planes per weight-gradient tile (WEIGHT_ROWS × 3 accumulators)
// The tiles are sized so that accumulators, loaded inputs and one broadcast fit the build's
// vector registers (16 below AVX-512, 32 with it). Loops over tile constants unroll fully, so
// the accumulators live in registers; a + b·c contracts to FMA in the builds that have it.

typedef float FLAT(vec) __attribute__((vector_size(LANES * 4)));
// The same vector at any Float32 alignment: inputs are read at every tap offset.
typedef float FLAT(loose) __attribute__((vector_size(LANES * 4), aligned(4)));

#define FORWARD_VECTORS 3

static inline __attribute__((always_inline)) FLAT(vec) FLAT(load)(const float *p) { return *(const FLAT(loose) *)p; }
static inline __attribute__((always_inline)) void FLAT(store)(float *p, FLAT(vec) v) { *(FLAT(loose) *)p = v; }

// One forward tile: FORWARD_ROWS output planes × `VECTORS` vectors of q from q0. `packed` holds
// the tile's weights as [input][tap][FORWARD_ROWS] (zero rows past `rows`).
#define FORWARD_TILE(VECTORS)                                                                     \
    static inline __attribute__((always_inline)) void FLAT(forward_tile_##VECTORS)(                \
        const float *in, size_t inputs, size_t in_stride, const float *packed, const ptrdiff_t *offsets, \
        size_t taps, float *out, size_t out_stride, size_t rows, int accumulate) {                \
        FLAT(vec) acc[FORWARD_ROWS][VECTORS];                                                     \
        _Pragma("unroll") for (int o = 0; o < FORWARD_ROWS; o++)                                 \
            _Pragma("unroll") for (int v = 0; v < VECTORS; v++) acc[o][v] = (FLAT(vec)){0};       \
        for (size_t c = 0; c < inputs; c++) {                                                     \
            const float *plane = in + c * in_stride;                                              \
            const float *w = packed + c * taps * FORWARD_ROWS;                                    \
            for (size_t t = 0; t < taps; t++, w += FORWARD_ROWS) {                                \
                const float *src = plane + offsets[t];                                            \
                FLAT(vec) x[VECTORS];                                                             \
                _Pragma("unroll") for (int v = 0; v < VECTORS; v++) x[v] = FLAT(load)(src + v * LANES); \
                _Pragma("unroll") for (int o = 0; o < FORWARD_ROWS; o++) {                       \
                    float s = w[o];                                                               \
                    _Pragma("unroll") for (int v = 0; v < VECTORS; v++) acc[o][v] = acc[o][v] + x[v] * s; \
                }                                                                                 \
            }                                                                                     \
        }                                                                                         \
        /* Constant indices only: a runtime row index would keep the accumulators in memory. */ \
        _Pragma("unroll") for (int o = 0; o < FORWARD_ROWS; o++) {                               \
            if ((size_t)o >= rows) break;                                                         \
            float *dst = out + o * out_stride;                                                    \
            _Pragma("unroll") for (int v = 0; v < VECTORS; v++) {                                \
                FLAT(vec) r = acc[o][v];                                                          \
                if (accumulate) r = r + FLAT(load)(dst + v * LANES);                              \
                FLAT(store)(dst + v * LANES, r);                                                  \
            }                                                                                     \
        }                                                                                         \
    }
FORWARD_TILE(3)
FORWARD_TILE(1)
#undef FORWARD_TILE

static void FLAT(conv_flat_forward)(const float *restrict in, size_t inputs, size_t in_stride, const float *restrict weight,
    const ptrdiff_t *restrict offsets, size_t taps, float *restrict out, size_t outputs, size_t out_stride, size_t length,
    int accumulate, float *restrict packed) {
    for (size_t o0 = 0; o0 < outputs; o0 += FORWARD_ROWS) {
        size_t rows = outputs - o0 < FORWARD_ROWS ? outputs - o0 : FORWARD_ROWS;
        for (size_t c = 0; c < inputs; c++)
            for (size_t t = 0; t < taps; t++)
                for (size_t o = 0; o < FORWARD_ROWS; o++)
                    packed[(c * taps + t) * FORWARD_ROWS + o] = o < rows ? weight[((o0 + o) * inputs + c) * taps + t] : 0;
        float *tile_out = out + o0 * out_stride;
        size_t q = 0;
        for (; q + FORWARD_VECTORS * LANES <= length; q += FORWARD_VECTORS * LANES)
            FLAT(forward_tile_3)(in + q, inputs, in_stride, packed, offsets, taps, tile_out + q, out_stride, rows, accumulate);
        for (; q + LANES <= length; q += LANES)
            FLAT(forward_tile_1)(in + q, inputs, in_stride, packed, offsets, taps, tile_out + q, out_stride, rows, accumulate);
        for (; q < length; q++) {
            for (size_t o = 0; o < rows; o++) {
                float sum = 0;
                for (size_t c = 0; c < inputs; c++)
                    for (size_t t = 0; t < taps; t++)
                        sum += packed[(c * taps + t) * FORWARD_ROWS + o] * in[c * in_stride + q + offsets[t]];
                float *dst = tile_out + o * out_stride + q;
                *dst = accumulate ? *dst + sum : sum;
            }
        }
    }
}

static inline __attribute__((always_inline)) float FLAT(horizontal_sum)(FLAT(vec) v) {
    float lanes[LANES];
    FLAT(store)(lanes, v);
    // Pairwise, in a fixed order: the same result for the same inputs on every run.
    for (int width = LANES / 2; width > 0; width /= 2)
        for (int l = 0; l < width; l++) lanes[l] += lanes[l + width];
    return lanes[0];
}

// One weight-gradient tile: WEIGHT_ROWS output planes × three taps of one input plane, over all q.
static inline __attribute__((always_inline)) void FLAT(weight_tile)(const float *plane, const ptrdiff_t *offsets, size_t tap_count,
    const float *g, size_t g_stride, size_t rows, size_t length, float *dw, size_t dw_row) {
    FLAT(vec) acc[WEIGHT_ROWS][3];
    _Pragma("unroll") for (int o = 0; o < WEIGHT_ROWS; o++)
        _Pragma("unroll") for (int t = 0; t < 3; t++) acc[o][t] = (FLAT(vec)){0};
    // Rows past `rows` repeat the last one; their sums are dropped.
    const float *row[WEIGHT_ROWS];
    _Pragma("unroll") for (int o = 0; o < WEIGHT_ROWS; o++) row[o] = g + ((size_t)o < rows ? (size_t)o : rows - 1) * g_stride;
    const float *src[3];
    _Pragma("unroll") for (int t = 0; t < 3; t++) src[t] = plane + offsets[(size_t)t < tap_count ? (size_t)t : 0];
    size_t q = 0;
    for (; q + LANES <= length; q += LANES) {
        FLAT(vec) x[3];
        _Pragma("unroll") for (int t = 0; t < 3; t++) x[t] = FLAT(load)(src[t] + q);
        _Pragma("unroll") for (int o = 0; o < WEIGHT_ROWS; o++) {
            FLAT(vec) gv = FLAT(load)(row[o] + q);
            _Pragma("unroll") for (int t = 0; t < 3; t++) acc[o][t] = acc[o][t] + gv * x[t];
        }
    }
    // Every accumulator reduced with constant indices first: a runtime index into `acc` would
    // keep the accumulators in memory inside the loop above.
    float sums[WEIGHT_ROWS][3];
    _Pragma("unroll") for (int o = 0; o < WEIGHT_ROWS; o++)
        _Pragma("unroll") for (int t = 0; t < 3; t++) sums[o][t] = FLAT(horizontal_sum)(acc[o][t]);
    for (size_t o = 0; o < rows; o++) {
        for (size_t t = 0; t < tap_count; t++) {
            float sum = sums[o][t];
            for (size_t r = q; r < length; r++) sum += row[o][r] * src[t][r];
            dw[o * dw_row + t] += sum;
        }
    }
}

static void FLAT(conv_flat_weight)(const float *restrict in, size_t inputs, size_t in_stride, const ptrdiff_t *restrict offsets,
    size_t taps, const float *restrict g, size_t outputs, size_t g_stride, size_t length, float *restrict dw) {
    size_t dw_row = inputs * taps;
    for (size_t o0 = 0; o0 < outputs; o0 += WEIGHT_ROWS) {
        size_t rows = outputs - o0 < WEIGHT_ROWS ? outputs - o0 : WEIGHT_ROWS;
        for (size_t c = 0; c < inputs; c++)
            for (size_t t0 = 0; t0 < taps; t0 += 3)
                FLAT(weight_tile)(in + c * in_stride, offsets + t0, taps - t0 < 3 ? taps - t0 : 3, g + o0 * g_stride, g_stride,
                    rows, length, dw + o0 * dw_row + c * taps + t0, dw_row);
    }
}

#undef FORWARD_VECTORS
