#ifndef EMPORIUM_CPREFETCH_H
#define EMPORIUM_CPREFETCH_H

/// Asks the CPU to start loading the cache line at `address` (for reading, kept in every cache level), without
/// waiting for it: Swift has no prefetch of its own. A hint only; any address is safe.
static inline void emporium_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

/// Gives the memory malloc holds free back to the operating system (glibc's malloc_trim; a no-op elsewhere).
/// After a compaction frees a whole copy of the search index, glibc would otherwise keep it, and the node's RSS.
void emporium_release_free_memory(void);

#endif
