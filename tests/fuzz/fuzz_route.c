// libFuzzer harness of md_route.c. Input: one byte `start`, then patterns
// and a path separated by '\n' (the last piece is the path, up to 8 patterns
// before it). Building must not crash; a match must report slices inside the
// path, an index in [start, n), and must agree with routers built from one
// pattern each: the route found matches alone with the same captures, and no
// earlier route (>= start) matches alone.
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include "md_route.h"

#define MAX_PATTERNS (8)

// Builds a router in a heap block of exactly the size used, so ASan sees
// any read past it. Returns NULL for malformed patterns.
static uint8_t *build(const uint8_t *text, const md_slice *pats, size_t n) {
    size_t bad = 0;
    long size = md_router_build(text, pats, n, NULL, 0, &bad);
    if (size < 0) {
        assert(size == -400 && bad < n);
        return NULL;
    }
    uint8_t *tmp = malloc((size_t)size);
    long used = md_router_build(text, pats, n, tmp, (size_t)size, &bad);
    assert(used > 0 && used <= size);
    uint8_t *blob = malloc((size_t)used);
    memcpy(blob, tmp, (size_t)used);
    free(tmp);
    return blob;
}

static long match(const uint8_t *blob, const uint8_t *path, size_t len, size_t start,
    md_capture *caps, size_t *ncaps, int *verify) {
    *ncaps = MD_MAX_CAPTURES;
    long i = md_router_match(blob, path, len, start, caps, ncaps, verify);
    assert(i >= -1);
    if (i < 0) {
        assert(*ncaps == 0 && *verify == 0);
        return i;
    }
    assert((size_t)i >= start && *ncaps <= MD_MAX_CAPTURES && (!*verify || *ncaps == 0));
    for (size_t k = 0; k < *ncaps; k++) {
        assert(caps[k].type >= MD_CAP_STRING && caps[k].type <= MD_CAP_PATH);
        assert(caps[k].text.len > 0 && caps[k].text.off < len);
        assert(caps[k].text.len <= len - caps[k].text.off);
    }
    return i;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) {
        return 0;
    }
    size_t start = data[0] & 15;
    data++;
    size--;
    md_slice pieces[MAX_PATTERNS + 1];
    size_t n = 0, off = 0;
    for (size_t i = 0; i < size && n < MAX_PATTERNS; i++) {
        if (data[i] == '\n') {
            pieces[n].off = off;
            pieces[n++].len = i - off;
            off = i + 1;
        }
    }
    // the text and the path in blocks of their exact size
    uint8_t *text = malloc(off ? off : 1);
    memcpy(text, data, off);
    size_t len = size - off;
    uint8_t *path = malloc(len ? len : 1);
    memcpy(path, data + off, len);

    uint8_t *blob = build(text, pieces, n);
    if (blob != NULL) {
        md_capture caps[MD_MAX_CAPTURES], one[MD_MAX_CAPTURES];
        size_t ncaps, nin;
        int verify, vin;
        long found = match(blob, path, len, start, caps, &ncaps, &verify);
        assert(found < (long)n);
        for (size_t j = start; j < n && (found < 0 || j <= (size_t)found); j++) {
            uint8_t *single = build(text, &pieces[j], 1);
            assert(single != NULL);
            long alone = match(single, path, len, 0, one, &nin, &vin);
            if ((long)j == found) {
                assert(alone == 0 && vin == verify && nin == ncaps);
                for (size_t k = 0; k < ncaps; k++) {
                    assert(one[k].type == caps[k].type && one[k].value == caps[k].value);
                    assert(one[k].text.off == caps[k].text.off && one[k].text.len == caps[k].text.len);
                }
            } else {
                assert(alone == -1);
            }
            free(single);
        }
        free(blob);
    }
    free(text);
    free(path);
    return 0;
}
