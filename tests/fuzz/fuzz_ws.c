// libFuzzer harness of md_ws.c. Input: one flags byte, then bytes.
// - header parse on arbitrary bytes: a header that parses is rebuilt
//   byte for byte by md_ws_build_header (parse accepts only minimal forms);
// - build then parse gives back the same frame;
// - masking twice is the identity, and masking agrees with a byte loop;
// - UTF-8 validation in pieces ends in the state of the whole.
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include "md_ws.h"

static uint64_t load64(const uint8_t *p, size_t n) {
    uint64_t v = 0;
    for (size_t i = 0; i < 8 && i < n; i++) {
        v = v << 8 | p[i];
    }
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) {
        return 0;
    }
    uint8_t flags = data[0];
    data++;
    size--;
    uint8_t *buf = malloc(size ? size : 1);
    memcpy(buf, data, size);

    // parse arbitrary bytes
    int masked = flags & 1;
    uint64_t max = flags & 2 ? UINT64_MAX : load64(data, size) >> (flags >> 2);
    md_ws_frame f;
    int r = md_ws_parse_header(buf, size, masked, max, &f);
    assert(r == MD_INCOMPLETE || r == -1002 || r == -1009 || (r >= 2 && r <= MD_WS_MAX_HEADER));
    if (r > 0) {
        uint8_t out[MD_WS_MAX_HEADER];
        assert((size_t)r <= size && f.payload_len <= max && f.masked == masked);
        size_t n = md_ws_build_header(out, f.fin, f.opcode, f.payload_len, f.masked ? f.mask : NULL);
        assert(n == (size_t)r && memcmp(out, buf, n) == 0);
    }

    // build, then parse
    if (size >= 13) {
        int opcode = data[0] & 15, fin = data[0] >> 7;
        uint64_t len = load64(data + 1, 8) >> (data[9] & 63);
        len &= UINT64_MAX >> 1;
        int ok = opcode <= 2 || (opcode >= 8 && opcode <= 10 && fin && len <= 125);
        uint8_t out[MD_WS_MAX_HEADER];
        size_t n = md_ws_build_header(out, fin, opcode, len, masked ? data + 9 : NULL);
        assert(n >= 2 && n <= MD_WS_MAX_HEADER);
        int back = md_ws_parse_header(out, n, masked, UINT64_MAX, &f);
        if (ok) {
            assert(back == (int)n && f.fin == fin && f.opcode == opcode && f.payload_len == len);
            assert(!masked || memcmp(f.mask, data + 9, 4) == 0);
        } else {
            assert(back == -1002);
        }
    }

    // masking: twice is the identity; once equals a byte loop; any start
    if (size >= 4) {
        const uint8_t *mask = data;
        uint64_t offset = flags * 0x9e3779b97f4a7c15ull;
        size_t at = flags % (size + 1);
        md_ws_mask(buf + at, size - at, mask, offset);
        for (size_t i = at; i < size; i++) {
            assert(buf[i] == (data[i] ^ mask[(offset + (i - at)) & 3]));
        }
        md_ws_mask(buf + at, size - at, mask, offset);
        assert(memcmp(buf, data, size) == 0);
    }

    // UTF-8: pieces at the positions the flags pick, versus the whole
    uint32_t whole = md_utf8_check(MD_UTF8_ACCEPT, buf, size), st = MD_UTF8_ACCEPT;
    size_t at = 0, step = 1 + (flags & 7);
    while (at < size) {
        size_t k = step < size - at ? step : size - at;
        st = md_utf8_check(st, buf + at, k);
        at += k;
        step = step * 3 % 11 + 1;
    }
    assert(st == whole);
    free(buf);
    return 0;
}
