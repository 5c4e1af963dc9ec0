/*
 * sharp_plugin_math.h: not part of the ABI. Scalar helpers PluginKit's loops need from C.
 *
 * On Linux, Swift's Float/Double.squareRoot() lowers to libm's sqrtf/sqrt with errno semantics:
 * a compare-and-call per element that stops the loop from vectorising (Adam's update ran 4x
 * slower). __builtin_elementwise_sqrt is LLVM's plain llvm.sqrt, which vectorises.
 */
#ifndef SHARP_PLUGIN_MATH_H
#define SHARP_PLUGIN_MATH_H

static inline float sharp_sqrtf(float x) { return __builtin_elementwise_sqrt(x); }
static inline double sharp_sqrt(double x) { return __builtin_elementwise_sqrt(x); }

#endif /* SHARP_PLUGIN_MATH_H */
