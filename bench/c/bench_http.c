// Head parser speed: md_parse_request on a 526-byte browser GET with 10
// header fields, whole, in a loop. Also the chunked decoder and
// md_url_decode for scale. Not a test: it prints numbers and asserts nothing.
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "md_http.h"
#include "md_util.h"

static const char request[] =
    "GET /catalog/items/421?color=blue&size=m HTTP/1.1\r\n"
    "Host: shop.example.org\r\n"
    "User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36\r\n"
    "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8\r\n"
    "Accept-Language: en-GB,en;q=0.9\r\n"
    "Accept-Encoding: gzip, deflate, br\r\n"
    "Referer: https://shop.example.org/catalog?page=12\r\n"
    "Connection: keep-alive\r\n"
    "Cookie: session=4f2a9c0e7b1d; cart=1703; theme=dark\r\n"
    "Upgrade-Insecure-Requests: 1\r\n"
    "Cache-Control: max-age=0\r\n"
    "\r\n";

static volatile long sink;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

// Grows the batch until it takes 20 ms, then reports the fastest of 15
// batches in ns per call (the machine may be shared: the minimum is the
// least disturbed measurement).
static double time_it(void (*fn)(size_t), size_t iters) {
    double best = 1e30;
    for (;;) {
        double t0 = now();
        fn(iters);
        if (now() - t0 > 0.02) {
            break;
        }
        iters *= 2;
    }
    for (int round = 0; round < 15; round++) {
        double t0 = now();
        fn(iters);
        double dt = now() - t0;
        if (dt < best) {
            best = dt;
        }
    }
    return best * 1e9 / (double)iters;
}

static void parse_loop(size_t n) {
    md_header headers[32];
    md_limits limits = {2048, 16384, 100};
    md_request req;
    for (size_t i = 0; i < n; i++) {
        req.headers = headers;
        req.num_headers = 32;
        sink += md_parse_request((const uint8_t *)request, sizeof(request) - 1, 0, &limits, &req);
    }
}

// A 4 KiB body in 16 chunks of 256 bytes, decoded from a fresh copy each time.
static char body[8192], work[8192];
static size_t body_len;

static void chunked_loop(size_t n) {
    for (size_t i = 0; i < n; i++) {
        md_chunked c;
        size_t out, used;
        memcpy(work, body, body_len);
        md_chunked_init(&c);
        sink += md_chunked_decode(&c, (uint8_t *)work, body_len, &out, &used) + (long)out;
    }
}

static const char query[] = "q=caf%C3%A9+au+lait&page=2&sort=price%2Casc&tag=a+b+c";

static void decode_loop(size_t n) {
    uint8_t out[sizeof(query)];
    for (size_t i = 0; i < n; i++) {
        sink += md_url_decode((const uint8_t *)query, sizeof(query) - 1, out, 1);
    }
}

int main(void) {
    size_t len = sizeof(request) - 1;
    double ns = time_it(parse_loop, 10000);
    printf("%-34s %8s %10s\n", "", "ns/call", "MB/s");
    printf("%-34s %8.1f %10.1f\n", "parse_request (526 B, 10 fields)", ns, len / ns * 1e3);
    for (int i = 0; i < 16; i++) {
        body_len += (size_t)sprintf(body + body_len, "100\r\n");
        memset(body + body_len, 'a' + i, 256);
        body_len += 256;
        body_len += (size_t)sprintf(body + body_len, "\r\n");
    }
    body_len += (size_t)sprintf(body + body_len, "0\r\n\r\n");
    ns = time_it(chunked_loop, 10000);
    printf("%-34s %8.1f %10.1f\n", "chunked_decode (4 KiB, 16 chunks)", ns, body_len / ns * 1e3);
    ns = time_it(decode_loop, 10000);
    printf("%-34s %8.1f %10.1f\n", "url_decode (53 B query)", ns, (sizeof(query) - 1) / ns * 1e3);
    return 0;
}
