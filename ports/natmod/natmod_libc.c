// The few C library functions the core and binding call, for the dynamic
// native module: a .mpy is linked against nothing but MicroPython's function
// table, so these are provided here (memset/memmove by that table).
#include <string.h>
#include "py/dynruntime.h"

void *memcpy(void *dst, const void *src, size_t n) {
    return mp_fun_table.memmove_(dst, src, n);
}

void *memmove(void *dst, const void *src, size_t n) {
    return mp_fun_table.memmove_(dst, src, n);
}

void *memset(void *s, int c, size_t n) {
    return mp_fun_table.memset_(s, c, n);
}

int memcmp(const void *a, const void *b, size_t n) {
    const uint8_t *x = a, *y = b;
    #if defined(__x86_64__) || defined(__i386__) || defined(__ARM_FEATURE_UNALIGNED)
    // Equal words skipped a word at a time where loads may be unaligned
    // (parse_request compares each header name with its common words).
    while (n >= sizeof(size_t)) {
        size_t u, v;
        memcpy(&u, x, sizeof(u)); // one load: gcc expands a fixed-size memcpy
        memcpy(&v, y, sizeof(v));
        if (u != v) {
            break;
        }
        x += sizeof(size_t);
        y += sizeof(size_t);
        n -= sizeof(size_t);
    }
    #endif
    for (size_t i = 0; i < n; i++) {
        if (x[i] != y[i]) {
            return x[i] - y[i];
        }
    }
    return 0;
}

void *memchr(const void *s, int c, size_t n) {
    const uint8_t *p = s;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == (uint8_t)c) {
            return (void *)(p + i);
        }
    }
    return NULL;
}

size_t strlen(const char *s) {
    size_t n = 0;
    while (s[n] != '\0') {
        n++;
    }
    return n;
}

#if defined(__arm__)
// Division by zero inside a libgcc helper calls these; libgcc's own are weak
// symbols, which mpy_ld.py does not link. The core never divides by zero.
int __aeabi_idiv0(int r) {
    return r;
}

long long __aeabi_ldiv0(long long r) {
    return r;
}
#endif

#if defined(__XTENSA__)
// Debian's libgcc for the Xtensa lx106 (ESP8266) has no __muldi3, which gcc
// calls for every 64-bit multiply there (the Content-Length and int-capture
// parsers' n * 10). The low 64 bits of a * b from 32-bit multiplies, the
// lx106 having no instruction for the high half of one.
uint64_t __muldi3(uint64_t a, uint64_t b) {
    uint32_t al = (uint32_t)a, ah = (uint32_t)(a >> 32);
    uint32_t bl = (uint32_t)b, bh = (uint32_t)(b >> 32);
    // al * bl in full, from 16-bit halves
    uint32_t p00 = (al & 0xffff) * (bl & 0xffff);
    uint32_t p01 = (al & 0xffff) * (bl >> 16);
    uint32_t p10 = (al >> 16) * (bl & 0xffff);
    uint32_t p11 = (al >> 16) * (bl >> 16);
    uint32_t mid = (p00 >> 16) + (p01 & 0xffff) + (p10 & 0xffff);
    uint32_t lo = (mid << 16) | (p00 & 0xffff);
    uint32_t hi = p11 + (p01 >> 16) + (p10 >> 16) + (mid >> 16);
    // the cross products only reach the high word
    hi += ah * bl + al * bh;
    return ((uint64_t)hi << 32) | lo;
}
#endif
