// OpenBLAS's cblas.h (resolved through pkg-config's openblas-pthread include directory).
// It also declares openblas_set_num_threads / openblas_get_num_threads.
#include <cblas.h>
