// The prefetch is the header's inline function; the memory release below needs malloc.h, kept out of Swift.
#include "CPrefetch.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

void emporium_release_free_memory(void) {
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}
