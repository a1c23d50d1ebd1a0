// WebSocket helpers' speed: header parse, masking and UTF-8 validation of a
// 64 KiB payload (MB/s). Not a test: it prints numbers only.
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "md_ws.h"

#define SIZE (64 * 1024)

static uint8_t payload[SIZE + 8];
static volatile uint64_t sink;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

// Best ns per call of `job` over several runs (least disturbed by load).
static double best_ns(void (*job)(void)) {
    double best = 1e30;
    size_t iters = 16;
    for (int run = 0; run < 20;) {
        double t0 = now();
        for (size_t i = 0; i < iters; i++) {
            job();
        }
        double dt = now() - t0;
        if (dt < 0.005) {
            iters *= 2;
            continue;
        }
        best = dt * 1e9 / (double)iters < best ? dt * 1e9 / (double)iters : best;
        run++;
    }
    return best;
}

static void parse(void) {
    static const uint8_t hdr[] = { 0x82, 0xfe, 0x01, 0x00, 1, 2, 3, 4 };
    md_ws_frame f;
    sink += (uint64_t)md_ws_parse_header(hdr, sizeof(hdr), 1, UINT64_MAX, &f) + f.payload_len;
}

static void mask_unaligned(void) {
    static const uint8_t m[4] = { 0x37, 0xfa, 0x21, 0x3d };
    md_ws_mask(payload + 1, SIZE, m, 3);
}

static void utf8(void) {
    sink += md_utf8_check(MD_UTF8_ACCEPT, payload, SIZE);
}

int main(void) {
    printf("%-34s %10.1f ns\n", "ws_parse_header (16-bit, masked)", best_ns(parse));
    printf("%-34s %10.0f MB/s\n", "ws_mask 64 KiB, unaligned start", SIZE / best_ns(mask_unaligned) * 1e3);
    memset(payload, 'a', sizeof(payload));
    printf("%-34s %10.0f MB/s\n", "utf8_check 64 KiB ASCII", SIZE / best_ns(utf8) * 1e3);
    static const char mixed[] = "caf\xc3\xa9 \xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5 \xe2\x82\xac\xf0\x9f\x98\x80 ";
    for (size_t i = 0; i + sizeof(mixed) - 1 <= SIZE; i += sizeof(mixed) - 1) {
        memcpy(payload + i, mixed, sizeof(mixed) - 1);
    }
    size_t tail = SIZE % (sizeof(mixed) - 1);
    memset(payload + SIZE - tail, ' ', tail);
    printf("%-34s %10.0f MB/s\n", "utf8_check 64 KiB mixed", SIZE / best_ns(utf8) * 1e3);
    return 0;
}
