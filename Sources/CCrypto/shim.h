// OpenSSL's libcrypto (Debian's libssl-dev): its SHA-256 runs SHA-NI / AVX2 assembly chosen at run
// time. The one-shot SHA256_CTX functions are deprecated in OpenSSL 3 in favour of EVP, but they
// keep the context a plain C struct, which gives Sharp's SHA256 value semantics; the macro below
// keeps their deprecation attributes out of Swift's build log.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>
