// Tests of md_route.c: every routes.json vector (through the same decode and
// retry steps a binding takes), large routers, and random routers checked
// against a naive matcher written straight from the rules in md_route.h.
// Patterns, paths and blobs end right before a PROT_NONE page.
#define _DEFAULT_SOURCE
#include <stdint.h>
#include "guarded.h"
#include "mdtest.h"
#include "md_route.h"
#include "md_ws.h"
#include "vectors.h"

// A compiled router, its blob trimmed to the bytes used and guarded.
typedef struct {
    uint8_t *blob;
    size_t used;
} router;

static long compile(const char *const *pats, const size_t *lens, size_t n, router *r, size_t *bad) {
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        total += lens[i];
    }
    uint8_t *text = malloc(total + 1);
    md_slice *slices = malloc((n + 1) * sizeof(md_slice));
    size_t off = 0;
    for (size_t i = 0; i < n; i++) {
        memcpy(text + off, pats[i], lens[i]);
        slices[i].off = off;
        slices[i].len = lens[i];
        off += lens[i];
    }
    uint8_t *gtext = guarded(text, total);
    long size = md_router_build(gtext, slices, n, NULL, 0, bad);
    long ret = size;
    if (size > 0) {
        // too small: reports the size and leaves the buffer alone
        uint8_t *small = malloc((size_t)size);
        memset(small, 0xa5, (size_t)size);
        CHECK(md_router_build(gtext, slices, n, small, (size_t)size - 1, bad) == size);
        size_t i = 0;
        while (i < (size_t)size - 1 && small[i] == 0xa5) {
            i++;
        }
        CHECK(i == (size_t)size - 1);
        free(small);
        // written into exactly `size` bytes, then trimmed to what it uses
        uint8_t *full = guarded(NULL, (size_t)size);
        long used = md_router_build(gtext, slices, n, full, (size_t)size, bad);
        CHECK(used > 0 && used <= size);
        // an unaligned blob gives the same bytes
        uint8_t *odd = malloc((size_t)size + 1);
        CHECK(md_router_build(gtext, slices, n, odd + 1, (size_t)size, bad) == used);
        CHECK(memcmp(odd + 1, full, (size_t)used) == 0);
        free(odd);
        r->used = (size_t)used;
        r->blob = guarded(full, (size_t)used);
        unguard(full, (size_t)size);
        ret = used;
    }
    unguard(gtext, total);
    free(text);
    free(slices);
    return ret;
}

static void release(router *r) {
    unguard(r->blob, r->used);
}

static int hexval(int c) {
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

// Percent-decodes like md_url_decode (malformed escapes kept, '+' kept).
static size_t decode(const uint8_t *s, size_t n, uint8_t *out) {
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            out[o++] = (uint8_t)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        } else {
            out[o++] = s[i];
        }
    }
    return o;
}

typedef struct {
    long index;
    int verify;
    size_t ncaps;
    md_capture caps[MD_MAX_CAPTURES];
} result;

// md_router_match plus the checks every call must pass: slices inside the
// path, an index >= start, no captures for a verify route.
static long raw_match(const router *r, const uint8_t *path, size_t len, size_t start, result *res) {
    res->ncaps = MD_MAX_CAPTURES;
    res->verify = -1;
    res->index = md_router_match(r->blob, path, len, start, res->caps, &res->ncaps, &res->verify);
    CHECK(res->index >= -1);
    CHECK(res->verify == 0 || res->verify == 1);
    if (res->index < 0) {
        CHECK(res->ncaps == 0 && res->verify == 0);
        return -1;
    }
    CHECK((size_t)res->index >= start);
    CHECK(res->ncaps <= MD_MAX_CAPTURES);
    CHECK(!res->verify || res->ncaps == 0);
    for (size_t i = 0; i < res->ncaps; i++) {
        md_capture *c = &res->caps[i];
        CHECK(c->type >= MD_CAP_STRING && c->type <= MD_CAP_PATH);
        CHECK(c->text.len > 0 && c->text.off <= len && c->text.len <= len - c->text.off);
        if (c->type == MD_CAP_INT) {
            char digits[24] = { 0 };
            CHECK(c->text.len < sizeof(digits));
            memcpy(digits, path + c->text.off, c->text.len < 23 ? c->text.len : 23);
            CHECK(strtoll(digits, NULL, 10) == c->value);
        }
    }
    return res->index;
}

// What a binding returns: a route whose decoded capture is not UTF-8 does
// not match, and the search goes on after it.
static void binding_match(const router *r, const uint8_t *path, size_t len, size_t start, result *res) {
    while (raw_match(r, path, len, start, res) >= 0 && !res->verify) {
        size_t i = 0;
        for (; i < res->ncaps; i++) {
            md_capture *c = &res->caps[i];
            uint8_t buf[512];
            if (c->type != MD_CAP_INT && c->text.len <= sizeof(buf)
                && md_utf8_check(0, buf, decode(path + c->text.off, c->text.len, buf)) != 0) {
                break;
            }
        }
        if (i == res->ncaps) {
            return;
        }
        start = (size_t)res->index + 1;
    }
}

static void run_vectors(void) {
    size_t ngroups;
    const vr_group *groups = vr_all(&ngroups);
    for (size_t g = 0; g < ngroups; g++) {
        const vr_group *grp = &groups[g];
        md_test_case = grp->name;
        const char *pats[64];
        size_t lens[64], bad = (size_t)-1;
        CHECK(grp->npatterns <= 64);
        for (size_t i = 0; i < grp->npatterns && i < 64; i++) {
            pats[i] = grp->patterns[i].s;
            lens[i] = grp->patterns[i].len;
        }
        router r;
        long size = compile(pats, lens, grp->npatterns, &r, &bad);
        if (grp->status != 0) {
            CHECK(size == -grp->status);
            CHECK(bad == grp->bad_index);
            continue;
        }
        CHECK(size > 0);
        if (size <= 0) {
            continue;
        }
        for (size_t c = 0; c < grp->ncases; c++) {
            const vr_case *vc = &grp->cases[c];
            md_test_case = vc->name;
            uint8_t *path = guarded(vc->path.s, vc->path.len);
            result res;
            binding_match(&r, path, vc->path.len, vc->start, &res);
            CHECK(res.index == vc->index);
            if (res.index == vc->index && vc->index >= 0) {
                CHECK(res.verify == vc->verify);
                CHECK(res.ncaps == vc->ncaps);
                for (size_t i = 0; i < res.ncaps && i < vc->ncaps; i++) {
                    const md_capture *got = &res.caps[i];
                    const vr_cap *want = &vc->caps[i];
                    if (want->is_int) {
                        CHECK(got->type == MD_CAP_INT && got->value == want->value);
                    } else {
                        uint8_t buf[512];
                        size_t n = decode(path + got->text.off, got->text.len, buf);
                        CHECK(got->type != MD_CAP_INT);
                        CHECK(n == want->text.len && memcmp(buf, want->text.s, n) == 0);
                    }
                }
            }
            unguard(path, vc->path.len);
        }
        release(&r);
    }
}

// ---- routers of 1000 routes

static char names[1000][48];
static const char *name_ptrs[1000];
static size_t name_lens[1000];

static router build_names(size_t n) {
    router r;
    size_t bad;
    for (size_t i = 0; i < n; i++) {
        name_ptrs[i] = names[i];
        name_lens[i] = strlen(names[i]);
    }
    CHECK(compile(name_ptrs, name_lens, n, &r, &bad) > 0);
    return r;
}

static long match_str(const router *r, const char *path, size_t start, result *res) {
    size_t len = strlen(path);
    uint8_t *p = guarded(path, len);
    long index = raw_match(r, p, len, start, res);
    unguard(p, len);
    return index;
}

static void test_large(void) {
    md_test_case = "1000 routes of four shapes";
    static const char *const shapes[] = { "/s%d", "/s%d/<name>", "/s%d/<int:n>/x", "/s%d/<path:p>" };
    for (int i = 0; i < 1000; i++) {
        snprintf(names[i], sizeof(names[i]), shapes[i % 4], i);
    }
    router r = build_names(1000);
    result res;
    for (int i = 0; i < 1000; i++) {
        char path[64];
        static const char *const paths[] = { "/s%d", "/s%d/bob", "/s%d/-12/x", "/s%d/a/b" };
        snprintf(path, sizeof(path), paths[i % 4], i);
        CHECK(match_str(&r, path, 0, &res) == i);
        CHECK(res.ncaps == (i % 4 ? 1u : 0u));
        if (i % 4 == 2) {
            CHECK(res.caps[0].type == MD_CAP_INT && res.caps[0].value == -12);
        }
        if (i % 4 == 3) {
            CHECK(res.caps[0].type == MD_CAP_PATH && res.caps[0].text.len == 3);
        }
        CHECK(match_str(&r, path, (size_t)i + 1, &res) == -1);
    }
    CHECK(match_str(&r, "/s1000", 0, &res) == -1);
    CHECK(match_str(&r, "/s0/x", 0, &res) == -1);
    CHECK(match_str(&r, "/s2/x/x", 0, &res) == -1);
    release(&r);

    md_test_case = "1000 identical routes";
    for (int i = 0; i < 1000; i++) {
        snprintf(names[i], sizeof(names[i]), "/same/<int:id>");
    }
    r = build_names(1000);
    static const size_t starts[] = { 0, 1, 499, 500, 998, 999 };
    for (size_t i = 0; i < sizeof(starts) / sizeof(starts[0]); i++) {
        CHECK(match_str(&r, "/same/5", starts[i], &res) == (long)starts[i]);
        CHECK(res.ncaps == 1 && res.caps[0].value == 5);
    }
    CHECK(match_str(&r, "/same/5", 1000, &res) == -1);
    release(&r);

    md_test_case = "1000 routes behind a catch-all";
    for (int i = 0; i < 1000; i++) {
        snprintf(names[i], sizeof(names[i]), i == 0 ? "/<path:all>" : i == 999 ? "/api/v1/<re:x:y>" : "/api/v1/r%d", i);
    }
    r = build_names(1000);
    CHECK(match_str(&r, "/api/v1/r500", 0, &res) == 0);
    CHECK(match_str(&r, "/api/v1/r500", 1, &res) == 500);
    CHECK(match_str(&r, "/api/v1/zzz", 1, &res) == 999 && res.verify == 1);
    CHECK(match_str(&r, "/api/v1/r1", 2, &res) == 999);
    release(&r);
}

// ---- random routers against a naive matcher

enum { K_LIT_A, K_LIT_B, K_LIT_EMPTY, K_STR, K_INT, K_PATH, K_CUSTOM, K_KINDS };
static const char *const tok_text[K_KINDS] = { "a", "b", "", "<s>", "<int:n>", "<path:p>", "<hex:h>" };
static const char *const seg_text[] = { "a", "b", "", "1", "-2", "x%2Fy", "007" };
#define NSEG (sizeof(seg_text) / sizeof(seg_text[0]))

typedef struct {
    int kinds[6];
    int n;
} rpat;

static uint32_t rng = 12345;

static unsigned rnd(unsigned n) {
    rng = rng * 1103515245u + 12345u;
    return (rng >> 16) % n;
}

static int naive_int(const char *s) {
    size_t n = strlen(s), i = s[0] == '-';
    if (n == i || n - i > 18) {
        return 0;
    }
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return 0;
        }
    }
    return 1;
}

// Matches tokens k[ti:] against segments s[si:m]; records captures as
// (first segment, segment count).
static int naive_rec(const rpat *p, int ti, const int *s, int si, int m, int (*caps)[2], int nc) {
    if (ti == p->n) {
        return si == m;
    }
    int k = p->kinds[ti];
    if (k == K_PATH) {
        for (int e = m; e > si; e--) {
            if ((e - si > 1 || seg_text[s[si]][0] != '\0')
                && naive_rec(p, ti + 1, s, e, m, caps, nc + 1)) {
                caps[nc][0] = si;
                caps[nc][1] = e - si;
                return 1;
            }
        }
        return 0;
    }
    if (si >= m) {
        return 0;
    }
    const char *seg = seg_text[s[si]];
    int ok = k <= K_LIT_EMPTY ? strcmp(seg, tok_text[k]) == 0
           : k == K_STR ? seg[0] != '\0' : naive_int(seg);
    if (!ok || !naive_rec(p, ti + 1, s, si + 1, m, caps, nc + (k >= K_STR))) {
        return 0;
    }
    if (k >= K_STR) {
        caps[nc][0] = si;
        caps[nc][1] = 1;
    }
    return 1;
}

static int naive_match(const rpat *p, const int *s, int m, int *verify, int (*caps)[2]) {
    int paths = 0, custom = 0, prefix = 0;
    for (int i = 0; i < p->n; i++) {
        paths += p->kinds[i] == K_PATH;
        custom |= p->kinds[i] == K_CUSTOM;
    }
    *verify = custom || paths > 1;
    if (!*verify) {
        return naive_rec(p, 0, s, 0, m, caps, 0);
    }
    while (prefix < p->n && p->kinds[prefix] <= K_LIT_EMPTY) {
        prefix++;
    }
    if (m <= prefix) {
        return 0;
    }
    for (int i = 0; i < prefix; i++) {
        if (strcmp(seg_text[s[i]], tok_text[p->kinds[i]]) != 0) {
            return 0;
        }
    }
    return 1;
}

static void test_random(void) {
    md_test_case = "random routers against the naive matcher";
    int failures_before = md_test_failed;
    for (int round = 0; round < 3000 && md_test_failed == failures_before; round++) {
        rpat pats[12];
        char text[12][64];
        const char *ptrs[12];
        size_t lens[12], bad;
        int n = 1 + (int)rnd(12);
        for (int i = 0; i < n; i++) {
            pats[i].n = 1 + (int)rnd(5);
            strcpy(text[i], "");
            for (int t = 0; t < pats[i].n; t++) {
                pats[i].kinds[t] = (int)rnd(K_KINDS);
                strcat(text[i], "/");
                strcat(text[i], tok_text[pats[i].kinds[t]]);
            }
            ptrs[i] = text[i];
            lens[i] = strlen(text[i]);
        }
        router r;
        CHECK(compile(ptrs, lens, (size_t)n, &r, &bad) > 0);
        for (int q = 0; q < 20; q++) {
            int segs[6], m = 1 + (int)rnd(6);
            char path[64] = "";
            size_t segoff[6];
            for (int i = 0; i < m; i++) {
                segs[i] = (int)rnd(NSEG);
                strcat(path, "/");
                segoff[i] = strlen(path);
                strcat(path, seg_text[segs[i]]);
            }
            size_t start = rnd(4) == 0 ? rnd((unsigned)n + 1) : 0;
            long want = -1;
            int verify = 0, caps[MD_MAX_CAPTURES][2];
            for (int i = (int)start; i < n && want < 0; i++) {
                if (naive_match(&pats[i], segs, m, &verify, caps)) {
                    want = i;
                }
            }
            result res;
            long got = match_str(&r, path, start, &res);
            CHECK(got == want);
            if (got != want || got < 0) {
                if (got != want) {
                    fprintf(stderr, "path %s start %zu: got %ld want %ld\n", path, start, got, want);
                }
                continue;
            }
            CHECK(res.verify == verify);
            int ncaps = 0;
            for (int t = 0; t < pats[want].n; t++) {
                ncaps += pats[want].kinds[t] >= K_STR;
            }
            CHECK(verify ? res.ncaps == 0 : res.ncaps == (size_t)ncaps);
            for (size_t i = 0; i < res.ncaps && !verify; i++) {
                int first = caps[i][0], count = caps[i][1];
                size_t off = segoff[first];
                size_t end = segoff[first + count - 1] + strlen(seg_text[segs[first + count - 1]]);
                CHECK(res.caps[i].text.off == off && res.caps[i].text.len == end - off);
            }
        }
        release(&r);
    }
}

static void test_misc(void) {
    md_test_case = "no patterns";
    router r;
    size_t bad;
    CHECK(compile(NULL, NULL, 0, &r, &bad) > 0);
    result res;
    CHECK(match_str(&r, "/", 0, &res) == -1);
    release(&r);

    md_test_case = "path with bytes past len";
    const char *p = "/a/<int:n>";
    size_t l = strlen(p);
    CHECK(compile(&p, &l, 1, &r, &bad) > 0);
    const uint8_t text[] = "/a/12/zz";
    size_t ncaps = MD_MAX_CAPTURES;
    int verify;
    md_capture caps[MD_MAX_CAPTURES];
    CHECK(md_router_match(r.blob, text, 5, 0, caps, &ncaps, &verify) == 0);
    CHECK(ncaps == 1 && caps[0].value == 12);
    CHECK(md_router_match(r.blob, text, 4, 0, caps, &ncaps, &verify) == 0);
    CHECK(ncaps == 1 && caps[0].value == 1);
    CHECK(md_router_match(r.blob, text, 0, 0, caps, &ncaps, &verify) == -1);
    release(&r);
}

int main(void) {
    run_vectors();
    test_large();
    test_random();
    test_misc();
    return md_test_summary("route");
}
