/* SwiftPM needs one source file per C target; the ABI itself is header-only (sharp_plugin.h). */
#include "sharp_plugin.h"
