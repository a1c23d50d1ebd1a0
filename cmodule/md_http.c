// HTTP/1.x request head parser and chunked body decoder (see md_http.h).
//
// When a head is rejected, and with which status, is a function of the bytes
// alone, whether they arrive at once or a few at a time:
//   1. the request line longer than max_line (it may be unfinished) -> 414;
//   2. no blank line within the first max_head bytes: -431 once more than
//      max_head bytes are buffered, MD_INCOMPLETE before;
//   3. otherwise the head is checked from left to right and the first
//      problem decides.
// So an unfinished head is never rejected for its syntax, only for its size:
// the incremental path (scanned > 0) only looks for the blank line in the
// new bytes and parses once, when the head is complete.
#include <string.h>
#include "md_http.h"

#if MD_ENABLE_HTTP

#include "md_utf8.h"

#define C_TOKEN  (1)    // tchar (RFC 9110 5.6.2)
#define C_VALUE  (2)    // HTAB, SP, VCHAR: field-value bytes below 0x80
#define C_PATH   (4)    // VCHAR but '#' and '?': target bytes before a '?'
#define C_TARGET (8)    // VCHAR but '#': target bytes after the '?'

// Bytes from 0x80 are in no class: the loops stop on them.
static const uint8_t ctype[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    2, 15, 14, 3, 15, 15, 15, 15, 14, 14, 15, 15, 14, 15, 15, 14,
    15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 14, 14, 14, 14, 14, 10,
    14, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15,
    15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 14, 14, 14, 15, 15,
    15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15,
    15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 14, 15, 14, 15, 0,
};

#define FAIL(status, msg) do { req->error = (msg); return -(status); } while (0)

// Tokens of the Connection header that matter here.
#define CONN_CLOSE   (1)
#define CONN_KEEP    (2)
#define CONN_UPGRADE (4)

static int is_ows(uint8_t c) {
    return c == ' ' || c == '\t';
}

// Case-insensitive compare with a lowercase literal. Only valid for inputs
// without control characters: c | 0x20 folds 'A'-'Z' and leaves the digits
// and '-' of the literals used here alone.
static int ieq(const uint8_t *p, size_t n, const char *lit) {
    if (n != strlen(lit)) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if ((p[i] | 0x20) != (uint8_t)lit[i]) {
            return 0;
        }
    }
    return 1;
}

// Whether buf[from:to) holds the end of a head: LF followed by LF or CRLF.
static int has_blank_line(const uint8_t *buf, size_t from, size_t to) {
    while (from < to) {
        const uint8_t *lf = memchr(buf + from, '\n', to - from);
        if (lf == NULL) {
            return 0;
        }
        size_t i = (size_t)(lf - buf) + 1;
        if (i < to && (buf[i] == '\n' || (buf[i] == '\r' && i + 1 < to && buf[i + 1] == '\n'))) {
            return 1;
        }
        from = i;
    }
    return 0;
}

// Whether the request line in buf[0:view), finished or not, is already
// longer than max_line (its CRLF or LF not counted).
static int line_too_long(const uint8_t *buf, size_t view, size_t max_line) {
    size_t n = view;
    if (max_line < SIZE_MAX - 2 && n > max_line + 2) {
        n = max_line + 2;
    }
    const uint8_t *lf = memchr(buf, '\n', n);
    size_t r = lf ? (size_t)(lf - buf) : n;
    if (r > 0 && buf[r - 1] == '\r') {
        r--;
    }
    return r > max_line;
}

// Rules 1 and 2 of the top comment, applied after the parser stopped with
// `r` (an error, or MD_INCOMPLETE at the end of the view).
static int settle(const uint8_t *buf, size_t len, size_t view,
    const md_limits *limits, md_request *req, int r) {
    if (line_too_long(buf, view, limits->max_line)) {
        FAIL(414, "request line too long");
    }
    if (!has_blank_line(buf, 0, view)) {
        if (len > limits->max_head) {
            FAIL(431, "request head too large");
        }
        req->error = NULL;
        return MD_INCOMPLETE;
    }
    if (r == MD_INCOMPLETE) {
        FAIL(400, "malformed request head");   // unreachable by design
    }
    return r;
}

static int parse_target(const uint8_t *buf, const uint8_t *t, const uint8_t *q,
    const uint8_t *e, md_request *req) {
    const uint8_t *pend = q ? q : e;
    req->target.off = (size_t)(t - buf);
    req->target.len = (size_t)(e - t);
    if (q) {
        req->flags |= MD_F_QUERY;
        req->query.off = (size_t)(q + 1 - buf);
        req->query.len = (size_t)(e - q - 1);
    }
    if (*t == '/') {
        // origin-form
    } else if (*t == '*') {
        if (e - t != 1 || req->method.len != 7 || memcmp(buf, "OPTIONS", 7) != 0) {
            FAIL(400, "asterisk-form target outside OPTIONS");
        }
    } else {
        // absolute-form: http or https, then the authority, then the path
        size_t n = (size_t)(pend - t);
        size_t s;
        if (n > 7 && ieq(t, 4, "http") && memcmp(t + 4, "://", 3) == 0) {
            s = 7;
        } else if (n > 8 && ieq(t, 5, "https") && memcmp(t + 5, "://", 3) == 0) {
            s = 8;
        } else {
            FAIL(400, "invalid request target");
        }
        t += s;
        const uint8_t *a = t;
        while (t < pend && *t != '/') {
            if (*t == '@') {
                FAIL(400, "userinfo in request target");
            }
            t++;
        }
        if (t == a) {
            FAIL(400, "empty authority in request target");
        }
    }
    req->path.off = (size_t)(t - buf);
    req->path.len = (size_t)(pend - t);
    return 0;
}

// Request line: method SP request-target SP HTTP-version CRLF.
static int parse_request_line(const uint8_t *buf, const uint8_t *end,
    const uint8_t **pp, const md_limits *limits, md_request *req) {
    const uint8_t *p = buf, *t, *q = NULL;
    while (p < end && (ctype[*p] & C_TOKEN)) {
        p++;
    }
    if (p == end) {
        return MD_INCOMPLETE;
    }
    if (*p != ' ' || p == buf) {
        FAIL(400, "invalid method");
    }
    req->method.len = (size_t)(p - buf);
    t = ++p;
    while (p < end && (ctype[*p] & C_PATH)) {
        p++;
    }
    if (p < end && *p == '?') {
        q = p++;
        while (p < end && (ctype[*p] & C_TARGET)) {
            p++;
        }
    }
    if (p == end) {
        return MD_INCOMPLETE;
    }
    if (*p != ' ' || p == t) {
        FAIL(400, "invalid request target");
    }
    int r = parse_target(buf, t, q, p, req);
    if (r) {
        return r;
    }
    p++;
    static const char version[] = "HTTP/1.1";
    for (int i = 0; i < 8; i++, p++) {
        if (p == end) {
            return MD_INCOMPLETE;
        }
        if ((i == 5 || i == 7) ? (unsigned)(*p - '0') > 9 : *p != (uint8_t)version[i]) {
            FAIL(400, "invalid HTTP version");
        }
    }
    if (p[-3] != '1' || p[-1] > '1') {
        FAIL(505, "HTTP version not supported");
    }
    req->minor_version = p[-1] - '0';
    if (p == end) {
        return MD_INCOMPLETE;
    }
    if ((size_t)(p - buf) > limits->max_line) {
        FAIL(414, "request line too long");
    }
    if (*p == '\r') {
        if (++p == end) {
            return MD_INCOMPLETE;
        }
        if (*p != '\n') {
            FAIL(400, "CR without LF");
        }
    } else if (*p != '\n') {
        FAIL(400, "invalid HTTP version");
    }
    *pp = p + 1;
    return 0;
}

// Facts gathered from the header fields that frame the request.
typedef struct {
    uint8_t hosts;
    uint8_t chunked;
    uint8_t conn;
    uint8_t upgrade;
} head_facts;

static unsigned connection_tokens(const uint8_t *p, const uint8_t *end) {
    unsigned bits = 0;
    while (p < end) {
        while (p < end && (is_ows(*p) || *p == ',')) {
            p++;
        }
        const uint8_t *s = p;
        while (p < end && *p != ',') {
            p++;
        }
        const uint8_t *e = p;
        while (e > s && is_ows(e[-1])) {
            e--;
        }
        size_t n = (size_t)(e - s);
        if (ieq(s, n, "close")) {
            bits |= CONN_CLOSE;
        } else if (ieq(s, n, "keep-alive")) {
            bits |= CONN_KEEP;
        } else if (ieq(s, n, "upgrade")) {
            bits |= CONN_UPGRADE;
        }
    }
    return bits;
}

// The checks of one field that frames the request or the connection.
static int check_field(const uint8_t *name, size_t nlen, const uint8_t *v,
    size_t vlen, head_facts *f, md_request *req) {
    switch (nlen) {
        case 4:
            if (ieq(name, nlen, "host") && ++f->hosts > 1) {
                FAIL(400, "more than one Host header");
            }
            break;
        case 6:
            if (ieq(name, nlen, "expect")) {
                if (!ieq(v, vlen, "100-continue")) {
                    FAIL(417, "unsupported expectation");
                }
                if (req->minor_version == 1) {
                    req->flags |= MD_F_EXPECT_CONTINUE;
                }
            }
            break;
        case 7:
            if (ieq(name, nlen, "upgrade") && vlen > 0) {
                f->upgrade = 1;
            }
            break;
        case 10:
            if (ieq(name, nlen, "connection")) {
                f->conn |= connection_tokens(v, v + vlen);
            }
            break;
        case 14:
            if (ieq(name, nlen, "content-length")) {
                if (vlen == 0) {
                    FAIL(400, "invalid Content-Length");
                }
                int64_t n = 0;
                for (size_t i = 0; i < vlen; i++) {
                    unsigned d = v[i] - '0';
                    if (d > 9) {
                        FAIL(400, "invalid Content-Length");
                    }
                    // constants only: a run-time 64-bit division needs libgcc on Arm
                    if (n > INT64_MAX / 10 || (n == INT64_MAX / 10 && d > INT64_MAX % 10)) {
                        FAIL(400, "Content-Length too large");
                    }
                    n = n * 10 + d;
                }
                if (req->content_length >= 0 && req->content_length != n) {
                    FAIL(400, "conflicting Content-Length headers");
                }
                req->content_length = n;
            }
            break;
        case 17:
            if (ieq(name, nlen, "transfer-encoding")) {
                if (req->minor_version == 0) {
                    FAIL(400, "Transfer-Encoding in an HTTP/1.0 request");
                }
                if (f->chunked) {
                    FAIL(400, "more than one Transfer-Encoding header");
                }
                if (!ieq(v, vlen, "chunked")) {
                    FAIL(501, "unsupported transfer coding");
                }
                f->chunked = 1;
            }
            break;
    }
    return 0;
}

// Skips field-value bytes below 0x80. Most of a head is field values, so
// this first checks a word at a time that no byte is below 0x20, 0x7f or
// above (exact "any byte" tests: a word that fails one is rechecked bytewise).
static const uint8_t *skip_value(const uint8_t *p, const uint8_t *end) {
    const size_t ones = (size_t)-1 / 0xff, highs = ones * 0x80;
    while ((size_t)(end - p) >= sizeof(size_t)) {
        size_t w;
        memcpy(&w, p, sizeof(w));
        size_t del = w ^ (ones * 0x7f);
        size_t low = (w - ones * 0x20) & ~w;    // a byte below 0x20
        if ((low | w | ((del - ones) & ~del)) & highs) {
            break;
        }
        p += sizeof(size_t);
    }
    while (p < end && (ctype[*p] & C_VALUE)) {
        p++;
    }
    return p;
}

// One header field line at *pp, stored in req->headers[req->num_headers].
static int parse_field(const uint8_t *buf, const uint8_t *end,
    const uint8_t **pp, head_facts *f, md_request *req) {
    const uint8_t *p = *pp, *name = p;
    while (p < end && (ctype[*p] & C_TOKEN)) {
        p++;
    }
    if (p == end) {
        return MD_INCOMPLETE;
    }
    if (*p != ':' || p == name) {
        if (p == name && is_ows(*p)) {
            FAIL(400, "obsolete line folding or whitespace before a field");
        }
        FAIL(400, "invalid header field name");
    }
    size_t nlen = (size_t)(p - name);
    p++;
    while (p < end && is_ows(*p)) {
        p++;
    }
    const uint8_t *v = p;
    for (;;) {
        p = skip_value(p, end);
        if (p == end) {
            return MD_INCOMPLETE;
        }
        if (*p < 0x80) {
            break;
        }
        int n = md_utf8_seq(p, (size_t)(end - p));
        if (n < 0) {
            return MD_INCOMPLETE;
        }
        if (n == 0) {
            FAIL(400, "header value is not valid UTF-8");
        }
        p += n;
    }
    const uint8_t *ve = p;
    if (*p == '\r') {
        if (++p == end) {
            return MD_INCOMPLETE;
        }
        if (*p != '\n') {
            FAIL(400, "CR without LF");
        }
    } else if (*p != '\n') {
        FAIL(400, "control character in header value");
    }
    *pp = p + 1;
    while (ve > v && is_ows(ve[-1])) {
        ve--;
    }
    md_header *h = &req->headers[req->num_headers++];
    h->name.off = (size_t)(name - buf);
    h->name.len = nlen;
    h->value.off = (size_t)(v - buf);
    h->value.len = (size_t)(ve - v);
    return check_field(name, nlen, v, h->value.len, f, req);
}

static int parse_head(const uint8_t *buf, const uint8_t *end,
    const md_limits *limits, size_t cap, md_request *req) {
    const uint8_t *p;
    head_facts f = {0, 0, 0, 0};
    int r = parse_request_line(buf, end, &p, limits, req);
    if (r) {
        return r;
    }
    if (cap > limits->max_headers) {
        cap = limits->max_headers;
    }
    for (;;) {
        if (p == end) {
            return MD_INCOMPLETE;
        }
        if (*p == '\r') {
            if (++p == end) {
                return MD_INCOMPLETE;
            }
            if (*p != '\n') {
                FAIL(400, "CR without LF");
            }
            p++;
            break;
        }
        if (*p == '\n') {
            p++;
            break;
        }
        if (req->num_headers == cap) {
            FAIL(431, "too many header fields");
        }
        r = parse_field(buf, end, &p, &f, req);
        if (r) {
            return r;
        }
    }
    if (req->minor_version == 1) {
        if (f.hosts == 0) {
            FAIL(400, "missing Host header");
        }
        if (!(f.conn & CONN_CLOSE)) {
            req->flags |= MD_F_KEEP_ALIVE;
        }
    } else if ((f.conn & (CONN_KEEP | CONN_CLOSE)) == CONN_KEEP) {
        req->flags |= MD_F_KEEP_ALIVE;
    }
    if (f.chunked) {
        if (req->content_length >= 0) {
            FAIL(400, "both Content-Length and Transfer-Encoding");
        }
        req->flags |= MD_F_CHUNKED;
    }
    if ((f.conn & CONN_UPGRADE) && f.upgrade) {
        req->flags |= MD_F_UPGRADE;
    }
    return (int)(p - buf);
}

int md_parse_request(const uint8_t *buf, size_t len, size_t scanned,
    const md_limits *limits, md_request *req) {
    size_t view = len < limits->max_head ? len : limits->max_head;
    size_t cap = req->num_headers;
    memset(&req->method, 0, sizeof(md_slice));
    req->target = req->path = req->query = req->method;
    req->minor_version = 0;
    req->num_headers = 0;
    req->content_length = -1;
    req->flags = 0;
    req->error = NULL;
    if (scanned > 0 && scanned <= len) {
        // The head was unfinished at `scanned`: it can only end in the new
        // bytes (a blank line is at most 3 bytes long).
        if (!has_blank_line(buf, scanned > 2 ? scanned - 2 : 0, view)) {
            // rule 1 was settled by the last call once it saw max_line + 2 bytes
            if (scanned - 1 <= limits->max_line && line_too_long(buf, view, limits->max_line)) {
                FAIL(414, "request line too long");
            }
            if (len > limits->max_head) {
                FAIL(431, "request head too large");
            }
            return MD_INCOMPLETE;
        }
    }
    int r = parse_head(buf, buf + view, limits, cap, req);
    return r >= 0 ? r : settle(buf, len, view, limits, req, r);
}

// ---- chunked body

enum {
    CH_SIZE,        // first byte of a chunk-size line
    CH_DIGITS,      // in the hex digits
    CH_BWS,         // whitespace after the digits: only ';' may follow
    CH_EXT,         // chunk extensions, skipped
    CH_SIZE_LF,     // CR seen at the end of the size line
    CH_DATA,
    CH_DATA_END,    // CRLF after the data
    CH_DATA_LF,
    CH_TR_START,    // start of a trailer line (or of the final blank line)
    CH_TR_NAME,
    CH_TR_VALUE,
    CH_TR_LF,
    CH_END_LF,      // CR of the final blank line seen
    CH_DONE,
    CH_ERROR,
};

static int hex_value(uint8_t c) {
    if ((unsigned)(c - '0') < 10) {
        return c - '0';
    }
    c |= 0x20;
    if ((unsigned)(c - 'a') < 6) {
        return c - 'a' + 10;
    }
    return -1;
}

void md_chunked_init(md_chunked *c) {
    memset(c, 0, sizeof(*c));
}

// A control character other than HTAB, or DEL.
static int is_ctl(uint8_t ch) {
    return (ch < 0x20 && ch != '\t') || ch == 0x7f;
}

// The next state after byte `ch` in any state but CH_DATA, or CH_ERROR.
static uint8_t chunked_step(md_chunked *c, uint8_t ch) {
    int d;
    switch (c->phase) {
        case CH_SIZE:
        case CH_DIGITS:
            d = hex_value(ch);
            if (d >= 0) {
                if (c->remaining >> 59) {
                    return CH_ERROR;    // the size would reach 2^63
                }
                c->remaining = (c->remaining << 4) | (unsigned)d;
                return CH_DIGITS;
            }
            if (c->phase == CH_SIZE) {
                return CH_ERROR;
            }
            if (ch == ';') {
                return CH_EXT;
            }
            if (is_ows(ch)) {
                return CH_BWS;
            }
            goto line_end;
        case CH_BWS:
            return is_ows(ch) ? CH_BWS : ch == ';' ? CH_EXT : CH_ERROR;
        case CH_EXT:
            if (ch == '\r' || ch == '\n' || !is_ctl(ch)) {
                goto line_end;
            }
            return CH_ERROR;
        case CH_SIZE_LF:
            if (ch != '\n') {
                return CH_ERROR;
            }
            c->counter = 0;
            return c->remaining ? CH_DATA : CH_TR_START;
        case CH_DATA_END:
            if (ch == '\r') {
                return CH_DATA_LF;
            }
        // fall through
        case CH_DATA_LF:
            c->counter = 0;
            return ch == '\n' ? CH_SIZE : CH_ERROR;
        case CH_TR_START:
            if (ch == '\r') {
                return CH_END_LF;
            }
            if (ch == '\n') {
                return CH_DONE;
            }
        // fall through
        case CH_TR_NAME:
            if (ctype[ch] & C_TOKEN) {
                return CH_TR_NAME;
            }
            return ch == ':' && c->phase == CH_TR_NAME ? CH_TR_VALUE : CH_ERROR;
        case CH_TR_VALUE:
            if (ch == '\r') {
                return CH_TR_LF;
            }
            if (ch == '\n') {
                return CH_TR_START;
            }
            return is_ctl(ch) ? CH_ERROR : CH_TR_VALUE;
        case CH_TR_LF:
            return ch == '\n' ? CH_TR_START : CH_ERROR;
        case CH_END_LF:
            return ch == '\n' ? CH_DONE : CH_ERROR;
    }
    return CH_ERROR;
line_end:
    // end of a size line, from CH_DIGITS or CH_EXT
    if (ch == '\r') {
        return CH_SIZE_LF;
    }
    if (ch != '\n') {
        return c->phase == CH_EXT ? CH_EXT : CH_ERROR;
    }
    c->counter = 0;
    return c->remaining ? CH_DATA : CH_TR_START;
}

int md_chunked_decode(md_chunked *c, uint8_t *buf, size_t len,
    size_t *out_len, size_t *consumed) {
    size_t i = 0, o = 0;
    while (i < len && c->phase < CH_DONE) {
        if (c->phase == CH_DATA) {
            size_t n = len - i;
            if (n > c->remaining) {
                n = (size_t)c->remaining;
            }
            if (o != i) {
                memmove(buf + o, buf + i, n);
            }
            o += n;
            i += n;
            c->remaining -= n;
            if (c->remaining == 0) {
                c->phase = CH_DATA_END;
            }
            continue;
        }
        // Bound the bytes spent on framing: size lines (without their line
        // end) and the trailer section (with every line end).
        uint32_t limit = c->phase >= CH_TR_START ? MD_MAX_TRAILER : MD_MAX_CHUNK_EXT;
        uint8_t ch = buf[i++];
        if (c->phase >= CH_TR_START || (c->phase <= CH_EXT && ch != '\r' && ch != '\n')) {
            if (++c->counter > limit) {
                c->phase = CH_ERROR;
                break;
            }
        }
        c->phase = chunked_step(c, ch);
    }
    *out_len = o;
    *consumed = i;
    if (c->phase == CH_ERROR) {
        return -400;
    }
    return c->phase == CH_DONE;
}

#endif // MD_ENABLE_HTTP
