// libFuzzer harness of md_parse_request. Besides crashes and sanitizer
// reports it aborts when a result breaks the contract: slices outside the
// head, an unknown status, an error without message, or a different answer
// when the same bytes arrive in two pieces or with more bytes after them.
#include <stdlib.h>
#include <string.h>
#include "md_http.h"

#define CAPACITY 16

static int inside(md_slice s, size_t n) {
    return s.off <= n && s.len <= n - s.off;
}

static void check(const md_request *req, int r, size_t len, const md_limits *lim) {
    if (r == MD_INCOMPLETE) {
        return;
    }
    if (r < 0) {
        if (req->error == NULL) {
            abort();
        }
        switch (-r) {
            case 400: case 414: case 417: case 431: case 501: case 505:
                return;
        }
        abort();
    }
    size_t n = (size_t)r;
    if (n == 0 || n > len || n > lim->max_head || req->num_headers > CAPACITY
        || req->num_headers > lim->max_headers || req->error != NULL) {
        abort();
    }
    if (req->method.off != 0 || req->method.len == 0 || !inside(req->target, n)
        || !inside(req->path, n) || req->path.off < req->target.off
        || req->path.off + req->path.len > req->target.off + req->target.len) {
        abort();
    }
    if ((req->flags & MD_F_QUERY) && !inside(req->query, n)) {
        abort();
    }
    for (size_t i = 0; i < req->num_headers; i++) {
        if (!inside(req->headers[i].name, n) || !inside(req->headers[i].value, n)
            || req->headers[i].name.len == 0) {
            abort();
        }
    }
    if (req->minor_version > 1 || req->content_length < -1 || req->flags >= 32
        || ((req->flags & MD_F_CHUNKED) && req->content_length != -1)) {
        abort();
    }
}

static int parse(const uint8_t *buf, size_t len, size_t scanned, const md_limits *lim,
    md_request *req, md_header *h) {
    req->headers = h;
    req->num_headers = CAPACITY;
    int r = md_parse_request(buf, len, scanned, lim, req);
    check(req, r, len, lim);
    return r;
}

static void same(int a, const md_request *x, int b, const md_request *y) {
    if (a != b) {
        abort();
    }
    if (a > 0 && (x->num_headers != y->num_headers || x->flags != y->flags
                  || x->content_length != y->content_length || x->path.off != y->path.off
                  || x->path.len != y->path.len)) {
        abort();
    }
}

static void run(const uint8_t *data, size_t size, const md_limits *lim) {
    md_header h1[CAPACITY], h2[CAPACITY];
    md_request whole, part;
    int r = parse(data, size, 0, lim, &whole, h1);

    // the same bytes in two pieces, the second call passing `scanned`
    if (size > 1) {
        size_t k = 1 + data[size - 1] * 131u % (size - 1);
        uint8_t *first = malloc(k);
        memcpy(first, data, k);
        int r1 = parse(first, k, 0, lim, &part, h2);
        free(first);
        if (r1 == MD_INCOMPLETE) {
            r1 = parse(data, size, k, lim, &part, h2);
            same(r, &whole, r1, &part);
        } else if (r1 != r) {
            abort();    // what a prefix decided, the whole input decides too
        }
    }
    // more bytes after a decided head change nothing
    if (r != MD_INCOMPLETE) {
        uint8_t *more = malloc(size + 4);
        memcpy(more, data, size);
        memcpy(more + size, "\r\n\r\n", 4);
        int r2 = parse(more, size + 4, 0, lim, &part, h2);
        free(more);
        same(r, &whole, r2, &part);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    md_limits defaults = {2048, 16384, 100};
    run(data, size, &defaults);
    if (size > 0) {
        // small limits from the input itself, to reach the 414/431 paths
        md_limits small = {size / 3, size / 2 + 1, data[0] % 8};
        run(data, size, &small);
    }
    return 0;
}
