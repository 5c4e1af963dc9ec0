// glibc allocator tuning (mallopt); see Tensor/TensorStorage.swift.
#include <malloc.h>
