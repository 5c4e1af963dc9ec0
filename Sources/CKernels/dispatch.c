// Which build of the kernels this CPU runs (see sharp_kernels.h).
#include "sharp_kernels.h"

int sharp_kernels_use_avx2(void) {
    static int cpu = -1;  // a benign race: every thread computes the same answer
    if (cpu < 0) {
        // The same CPUID reading as everything else (OS support for the YMM state included).
        sharp_cpu_info info;
        sharp_cpu_info_read(&info);
        cpu = info.avx2 && info.fma;
    }
    return cpu;
}

int sharp_kernels_build(void) {
    static int build = -1;  // a benign race: every thread computes the same answer
    if (build < 0) {
        sharp_cpu_info info;
        sharp_cpu_info_read(&info);
        int avx512 = info.avx512f && info.avx512vl && info.avx512bw && info.avx512dq;
        build = info.avx2 && info.fma ? (avx512 ? 2 : 1) : 0;
    }
    return build;
}
