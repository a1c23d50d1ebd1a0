// Router speed: build time, and ns per md_router_match for routers of 1,
// 10, 100 and 1000 routes, matching the first route, the last one, and a
// path that matches none. Not a test: it prints numbers and asserts
// nothing about them.
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "md_route.h"

#define MAX_ROUTES (1000)

static char text[MAX_ROUTES * 48];
static md_slice pats[MAX_ROUTES];
static uint8_t blob[1 << 20];

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static volatile long sink;

// The best of several timed runs, so that other load on the machine shows
// as little as possible.
static double ns_per_match(const char *path) {
    md_capture caps[MD_MAX_CAPTURES];
    size_t len = strlen(path), iters = 1000;
    double best = 1e30;
    for (int run = 0; run < 40;) {
        double t0 = now();
        for (size_t i = 0; i < iters; i++) {
            size_t ncaps = MD_MAX_CAPTURES;
            int verify;
            sink += md_router_match(blob, (const uint8_t *)path, len, 0, caps, &ncaps, &verify);
        }
        double dt = now() - t0;
        if (dt < 0.004) {
            iters *= 2;
            continue;
        }
        best = dt * 1e9 / (double)iters < best ? dt * 1e9 / (double)iters : best;
        run++;
    }
    return best;
}

// Builds n routes of `shape` (a format with one %d) and times three paths.
static void row(const char *title, const char *shape, const char *path_shape, int n) {
    size_t off = 0, bad;
    for (int i = 0; i < n; i++) {
        int w = snprintf(text + off, sizeof(text) - off, shape, i);
        pats[i].off = off;
        pats[i].len = (size_t)w;
        off += (size_t)w;
    }
    double t0 = now();
    long used = md_router_build((const uint8_t *)text, pats, (size_t)n, blob, sizeof(blob), &bad);
    double build_us = (now() - t0) * 1e6;
    if (used < 0 || (size_t)used > sizeof(blob)) {
        printf("build failed: %ld\n", used);
        return;
    }
    char first[64], last[64], miss[64];
    snprintf(first, sizeof(first), path_shape, 0);
    snprintf(last, sizeof(last), path_shape, n - 1);
    snprintf(miss, sizeof(miss), path_shape, n);
    printf("%-26s %5d %8ld %9.0f %9.1f %9.1f %9.1f\n", title, n, used, build_us,
        ns_per_match(first), ns_per_match(last), ns_per_match(miss));
}

int main(void) {
    static const int sizes[] = { 1, 10, 100, 1000 };
    printf("%-26s %5s %8s %9s %9s %9s %9s\n", "routes", "n", "blob B", "build us", "first ns",
        "last ns", "miss ns");
    for (size_t i = 0; i < 4; i++) {
        row("/item<i>/<int:id>", "/item%d/<int:id>", "/item%d/12345", sizes[i]);
    }
    for (size_t i = 0; i < 4; i++) {
        row("/api/v1/<name>/r<i>", "/api/v1/<name>/r%d", "/api/v1/bob/r%d", sizes[i]);
    }
    for (size_t i = 0; i < 4; i++) {
        row("/s<i>/<path:p>/edit", "/s%d/<path:p>/edit", "/s%d/a/b/c/edit", sizes[i]);
    }
    return 0;
}
