// Percent-decoding and query/form/cookie splitting (see md_util.h).
#include <string.h>
#include "md_util.h"

// The router decodes its captures with md_url_decode, so that one function
// stays in the build whenever the router does.
#if MD_ENABLE_UTIL || MD_ENABLE_ROUTER

#include "md_utf8.h"

static int hex_digit(uint8_t c) {
    if ((unsigned)(c - '0') < 10) {
        return c - '0';
    }
    c |= 0x20;
    if ((unsigned)(c - 'a') < 6) {
        return c - 'a' + 10;
    }
    return -1;
}

long md_url_decode(const uint8_t *src, size_t len, uint8_t *dst, int plus) {
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        uint8_t c = src[i];
        if (c == '%' && len - i > 2) {
            int hi = hex_digit(src[i + 1]), lo = hex_digit(src[i + 2]);
            if (hi >= 0 && lo >= 0) {
                c = (uint8_t)(hi << 4 | lo);
                i += 2;
            }
        } else if (c == '+' && plus) {
            c = ' ';
        }
        dst[o++] = c;   // o <= i: safe when dst == src
    }
    for (size_t i = 0; i < o;) {
        int n = md_utf8_seq(dst + i, o - i);
        if (n <= 0) {
            return -400;
        }
        i += (size_t)n;
    }
    return (long)o;
}

#endif // MD_ENABLE_UTIL || MD_ENABLE_ROUTER

#if MD_ENABLE_UTIL

static int is_ows(uint8_t c) {
    return c == ' ' || c == '\t';
}

static void set_slice(md_slice *sl, const uint8_t *s, const uint8_t *a, const uint8_t *b) {
    sl->off = (size_t)(a - s);
    sl->len = (size_t)(b - a);
}

// Splits s[0:len) at `sep` into name/value pairs at the first '='. With
// `trim`, spaces around names and values are dropped and a piece without '='
// is skipped; without it, such a piece is a name with an empty value.
static long split_pairs(const uint8_t *s, size_t len, md_slice *pairs, size_t cap,
    uint8_t sep, int trim) {
    const uint8_t *p = s, *end = s + len;
    size_t n = 0;
    while (p < end) {
        const uint8_t *e = memchr(p, sep, (size_t)(end - p));
        if (e == NULL) {
            e = end;
        }
        const uint8_t *eq = memchr(p, '=', (size_t)(e - p));
        const uint8_t *a = p, *ae = eq ? eq : e, *b = eq ? eq + 1 : e, *be = e;
        p = e < end ? e + 1 : end;
        if (trim) {
            if (eq == NULL) {
                continue;
            }
            while (a < ae && is_ows(*a)) {
                a++;
            }
            while (ae > a && is_ows(ae[-1])) {
                ae--;
            }
            while (b < be && is_ows(*b)) {
                b++;
            }
            while (be > b && is_ows(be[-1])) {
                be--;
            }
        } else if (a == e) {
            continue;
        }
        if (n == cap) {
            return -413;
        }
        set_slice(&pairs[2 * n], s, a, ae);
        set_slice(&pairs[2 * n + 1], s, b, be);
        n++;
    }
    return (long)n;
}

long md_split_query(const uint8_t *s, size_t len, md_slice *pairs, size_t cap) {
    return split_pairs(s, len, pairs, cap, '&', 0);
}

long md_split_cookies(const uint8_t *s, size_t len, md_slice *pairs, size_t cap) {
    return split_pairs(s, len, pairs, cap, ';', 1);
}

#endif // MD_ENABLE_UTIL
