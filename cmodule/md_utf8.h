// One UTF-8 sequence check shared by the HTTP parser and the utilities, as a
// static inline so that neither depends on md_ws.c (which may be disabled).
#ifndef MD_UTF8_H
#define MD_UTF8_H

#include <stddef.h>
#include <stdint.h>

// Checks the sequence starting at p[0] (n >= 1 bytes available).
// Returns its length (1 to 4), 0 when it is invalid (stray continuation
// byte, overlong form, surrogate, above U+10FFFF), or -1 when the n bytes
// are a valid but unfinished start of a longer sequence.
static inline int md_utf8_seq(const uint8_t *p, size_t n) {
    uint8_t c = p[0], lo = 0x80, hi = 0xbf;
    int need;
    if (c < 0x80) {
        return 1;
    } else if (c < 0xc2) {
        return 0;
    } else if (c < 0xe0) {
        need = 1;
    } else if (c < 0xf0) {
        need = 2;
        if (c == 0xe0) {
            lo = 0xa0;          // overlong
        } else if (c == 0xed) {
            hi = 0x9f;          // surrogates
        }
    } else if (c < 0xf5) {
        need = 3;
        if (c == 0xf0) {
            lo = 0x90;          // overlong
        } else if (c == 0xf4) {
            hi = 0x8f;          // above U+10FFFF
        }
    } else {
        return 0;
    }
    for (int i = 1; i <= need; i++) {
        if ((size_t)i >= n) {
            return -1;
        }
        if (p[i] < lo || p[i] > hi) {
            return 0;
        }
        lo = 0x80;
        hi = 0xbf;
    }
    return need + 1;
}

#endif // MD_UTF8_H
