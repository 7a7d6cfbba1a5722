/*
 * Minimal typed test assertions: each failure prints file:line, the expression and both values,
 * and counts; CHECK_DONE() returns the process exit status (0 if nothing failed).
 */
#ifndef ACCESSIM_TESTS_CHECK_H
#define ACCESSIM_TESTS_CHECK_H

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static int check_failures = 0;
static int check_count = 0;

#define CHECK_FAIL_(fmt, ...)                                                                      \
    do {                                                                                           \
        ++check_failures;                                                                          \
        fprintf(stderr, "%s:%d: " fmt "\n", __FILE__, __LINE__, __VA_ARGS__);                      \
    } while (0)

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        ++check_count;                                                                             \
        if (!(cond)) CHECK_FAIL_("CHECK(%s) failed", #cond);                                       \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                                         \
    do {                                                                                           \
        ++check_count;                                                                             \
        long long va_ = (long long)(a), vb_ = (long long)(b);                                      \
        if (va_ != vb_) CHECK_FAIL_("%s == %s failed: %lld != %lld", #a, #b, va_, vb_);           \
    } while (0)

#define CHECK_EQ_U32(a, b)                                                                         \
    do {                                                                                           \
        ++check_count;                                                                             \
        uint32_t va_ = (uint32_t)(a), vb_ = (uint32_t)(b);                                         \
        if (va_ != vb_)                                                                            \
            CHECK_FAIL_("%s == %s failed: %" PRIu32 " != %" PRIu32, #a, #b, va_, vb_);             \
    } while (0)

#define CHECK_NEAR(a, b, tol)                                                                      \
    do {                                                                                           \
        ++check_count;                                                                             \
        double va_ = (double)(a), vb_ = (double)(b), vt_ = (double)(tol);                          \
        if (!(fabs(va_ - vb_) <= vt_))                                                             \
            CHECK_FAIL_("%s ~= %s failed: %.9g vs %.9g (tolerance %g)", #a, #b, va_, vb_, vt_);    \
    } while (0)

#define CHECK_STR_EQ(a, b)                                                                         \
    do {                                                                                           \
        ++check_count;                                                                             \
        const char *va_ = (a), *vb_ = (b);                                                         \
        if (!va_ || !vb_ || strcmp(va_, vb_) != 0)                                                 \
            CHECK_FAIL_("%s == %s failed: \"%s\" != \"%s\"", #a, #b, va_ ? va_ : "(null)",         \
                        vb_ ? vb_ : "(null)");                                                     \
    } while (0)

#define CHECK_STR_CONTAINS(hay, needle)                                                            \
    do {                                                                                           \
        ++check_count;                                                                             \
        const char *vh_ = (hay), *vn_ = (needle);                                                  \
        if (!vh_ || !strstr(vh_, vn_))                                                             \
            CHECK_FAIL_("%s contains \"%s\" failed: \"%s\"", #hay, vn_, vh_ ? vh_ : "(null)");     \
    } while (0)

#define CHECK_DONE()                                                                               \
    (printf("%d checks, %d failed\n", check_count, check_failures), check_failures ? 1 : 0)

#endif
