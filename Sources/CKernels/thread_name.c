// Names the calling thread (see sharp_kernels.h); glibc declares pthread_setname_np only with _GNU_SOURCE.
#define _GNU_SOURCE
#include <pthread.h>

#include "sharp_kernels.h"

void sharp_name_this_thread(const char *name) {
#if defined(__linux__)
    pthread_setname_np(pthread_self(), name);  // names longer than 15 bytes are refused, harmlessly
#else
    (void)name;
#endif
}
