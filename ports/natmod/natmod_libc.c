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
