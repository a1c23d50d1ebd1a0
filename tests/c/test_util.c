// Runs every case of tests/vectors/util.json through md_url_decode (into a
// separate buffer and in place), md_split_query (then decoding each part with
// plus) and md_split_cookies; inputs end right before a PROT_NONE page.
#define _DEFAULT_SOURCE
#include "guard.h"
#include "mdtest.h"
#include "md_util.h"
#include "vectors.h"

#define MAX_PAIRS 64

static uint8_t out[8192];
static char case_name[256];

static void set_case(const util_vector *v, const char *mode) {
    snprintf(case_name, sizeof(case_name), "%s [%s]", v->name, mode);
    md_test_case = case_name;
}

static int same(const uint8_t *p, size_t n, const util_str *want) {
    return n == want->len && memcmp(p, want->s, n) == 0;
}

static void run_decode(const util_vector *v) {
    set_case(v, "copy");
    const uint8_t *src = guard_copy(v->input, v->input_len);
    long n = md_url_decode(src, v->input_len, out, v->plus);
    if (v->status) {
        CHECK(n == -v->status);
    } else {
        CHECK(n >= 0 && (size_t)n <= v->input_len && same(out, (size_t)n, &v->expect[0]));
    }
    set_case(v, "in place");
    uint8_t *buf = guard_copy(v->input, v->input_len);
    n = md_url_decode(buf, v->input_len, buf, v->plus);
    if (v->status) {
        CHECK(n == -v->status);
    } else {
        CHECK(n >= 0 && same(buf, (size_t)n, &v->expect[0]));
    }
}

// Splits, then (for queries) decodes every name and value; a result that is
// not valid UTF-8 makes the whole call fail with 400, as at the Python level.
static void run_split(const util_vector *v) {
    md_slice pairs[2 * MAX_PAIRS];
    set_case(v, "split");
    const uint8_t *src = guard_copy(v->input, v->input_len);
    int query = v->func == UTIL_PARSE_QUERY;
    long n = query ? md_split_query(src, v->input_len, pairs, MAX_PAIRS)
                   : md_split_cookies(src, v->input_len, pairs, MAX_PAIRS);
    CHECK(n >= 0);
    if (n < 0) {
        return;
    }
    int status = 0;
    size_t count = 0;
    for (size_t i = 0; i < 2 * (size_t)n; i++) {
        md_slice s = pairs[i];
        CHECK(s.off <= v->input_len && s.len <= v->input_len - s.off);
        const uint8_t *p = src + s.off;
        size_t len = s.len;
        if (query) {
            long d = md_url_decode(p, len, out, 1);
            if (d < 0) {
                status = (int)-d;
                break;
            }
            p = out;
            len = (size_t)d;
        }
        if (!v->status) {
            CHECK(count < v->count && same(p, len, &v->expect[count]));
        }
        count++;
    }
    CHECK(status == v->status);
    if (!status) {
        CHECK(count == v->count);
    }
}

// The capacity limit, which the vectors do not exercise.
static void run_capacity(void) {
    md_slice pairs[6];
    md_test_case = "capacity";
    const char *q = "a=1&&b=2&c";
    const uint8_t *src = guard_copy(q, strlen(q));
    CHECK(md_split_query(src, strlen(q), pairs, 3) == 3);
    CHECK(md_split_query(src, strlen(q), pairs, 2) == -413);
    CHECK(md_split_query(src, strlen(q), pairs, 0) == -413);
    const char *c = "a=1; b; c=2";
    src = guard_copy(c, strlen(c));
    CHECK(md_split_cookies(src, strlen(c), pairs, 2) == 2);
    CHECK(md_split_cookies(src, strlen(c), pairs, 1) == -413);
    CHECK(md_split_cookies(src, 0, pairs, 0) == 0);
}

int main(void) {
    guard_init(sizeof(out));
    for (size_t i = 0; i < UTIL_VECTOR_COUNT; i++) {
        const util_vector *v = &util_vectors[i];
        if (v->func == UTIL_URL_DECODE) {
            run_decode(v);
        } else {
            run_split(v);
        }
    }
    run_capacity();
    return md_test_summary("util");
}
