/*
 * sharp_plugin.h: Sharp's plugin ABI, version 1.
 *
 * A plugin is a shared library exporting one C function, `sharp_plugin_entry_v1`, which returns a
 * pointer to a static `sharp_plugin_descriptor_v1`. Everything that crosses the boundary is plain C:
 * flat float32/float64 buffers, a layout table, callbacks with a `void *user_data`, status codes and
 * message buffers. No Swift type crosses (Swift's ABI is not stable on Linux, and a Swift module
 * linked into both sides has two copies of its type metadata). Reference: docs/plugin-abi.md.
 *
 * Rules for both sides:
 * - Every struct that can grow starts with `abi_version`; readers check it before anything else.
 * - Functions return a status (SHARP_OK or an error code). On error a plugin writes a one-line,
 *   NUL-terminated UTF-8 message into the `sharp_message_v1` buffer (truncated to its capacity).
 * - Callbacks from the host return SHARP_OK or non-zero; on non-zero the plugin stops and returns
 *   SHARP_ERROR_CALLBACK (the host keeps the real reason on its side).
 * - Pointers handed to a call are valid for that call only; copy what you keep.
 * - The host never unloads a plugin (no dlclose): descriptors and strings may be static.
 */
#ifndef SHARP_PLUGIN_H
#define SHARP_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The version of this header; a descriptor reporting another value is refused by the host. */
#define SHARP_PLUGIN_ABI_VERSION 1u
/* The one symbol a plugin exports (the ABI version is part of the name). */
#define SHARP_PLUGIN_ENTRY_SYMBOL "sharp_plugin_entry_v1"

/* The compiler that builds this translation unit; Swift code sees the clang inside swiftc, which
   identifies the Swift toolchain (the same text as the ELF .comment section of Swift binaries). */
#if defined(__clang_version__)
#define SHARP_PLUGIN_TOOLCHAIN "clang " __clang_version__
#else
#define SHARP_PLUGIN_TOOLCHAIN "unknown"
#endif

/* The toolchain string of whoever includes this header (host and plugins compare theirs). */
static inline const char *sharp_plugin_toolchain(void) { return SHARP_PLUGIN_TOOLCHAIN; }

/* ---- status codes ------------------------------------------------------------------------ */
#define SHARP_OK 0
#define SHARP_ERROR_INVALID_ARGUMENT 1 /* bad hyperparameters, layout, dtype or state tensors */
#define SHARP_ERROR_UNSUPPORTED 2      /* the plugin does not implement this entry point */
#define SHARP_ERROR_CALLBACK 3         /* a host callback returned non-zero; the host knows why */
#define SHARP_ERROR_NUMERICAL 4        /* a non-finite value the plugin cannot continue from */
#define SHARP_ERROR_INTERNAL 5         /* anything else */

/* ---- kinds and element types ------------------------------------------------------------- */
#define SHARP_PLUGIN_KIND_OPTIMIZER 1u
#define SHARP_PLUGIN_KIND_METRIC 2u

#define SHARP_DTYPE_FLOAT32 1u
#define SHARP_DTYPE_FLOAT64 2u

/* A caller-owned buffer for an error message. */
typedef struct sharp_message_v1 {
    char *text;      /* capacity bytes; the plugin writes a NUL-terminated message */
    size_t capacity;
} sharp_message_v1;

/* ---- parameter layout -------------------------------------------------------------------- */
/* One trainable tensor: a view of `count` elements at element `offset` of the flat buffer. */
typedef struct sharp_tensor_layout_v1 {
    const char *name;      /* dotted key, PyTorch style: "features.0.weight" */
    const int64_t *shape;  /* rank entries */
    int32_t rank;
    uint32_t flags;        /* reserved, 0 */
    int64_t offset;        /* in elements */
    int64_t count;         /* product of shape */
} sharp_tensor_layout_v1;

/* Every trainable parameter of a model, in one contiguous buffer (frozen ones are left out). */
typedef struct sharp_layout_v1 {
    uint32_t abi_version;
    uint32_t dtype;                         /* SHARP_DTYPE_FLOAT32 for training, FLOAT64 for tests */
    const sharp_tensor_layout_v1 *tensors;
    int64_t tensor_count;
    int64_t parameter_count;                /* length of the flat buffer */
} sharp_layout_v1;

/* ---- optimizer --------------------------------------------------------------------------- */
/* Pass flag: the call is the clean pass of a training step (at the unperturbed weights w). Only
   such a pass may update BatchNorm running statistics; every other pass (perturbed points, and
   every pass of `perturb`) uses batch statistics without writing them (docs/algorithms.md#batchnorm-across-passes). */
#define SHARP_PASS_UPDATE_STATISTICS 1u

/* Loss and gradient on the current mini-batch (same inputs, same dropout masks on every call)
   at `parameters` (parameter_count elements of the layout's dtype). Writes the gradient and the
   loss. Returns SHARP_OK or non-zero (the plugin must then stop and return SHARP_ERROR_CALLBACK). */
typedef int32_t (*sharp_loss_and_gradient_fn_v1)(
    void *user_data, const void *parameters, void *gradient_out, double *loss_out, uint32_t pass_flags);

/* What a base optimizer needs to take one step along a given direction. */
typedef struct sharp_apply_context_v1 {
    uint32_t abi_version;
    uint32_t dtype;
    void *parameters;          /* updated in place */
    const void *direction;     /* the gradient-like direction d (plain base step: d = g) */
    int64_t parameter_count;
    double learning_rate;
    int64_t step;              /* 1-based number of this step */
    int64_t epoch;             /* 0-based */
} sharp_apply_context_v1;

typedef int32_t (*sharp_optimizer_apply_fn_v1)(
    void *state, const sharp_apply_context_v1 *context, sharp_message_v1 *error);

/* A base optimizer handed to a wrapper (SAM family): its state and its apply function. */
typedef struct sharp_base_optimizer_v1 {
    void *state;                        /* NULL when there is no base */
    sharp_optimizer_apply_fn_v1 apply;  /* NULL when there is no base */
} sharp_base_optimizer_v1;

typedef struct sharp_step_context_v1 {
    uint32_t abi_version;
    uint32_t dtype;
    void *parameters;                    /* w, updated in place by step */
    int64_t parameter_count;
    void *oracle_user_data;
    sharp_loss_and_gradient_fn_v1 loss_and_gradient;
    sharp_base_optimizer_v1 base;
    int64_t step;                        /* 1-based number of this step */
    int64_t epoch;                       /* 0-based */
    double learning_rate;                /* this step's learning rate, owned by the host */
} sharp_step_context_v1;

typedef struct sharp_step_result_v1 {
    double loss;           /* from the clean pass at w */
    double gradient_norm;  /* global L2 norm of the clean gradient, NaN if not computed */
} sharp_step_result_v1;

/* A named state tensor (save/load). Scalars have rank 0. */
typedef struct sharp_named_tensor_v1 {
    const char *name;
    uint32_t dtype;
    int32_t rank;
    const int64_t *shape;
    const void *data;
    int64_t count;
} sharp_named_tensor_v1;

typedef int32_t (*sharp_tensor_sink_fn_v1)(void *user_data, const sharp_named_tensor_v1 *tensor);

/* optimizer flags */
#define SHARP_OPTIMIZER_WRAPS_BASE 1u   /* step calls base.apply; the host must supply a base */
#define SHARP_OPTIMIZER_CAN_BE_BASE 2u  /* implements apply, so it can be another one's base */
#define SHARP_OPTIMIZER_FLOAT32 4u      /* accepts float32 layouts */
#define SHARP_OPTIMIZER_FLOAT64 8u      /* accepts float64 layouts */

typedef struct sharp_optimizer_vtable_v1 {
    uint32_t abi_version;
    uint32_t flags;
    uint32_t passes_per_step;  /* loss_and_gradient calls per step (the host counts them too) */
    uint32_t reserved;
    const char *default_base;  /* e.g. "adam" for wrappers, NULL otherwise */

    /* Allocates state for a layout (copied) and resolved hyperparameters (a JSON object). */
    int32_t (*create)(const sharp_layout_v1 *layout, const char *hyperparameters_json,
                      void **state_out, sharp_message_v1 *error);
    void (*destroy)(void *state);
    /* One optimizer step: calls loss_and_gradient one or more times, leaves the new w. */
    int32_t (*step)(void *state, const sharp_step_context_v1 *context,
                    sharp_step_result_v1 *result, sharp_message_v1 *error);
    /* Base role: one step along context->direction. NULL unless SHARP_OPTIMIZER_CAN_BE_BASE. */
    sharp_optimizer_apply_fn_v1 apply;
    /* The ascent perturbation e(w) the optimizer would apply at w on this batch, written to
       perturbation_out; w and the state are left unchanged; base is ignored. NULL = no perturbation. */
    int32_t (*perturb)(void *state, const sharp_step_context_v1 *context, void *perturbation_out,
                       sharp_step_result_v1 *result, sharp_message_v1 *error);
    /* Sends every state tensor to sink (so that load_state restores it bit-exactly). */
    int32_t (*save_state)(void *state, void *sink_user_data, sharp_tensor_sink_fn_v1 sink,
                          sharp_message_v1 *error);
    int32_t (*load_state)(void *state, const sharp_named_tensor_v1 *tensors, int64_t count,
                          sharp_message_v1 *error);
} sharp_optimizer_vtable_v1;

/* ---- metric ------------------------------------------------------------------------------ */
/* Data selectors for metric callbacks. */
#define SHARP_DATA_EVALUATION 0u  /* the subset chosen for this run (train or test, n samples) */
#define SHARP_DATA_TRAIN 1u
#define SHARP_DATA_TEST 2u

typedef struct sharp_metric_scalar_v1 {
    const char *name;
    double value;
    double standard_error;  /* NaN when not an estimate */
    int64_t hvp_count;
    double seconds;
} sharp_metric_scalar_v1;

typedef struct sharp_metric_series_v1 {
    const char *name;       /* e.g. "eigenvalue_density" */
    const char *x_label;
    const char *y_label;
    const double *x;
    const double *y;
    int64_t count;
} sharp_metric_series_v1;

/* Everything a metric sees. All callbacks are float64, accumulate in float64 over batches
   weighted by batch size, and run the model in the mode the host recorded (eval by default).
   `parameters` arguments may be NULL, meaning the checkpoint's own weights. */
#define SHARP_METRIC_HAS_SAMPLE_GRADIENTS 1u  /* context->flags: class_count and sample_gradients exist */

typedef struct sharp_metric_context_v1 {
    uint32_t abi_version;
    uint32_t flags;                   /* SHARP_METRIC_HAS_* (0 from hosts before them: was `reserved`) */
    int64_t parameter_count;
    const double *parameters;         /* the checkpoint's weights */
    const sharp_layout_v1 *layout;    /* names and shapes (dtype FLOAT64) */
    uint64_t seed;                    /* for probes; same seed, same result */
    int64_t sample_count;             /* samples in the evaluation subset */
    void *user_data;
    int32_t (*loss)(void *user_data, uint32_t data, const double *parameters,
                    double *loss_out, double *accuracy_out /* may be NULL */);
    int32_t (*gradient)(void *user_data, uint32_t data, const double *parameters,
                        double *gradient_out, double *loss_out);
    int32_t (*hessian_vector_product)(void *user_data, uint32_t data, const double *parameters,
                                      const double *vector, double *product_out);
    int32_t (*report_scalar)(void *user_data, const sharp_metric_scalar_v1 *scalar);
    int32_t (*report_series)(void *user_data, const sharp_metric_series_v1 *series);
    /* May be NULL. Returns non-zero when the host asks the metric to stop early. */
    int32_t (*progress)(void *user_data, double fraction_done);
    /* The fields below exist only when flags & SHARP_METRIC_HAS_SAMPLE_GRADIENTS (a host that
       predates them passes a shorter struct): read nothing here without checking. */
    int64_t class_count;              /* classes of the model's output */
    /* Per-sample gradients: for samples first .. first+count-1 of the evaluation subset (in the
       host's fixed order, 0 <= first, first+count <= sample_count), writes the gradient of each
       sample's own loss l_i into gradients_out (count rows of parameter_count) and l_i into
       losses_out (may be NULL). labels: NULL for the samples' own labels, else one class per
       sample in 0..<class_count (for the Fisher under the model's own predictive distribution). */
    int32_t (*sample_gradients)(void *user_data, const double *parameters, int64_t first, int64_t count,
                                const int64_t *labels, double *gradients_out, double *losses_out);
} sharp_metric_context_v1;

/* sharp_metric_vtable_v1.flags: the metric calls sample_gradients, which hosts give in evaluation
   mode only (they leave it out of default plans in training mode). */
#define SHARP_METRIC_USES_SAMPLE_GRADIENTS 1u

typedef struct sharp_metric_vtable_v1 {
    uint32_t abi_version;
    uint32_t flags;  /* SHARP_METRIC_USES_* (0 before them) */
    int32_t (*evaluate)(const sharp_metric_context_v1 *context, const char *hyperparameters_json,
                        sharp_message_v1 *error);
} sharp_metric_vtable_v1;

/* ---- descriptor -------------------------------------------------------------------------- */
typedef struct sharp_plugin_descriptor_v1 {
    uint32_t abi_version;                  /* SHARP_PLUGIN_ABI_VERSION, checked first */
    uint32_t kind;                         /* SHARP_PLUGIN_KIND_* */
    const char *name;                      /* registered name, lower-case: "sam" */
    const char *version;                   /* the plugin's own version: "1.0.0" */
    const char *summary;                   /* one line */
    const char *parameters_schema_json;    /* JSON Schema object; every property has a default */
    const char *toolchain;                 /* SHARP_PLUGIN_TOOLCHAIN of the plugin's build */
    const sharp_optimizer_vtable_v1 *optimizer;  /* kind == OPTIMIZER */
    const sharp_metric_vtable_v1 *metric;        /* kind == METRIC */
    /* Optional, NULL for none (was reserved[0]; hosts that predate it ignore it): the outputs a
       metric declares, a JSON array [{"name":"power_top_eigenvalue","short":"power_top","summary":"…"}].
       "short" (optional) is the name tables and sharpq show and accept; lower-case letters, digits, _. */
    const char *outputs_json;
    const void *reserved[3];               /* NULL */
} sharp_plugin_descriptor_v1;

/* The entry point's type: `const sharp_plugin_descriptor_v1 *sharp_plugin_entry_v1(void)`. */
typedef const sharp_plugin_descriptor_v1 *(*sharp_plugin_entry_fn_v1)(void);

#ifdef __cplusplus
}
#endif

#endif /* SHARP_PLUGIN_H */
