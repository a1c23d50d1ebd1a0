// Minimal test harness shared by the C unit tests: CHECK counts, prints the
// failing expression with its location, and md_test_summary() prints the
// closing "N passed, N failed" line and gives the exit status.
#ifndef MDTEST_H
#define MDTEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int md_test_passed, md_test_failed;

#define CHECK(cond) do { \
        if (cond) { md_test_passed++; } \
        else { md_test_failed++; \
               fprintf(stderr, "%s:%d: %s: CHECK(%s) failed\n", __FILE__, __LINE__, md_test_case, #cond); } \
    } while (0)

// Name of the case being checked, for failure messages.
static const char *md_test_case = "";

static inline int md_test_summary(const char *suite) {
    printf("%s: %d passed, %d failed\n", suite, md_test_passed, md_test_failed);
    return md_test_failed ? 1 : 0;
}

#endif // MDTEST_H
