// Guard-page placement with one mapping per buffer, for tests that hold
// several guarded inputs at once (guard.h has a single shared page): the
// copy's last byte sits right before a PROT_NONE page, so reading at or past
// its end crashes the test instead of passing by luck.
// Define _DEFAULT_SOURCE before any include in a file that uses this.
#ifndef GUARDED_H
#define GUARDED_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

// Copies data to the end of a fresh mapping followed by a PROT_NONE page.
static uint8_t *guarded(const void *data, size_t len) {
    size_t page = (size_t)sysconf(_SC_PAGESIZE), span = (len + page - 1) / page * page + page;
    uint8_t *m = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED || mprotect(m + span - page, page, PROT_NONE) != 0) {
        abort();
    }
    uint8_t *p = m + span - page - len;
    if (len > 0 && data != NULL) {
        memcpy(p, data, len);
    }
    return p;
}

// Unmaps what guarded(data, len) returned.
static void unguard(uint8_t *p, size_t len) {
    size_t page = (size_t)sysconf(_SC_PAGESIZE), whole = (len + page - 1) / page * page;
    munmap(p + len - whole, whole + page);
}

#endif // GUARDED_H
