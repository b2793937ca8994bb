// The header holds everything (static inline); a C target needs one source file.
#include "rf_hints.h"
