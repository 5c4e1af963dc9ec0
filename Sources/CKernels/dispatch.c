// Which build of the kernels this CPU runs (see sharp_kernels.h).
#include "sharp_kernels.h"

int sharp_kernels_use_avx2(void) {
#if defined(__x86_64__)
    static int cpu = -1;  // a benign race: every thread computes the same answer
    if (cpu < 0) { cpu = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"); }
    return cpu;
#else
    return 0;
#endif
}

