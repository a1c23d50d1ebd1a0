// libFuzzer harness of md_url_decode, md_split_query and md_split_cookies.
// md_url_decode is checked against a plain reference decoder, in place and
// into a copy; the splitters must return slices inside the input, in order,
// that never contain their separator.
#include <stdlib.h>
#include <string.h>
#include "md_util.h"
#include "md_utf8.h"

#define CAP 8

static int hex(uint8_t c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

// Straightforward decoder to compare with; -400 when not UTF-8.
static long reference(const uint8_t *s, size_t len, uint8_t *out, int plus) {
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '%' && i + 2 < len && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
            out[o++] = (uint8_t)(hex(s[i + 1]) * 16 + hex(s[i + 2]));
            i += 2;
        } else {
            out[o++] = plus && s[i] == '+' ? ' ' : s[i];
        }
    }
    for (size_t i = 0; i < o;) {
        int n = md_utf8_seq(out + i, o - i);
        if (n <= 0) {
            return -400;
        }
        i += (size_t)n;
    }
    return (long)o;
}

static void check_decode(const uint8_t *data, size_t size, int plus) {
    uint8_t *a = malloc(size + 1), *b = malloc(size + 1);
    long ra = md_url_decode(data, size, a, plus);
    long rb = reference(data, size, b, plus);
    if (ra != rb || (ra >= 0 && ((size_t)ra > size || memcmp(a, b, (size_t)ra) != 0))) {
        abort();
    }
    memcpy(b, data, size);
    if (md_url_decode(b, size, b, plus) != ra || (ra > 0 && memcmp(a, b, (size_t)ra) != 0)) {
        abort();
    }
    free(a);
    free(b);
}

static int is_ows(uint8_t c) {
    return c == ' ' || c == '\t';
}

static void check_split(const uint8_t *data, size_t size, int cookies) {
    md_slice p[2 * CAP];
    long n = cookies ? md_split_cookies(data, size, p, CAP) : md_split_query(data, size, p, CAP);
    if (n == -413) {
        return;
    }
    if (n < 0 || n > CAP) {
        abort();
    }
    uint8_t sep = cookies ? ';' : '&';
    size_t last = 0;
    for (long i = 0; i < 2 * n; i++) {
        md_slice s = p[i];
        if (s.off > size || s.len > size - s.off || s.off < last
            || memchr(data + s.off, sep, s.len) != NULL) {
            abort();
        }
        // a name never holds '='; a cookie name or value is trimmed
        if (i % 2 == 0 && memchr(data + s.off, '=', s.len) != NULL) {
            abort();
        }
        if (cookies && s.len && (is_ows(data[s.off]) || is_ows(data[s.off + s.len - 1]))) {
            abort();
        }
        last = s.off + s.len;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    check_decode(data, size, 0);
    check_decode(data, size, 1);
    check_split(data, size, 0);
    check_split(data, size, 1);
    return 0;
}
