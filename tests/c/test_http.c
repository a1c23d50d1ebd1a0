// Runs every case of tests/vectors/http.json through md_parse_request whole,
// fed as growing prefixes (with `scanned`), split in two at every point, and
// with bytes appended; inputs end right before a PROT_NONE page.
#define _DEFAULT_SOURCE
#include "guard.h"
#include "mdtest.h"
#include "md_http.h"
#include "vectors.h"

#define CAPACITY 128

static md_header headers[CAPACITY];
static char case_name[256];

static void set_case(const http_vector *v, const char *mode) {
    snprintf(case_name, sizeof(case_name), "%s [%s]", v->name, mode);
    md_test_case = case_name;
}

static int parse(const http_vector *v, const uint8_t *buf, size_t len, size_t scanned,
    size_t capacity, md_request *req) {
    md_limits limits = {v->max_line, v->max_head, v->max_headers};
    req->headers = headers;
    req->num_headers = capacity;
    return md_parse_request(buf, len, scanned, &limits, req);
}

static int slice_is(const uint8_t *buf, md_slice s, const char *text) {
    return s.len == strlen(text) && memcmp(buf + s.off, text, s.len) == 0;
}

static int inside(md_slice s, size_t len) {
    return s.off <= len && s.len <= len - s.off;
}

static void check_result(const http_vector *v, const uint8_t *buf, size_t len, int r,
    const md_request *req) {
    if (v->status < 0) {
        CHECK(r == MD_INCOMPLETE);
        return;
    }
    if (v->status > 0) {
        CHECK(r == -v->status);
        CHECK(r >= MD_INCOMPLETE || req->error != NULL);
        return;
    }
    CHECK(r == (int)v->head_len);
    if (r != (int)v->head_len) {
        fprintf(stderr, "  got %d (%s)\n", r, req->error ? req->error : "");
        return;
    }
    CHECK(slice_is(buf, req->method, v->method));
    CHECK(req->method.off == 0);
    CHECK(inside(req->target, (size_t)r) && inside(req->path, (size_t)r));
    // the path is a slice of the target; the Python level reports "/" for an empty one
    CHECK(req->path.off >= req->target.off
        && req->path.off + req->path.len <= req->target.off + req->target.len);
    CHECK(req->path.len ? slice_is(buf, req->path, v->path) : strcmp(v->path, "/") == 0);
    if (v->query) {
        CHECK((req->flags & MD_F_QUERY) && inside(req->query, (size_t)r));
        CHECK(slice_is(buf, req->query, v->query));
    } else {
        CHECK(!(req->flags & MD_F_QUERY));
    }
    CHECK(req->minor_version == v->minor);
    CHECK(req->content_length == v->content_length);
    CHECK((req->flags & ~(unsigned)MD_F_QUERY) == v->flags);
    CHECK(req->error == NULL);
    CHECK(req->num_headers == v->num_headers);
    for (size_t i = 0; i < req->num_headers && i < v->num_headers; i++) {
        CHECK(inside(req->headers[i].name, len) && inside(req->headers[i].value, len));
        CHECK(slice_is(buf, req->headers[i].name, v->headers[2 * i]));
        CHECK(slice_is(buf, req->headers[i].value, v->headers[2 * i + 1]));
    }
}

static void run_whole(const http_vector *v) {
    md_request req;
    set_case(v, "whole");
    const uint8_t *buf = guard_copy(v->input, v->input_len);
    int r = parse(v, buf, v->input_len, 0, CAPACITY, &req);
    check_result(v, buf, v->input_len, r, &req);
    if (v->status == 0 && v->num_headers > 0) {
        // the caller's array is a limit too: exactly enough, then one short
        set_case(v, "capacity");
        r = parse(v, buf, v->input_len, 0, v->num_headers, &req);
        CHECK(r == (int)v->head_len);
        r = parse(v, buf, v->input_len, 0, v->num_headers - 1, &req);
        CHECK(r == -431 && req.error != NULL);
    }
}

// Feeds prefixes of 1, 2, ... bytes, each call passing the previous length as
// `scanned`; the first answer that is not "incomplete" must be the expected one.
static void run_growing(const http_vector *v) {
    md_request req;
    set_case(v, "growing");
    int r = MD_INCOMPLETE;
    size_t n, scanned = 0;
    const uint8_t *buf = NULL;
    for (n = 1; n <= v->input_len && r == MD_INCOMPLETE; n++) {
        buf = guard_copy(v->input, n);
        r = parse(v, buf, n, scanned, CAPACITY, &req);
        scanned = n;
    }
    if (v->status == 0) {
        CHECK(n - 1 == v->head_len);    // complete exactly when its last byte arrives
    }
    if (buf) {
        check_result(v, buf, n - 1, r, &req);
    }
}

// Splits the input in two at every point (sampled for long inputs).
static void run_split(const http_vector *v) {
    md_request req;
    size_t step = v->input_len > 600 ? v->input_len / 150 : 1;
    set_case(v, "split");
    for (size_t k = 1; k < v->input_len; k += step) {
        const uint8_t *buf = guard_copy(v->input, k);
        int r = parse(v, buf, k, 0, CAPACITY, &req);
        if (r == MD_INCOMPLETE) {
            buf = guard_copy(v->input, v->input_len);
            r = parse(v, buf, v->input_len, k, CAPACITY, &req);
            check_result(v, buf, v->input_len, r, &req);
        } else {
            check_result(v, buf, k, r, &req);
        }
    }
}

// Bytes after a decided head never change the decision.
static void run_trailing(const http_vector *v) {
    static const char *const tails[] = {"\r\n\r\n", "GET / HTTP/1.1\r\nHost: y\r\n\r\n", "\xff\x00\n\n junk"};
    static uint8_t tmp[20000];
    md_request req;
    if (v->status < 0) {
        return;
    }
    set_case(v, "trailing");
    for (size_t i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
        size_t t = strlen(tails[i]) + (i == 2);   // the third one holds a NUL
        memcpy(tmp, v->input, v->input_len);
        memcpy(tmp + v->input_len, tails[i], t);
        const uint8_t *buf = guard_copy(tmp, v->input_len + t);
        int r = parse(v, buf, v->input_len + t, 0, CAPACITY, &req);
        check_result(v, buf, v->input_len + t, r, &req);
    }
}

// A few contract points that are not about one input.
static void run_contract(void) {
    md_request req;
    md_header one[1];
    md_limits limits = {2048, 16384, 100};
    md_test_case = "contract";
    // an incomplete head leaves no error behind
    const char *part = "GET / HTTP/1.1\r\nHo";
    const uint8_t *buf = guard_copy(part, strlen(part));
    req.headers = one;
    req.num_headers = 1;
    CHECK(md_parse_request(buf, strlen(part), 0, &limits, &req) == MD_INCOMPLETE);
    CHECK(req.error == NULL);
    // scanned equal to len (no new bytes) is still incomplete
    CHECK(md_parse_request(buf, strlen(part), strlen(part), &limits, &req) == MD_INCOMPLETE);
    // a scanned hint past len is ignored
    const char *full = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    buf = guard_copy(full, strlen(full));
    req.num_headers = 1;
    CHECK(md_parse_request(buf, strlen(full), 1000, &limits, &req) == (int)strlen(full));
    // zero capacity rejects any field
    req.num_headers = 0;
    CHECK(md_parse_request(buf, strlen(full), 0, &limits, &req) == -431);
}

int main(void) {
    size_t max = 0;
    for (size_t i = 0; i < HTTP_VECTOR_COUNT; i++) {
        if (http_vectors[i].input_len > max) {
            max = http_vectors[i].input_len;
        }
    }
    guard_init(max + 64);
    for (size_t i = 0; i < HTTP_VECTOR_COUNT; i++) {
        const http_vector *v = &http_vectors[i];
        run_whole(v);
        run_growing(v);
        run_split(v);
        run_trailing(v);
    }
    run_contract();
    return md_test_summary("http");
}
