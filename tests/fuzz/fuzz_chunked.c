// libFuzzer harness of md_chunked_decode: the input is one chunked body. It
// is decoded whole and in three pieces (split where its own bytes say) and
// both runs must agree on the payload, the end and the verdict; lengths must
// stay within the input.
#include <stdlib.h>
#include <string.h>
#include "md_http.h"

typedef struct {
    md_chunked c;
    uint8_t *data;      // payload collected
    size_t data_len;
    size_t end;         // input offset reached
    int r;
} run_state;

static void feed(run_state *s, const uint8_t *in, size_t from, size_t to) {
    size_t n = to - from, out_len, consumed;
    if (s->r != 0 || n == 0) {
        return;
    }
    uint8_t *buf = malloc(n);
    memcpy(buf, in + from, n);
    s->r = md_chunked_decode(&s->c, buf, n, &out_len, &consumed);
    if (s->r != -400 && s->r != 0 && s->r != 1) {
        abort();
    }
    if (s->r >= 0) {
        if (out_len > consumed || consumed > n || (s->r == 0 && consumed != n)) {
            abort();
        }
        memcpy(s->data + s->data_len, buf, out_len);
        s->data_len += out_len;
        s->end = from + consumed;
    }
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    run_state a, b;
    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    md_chunked_init(&a.c);
    md_chunked_init(&b.c);
    a.data = malloc(size + 1);
    b.data = malloc(size + 1);
    feed(&a, data, 0, size);
    size_t k1 = size ? data[0] % (size + 1) : 0;
    size_t k2 = size ? k1 + (size - k1) / 2 : 0;
    feed(&b, data, 0, k1);
    feed(&b, data, k1, k2);
    feed(&b, data, k2, size);
    if (a.r != b.r || (a.r >= 0 && (a.data_len != b.data_len || a.end != b.end
                                    || memcmp(a.data, b.data, a.data_len) != 0))) {
        abort();
    }
    // the payload never outgrows the framing
    if (a.r >= 0 && a.data_len > a.end) {
        abort();
    }
    free(a.data);
    free(b.data);
    return 0;
}
