// See md_pack.h.
#include <string.h>
#include "md_pack.h"

static char *put(char *out, const uint8_t *src, size_t len, char end) {
    memcpy(out, src, len);
    out[len] = end;
    return out + len + 1;
}

static uint8_t ascii_lower(uint8_t c) {
    return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

// Whether the n field names are all different, ignoring case: the parser
// only lets token characters (ASCII) into a name, so ASCII case is all of
// it, as for Python's str.lower. Heads with many fields answer no (the
// caller then checks in Python) rather than cost n * n / 2 comparisons.
static int distinct_names(const uint8_t *head, const md_header *h, size_t n) {
    if (n > MD_PACK_DISTINCT_MAX) {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        const uint8_t *a = head + h[i].name.off;
        size_t len = h[i].name.len;
        for (size_t j = 0; j < i; j++) {
            if (h[j].name.len != len) {
                continue;
            }
            const uint8_t *b = head + h[j].name.off;
            size_t k = 0;
            while (k < len && ascii_lower(a[k]) == ascii_lower(b[k])) {
                k++;
            }
            if (k == len) {
                return 0;
            }
        }
    }
    return 1;
}

// The slot holding the names of the n fields, or -1. A slot holds each
// name followed by '\n'.
static int find_slot(const md_pack *p, const uint8_t *head, const md_header *h,
    size_t n, size_t key_len) {
    for (int s = 0; s < MD_PACK_SLOTS; s++) {
        if (p->names_len[s] != key_len) {
            continue;
        }
        const char *k = p->names[s];
        size_t i = 0;
        while (i < n && memcmp(k, head + h[i].name.off, h[i].name.len) == 0
            && k[h[i].name.len] == '\n') {
            k += h[i].name.len + 1;
            i++;
        }
        if (i == n) {
            return s;
        }
    }
    return -1;
}

// Copies the names of the n fields (key_len bytes with their '\n') into the
// next slot, and returns it.
static int keep_names(md_pack *p, const uint8_t *head, const md_header *h,
    size_t n, size_t key_len, int distinct) {
    int s = (int)(p->names_next % MD_PACK_SLOTS);
    p->names_next = (unsigned)(s + 1);
    char *k = p->names[s];
    for (size_t i = 0; i < n; i++) {
        k = put(k, head + h[i].name.off, h[i].name.len, '\n');
    }
    p->names_len[s] = (uint16_t)key_len;
    p->names_distinct[s] = (uint8_t)distinct;
    return s;
}

// Whether the Cookie value v[0:len) is a plain browser list (md_pack.h).
static int plain_cookies(const uint8_t *v, size_t len) {
    md_slice names[MD_PACK_COOKIE_PARTS];
    size_t parts = 0;
    size_t start = 0;
    size_t eq = 0;  // '=' seen in the current part
    for (size_t i = 0; i <= len; i++) {
        uint8_t c = i < len ? v[i] : ';';
        if (c == ';') {
            if (eq != 1) {
                return 0;
            }
            parts++;
            if (i < len) {
                if (i + 1 >= len || v[i + 1] != ' ') {
                    return 0;
                }
                i++;
            }
            start = i + 1;
            eq = 0;
        } else if (c == ' ' || c == '\t') {
            return 0;
        } else if (c == '=') {
            if (parts == MD_PACK_COOKIE_PARTS) {
                return 0;
            }
            if (eq++ == 0) {
                names[parts].off = start;
                names[parts].len = i - start;
            }
        }
    }
    for (size_t a = 1; a < parts; a++) {
        for (size_t b = 0; b < a; b++) {
            if (names[a].len == names[b].len && memcmp(v + names[a].off,
                v + names[b].off, names[a].len) == 0) {
                return 0;
            }
        }
    }
    return 1;
}

// 1 + the index of the only Cookie field when its value is plain, else 0
// (the names are distinct ignoring case: there is at most one).
static int64_t cookie_hint(const uint8_t *head, const md_header *h, size_t n) {
    for (size_t i = 0; i < n && i < MD_PACK_COOKIE_MAX; i++) {
        const uint8_t *name = head + h[i].name.off;
        if (h[i].name.len == 6 && (name[0] | 32) == 'c'
            && (name[1] | 32) == 'o' && (name[2] | 32) == 'o'
            && (name[3] | 32) == 'k' && (name[4] | 32) == 'i'
            && (name[5] | 32) == 'e') {
            return plain_cookies(head + h[i].value.off, h[i].value.len)
                ? (int64_t)(i + 1) : 0;
        }
    }
    return 0;
}

void md_pack_forget(md_pack *p) {
    memset(p->names_len, 0, sizeof(p->names_len));
}

static int bad_range(int64_t buf_len, int64_t start, int64_t end) {
    return start < 0 || start > end || end > buf_len;
}

void md_pack_limits(md_pack *p, size_t max_line, size_t max_head,
    size_t max_headers) {
    memset(&p->limits, 0, sizeof(p->limits));
    p->limits.max_line = max_line;
    p->limits.max_head = max_head;
    p->limits.max_headers = max_headers;
}

int64_t md_pack_request(md_pack *p, const char *buf, int64_t buf_len,
    int64_t start, int64_t end, int64_t scanned) {
    if (bad_range(buf_len, start, end)) {
        return MD_PACK_RANGE;
    }
    // A field line takes at least 3 bytes ("a:\n") of the max_head parsed,
    // so this many slots never run out before max_headers does.
    size_t slots = p->limits.max_head / 3 + 1;
    if (slots > p->limits.max_headers) {
        slots = p->limits.max_headers;
    }
    if (slots > p->headers_cap) {
        p->need_headers = slots;
        p->need_text = 0;
        return MD_PACK_GROW;
    }
    md_request req;
    req.headers = p->headers;
    req.num_headers = slots;
    const uint8_t *head = (const uint8_t *)buf + start;
    size_t seen = start <= scanned && scanned <= end
        ? (size_t)(scanned - start) : 0;
    int n = md_parse_request(head, (size_t)(end - start), seen, &p->limits,
        &req);
    if (n < 0) {
        p->error = req.error;
        return n;
    }

    int query = (req.flags & MD_F_QUERY) != 0;
    size_t size = req.method.len + 1 + (req.path.len ? req.path.len : 1) + 1
        + (query ? req.query.len : 0) + 1;
    for (size_t i = 0; i < req.num_headers; i++) {
        size += req.headers[i].name.len + req.headers[i].value.len + 2;
    }
    if (size > p->text_cap) {
        p->need_headers = 0;
        p->need_text = size;
        return MD_PACK_GROW;
    }
    // the names of a slot, or kept in one
    size_t nh = req.num_headers;
    size_t key_len = 0;
    for (size_t i = 0; i < nh; i++) {
        key_len += req.headers[i].name.len + 1;
    }
    int64_t bits = 0;
    int distinct;
    int slot = -1;
    int slotted = nh >= MD_PACK_SLOT_MIN_FIELDS
        && key_len <= MD_PACK_SLOT_BYTES;
    if (slotted) {
        slot = find_slot(p, head, req.headers, nh, key_len);
    }
    if (slot >= 0) {
        distinct = p->names_distinct[slot];
        bits |= MD_PACK_SEEN;
    } else {
        distinct = distinct_names(head, req.headers, nh);
        if (slotted) {
            slot = keep_names(p, head, req.headers, nh, key_len, distinct);
            bits |= MD_PACK_KEPT;
        }
    }
    if (slot >= 0) {
        bits |= (int64_t)slot << MD_PACK_SLOT_SHIFT;
    }
    if (distinct) {
        bits |= MD_PACK_DISTINCT
            | cookie_hint(head, req.headers, nh) << MD_PACK_COOKIE_SHIFT;
    }

    // the fields first, so Python pops method, path and query off the end
    char *out = p->text;
    for (size_t i = 0; i < nh; i++) {
        const md_header *h = &req.headers[i];
        if (!(bits & MD_PACK_SEEN)) {
            out = put(out, head + h->name.off, h->name.len, '\n');
        }
        out = put(out, head + h->value.off, h->value.len, '\n');
    }
    out = put(out, head + req.method.off, req.method.len, '\n');
    if (req.path.len) {
        out = put(out, head + req.path.off, req.path.len, '\n');
    } else {
        out = put(out, (const uint8_t *)"/", 1, '\n');
    }
    put(out, query ? head + req.query.off : head, query ? req.query.len : 0,
        '\0');

    p->content_length = req.content_length;
    return (int64_t)n << MD_PACK_SHIFT | bits | (int64_t)(req.flags & 31)
        | (req.minor_version ? MD_PACK_MINOR : 0)
        | (req.content_length >= 0 ? MD_PACK_LENGTH : 0);
}

#if MD_MAX_CAPTURES > MD_PACK_COUNT
#error "md_pack_route packs the capture count in 5 bits"
#endif

int64_t md_pack_route(const uint8_t *blob, const char *path, int64_t len,
    int64_t start, md_capture *caps, int64_t *values) {
    if (len < 0 || start < 0) {
        return -1;
    }
    size_t count = MD_MAX_CAPTURES;
    int verify = 0;
    long index = md_router_match(blob, (const uint8_t *)path, (size_t)len,
        (size_t)start, caps, &count, &verify);
    if (index < 0) {
        return -1;
    }
    if (verify) {
        return (int64_t)index << 8 | MD_PACK_VERIFY;
    }
    int64_t what = (int64_t)count | (count ? MD_PACK_INTS : 0);
    for (size_t i = 0; i < count; i++) {
        if (caps[i].type == MD_CAP_INT) {
            values[2 * i] = caps[i].value;
            values[2 * i + 1] = -1;
        } else {
            what &= ~(int64_t)MD_PACK_INTS;
            values[2 * i] = (int64_t)caps[i].text.off;
            values[2 * i + 1] = (int64_t)caps[i].text.len;
        }
    }
    return (int64_t)index << 8 | what;
}

int64_t md_pack_chunked(md_chunked *c, char *buf, int64_t buf_len,
    int64_t start, int64_t end, int64_t *next) {
    if (bad_range(buf_len, start, end)) {
        return MD_PACK_RANGE;
    }
    size_t out_len, consumed;
    int rc = md_chunked_decode(c, (uint8_t *)buf + start, (size_t)(end - start),
        &out_len, &consumed);
    if (rc < 0) {
        return rc;
    }
    *next = start + (int64_t)consumed;
    return (start + (int64_t)out_len) << 1 | (rc == 1);
}

int64_t md_pack_ws_header(const char *buf, int64_t buf_len, int64_t start,
    int64_t end, int masked, uint64_t max_payload, md_ws_frame *f) {
    if (bad_range(buf_len, start, end)) {
        return MD_PACK_RANGE;
    }
    int n = md_ws_parse_header((const uint8_t *)buf + start,
        (size_t)(end - start), masked, max_payload, f);
    if (n < 0) {
        return n;
    }
    return n | f->opcode << 4 | (f->fin ? MD_PACK_FIN : 0)
        | (f->masked ? MD_PACK_MASKED : 0);
}

int md_pack_ws_mask(char *buf, int64_t buf_len, int64_t start, int64_t end,
    const char *mask, int64_t mask_len, uint64_t offset) {
    if (bad_range(buf_len, start, end) || mask_len != 4) {
        return MD_PACK_RANGE;
    }
    md_ws_mask((uint8_t *)buf + start, (size_t)(end - start),
        (const uint8_t *)mask, offset);
    return 0;
}

int64_t md_pack_utf8_check(uint32_t state, const char *buf, int64_t buf_len,
    int64_t start, int64_t end) {
    if (bad_range(buf_len, start, end)) {
        return MD_PACK_RANGE;
    }
    return md_utf8_check(state, (const uint8_t *)buf + start,
        (size_t)(end - start));
}

// One part of md_pack_pairs: copied (cookies) or decoded into out, then
// followed by '\n'. Returns the new end of out, or NULL with *rc set.
static char *put_part(char *out, const uint8_t *src, size_t len, int cookies,
    int64_t *rc) {
    if (cookies) {
        if (md_utf8_check(MD_UTF8_ACCEPT, src, len) != MD_UTF8_ACCEPT) {
            *rc = -400;
            return NULL;
        }
        memcpy(out, src, len);
    } else {
        long n = md_url_decode(src, len, (uint8_t *)out, 1);
        if (n < 0) {
            *rc = n;
            return NULL;
        }
        len = (size_t)n;
    }
    if (memchr(out, '\n', len) != NULL) {
        *rc = MD_PACK_NEWLINE;
        return NULL;
    }
    out[len] = '\n';
    return out + len + 1;
}

int64_t md_pack_pairs(const char *s, int64_t len, int cookies,
    md_slice *pairs, int64_t cap, char *out, int64_t out_cap) {
    if (len < 0 || cap < len / 2 + 1 || out_cap < 2 * len + 2) {
        return MD_PACK_GROW;
    }
    const uint8_t *src = (const uint8_t *)s;
    long n = cookies ? md_split_cookies(src, (size_t)len, pairs, (size_t)cap)
        : md_split_query(src, (size_t)len, pairs, (size_t)cap);
    if (n < 0) {
        return MD_PACK_GROW;  // (cannot happen with cap >= len / 2 + 1)
    }
    char *o = out;
    int64_t rc = 0;
    for (long i = 0; i < 2 * n; i++) {
        o = put_part(o, src + pairs[i].off, pairs[i].len, cookies, &rc);
        if (o == NULL) {
            return rc;
        }
    }
    return o == out ? 0 : (int64_t)(o - out) - 1;  // (without the last '\n')
}
