// Runs every case of tests/vectors/chunked.json through md_chunked_decode
// whole, one byte at a time, split in two at every point, and (for bodies
// that end) with bytes appended; each piece ends right before a PROT_NONE page.
#define _DEFAULT_SOURCE
#include "guard.h"
#include "mdtest.h"
#include "md_http.h"
#include "vectors.h"

static uint8_t decoded[20000];
static char case_name[256];

typedef struct {
    md_chunked state;
    size_t data_len;    // payload collected in `decoded`
    size_t fed;         // input bytes given so far
    size_t next;        // where the body ended, once done
    int result;         // last return value
} feed;

// Decodes input[from:to) as one piece, in place in a guard-page copy.
static void feed_piece(feed *f, const char *input, size_t from, size_t to) {
    size_t n = to - from, out_len = 0, consumed = 0;
    if (f->result != 0) {
        return;
    }
    uint8_t *buf = guard_copy(input + from, n);
    f->result = md_chunked_decode(&f->state, buf, n, &out_len, &consumed);
    if (f->result < 0) {
        CHECK(f->result == -400);
        return;
    }
    CHECK(out_len <= consumed && consumed <= n);
    CHECK(f->result == 1 || consumed == n);
    memcpy(decoded + f->data_len, buf, out_len);
    f->data_len += out_len;
    f->fed = from + consumed;
    if (f->result == 1) {
        f->next = from + consumed;
    }
}

static void start(feed *f) {
    memset(f, 0, sizeof(*f));
    md_chunked_init(&f->state);
}

static void check_feed(const chunked_vector *v, const feed *f, const char *mode) {
    snprintf(case_name, sizeof(case_name), "%s [%s]", v->name, mode);
    md_test_case = case_name;
    if (v->status) {
        CHECK(f->result == -v->status);
        return;
    }
    CHECK(f->result == v->done);
    CHECK(f->data_len == v->data_len && memcmp(decoded, v->data, v->data_len) == 0);
    CHECK((v->done ? f->next : f->fed) == v->next);
}

static void run_vector(const chunked_vector *v) {
    feed f;
    start(&f);
    feed_piece(&f, v->input, 0, v->input_len);
    check_feed(v, &f, "whole");

    start(&f);
    for (size_t i = 0; i < v->input_len; i++) {
        feed_piece(&f, v->input, i, i + 1);
    }
    check_feed(v, &f, "bytewise");

    for (size_t k = 1; k < v->input_len; k++) {
        start(&f);
        feed_piece(&f, v->input, 0, k);
        feed_piece(&f, v->input, k, v->input_len);
        check_feed(v, &f, "split");
    }

    if (v->status == 0 && v->done) {
        static char tmp[20000];
        memcpy(tmp, v->input, v->input_len);
        memcpy(tmp + v->input_len, "5\r\nextra\r\n", 10);
        start(&f);
        feed_piece(&f, tmp, 0, v->input_len + 10);
        check_feed(v, &f, "trailing");
        // once done, further calls consume nothing
        size_t out_len = 1, consumed = 1;
        uint8_t *buf = guard_copy("0\r\n\r\n", 5);
        CHECK(md_chunked_decode(&f.state, buf, 5, &out_len, &consumed) == 1);
        CHECK(out_len == 0 && consumed == 0);
    }
}

int main(void) {
    size_t max = 0;
    for (size_t i = 0; i < CHUNKED_VECTOR_COUNT; i++) {
        if (chunked_vectors[i].input_len > max) {
            max = chunked_vectors[i].input_len;
        }
    }
    guard_init(max + 16);
    for (size_t i = 0; i < CHUNKED_VECTOR_COUNT; i++) {
        run_vector(&chunked_vectors[i]);
    }
    // an error is sticky
    md_chunked c;
    size_t out_len, consumed;
    md_test_case = "sticky error";
    md_chunked_init(&c);
    CHECK(md_chunked_decode(&c, guard_copy("x", 1), 1, &out_len, &consumed) == -400);
    CHECK(md_chunked_decode(&c, guard_copy("0\r\n\r\n", 5), 5, &out_len, &consumed) == -400);
    return md_test_summary("chunked");
}
