// Hints for the pixel kernels that Swift cannot express: a software prefetch. Static inline, so
// the Swift compiler inlines it where it is called (one instruction, no call).
#ifndef RF_HINTS_H
#define RF_HINTS_H

/// Asks the processor to bring the cache line holding `p` into cache for reading; never faults,
/// whatever `p` is.
static inline void rf_prefetch(const void* p) { __builtin_prefetch(p, 0, 3); }

#endif
