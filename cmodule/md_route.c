// URL router: patterns compiled into a segment trie, matched depth-first.
//
// Every pattern becomes a key of tokens, one per segment: a literal text,
// STR, INT or PATH, then END. A verify route's key is its leading literal
// segments, then VERIFY. The keys are sorted and laid out as a trie in the
// blob, so routes sharing a prefix share its nodes.
//
// Blob node (byte offsets; multi-byte fields host-endian, read by memcpy):
//   0 u32 min, 4 u32 max   smallest and largest route index in the subtree
//   8 u8 kind              TOK_* of the segment leading here
//   9 u8 ntyped            STR/INT/PATH children (at most one of each)
//   10 u16 label_len       the literal text, for a TOK_LIT node
//   12 u16 nlit            literal children
//   14 u16 height          most segments below this node
//   16 u16 nterm           routes ending here
//   18 u16 nverify         verify routes whose literal prefix ends here
//   20 label, padded to 4
//   then u32 arrays: typed[ntyped] (child offsets, by child min), lit[nlit]
//   (child offsets, by label), term[nterm] and verify[nverify] (route
//   indices, ascending).
// The root is at offset 0, so 0 never names a child.
//
// Matching is a DFS that visits the children able to match a segment (one
// literal found by binary search, then the typed ones) in order of their
// subtree's smallest route index, and skips any subtree whose index range
// cannot hold an index in [start, best). Cost: with S path segments, L
// literal children per node and each segment matched by one branch, a match
// costs O(S * log L), whatever the number of routes. In the worst case
// (ambiguous typed branches) each trie node is visited at most once per
// split of a `path` component, which is at most height + 1 times: O(nodes *
// (height + 1) * log L), bounded by the patterns and not by the path.
#include <string.h>
#include "md_route.h"

#if MD_ENABLE_ROUTER

// Token kinds, in key sort order. Node kinds use the same values.
enum { TOK_END, TOK_VERIFY, TOK_STR, TOK_INT, TOK_PATH, TOK_LIT };

#define HDR (20)
#define MAX_ROUTES (65535)
#define MAX_LABEL (65535)
// Most segments of a key: bounds the recursion of build and match.
#define MD_ROUTE_MAX_DEPTH (32)

static uint32_t rd32(const uint8_t *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static unsigned rd16(const uint8_t *p) {
    uint16_t v;
    memcpy(&v, p, 2);
    return v;
}

static void wr32(uint8_t *p, uint32_t v) {
    memcpy(p, &v, 4);
}

static void wr16(uint8_t *p, size_t v) {
    uint16_t w = (uint16_t)v;
    memcpy(p, &w, 2);
}

static size_t pad4(size_t n) {
    return (n + 3) & ~(size_t)3;
}

static int bytes_eq(const uint8_t *s, size_t n, const char *lit) {
    return n == strlen(lit) && memcmp(s, lit, n) == 0;
}

static int has_angle(const uint8_t *s, size_t n) {
    return memchr(s, '<', n) != NULL || memchr(s, '>', n) != NULL;
}

// Kind of the pattern segment s[0:n), or -1 when it is malformed.
static int classify(const uint8_t *s, size_t n) {
    if (n == 0 || s[0] != '<') {
        return has_angle(s, n) ? -1 : TOK_LIT;
    }
    if (n < 3 || s[n - 1] != '>') {
        return -1;
    }
    s++;
    n -= 2;
    const uint8_t *c1 = memchr(s, ':', n);
    if (c1 == NULL) {
        return has_angle(s, n) ? -1 : TOK_STR;
    }
    const uint8_t *c2 = s + n - 1;
    while (*c2 != ':') {
        c2--;
    }
    size_t tlen = (size_t)(c1 - s), nlen = (size_t)(s + n - c2 - 1);
    if (tlen == 0 || nlen == 0 || has_angle(c2 + 1, nlen)) {
        return -1;
    }
    if (c1 != c2) {
        // <re:REGEX:name>: the regex is everything between the colons
        return bytes_eq(s, tlen, "re") && c2 > c1 + 1 ? TOK_VERIFY : -1;
    }
    if (has_angle(s, tlen) || bytes_eq(s, tlen, "re")) {
        return -1;
    }
    return bytes_eq(s, tlen, "string") ? TOK_STR
         : bytes_eq(s, tlen, "int") ? TOK_INT
         : bytes_eq(s, tlen, "path") ? TOK_PATH : TOK_VERIFY;
}

// Walks the tokens of one route's key.
typedef struct {
    const uint8_t *p;
    size_t n, i;        // i: start of the next segment; > n when none is left
    int verify;
} cursor;

typedef struct {
    const uint8_t *text;
    const md_slice *pats;
    uint8_t *order;     // u32 route indices, bit 31 set for a verify route
    uint8_t *blob;
    size_t used;
} builder;

#define VERIFY_BIT (0x80000000u)

static uint32_t entry(const builder *b, size_t i) {
    return rd32(b->order + 4 * i);
}

static void cur_init(cursor *c, const uint8_t *text, md_slice pat, int verify) {
    c->p = text + pat.off;
    c->n = pat.len;
    c->i = (c->n > 0 && c->p[0] == '/') ? 1 : 0;
    c->verify = verify;
}

// Next token; for TOK_LIT, s[0:*len) is its text.
static int next_tok(cursor *c, const uint8_t **s, size_t *len) {
    if (c->i > c->n) {
        return c->verify ? TOK_VERIFY : TOK_END;
    }
    const uint8_t *q = c->p + c->i;
    const uint8_t *slash = memchr(q, '/', c->n - c->i);
    size_t e = slash ? (size_t)(slash - c->p) : c->n;
    *s = q;
    *len = e - c->i;
    int k = classify(q, *len);
    c->i = e + 1;
    if (c->verify && k != TOK_LIT) {
        c->i = c->n + 1;
        return TOK_VERIFY;
    }
    return k;
}

static void order_cursor(const builder *b, uint32_t e, cursor *c) {
    cur_init(c, b->text, b->pats[e & ~VERIFY_BIT], (e & VERIFY_BIT) != 0);
}

// Token d of route entry e.
static int tok_at(const builder *b, uint32_t e, size_t d, const uint8_t **s, size_t *len) {
    cursor c;
    order_cursor(b, e, &c);
    int k = next_tok(&c, s, len);
    while (d-- > 0) {
        k = next_tok(&c, s, len);
    }
    return k;
}

static int lit_cmp(const uint8_t *a, size_t na, const uint8_t *b, size_t nb) {
    int r = memcmp(a, b, na < nb ? na : nb);
    return r ? r : (na > nb) - (na < nb);
}

// Orders route entries by key, then by route index.
static int key_cmp(const builder *b, uint32_t x, uint32_t y) {
    cursor cx, cy;
    order_cursor(b, x, &cx);
    order_cursor(b, y, &cy);
    for (;;) {
        const uint8_t *sx = NULL, *sy = NULL;
        size_t nx = 0, ny = 0;
        int kx = next_tok(&cx, &sx, &nx), ky = next_tok(&cy, &sy, &ny);
        int r = kx != ky ? kx - ky : kx == TOK_LIT ? lit_cmp(sx, nx, sy, ny) : 0;
        if (r != 0) {
            return r;
        }
        if (kx == TOK_END || kx == TOK_VERIFY) {
            x &= ~VERIFY_BIT;
            y &= ~VERIFY_BIT;
            return (x > y) - (x < y);
        }
    }
}

static void swap(const builder *b, size_t i, size_t j) {
    uint32_t t = entry(b, i);
    wr32(b->order + 4 * i, entry(b, j));
    wr32(b->order + 4 * j, t);
}

static void sift_down(const builder *b, size_t i, size_t n) {
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n) {
            return;
        }
        if (c + 1 < n && key_cmp(b, entry(b, c + 1), entry(b, c)) > 0) {
            c++;
        }
        if (key_cmp(b, entry(b, c), entry(b, i)) <= 0) {
            return;
        }
        swap(b, c, i);
        i = c;
    }
}

// Heapsort: in place and O(n log n) comparisons, with no allocation.
static void sort_routes(const builder *b, size_t n) {
    for (size_t i = n / 2; i-- > 0;) {
        sift_down(b, i, n);
    }
    for (size_t i = n; i-- > 1;) {
        swap(b, 0, i);
        sift_down(b, 0, i);
    }
}

// Writes the node for entries order[lo:hi), which share their first d
// tokens, reached by a token of `kind` (label s[0:len) for TOK_LIT).
// Returns its offset.
static uint32_t build_node(builder *b, size_t lo, size_t hi, size_t d, int kind,
    const uint8_t *s, size_t len) {
    uint32_t off = (uint32_t)b->used, mn = UINT32_MAX, mx = 0;
    size_t nterm = 0, nverify = 0, ntyped = 0, nlit = 0;
    const uint8_t *ps = NULL;
    size_t plen = 0;
    int pk = -1;
    for (size_t i = lo; i < hi; i++) {
        uint32_t r = entry(b, i) & ~VERIFY_BIT;
        mn = r < mn ? r : mn;
        mx = r > mx ? r : mx;
        const uint8_t *ts = NULL;
        size_t tlen = 0;
        int k = tok_at(b, entry(b, i), d, &ts, &tlen);
        nterm += k == TOK_END;
        nverify += k == TOK_VERIFY;
        if (k > TOK_VERIFY && (k != pk || (k == TOK_LIT && lit_cmp(ts, tlen, ps, plen) != 0))) {
            ntyped += k != TOK_LIT;
            nlit += k == TOK_LIT;
        }
        pk = k;
        ps = ts;
        plen = tlen;
    }
    uint8_t *nd = b->blob + off;
    wr32(nd, mn);
    wr32(nd + 4, mx);
    nd[8] = (uint8_t)kind;
    nd[9] = (uint8_t)ntyped;
    wr16(nd + 10, len);
    wr16(nd + 12, nlit);
    wr16(nd + 14, 0);
    wr16(nd + 16, nterm);
    wr16(nd + 18, nverify);
    if (len > 0) {
        memcpy(nd + HDR, s, len);
    }
    memset(nd + HDR + len, 0, pad4(len) - len);
    uint8_t *typed = nd + HDR + pad4(len), *lit = typed + 4 * ntyped;
    uint8_t *list = lit + 4 * nlit;
    for (size_t i = lo; i < lo + nterm + nverify; i++) {
        wr32(list + 4 * (i - lo), entry(b, i) & ~VERIFY_BIT);
    }
    b->used = (size_t)(list - b->blob) + 4 * (nterm + nverify);

    // Children: each run of equal tokens is one subtree.
    unsigned height = 0;
    size_t t = 0, l = 0;
    for (size_t i = lo + nterm + nverify; i < hi;) {
        const uint8_t *gs = NULL, *ts = NULL;
        size_t glen = 0, tlen = 0, j = i + 1;
        int k = tok_at(b, entry(b, i), d, &gs, &glen);
        while (j < hi && tok_at(b, entry(b, j), d, &ts, &tlen) == k
               && (k != TOK_LIT || lit_cmp(ts, tlen, gs, glen) == 0)) {
            j++;
        }
        uint32_t child = build_node(b, i, j, d + 1, k, k == TOK_LIT ? gs : NULL,
            k == TOK_LIT ? glen : 0);
        unsigned h = rd16(b->blob + child + 14) + 1;
        height = h > height ? h : height;
        if (k == TOK_LIT) {
            wr32(lit + 4 * l++, child);
        } else {
            // keep typed children sorted by their smallest route index
            size_t p = t++;
            while (p > 0 && rd32(b->blob + rd32(typed + 4 * (p - 1))) > rd32(b->blob + child)) {
                wr32(typed + 4 * p, rd32(typed + 4 * (p - 1)));
                p--;
            }
            wr32(typed + 4 * p, child);
        }
        i = j;
    }
    wr16(nd + 14, height);
    return off;
}

// Checks a pattern, sets VERIFY_BIT in *e for a verify route, and adds its
// worst-case trie size to *size (as if it shared no node). Returns 0, or -1
// when it is malformed.
static int measure(const uint8_t *text, md_slice pat, uint32_t *e, size_t *size) {
    cursor c;
    cur_init(&c, text, pat, 0);
    unsigned captures = 0, paths = 0, verify = 0, depth = 0, prefix = 0;
    size_t bytes = 0, prefix_bytes = 0;
    for (;;) {
        const uint8_t *s = NULL;
        size_t len = 0;
        int k = next_tok(&c, &s, &len);
        if (k == TOK_END) {
            break;
        }
        if (k < 0 || len > MAX_LABEL) {
            return -1;
        }
        captures += k != TOK_LIT;
        paths += k == TOK_PATH;
        verify |= k == TOK_VERIFY || paths > 1;
        depth++;
        bytes += HDR + 4 + pad4(len);
        if (k == TOK_LIT && prefix + 1 == depth) {
            prefix = depth;
            prefix_bytes = bytes;
        }
    }
    if (verify) {
        depth = prefix;
        bytes = prefix_bytes;
    }
    if (depth > MD_ROUTE_MAX_DEPTH || (!verify && captures > MD_MAX_CAPTURES)) {
        return -1;
    }
    *e |= verify ? VERIFY_BIT : 0;
    *size += bytes + 4 + 4;     // its terminal entry and its sort slot
    return 0;
}

long md_router_build(const uint8_t *text, const md_slice *patterns, size_t n,
    uint8_t *blob, size_t cap, size_t *bad_index) {
    size_t size = HDR;
    for (size_t i = 0; i < n; i++) {
        uint32_t e = 0;
        if (i >= MAX_ROUTES || measure(text, patterns[i], &e, &size) != 0) {
            *bad_index = i;
            return -400;
        }
    }
    if (blob == NULL || cap < size) {
        return (long)size;
    }
    // The sort array lives at the end of the blob, past anything the trie
    // can use, since the trie is never larger than the unshared estimate.
    builder b = { text, patterns, blob + size - 4 * n, blob, 0 };
    for (size_t i = 0; i < n; i++) {
        uint32_t e = (uint32_t)i;
        size_t ignored = 0;
        measure(text, patterns[i], &e, &ignored);
        wr32(b.order + 4 * i, e);
    }
    sort_routes(&b, n);
    build_node(&b, 0, n, 0, TOK_LIT, NULL, 0);
    return (long)b.used;
}

typedef struct {
    const uint8_t *blob, *path;
    size_t len;
    uint32_t start, best;
    int verify;
    size_t depth, best_depth;
    md_slice cur[MD_MAX_CAPTURES];
    uint8_t cur_type[MD_MAX_CAPTURES];
    md_capture *caps;
} matcher;

static void visit(matcher *m, uint32_t off, size_t pos);

// Takes the first index >= start of a sorted route list if it beats best.
static void accept(matcher *m, const uint8_t *list, unsigned n, int verify) {
    for (unsigned i = 0; i < n; i++) {
        uint32_t r = rd32(list + 4 * i);
        if (r < m->start) {
            continue;
        }
        if (r < m->best) {
            m->best = r;
            m->verify = verify;
            m->best_depth = verify ? 0 : m->depth;
            for (size_t j = 0; j < m->best_depth; j++) {
                m->caps[j].type = m->cur_type[j];
                m->caps[j].text = m->cur[j];
            }
        }
        return;
    }
}

static int is_int(const uint8_t *s, size_t n) {
    if (n > 0 && s[0] == '-') {
        s++;
        n--;
    }
    if (n == 0 || n > 18) {
        return 0;
    }
    while (n-- > 0) {
        if ((unsigned)(*s++ - '0') > 9) {
            return 0;
        }
    }
    return 1;
}

static void descend(matcher *m, uint32_t off, int type, size_t pos, size_t end) {
    m->cur[m->depth].off = pos;
    m->cur[m->depth].len = end - pos;
    m->cur_type[m->depth++] = (uint8_t)type;
    visit(m, off, end + 1);
    m->depth--;
}

// Tries child node `off` on the segment path[pos:end).
static void try_child(matcher *m, uint32_t off, size_t pos, size_t end) {
    const uint8_t *nd = m->blob + off;
    if (rd32(nd) >= m->best || rd32(nd + 4) < m->start) {
        return;
    }
    switch (nd[8]) {
        case TOK_LIT:
            visit(m, off, end + 1);
            return;
        case TOK_INT:
            if (is_int(m->path + pos, end - pos)) {
                descend(m, off, MD_CAP_INT, pos, end);
            }
            return;
        case TOK_STR:
            if (end > pos) {
                descend(m, off, MD_CAP_STRING, pos, end);
            }
            return;
        default: {
            // PATH: the capture takes all but the last h' segments, for each
            // h' the subtree below can still match (0..height); longest
            // first. Each route below has a fixed length, so at most one
            // split can match it.
            unsigned h = rd16(nd + 14);
            size_t q = m->len;
            while (q > pos) {
                descend(m, off, MD_CAP_PATH, pos, q);
                if (h-- == 0 || rd32(nd) >= m->best) {
                    return;
                }
                while (--q > pos && m->path[q] != '/') {
                }
            }
        }
    }
}

static uint32_t find_lit(const matcher *m, const uint8_t *lit, unsigned n, size_t pos, size_t end) {
    unsigned lo = 0, hi = n;
    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;
        uint32_t off = rd32(lit + 4 * mid);
        const uint8_t *nd = m->blob + off;
        int c = lit_cmp(m->path + pos, end - pos, nd + HDR, rd16(nd + 10));
        if (c == 0) {
            return off;
        }
        if (c < 0) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    return 0;
}

// Matches the rest of the path, whose next segment starts at pos (pos > len
// once no segment is left), below node `off`.
static void visit(matcher *m, uint32_t off, size_t pos) {
    const uint8_t *nd = m->blob + off;
    unsigned ntyped = nd[9], nlit = rd16(nd + 12), nterm = rd16(nd + 16);
    const uint8_t *typed = nd + HDR + pad4(rd16(nd + 10));
    const uint8_t *lit = typed + 4 * ntyped, *term = lit + 4 * nlit;
    if (pos > m->len) {
        accept(m, term, nterm, 0);
        return;
    }
    accept(m, term + 4 * nterm, rd16(nd + 18), 1);
    if (ntyped + nlit == 0) {
        return;
    }
    size_t end = pos;
    while (end < m->len && m->path[end] != '/') {
        end++;
    }
    uint32_t lc = nlit ? find_lit(m, lit, nlit, pos, end) : 0;
    for (unsigned t = 0; t < ntyped; t++) {
        uint32_t c = rd32(typed + 4 * t);
        if (lc != 0 && rd32(m->blob + lc) < rd32(m->blob + c)) {
            try_child(m, lc, pos, end);
            lc = 0;
        }
        try_child(m, c, pos, end);
    }
    if (lc != 0) {
        try_child(m, lc, pos, end);
    }
}

long md_router_match(const uint8_t *blob, const uint8_t *path, size_t len,
    size_t start, md_capture *caps, size_t *ncaps, int *verify) {
    matcher m;
    m.blob = blob;
    m.path = path;
    m.len = len;
    m.start = start > UINT32_MAX ? UINT32_MAX : (uint32_t)start;
    m.best = UINT32_MAX;
    m.verify = 0;
    m.depth = m.best_depth = 0;
    m.caps = caps;
    *ncaps = 0;
    *verify = 0;
    if (len == 0 || path[0] != '/' || m.start == UINT32_MAX) {
        return -1;
    }
    visit(&m, 0, 1);
    if (m.best == UINT32_MAX) {
        return -1;
    }
    for (size_t i = 0; i < m.best_depth; i++) {
        const uint8_t *s = path + caps[i].text.off;
        size_t n = caps[i].text.len, neg = caps[i].type == MD_CAP_INT && s[0] == '-';
        int64_t v = 0;
        for (size_t j = neg; caps[i].type == MD_CAP_INT && j < n; j++) {
            v = v * 10 + (s[j] - '0');
        }
        caps[i].value = neg ? -v : v;
    }
    *ncaps = m.best_depth;
    *verify = m.verify;
    return (long)m.best;
}

#endif // MD_ENABLE_ROUTER
