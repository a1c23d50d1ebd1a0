// Guard-page placement of test inputs: a buffer is copied so that its last
// byte sits right before a PROT_NONE page, so reading at or past its end
// crashes the test instead of passing by luck.
// Define _DEFAULT_SOURCE before any include in a file that uses this.
#ifndef GUARD_H
#define GUARD_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static uint8_t *guard_page;    // first byte that faults

// Reserves room for inputs of up to `max` bytes.
static void guard_init(size_t max) {
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t n = (max + page - 1) / page * page + page;
    uint8_t *base = mmap(NULL, n + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED || mprotect(base + n, page, PROT_NONE) != 0) {
        perror("guard_init");
        exit(2);
    }
    guard_page = base + n;
}

// Copies src[0:len) to the bytes just before the guard page.
static uint8_t *guard_copy(const void *src, size_t len) {
    uint8_t *p = guard_page - len;
    if (len) {
        memcpy(p, src, len);
    }
    return p;
}

#endif // GUARD_H
