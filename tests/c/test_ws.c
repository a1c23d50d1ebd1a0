// Tests of md_ws.c: every ws.json vector (headers whole, byte by byte and
// with trailing bytes; masking at every alignment and in pieces; UTF-8 piece
// by piece), build/parse round trips, masking against a byte loop, and the
// UTF-8 DFA against a decoder written from RFC 3629 over every 1- and 2-byte
// input and a boundary sample of 3- and 4-byte ones. Inputs end right before
// a PROT_NONE page.
#define _DEFAULT_SOURCE
#include <stdint.h>
#include "guarded.h"
#include "mdtest.h"
#include "md_ws.h"
#include "vectors.h"

static int parse_at(const uint8_t *data, size_t len, int masked, uint64_t max, md_ws_frame *f) {
    uint8_t *g = guarded(data, len);
    int r = md_ws_parse_header(g, len, masked, max, f);
    unguard(g, len);
    return r;
}

static void test_parse(const vw_parse *v, size_t n) {
    for (size_t i = 0; i < n; i++) {
        const vw_parse *c = &v[i];
        md_test_case = c->name;
        const uint8_t *in = (const uint8_t *)c->in.s;
        md_ws_frame f;
        memset(&f, 0x5a, sizeof(f));
        int r = parse_at(in, c->in.len, c->masked, c->max_payload, &f);
        CHECK(r == c->result);
        if (c->result > 0 && r == c->result) {
            CHECK(f.fin == c->fin && f.opcode == c->opcode && f.payload_len == c->payload_len);
            CHECK(f.masked == (c->mask != NULL));
            CHECK(c->mask == NULL || memcmp(f.mask, c->mask, 4) == 0);
        }
        // byte by byte: incomplete until the header is whole (or, for a
        // rejected header, until the rejection shows)
        size_t upto = c->result > 0 ? (size_t)c->result : c->in.len;
        for (size_t k = 0; k < upto; k++) {
            int rk = parse_at(in, k, c->masked, c->max_payload, &f);
            CHECK(rk == MD_INCOMPLETE || (c->result < MD_INCOMPLETE && rk == c->result));
        }
        for (size_t k = upto; k <= c->in.len; k++) {
            CHECK(parse_at(in, k, c->masked, c->max_payload, &f) == c->result);
        }
        // trailing bytes change nothing once the outcome is known
        if (c->result != MD_INCOMPLETE && c->in.len <= 48) {
            uint8_t more[64];
            memcpy(more, in, c->in.len);
            memset(more + c->in.len, 0xff, 16);
            CHECK(parse_at(more, c->in.len + 16, c->masked, c->max_payload, &f) == c->result);
        }
    }
}

static void round_trip(int fin, int opcode, uint64_t len, const uint8_t *mask) {
    uint8_t *out = guarded(NULL, MD_WS_MAX_HEADER);
    size_t n = md_ws_build_header(out, fin, opcode, len, mask);
    md_ws_frame f;
    CHECK(n >= 2 && n <= MD_WS_MAX_HEADER);
    CHECK(md_ws_parse_header(out, n, mask != NULL, UINT64_MAX, &f) == (int)n);
    CHECK(f.fin == (fin != 0) && f.opcode == opcode && f.payload_len == len);
    CHECK(f.masked == (mask != NULL) && (mask == NULL || memcmp(f.mask, mask, 4) == 0));
    CHECK(md_ws_parse_header(out, n - 1, mask != NULL, UINT64_MAX, &f) == MD_INCOMPLETE);
    unguard(out, MD_WS_MAX_HEADER);
}

static void test_build(const vw_build *v, size_t n) {
    for (size_t i = 0; i < n; i++) {
        const vw_build *c = &v[i];
        md_test_case = c->name;
        uint8_t *out = guarded(NULL, MD_WS_MAX_HEADER);
        size_t len = md_ws_build_header(out, c->fin, c->opcode, c->length, (const uint8_t *)c->mask);
        CHECK(len == c->expect.len && memcmp(out, c->expect.s, len) == 0);
        unguard(out, MD_WS_MAX_HEADER);
        round_trip(c->fin, c->opcode, c->length, (const uint8_t *)c->mask);
    }
    md_test_case = "build/parse round trips";
    static const uint64_t lens[] = {
        0, 1, 124, 125, 126, 127, 255, 256, 65534, 65535, 65536, 65537,
        0xffffffffu, 0x100000000u, UINT64_MAX >> 1
    };
    static const int ops[] = { 0, 1, 2, 8, 9, 10 };
    const uint8_t mask[4] = { 0xde, 0xad, 0xbe, 0xef };
    for (size_t o = 0; o < sizeof(ops) / sizeof(ops[0]); o++) {
        for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
            if (ops[o] >= 8 && lens[l] > 125) {
                continue;
            }
            for (int fin = ops[o] >= 8; fin <= 1; fin++) {
                round_trip(fin, ops[o], lens[l], NULL);
                round_trip(fin, ops[o], lens[l], mask);
            }
        }
    }
}

static void mask_ref(uint8_t *buf, size_t len, const uint8_t *mask, uint64_t offset) {
    for (size_t i = 0; i < len; i++) {
        buf[i] ^= mask[(offset + i) % 4];
    }
}

static void test_mask(const vw_mask *v, size_t n) {
    for (size_t i = 0; i < n; i++) {
        const vw_mask *c = &v[i];
        md_test_case = c->name;
        const uint8_t *mask = (const uint8_t *)c->mask;
        size_t len = c->data.len;
        uint8_t *buf = malloc(len + 16);
        for (size_t a = 0; a < 8; a++) {
            memcpy(buf + a, c->data.s, len);
            md_ws_mask(buf + a, len, mask, c->offset);
            CHECK(memcmp(buf + a, c->expect.s, len) == 0);
            md_ws_mask(buf + a, len, mask, c->offset);
            CHECK(memcmp(buf + a, c->data.s, len) == 0);
            // in the vector's pieces
            size_t done = 0;
            for (size_t p = 0; p < c->npieces; p++) {
                md_ws_mask(buf + a + done, c->pieces[p], mask, c->offset + done);
                done += c->pieces[p];
            }
            CHECK(done == len && memcmp(buf + a, c->expect.s, len) == 0);
        }
        uint8_t *g = guarded(c->data.s, len);
        md_ws_mask(g, len, mask, c->offset);
        CHECK(memcmp(g, c->expect.s, len) == 0);
        unguard(g, len);
        free(buf);
    }
    md_test_case = "mask against a byte loop";
    uint8_t a[300], b[300];
    uint32_t seed = 7;
    int bad = 0;
    for (int round = 0; round < 2000; round++) {
        seed = seed * 1103515245u + 12345u;
        size_t start = seed >> 28, len = (seed >> 8) % 280;
        uint64_t offset = (uint64_t)seed * 2654435761u;
        uint8_t mask[4] = { (uint8_t)seed, (uint8_t)(seed >> 8), (uint8_t)(seed >> 16), (uint8_t)(seed >> 24) };
        for (size_t i = 0; i < sizeof(a); i++) {
            a[i] = b[i] = (uint8_t)(i * 31 + round);
        }
        md_ws_mask(a + start, len, mask, offset);
        mask_ref(b + start, len, mask, offset);
        bad += memcmp(a, b, sizeof(a)) != 0;
    }
    CHECK(bad == 0);
}

static int same_class(uint32_t state, int want) {
    return want == VW_MID ? state != MD_UTF8_ACCEPT && state != MD_UTF8_REJECT : state == (uint32_t)want;
}

static void test_utf8_vectors(const vw_utf8 *v, size_t n) {
    for (size_t i = 0; i < n; i++) {
        const vw_utf8 *c = &v[i];
        md_test_case = c->name;
        uint32_t state = MD_UTF8_ACCEPT;
        uint8_t whole[256];
        size_t total = 0;
        for (size_t p = 0; p < c->n; p++) {
            uint8_t *g = guarded(c->pieces[p].s, c->pieces[p].len);
            state = md_utf8_check(state, g, c->pieces[p].len);
            CHECK(same_class(state, c->expect[p]));
            unguard(g, c->pieces[p].len);
            CHECK(total + c->pieces[p].len <= sizeof(whole));
            memcpy(whole + total, c->pieces[p].s, c->pieces[p].len);
            total += c->pieces[p].len;
        }
        // the same bytes whole and byte by byte end in the same state
        uint32_t one = md_utf8_check(MD_UTF8_ACCEPT, whole, total), each = MD_UTF8_ACCEPT;
        for (size_t k = 0; k < total; k++) {
            each = md_utf8_check(each, whole + k, 1);
        }
        CHECK(one == state && each == state);
    }
}

static int ref_valid_cp(uint32_t cp, int len) {
    static const uint32_t min[5] = { 0, 0, 0x80, 0x800, 0x10000 };
    return cp >= min[len] && cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff);
}

// RFC 3629 by decoding: 0 valid and complete, 1 invalid (no continuation
// can make it valid), 2 a valid start of a longer sequence.
static int ref_utf8(const uint8_t *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        int len = c < 0x80 ? 1 : c < 0xc0 ? 0 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : c < 0xf8 ? 4 : 0;
        if (len == 0) {
            return 1;
        }
        uint32_t lo = len == 1 ? c : c & (0x7f >> len), hi = lo;
        for (int k = 1; k < len; k++) {
            if (i + (size_t)k < n) {
                if ((s[i + k] & 0xc0) != 0x80) {
                    return 1;
                }
                lo = hi = lo << 6 | (s[i + k] & 0x3f);
            } else {
                lo = lo << 6;
                hi = hi << 6 | 0x3f;
            }
        }
        if (i + (size_t)len > n) {
            return ref_valid_cp(lo, len) || ref_valid_cp(hi, len) ? 2 : 1;
        }
        if (!ref_valid_cp(lo, len)) {
            return 1;
        }
        i += (size_t)len;
    }
    return 0;
}

static int dfa_class(const uint8_t *s, size_t n) {
    uint32_t st = md_utf8_check(MD_UTF8_ACCEPT, s, n);
    return st == MD_UTF8_ACCEPT ? 0 : st == MD_UTF8_REJECT ? 1 : 2;
}

static void test_utf8_exhaustive(void) {
    md_test_case = "utf8 DFA against the decoder";
    static const uint8_t edge[] = {
        0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2,
        0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff
    };
    const size_t ne = sizeof(edge);
    long bad = 0, checked = 0;
    uint8_t s[4];
    for (unsigned a = 0; a < 256; a++) {
        s[0] = (uint8_t)a;
        bad += dfa_class(s, 1) != ref_utf8(s, 1);
        for (unsigned b = 0; b < 256; b++) {
            s[1] = (uint8_t)b;
            bad += dfa_class(s, 2) != ref_utf8(s, 2);
            for (size_t c = 0; c < ne; c++) {
                s[2] = edge[c];
                bad += dfa_class(s, 3) != ref_utf8(s, 3);
                for (size_t d = 0; d < ne && a >= 0xe0; d++) {
                    s[3] = edge[d];
                    bad += dfa_class(s, 4) != ref_utf8(s, 4);
                    checked++;
                }
                checked++;
            }
            checked++;
        }
    }
    CHECK(checked > 100000 && bad == 0);

    md_test_case = "utf8 in pieces equals whole";
    uint32_t seed = 99;
    uint8_t buf[64];
    bad = 0;
    for (int round = 0; round < 20000; round++) {
        size_t len = 0;
        seed = seed * 1103515245u + 12345u;
        size_t n = seed >> 26;
        while (len < n) {
            seed = seed * 1103515245u + 12345u;
            // mostly plausible UTF-8 bytes, so sequences get far
            buf[len++] = (seed >> 24) < 128 ? edge[(seed >> 16) % ne] : (uint8_t)(0x80 + ((seed >> 8) & 0x3f));
        }
        uint32_t whole = md_utf8_check(MD_UTF8_ACCEPT, buf, len), st = MD_UTF8_ACCEPT;
        size_t at = 0;
        while (at < len) {
            seed = seed * 1103515245u + 12345u;
            size_t k = 1 + (seed >> 16) % (len - at);
            st = md_utf8_check(st, buf + at, k);
            at += k;
        }
        bad += st != whole || dfa_class(buf, len) != ref_utf8(buf, len);
    }
    CHECK(bad == 0);
}

int main(void) {
    const vw_parse *p;
    const vw_build *b;
    const vw_mask *m;
    const vw_utf8 *u;
    size_t np, nb, nm, nu;
    vw_all(&p, &np, &b, &nb, &m, &nm, &u, &nu);
    test_parse(p, np);
    test_build(b, nb);
    test_mask(m, nm);
    test_utf8_vectors(u, nu);
    test_utf8_exhaustive();
    return md_test_summary("ws");
}
