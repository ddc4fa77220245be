#ifndef EMPORIUM_CPREFETCH_H
#define EMPORIUM_CPREFETCH_H

/// Asks the CPU to start loading the cache line at `address` (for reading, kept in every cache level), without
/// waiting for it: Swift has no prefetch of its own. A hint only; any address is safe.
static inline void emporium_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

#endif
