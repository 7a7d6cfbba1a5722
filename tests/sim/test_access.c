/* Unit tests for sim/access.c: population-weighted shares, mean and median, by hand. */
#include <stdlib.h>

#include "check.h"
#include "sim/access.h"
#include "sim/route.h"

#define U SIM_UNREACHABLE
#define EXACT 0.0
#define TOL 1e-12

/* times {10, 20, U, 40, 5}, population {1, 2, 3, 4, 0}: total 10, reachable 7. */
static const uint32_t T5[] = {10, 20, U, 40, 5};
static const double P5[] = {1, 2, 3, 4, 0};

static void test_access_share_within(void) {
    CHECK_NEAR(sim_access_share_within(T5, P5, 5, 20), 0.3, TOL);  /* (1 + 2) / 10 */
    CHECK_NEAR(sim_access_share_within(T5, P5, 5, 19), 0.1, TOL);  /* inclusive threshold */
    CHECK_NEAR(sim_access_share_within(T5, P5, 5, 40), 0.7, TOL);  /* unreachable 3 stays out */
    CHECK_NEAR(sim_access_share_within(T5, P5, 5, U), 0.7, TOL);   /* ... even at the top */
    CHECK_NEAR(sim_access_share_within(T5, P5, 5, 5), 0.0, EXACT); /* only population 0 */
    CHECK_NEAR(sim_access_share_within(T5, P5, 5, 0), 0.0, EXACT);
}

static void test_access_unreachable_share(void) {
    CHECK_NEAR(sim_access_unreachable_share(T5, P5, 5), 0.3, TOL);
    const uint32_t t[] = {U, U};
    const double p[] = {2, 0.5};
    CHECK_NEAR(sim_access_unreachable_share(t, p, 2), 1.0, EXACT);
    CHECK_NEAR(sim_access_share_within(t, p, 2, U), 0.0, EXACT);
    CHECK_NEAR(sim_access_unreachable_share(T5, P5, 2), 0.0, EXACT); /* {10, 20} only */
}

static void test_access_mean(void) {
    CHECK_NEAR(sim_access_mean(T5, P5, 5), 30.0, TOL); /* (10 + 40 + 160 + 0) / 7 */
    const uint32_t t[] = {100, 200};
    const double p[] = {0.25, 0.75};
    CHECK_NEAR(sim_access_mean(t, p, 2), 175.0, TOL);
    const uint32_t big[] = {U - 1, U - 1};
    const double one[] = {1, 1};
    CHECK_NEAR(sim_access_mean(big, one, 2), 4294967294.0, EXACT);
}

static void test_access_median(void) {
    /* Reachable 7, half 3.5: population within 10 is 1, within 20 is 3, within 40 is 7. */
    CHECK_NEAR(sim_access_median(T5, P5, 5), 40.0, EXACT);
    /* Even split: four equal people, half 2 is reached at 20 (the lower median). */
    CHECK_NEAR(
        sim_access_median((const uint32_t[]){40, 10, 30, 20}, (const double[]){1, 1, 1, 1}, 4),
        20.0, EXACT);
    /* Odd count: three equal people, half 1.5 is reached at 20. */
    CHECK_NEAR(sim_access_median((const uint32_t[]){30, 20, 10}, (const double[]){1, 1, 1}, 3),
               20.0, EXACT);
    /* Weights decide: 3 of 5 people at 10. */
    CHECK_NEAR(sim_access_median((const uint32_t[]){20, 10, 30}, (const double[]){1, 3, 1}, 3),
               10.0, EXACT);
    /* Exactly half at the lower time: that time. */
    CHECK_NEAR(sim_access_median((const uint32_t[]){10, 20}, (const double[]){2, 2}, 2), 10.0,
               EXACT);
    /* Unsorted with repeated times: within 10 is 1, within 20 is 2, within 30 is 6; half 3. */
    CHECK_NEAR(
        sim_access_median((const uint32_t[]){30, 10, 30, 20}, (const double[]){2, 1, 2, 1}, 4),
        30.0, EXACT);
    /* Fractional populations. */
    CHECK_NEAR(
        sim_access_median((const uint32_t[]){300, 100, 200}, (const double[]){0.25, 0.5, 0.25}, 3),
        100.0, EXACT);
    /* An empty place at a smaller time is not the median. */
    CHECK_NEAR(sim_access_median((const uint32_t[]){1, 50}, (const double[]){0, 1}, 2), 50.0,
               EXACT);
    /* Extreme times. */
    CHECK_NEAR(sim_access_median((const uint32_t[]){U - 1, 0}, (const double[]){1, 1}, 2), 0.0,
               EXACT);
    CHECK_NEAR(sim_access_median((const uint32_t[]){U - 1, 0, U}, (const double[]){2, 1, 9}, 3),
               4294967294.0, EXACT);
    /* A single person. */
    CHECK_NEAR(sim_access_median((const uint32_t[]){77}, (const double[]){3}, 1), 77.0, EXACT);
}

static void test_access_zero_population_is_nan(void) {
    const uint32_t t[] = {10, U};
    const double zero[] = {0, 0};
    CHECK(isnan(sim_access_share_within(t, zero, 2, 100)));
    CHECK(isnan(sim_access_unreachable_share(t, zero, 2)));
    CHECK(isnan(sim_access_mean(t, zero, 2)));
    CHECK(isnan(sim_access_median(t, zero, 2)));
    /* n == 0, NULL arrays. */
    CHECK(isnan(sim_access_share_within(NULL, NULL, 0, 100)));
    CHECK(isnan(sim_access_unreachable_share(NULL, NULL, 0)));
    CHECK(isnan(sim_access_mean(NULL, NULL, 0)));
    CHECK(isnan(sim_access_median(NULL, NULL, 0)));
    /* Population, but none reachable: shares are defined, mean and median are not. */
    const uint32_t unreach[] = {U, U};
    const double some[] = {1, 2};
    CHECK_NEAR(sim_access_share_within(unreach, some, 2, 100), 0.0, EXACT);
    CHECK(isnan(sim_access_mean(unreach, some, 2)));
    CHECK(isnan(sim_access_median(unreach, some, 2)));
}

/* ---- median against a sort-based reference ------------------------------------------------ */

typedef struct {
    uint32_t t;
    double p;
} entry;

static int entry_cmp(const void *a, const void *b) {
    uint32_t x = ((const entry *)a)->t, y = ((const entry *)b)->t;
    return (x > y) - (x < y);
}

/* Lower weighted median by sorting; populations are small integers so every sum is exact. */
static double ref_median(const uint32_t *t, const double *p, size_t n) {
    entry e[64];
    size_t k = 0;
    double total = 0;
    for (size_t i = 0; i < n; ++i)
        if (t[i] != U) {
            e[k++] = (entry){t[i], p[i]};
            total += p[i];
        }
    if (total == 0) return NAN;
    qsort(e, k, sizeof e[0], entry_cmp);
    double cum = 0;
    for (size_t i = 0; i < k; ++i) {
        cum += e[i].p;
        if (cum >= total / 2 && (i + 1 == k || e[i + 1].t != e[i].t)) return e[i].t;
    }
    return NAN; /* unreachable: cum ends at total */
}

static void test_access_median_random(void) {
    uint64_t x = 88172645463325252u; /* xorshift64, fixed seed */
    int bad = 0;
    for (int k = 0; k < 500; ++k) {
        uint32_t t[64];
        double p[64];
        size_t n = 1 + k % 64;
        for (size_t i = 0; i < n; ++i) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            uint32_t r = (uint32_t)(x >> 32);
            t[i] = r % 10 == 0 ? U : (k % 3 ? r % 50 : r); /* many repeats, or any time */
            p[i] = (double)(x % 5);                        /* integers 0..4, incl. 0 */
        }
        double want = ref_median(t, p, n), got = sim_access_median(t, p, n);
        if (!(got == want || (isnan(got) && isnan(want)))) {
            ++bad;
            fprintf(stderr, "  median case %d: got %.17g, want %.17g\n", k, got, want);
        }
    }
    CHECK_EQ_INT(bad, 0);
}

int main(void) {
    test_access_share_within();
    test_access_unreachable_share();
    test_access_mean();
    test_access_median();
    test_access_zero_population_is_nan();
    test_access_median_random();
    return CHECK_DONE();
}
