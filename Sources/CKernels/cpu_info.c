// What the CPU can run, from CPUID and XGETBV (see sharp_kernels.h).
#include "sharp_kernels.h"

#include <string.h>
#if defined(__x86_64__)
#include <cpuid.h>

static unsigned long long read_xcr0(void) {
    unsigned int eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((unsigned long long)edx << 32) | eax;
}
#endif

void sharp_cpu_info_read(sharp_cpu_info *info) {
    memset(info, 0, sizeof *info);
#if defined(__x86_64__)
    unsigned int a, b, c, d;
    if (!__get_cpuid(0, &a, &b, &c, &d)) return;
    unsigned int max_leaf = a;
    memcpy(info->vendor, &b, 4);
    memcpy(info->vendor + 4, &d, 4);
    memcpy(info->vendor + 8, &c, 4);

    __get_cpuid(1, &a, &b, &c, &d);
    unsigned int base_family = (a >> 8) & 0xf, base_model = (a >> 4) & 0xf;
    info->family = base_family == 0xf ? base_family + ((a >> 20) & 0xff) : base_family;
    info->model = (base_family == 0x6 || base_family == 0xf) ? (((a >> 16) & 0xf) << 4) | base_model : base_model;
    info->stepping = a & 0xf;
    info->sse3 = (c >> 0) & 1;
    info->ssse3 = (c >> 9) & 1;
    info->sse41 = (c >> 19) & 1;
    info->sse42 = (c >> 20) & 1;
    int osxsave = (c >> 27) & 1;
    int avx = (c >> 28) & 1;
    int fma = (c >> 12) & 1;
    // The OS must save the wider registers across context switches (XCR0), or the instructions fault.
    unsigned long long xcr0 = osxsave ? read_xcr0() : 0;
    int os_ymm = (xcr0 & 0x6) == 0x6;           // SSE and AVX state
    int os_zmm = os_ymm && (xcr0 & 0xe0) == 0xe0;  // opmask, ZMM_Hi256, Hi16_ZMM
    int os_amx = (xcr0 & 0x60000) == 0x60000;    // XTILECFG, XTILEDATA
    info->avx = avx && os_ymm;
    info->fma = fma && os_ymm;
    if (max_leaf >= 7) {
        __get_cpuid_count(7, 0, &a, &b, &c, &d);
        info->avx2 = ((b >> 5) & 1) && os_ymm;
        info->avx512f = ((b >> 16) & 1) && os_zmm;
        info->avx512dq = ((b >> 17) & 1) && os_zmm;
        info->avx512bw = ((b >> 30) & 1) && os_zmm;
        info->avx512vl = ((b >> 31) & 1) && os_zmm;
        info->avx512fp16 = ((d >> 23) & 1) && os_zmm;
        info->amx_bf16 = ((d >> 22) & 1) && os_amx;
        info->amx_tile = ((d >> 24) & 1) && os_amx;
        unsigned int sub_leaves = a;
        if (sub_leaves >= 1) {
            __get_cpuid_count(7, 1, &a, &b, &c, &d);
            info->avx512bf16 = ((a >> 5) & 1) && os_zmm;
        }
    }
    __get_cpuid(0x80000000, &a, &b, &c, &d);
    if (a >= 0x80000004) {
        unsigned int words[12];
        for (unsigned int i = 0; i < 3; i++) __get_cpuid(0x80000002 + i, &words[4 * i], &words[4 * i + 1], &words[4 * i + 2], &words[4 * i + 3]);
        memcpy(info->brand, words, 48);
    }
#endif
}
