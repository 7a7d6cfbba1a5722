/*
 * Unit tests for sim/equity.c: every index on small cases worked by hand in the comments, the
 * properties the issue asks for (Gini 0 and (n-1)/n, Theil between + within == total), and
 * random cases against naive references that share no code with sim/equity.c (pairwise Gini,
 * expanded-copies Theil and Palma with R's type-7 quantile, Erreygers' unweighted CI sums).
 */
#include <assert.h>
#include <stdlib.h>

#include "check.h"
#include "sim/access.h"
#include "sim/equity.h"
#include "sim/route.h"

#define TOL 1e-12
#define INF INFINITY

/* ---- helpers -------------------------------------------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rng_next(void) { /* xorshift64, fixed seed: the same cases every run */
    uint64_t x = rng_state;
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    return rng_state = x;
}

static double rng_uniform(void) { return (double)(rng_next() >> 11) * 0x1.0p-53; }

static double gini(const double *x, const double *w, size_t n) {
    double g = -1.0;
    CHECK_EQ_INT(sim_equity_gini(x, w, n, &g), SIM_OK);
    return g;
}

static double palma(const double *x, const double *w, const double *rank, size_t n) {
    double p = -1.0;
    CHECK_EQ_INT(sim_equity_palma(x, w, rank, n, &p), SIM_OK);
    return p;
}

static double ci(const double *x, const double *w, const double *rank, size_t n,
                 sim_equity_ci_type type) {
    double c = -9.0;
    CHECK_EQ_INT(sim_equity_concentration_index(x, w, rank, n, type, &c), SIM_OK);
    return c;
}

static double fgt(const double *x, const double *w, size_t n, double z, double alpha,
                  sim_equity_direction dir) {
    double f = -1.0;
    CHECK_EQ_INT(sim_equity_fgt(x, w, n, z, alpha, dir, &f), SIM_OK);
    return f;
}

static double mean(const double *x, const double *w, size_t n) {
    double m = -1.0;
    CHECK_EQ_INT(sim_equity_mean(x, w, n, &m), SIM_OK);
    return m;
}

static double median(const double *x, const double *w, size_t n) {
    double m = -1.0;
    CHECK_EQ_INT(sim_equity_median(x, w, n, &m), SIM_OK);
    return m;
}

static double at_most(const double *x, const double *w, size_t n, double t) {
    double s = -1.0;
    CHECK_EQ_INT(sim_equity_share_at_most(x, w, n, t, &s), SIM_OK);
    return s;
}

static double at_least(const double *x, const double *w, size_t n, double t) {
    double s = -1.0;
    CHECK_EQ_INT(sim_equity_share_at_least(x, w, n, t, &s), SIM_OK);
    return s;
}

/* ---- mean, median, shares ------------------------------------------------------------- */

/* Values {10, 20, +inf, 40, 5} with weights {1, 2, 3, 4, 0}: total 10, finite 7 (the same case
 * as tests/sim/test_access.c, with +inf for unreachable). */
static const double X5[] = {10, 20, INF, 40, 5};
static const double W5[] = {1, 2, 3, 4, 0};

static void test_equity_mean_median_shares(void) {
    CHECK_NEAR(mean(X5, W5, 5), 30.0, TOL);         /* (10 + 40 + 160) / 7; +inf left out */
    CHECK_NEAR(median(X5, W5, 5), 40.0, 0.0);       /* half of 7 is 3.5: cumulative 1, 3, 7 */
    CHECK_NEAR(at_most(X5, W5, 5, 20), 0.3, TOL);   /* (1 + 2) / 10 */
    CHECK_NEAR(at_most(X5, W5, 5, 19), 0.1, TOL);   /* inclusive threshold */
    CHECK_NEAR(at_most(X5, W5, 5, INF), 0.7, TOL);  /* +inf never within */
    CHECK_NEAR(at_least(X5, W5, 5, 20), 0.9, TOL);  /* (2 + 3 + 4) / 10 */
    CHECK_NEAR(at_least(X5, W5, 5, 41), 0.3, TOL);  /* only the unreachable 3 */
    CHECK_NEAR(at_least(X5, W5, 5, INF), 0.3, TOL); /* +inf is at least +inf */
    CHECK_NEAR(at_least(X5, W5, 5, 0), 1.0, 0.0);

    /* Lower median as sim_access_median(): four equal people at 40, 10, 30, 20 give 20; exactly
     * half at the lower value gives that value; weights decide. */
    CHECK_NEAR(median((const double[]){40, 10, 30, 20}, (const double[]){1, 1, 1, 1}, 4), 20.0,
               0.0);
    CHECK_NEAR(median((const double[]){10, 20}, (const double[]){2, 2}, 2), 10.0, 0.0);
    CHECK_NEAR(median((const double[]){20, 10, 30}, (const double[]){1, 3, 1}, 3), 10.0, 0.0);
    CHECK_NEAR(median((const double[]){2.5, 0.5}, (const double[]){1, 1.5}, 2), 0.5, 0.0);

    /* Travel times in deciseconds: the double functions with +inf agree with sim/access.h on
     * SIM_UNREACHABLE, on the same data. */
    const uint32_t t[] = {10, 20, SIM_UNREACHABLE, 40, 5};
    CHECK_NEAR(mean(X5, W5, 5), sim_access_mean(t, W5, 5), 0.0);
    CHECK_NEAR(median(X5, W5, 5), sim_access_median(t, W5, 5), 0.0);
    CHECK_NEAR(at_most(X5, W5, 5, 20), sim_access_share_within(t, W5, 5, 20), 0.0);

    /* All unreachable: no mean or median, shares still defined. */
    const double u[] = {INF, INF};
    const double w[] = {1, 2};
    CHECK(isnan(mean(u, w, 2)));
    CHECK(isnan(median(u, w, 2)));
    CHECK_NEAR(at_most(u, w, 2, 1e9), 0.0, 0.0);
    CHECK_NEAR(at_least(u, w, 2, 1e9), 1.0, 0.0);
}

/* ---- gap ------------------------------------------------------------------------------ */

static void test_equity_gap(void) {
    /* x {10, 20, 30, 100}; group {3, 1, 0, 2}; total {4, 4, 2, 1}: the last origin has more
     * group members than people (an allocation artefact), so its rest is clamped to 0, not -1.
     * rest = {1, 3, 2, 0}.
     * Mean: group (30 + 20 + 0 + 200) / 6 = 250 / 6; rest (10 + 60 + 60) / 6 = 130 / 6;
     *       difference 120 / 6 = 20; ratio 250 / 130 = 25 / 13. */
    const double x[] = {10, 20, 30, 100}, g[] = {3, 1, 0, 2}, t[] = {4, 4, 2, 1};
    sim_equity_gap_result r;
    CHECK_EQ_INT(sim_equity_gap(x, g, t, 4, SIM_EQUITY_STAT_MEAN, 0, &r), SIM_OK);
    CHECK_NEAR(r.group, 250.0 / 6.0, TOL);
    CHECK_NEAR(r.rest, 130.0 / 6.0, TOL);
    CHECK_NEAR(r.difference, 20.0, TOL);
    CHECK_NEAR(r.ratio, 25.0 / 13.0, TOL);

    /* Median: group {10 x3, 20 x1, 100 x2}, half 3 reached at 10; rest {10, 20 x3, 30 x2},
     * half 3 reached at 20 (cumulative 1, 4). Difference -10, ratio 0.5. */
    CHECK_EQ_INT(sim_equity_gap(x, g, t, 4, SIM_EQUITY_STAT_MEDIAN, 0, &r), SIM_OK);
    CHECK_NEAR(r.group, 10.0, 0.0);
    CHECK_NEAR(r.rest, 20.0, 0.0);
    CHECK_NEAR(r.difference, -10.0, 0.0);
    CHECK_NEAR(r.ratio, 0.5, 0.0);

    /* Share with x <= 20: group 4 / 6, rest 4 / 6: no gap. Share with x >= 30: group 2 / 6,
     * rest 2 / 6. */
    CHECK_EQ_INT(sim_equity_gap(x, g, t, 4, SIM_EQUITY_STAT_SHARE_AT_MOST, 20, &r), SIM_OK);
    CHECK_NEAR(r.group, 4.0 / 6.0, TOL);
    CHECK_NEAR(r.rest, 4.0 / 6.0, TOL);
    CHECK_NEAR(r.difference, 0.0, TOL);
    CHECK_NEAR(r.ratio, 1.0, TOL);
    CHECK_EQ_INT(sim_equity_gap(x, g, t, 4, SIM_EQUITY_STAT_SHARE_AT_LEAST, 30, &r), SIM_OK);
    CHECK_NEAR(r.group, 2.0 / 6.0, TOL);
    CHECK_NEAR(r.rest, 2.0 / 6.0, TOL);

    /* Share within 10: group 3 / 6 = 0.5, rest 1 / 6; ratio 3. */
    CHECK_EQ_INT(sim_equity_gap(x, g, t, 4, SIM_EQUITY_STAT_SHARE_AT_MOST, 10, &r), SIM_OK);
    CHECK_NEAR(r.ratio, 3.0, TOL);
    CHECK_NEAR(r.difference, 0.5 - 1.0 / 6.0, TOL);

    /* Everyone is in the group: the rest is empty, so its statistic and the gap are NaN. */
    CHECK_EQ_INT(sim_equity_gap(x, t, t, 4, SIM_EQUITY_STAT_MEAN, 0, &r), SIM_OK);
    CHECK(isnan(r.rest) && isnan(r.difference) && isnan(r.ratio));
    /* A rest value of 0 with a positive group value: the ratio is +inf (IEEE division). */
    const double g2[] = {1, 0}, t2[] = {1, 1}, x2[] = {5, 50};
    CHECK_EQ_INT(sim_equity_gap(x2, g2, t2, 2, SIM_EQUITY_STAT_SHARE_AT_MOST, 10, &r), SIM_OK);
    CHECK_NEAR(r.group, 1.0, 0.0);
    CHECK_NEAR(r.rest, 0.0, 0.0);
    CHECK(isinf(r.ratio) && r.ratio > 0);

    /* Bad input: an unknown statistic, a NaN threshold for a share, a negative count. */
    CHECK_EQ_INT(sim_equity_gap(x, g, t, 4, (sim_equity_stat)42, 0, &r), SIM_EINVAL);
    CHECK_EQ_INT(sim_equity_gap(x, g, t, 4, SIM_EQUITY_STAT_SHARE_AT_MOST, NAN, &r), SIM_EINVAL);
    CHECK_EQ_INT(sim_equity_gap(x, g, t, 4, SIM_EQUITY_STAT_MEAN, NAN, &r), SIM_OK); /* unread */
    const double neg[] = {1, -1, 0, 0};
    CHECK_EQ_INT(sim_equity_gap(x, neg, t, 4, SIM_EQUITY_STAT_MEAN, 0, &r), SIM_EINVAL);
    CHECK_EQ_INT(sim_equity_gap(x, g, neg, 4, SIM_EQUITY_STAT_MEAN, 0, &r), SIM_EINVAL);
}

/* ---- Gini ----------------------------------------------------------------------------- */

static void test_equity_gini_hand(void) {
    /* Equal values: the Lorenz curve is the diagonal, area 1/2, G = 0 (any weights). */
    for (size_t n = 1; n <= 12; ++n) {
        double x[12], w[12], wr[12];
        for (size_t i = 0; i < n; ++i) {
            x[i] = 7.25;
            w[i] = 1.0;
            wr[i] = (double)(i % 4); /* some zero weights too */
        }
        CHECK_NEAR(gini(x, w, n), 0.0, TOL);
        if (n > 1) CHECK_NEAR(gini(x, wr, n), 0.0, TOL);
    }
    /* One of n equal-weight people has everything: sorted, the curve stays at 0 until the last
     * person, whose trapezoid is a triangle of area (1/n)(0 + 1)/2, so G = 1 - 1/n = (n-1)/n.
     * The package makes no n/(n-1) small-sample correction, so this is its value too. */
    for (size_t n = 1; n <= 12; ++n) {
        double x[12], w[12];
        for (size_t i = 0; i < n; ++i) {
            x[i] = 0.0;
            w[i] = 1.0;
        }
        x[n / 2] = 123.0; /* anywhere: the sort puts it last */
        CHECK_NEAR(gini(x, w, n), (double)(n - 1) / (double)n, TOL);
    }
    /* x {1, 3}, w {1, 1}: P = 2, T = 4, L = 1/4, 1. Area = (0 + 1/4)(1/2)/2 + (1/4 + 1)(1/2)/2
     * = 1/16 + 5/16 = 3/8, G = 1 - 3/4 = 1/4. */
    CHECK_NEAR(gini((const double[]){3, 1}, (const double[]){1, 1}, 2), 0.25, TOL);
    /* x {2, 0, 6}, w {2, 1, 1}: sorted 0 (w 1), 2 (w 2), 6 (w 1); P = 4, T = 10; L = 0, 0.4, 1;
     * widths 1/4, 1/2, 1/4. Area = 0 + (0 + 0.4)(1/2)/2 + (0.4 + 1)(1/4)/2 = 0.1 + 0.175 =
     * 0.275, G = 0.45. (Pairwise check: sum_ij w_i w_j |x_i - x_j| = 2 (2*2 + 1*6 + 2*4) = 36,
     * over 2 W^2 mu = 2 * 16 * 2.5 = 80: 0.45.) */
    CHECK_NEAR(gini((const double[]){2, 0, 6}, (const double[]){2, 1, 1}, 3), 0.45, TOL);
    /* ... and population 2 at x = 2 is two people at x = 2. */
    CHECK_NEAR(gini((const double[]){2, 0, 6, 2}, (const double[]){1, 1, 1, 1}, 4), 0.45, TOL);
    /* Nobody has anything: 0 / 0, NaN as in R. */
    CHECK(isnan(gini((const double[]){0, 0}, (const double[]){1, 1}, 2)));
}

/* Naive reference: G = sum_ij w_i w_j |x_i - x_j| / (2 W^2 mu), the mean-difference form, which
 * equals the trapezoid area of the piecewise-linear Lorenz curve. */
static double ref_gini(const double *x, const double *w, size_t n) {
    double W = 0, S = 0, D = 0;
    for (size_t i = 0; i < n; ++i) W += w[i], S += w[i] * x[i];
    for (size_t i = 0; i < n; ++i)
        for (size_t j = 0; j < n; ++j) D += w[i] * w[j] * fabs(x[i] - x[j]);
    return D / (2.0 * W * S);
}

static void test_equity_gini_random(void) {
    int bad = 0;
    for (int k = 0; k < 200; ++k) {
        size_t n = 1 + (size_t)(rng_next() % 40);
        double x[40], w[40];
        for (size_t i = 0; i < n; ++i) {
            x[i] = k % 2 ? (double)(rng_next() % 5) : 1000.0 * rng_uniform(); /* ties or not */
            w[i] = (double)(rng_next() % 4) + (k % 3 ? 0.0 : rng_uniform());
        }
        w[0] += 1.0, x[0] += 1.0; /* some weight and some x */
        double got = gini(x, w, n), want = ref_gini(x, w, n);
        if (!(fabs(got - want) <= 1e-12)) {
            ++bad;
            fprintf(stderr, "  gini case %d: got %.17g, want %.17g\n", k, got, want);
        }
    }
    CHECK_EQ_INT(bad, 0);
}

/* ---- Palma ---------------------------------------------------------------------------- */

static void test_equity_palma_hand(void) {
    /* Ten people of weight 1, listed in no particular order; income -> access:
     *   1->10  2->20  3->20  4->30  5->40  6->50  7->80  8->70  9->90  10->60.
     * Hmisc's weighted quantile with N = 10: position 1 + 9 p.
     *   p = 0.4: 4.6, between the 4th and 5th incomes (4, 5): q40 = 0.4*4 + 0.6*5 = 4.6, so the
     *            poorest are incomes 1..4 (exactly 40%), mean access (10+20+20+30)/4 = 20;
     *   p = 0.9: 9.1, between 9 and 10: q90 = 9.1, so the richest is income 10 alone, access 60.
     * Palma = 60 / 20 = 3. */
    const double income[] = {7, 2, 10, 4, 1, 9, 3, 8, 5, 6};
    const double access[] = {80, 20, 60, 30, 10, 90, 20, 70, 40, 50};
    const double one[] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    CHECK_NEAR(palma(access, one, income, 10), 3.0, TOL);
    /* Ranked by access itself (rank_by NULL): sorted access 10 20 20 30 40 50 60 70 80 90.
     * q40 = 0.4*30 + 0.6*40 = 36 -> {10, 20, 20, 30}, mean 20; q90 = 0.9*80 + 0.1*90 = 81 ->
     * {90}. Palma = 90 / 20 = 4.5: the accessibility-rich are not the income-rich. */
    CHECK_NEAR(palma(access, one, NULL, 10), 4.5, TOL);
    CHECK_NEAR(palma(access, one, access, 10), 4.5, TOL);

    /* Weighted: incomes {100, 200, 300} with populations {4, 5, 1} (N = 10, cumulative 4, 9,
     * 10), access {1, 2, 5}. q40: position 4.6 -> 4th person has 100, 5th has 200: 160, so the
     * poorest are the 4 at income 100 (access 1). q90: position 9.1 -> 9th has 200, 10th 300:
     * 0.9*200 + 0.1*300 = 210, so the richest are the 1 at 300 (access 5). Palma = 5. */
    CHECK_NEAR(palma((const double[]){1, 2, 5}, (const double[]){4, 5, 1},
                     (const double[]){100, 200, 300}, 3),
               5.0, TOL);
    /* Populations {4, 4, 2}: the 9th and 10th people both have 300, so q90 = 300 and nobody
     * is strictly above it: an empty richest class, which the package reports as NA. */
    CHECK(isnan(palma((const double[]){1, 2, 5}, (const double[]){4, 4, 2},
                      (const double[]){100, 200, 300}, 3)));
    /* The poorest have no access and the richest some: +inf (R's x / 0). Both none: NaN. */
    /* Incomes 1..4 sit at indices 4, 1, 6, 3; income 10 at index 2. */
    double p = palma((const double[]){1, 0, 7, 0, 0, 1, 0, 1, 1, 1}, one, income, 10);
    CHECK(isinf(p) && p > 0);
    CHECK(isnan(palma((const double[]){0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, one, income, 10)));
}

/* R's quantile type 7 on an explicit sorted sample s[0..N-1]: h = 1 + (N-1) p, interpolate
 * between s[floor(h) - 1] and s[floor(h)]. With integer weights expanded to copies this is
 * what Hmisc::wtd.quantile() computes. */
static double ref_type7(const double *s, size_t N, double p) {
    double h = 1.0 + (double)(N - 1) * p;
    size_t lo = (size_t)floor(h);
    double f = h - floor(h);
    size_t hi = lo + 1 <= N ? lo + 1 : N;
    return (1.0 - f) * s[lo - 1] + f * s[hi - 1];
}

static int cmp_double(const void *a, const void *b) {
    double p = *(const double *)a, q = *(const double *)b;
    return (p > q) - (p < q);
}

/* Palma with integer weights expanded to one row per person, quantiles by type 7. */
static double ref_palma(const double *x, const double *w, const double *r, size_t n) {
    double s[400];
    size_t N = 0;
    for (size_t i = 0; i < n; ++i)
        for (int c = 0; c < (int)w[i]; ++c) s[N++] = r[i];
    qsort(s, N, sizeof *s, cmp_double);
    double q40 = ref_type7(s, N, 0.4), q90 = ref_type7(s, N, 0.9);
    double pw = 0, ps = 0, rw = 0, rs = 0;
    for (size_t i = 0; i < n; ++i)
        for (int c = 0; c < (int)w[i]; ++c) {
            if (r[i] <= q40) pw += 1, ps += x[i];
            if (r[i] > q90) rw += 1, rs += x[i];
        }
    return pw > 0 && rw > 0 ? (rs / rw) / (ps / pw) : NAN;
}

static void test_equity_palma_random(void) {
    int bad = 0;
    for (int k = 0; k < 300; ++k) {
        size_t n = 1 + (size_t)(rng_next() % 40);
        double x[40], w[40], r[40];
        for (size_t i = 0; i < n; ++i) {
            x[i] = 1.0 + (double)(rng_next() % 1000);
            w[i] = (double)(rng_next() % 6);                    /* 0..5 people */
            r[i] = (double)(rng_next() % (k % 2 ? 8 : 100000)); /* many ties, or few */
        }
        w[0] += 1.0;
        double got = palma(x, w, r, n), want = ref_palma(x, w, r, n);
        if (!(fabs(got - want) <= 1e-12 * fabs(want) || (isnan(got) && isnan(want)))) {
            ++bad;
            fprintf(stderr, "  palma case %d: got %.17g, want %.17g\n", k, got, want);
        }
    }
    CHECK_EQ_INT(bad, 0);
}

/* ---- Theil T -------------------------------------------------------------------------- */

static void theil(const double *x, const double *w, const uint32_t *grp, uint32_t ng, size_t n,
                  double *t, double *b, double *wi) {
    CHECK_EQ_INT(sim_equity_theil_t(x, w, grp, ng, n, t, b, wi), SIM_OK);
}

static void test_equity_theil_hand(void) {
    /* x {2, 2, 4, 8}, weight 1 each: mu = 4, ratios 1/2, 1/2, 1, 2.
     * total = (1/4)[2 (1/2) ln(1/2) + 0 + 2 ln 2] = (1/4)(-ln 2 + 2 ln 2) = (ln 2) / 4.
     * Groups A = {2, 2}, B = {4, 8}: mu_A = 2, mu_B = 6; access shares s_A = 4/16, s_B = 12/16.
     * between = s_A ln(mu_A/mu) + s_B ln(mu_B/mu) = -(1/4) ln 2 + (3/4) ln(3/2);
     * T_A = 0; T_B = (1/2)[(2/3) ln(2/3) + (4/3) ln(4/3)]; within = (3/4) T_B
     *        = (1/4) ln(2/3) + (1/2) ln(4/3).
     * Sum: ln 2 (-1/4 - 3/4 + 1/4 + 1) + ln 3 (3/4 - 1/4 - 1/2) = (ln 2) / 4 = total. */
    const double x[] = {2, 4, 2, 8};
    const double w[] = {1, 1, 1, 1};
    const uint32_t g[] = {0, 1, 0, 1};
    double t, b, wi;
    theil(x, w, g, 2, 4, &t, &b, &wi);
    double between = -0.25 * log(2.0) + 0.75 * log(1.5);
    double within = 0.25 * log(2.0 / 3.0) + 0.5 * log(4.0 / 3.0);
    CHECK_NEAR(t, log(2.0) / 4.0, TOL);
    CHECK_NEAR(b, between, TOL);
    CHECK_NEAR(wi, within, TOL);
    CHECK_NEAR(b + wi, t, TOL);
    /* Per-group parts (the package's component tables): between s_g ln(mu_g / mu), within
     * s_g T_g. */
    double bp[2], wp[2];
    CHECK_EQ_INT(sim_equity_theil_t_parts(x, w, g, 2, 4, &t, &b, &wi, bp, wp), SIM_OK);
    CHECK_NEAR(bp[0], -0.25 * log(2.0), TOL);
    CHECK_NEAR(bp[1], 0.75 * log(1.5), TOL);
    CHECK_NEAR(wp[0], 0.0, TOL);
    CHECK_NEAR(wp[1], within, TOL);
    /* The same people as origins with populations: A is one origin of 2 people at x = 2. */
    theil((const double[]){2, 4, 8}, (const double[]){2, 1, 1}, (const uint32_t[]){0, 1, 1}, 2, 3,
          &t, &b, &wi);
    CHECK_NEAR(t, log(2.0) / 4.0, TOL);
    CHECK_NEAR(b, between, TOL);
    CHECK_NEAR(wi, within, TOL);
    /* No groups: between 0, within = total. */
    theil(x, w, NULL, 0, 4, &t, &b, &wi);
    CHECK_NEAR(t, log(2.0) / 4.0, TOL);
    CHECK_NEAR(b, 0.0, 0.0);
    CHECK_NEAR(wi, t, 0.0);
    /* Every person in their own group: all inequality is between groups. */
    theil(x, w, (const uint32_t[]){0, 1, 2, 3}, 4, 4, &t, &b, &wi);
    CHECK_NEAR(b, t, TOL);
    CHECK_NEAR(wi, 0.0, TOL);

    /* Equal values: 0. One of n people has everything: (1/n) n ln n = ln n, the maximum that
     * the package's documentation gives ("from 0 ... to the natural log of n"); zeros
     * contribute 0 (the limit of r ln r). */
    theil((const double[]){3, 3, 3}, (const double[]){1, 2, 3}, NULL, 0, 3, &t, &b, &wi);
    CHECK_NEAR(t, 0.0, TOL);
    for (size_t n = 1; n <= 8; ++n) {
        double xs[8] = {0}, ws[8];
        for (size_t i = 0; i < n; ++i) ws[i] = 1.0;
        xs[n - 1] = 5.0;
        theil(xs, ws, NULL, 0, n, &t, &b, &wi);
        CHECK_NEAR(t, log((double)n), TOL);
    }
    /* A group whose members all have 0: s_g = 0, so it adds nothing to either part.
     * x {0, 0, 1, 3}, groups {0, 0, 1, 1}: mu = 1; total = (1/4)[0 + 0 + 0 + 3 ln 3];
     * mu_B = 2, s_B = 1: between = ln 2; T_B = (1/2)[(1/2) ln(1/2) + (3/2) ln(3/2)]. */
    double bz[2], wz[2];
    CHECK_EQ_INT(
        sim_equity_theil_t_parts((const double[]){0, 0, 1, 3}, (const double[]){1, 1, 1, 1},
                                 (const uint32_t[]){0, 0, 1, 1}, 2, 4, &t, &b, &wi, bz, wz),
        SIM_OK);
    CHECK_NEAR(t, 0.75 * log(3.0), TOL);
    CHECK_NEAR(b, log(2.0), TOL);
    CHECK_NEAR(wi, 0.5 * (0.5 * log(0.5) + 1.5 * log(1.5)), TOL);
    CHECK_NEAR(b + wi, t, TOL);
    CHECK_NEAR(bz[0], 0.0, 0.0);
    CHECK_NEAR(wz[0], 0.0, 0.0);
    /* Nobody has anything, or a negative value: NaN everywhere. */
    theil((const double[]){0, 0}, (const double[]){1, 1}, NULL, 0, 2, &t, &b, &wi);
    CHECK(isnan(t) && isnan(b) && isnan(wi));
    theil((const double[]){1, -1, 5}, (const double[]){1, 1, 1}, NULL, 0, 3, &t, &b, &wi);
    CHECK(isnan(t) && isnan(b) && isnan(wi));
    /* A group id out of range is bad input, unless nobody lives there. */
    CHECK_EQ_INT(sim_equity_theil_t(x, w, (const uint32_t[]){0, 1, 2, 0}, 2, 4, &t, &b, &wi),
                 SIM_EINVAL);
    CHECK_EQ_INT(sim_equity_theil_t(x, (const double[]){1, 1, 0, 1}, (const uint32_t[]){0, 1, 2, 0},
                                    2, 4, &t, &b, &wi),
                 SIM_OK);
    /* Empty groups and unused ids get 0 parts. */
    CHECK_EQ_INT(sim_equity_theil_t_parts(x, w, (const uint32_t[]){0, 3, 0, 3}, 5, 4, &t, &b, &wi,
                                          (double[5]){0}, (double[5]){0}),
                 SIM_OK);
}

/* Theil T of integer-weighted data expanded to one value per person, by the textbook
 * unweighted formula, and its decomposition by definition. */
static void ref_theil(const double *x, const double *w, const uint32_t *g, uint32_t ng, size_t n,
                      double *total, double *between, double *within) {
    double N = 0, S = 0, Ng[8] = {0}, Sg[8] = {0}, Tg[8] = {0};
    for (size_t i = 0; i < n; ++i)
        for (int c = 0; c < (int)w[i]; ++c) N += 1, S += x[i], Ng[g[i]] += 1, Sg[g[i]] += x[i];
    double mu = S / N, T = 0;
    for (size_t i = 0; i < n; ++i)
        for (int c = 0; c < (int)w[i]; ++c)
            if (x[i] > 0) {
                T += (x[i] / mu) * log(x[i] / mu) / N;
                double m = Sg[g[i]] / Ng[g[i]];
                Tg[g[i]] += (x[i] / m) * log(x[i] / m) / Ng[g[i]];
            }
    double B = 0, Wt = 0;
    for (uint32_t k = 0; k < ng; ++k)
        if (Sg[k] > 0) {
            B += (Sg[k] / S) * log((Sg[k] / Ng[k]) / mu);
            Wt += (Sg[k] / S) * Tg[k];
        }
    *total = T, *between = B, *within = Wt;
}

static void test_equity_theil_random(void) {
    int bad = 0;
    for (int k = 0; k < 300; ++k) {
        size_t n = 1 + (size_t)(rng_next() % 40);
        uint32_t ng = 1 + (uint32_t)(rng_next() % 8);
        double x[40], w[40];
        uint32_t g[40];
        for (size_t i = 0; i < n; ++i) {
            x[i] = rng_next() % 5 == 0 ? 0.0 : 100.0 * rng_uniform(); /* some zeros */
            w[i] = (double)(rng_next() % 5);
            g[i] = (uint32_t)(rng_next() % ng);
        }
        w[0] += 1.0, x[0] += 1.0;
        double t, b, wi, rt, rb, rw;
        theil(x, w, g, ng, n, &t, &b, &wi);
        ref_theil(x, w, g, ng, n, &rt, &rb, &rw);
        double scale = fmax(1.0, fabs(t));
        if (!(fabs(b + wi - t) <= 1e-12 * scale && fabs(t - rt) <= 1e-12 * scale &&
              fabs(b - rb) <= 1e-12 * scale && fabs(wi - rw) <= 1e-12 * scale && b >= -1e-15 &&
              wi >= -1e-15)) {
            ++bad;
            fprintf(stderr, "  theil case %d: %.17g = %.17g + %.17g; want %.17g = %.17g + %.17g\n",
                    k, t, b, wi, rt, rb, rw);
        }
    }
    CHECK_EQ_INT(bad, 0);
}

/* ---- concentration index -------------------------------------------------------------- */

static void test_equity_ci_hand(void) {
    /* Four people ranked 1..4 by income; one has all the access (1).
     * mu = 1/4, fractional ranks 1/8, 3/8, 5/8, 7/8; mean rank 1/2, so
     * CI = (2 / mu) sum (1/4)(R - 1/2)(x - mu) = (2 / mu)(1/4)(7/8 - 1/2)(1) = 8 (1/4)(3/8)
     *    = 3/4 = (n - 1) / n when the richest has it all (pro-rich: positive);
     *    -3/4 when the poorest has it all (pro-poor: negative).
     * CIc = CI * 4 mu / (max - min) = CI * 1: also +-3/4. */
    const double inc[] = {1, 2, 3, 4}, one[] = {1, 1, 1, 1};
    const double top[] = {0, 0, 0, 1}, bottom[] = {1, 0, 0, 0}, flat[] = {2, 2, 2, 2};
    CHECK_NEAR(ci(top, one, inc, 4, SIM_EQUITY_CI_STANDARD), 0.75, TOL);
    CHECK_NEAR(ci(bottom, one, inc, 4, SIM_EQUITY_CI_STANDARD), -0.75, TOL);
    CHECK_NEAR(ci(top, one, inc, 4, SIM_EQUITY_CI_CORRECTED), 0.75, TOL);
    CHECK_NEAR(ci(bottom, one, inc, 4, SIM_EQUITY_CI_CORRECTED), -0.75, TOL);
    /* Equal access: no association, CI = 0; CIc = 0 * 4 mu / 0, NaN as in R. */
    CHECK_NEAR(ci(flat, one, inc, 4, SIM_EQUITY_CI_STANDARD), 0.0, TOL);
    CHECK(isnan(ci(flat, one, inc, 4, SIM_EQUITY_CI_CORRECTED)));
    /* Access rising with income is positive, falling is negative, symmetric. */
    const double up[] = {1, 2, 3, 4}, down[] = {4, 3, 2, 1};
    double cu = ci(up, one, inc, 4, SIM_EQUITY_CI_STANDARD);
    CHECK(cu > 0);
    CHECK_NEAR(ci(down, one, inc, 4, SIM_EQUITY_CI_STANDARD), -cu, TOL);
    /* up: mu = 2.5; sum (1/4)(R - 1/2)(x - mu) = (1/4)[(-3/8)(-1.5) + (-1/8)(-0.5) + (1/8)(0.5)
     * + (3/8)(1.5)] = (1/4)(1.25) = 0.3125; CI = 2 * 0.3125 / 2.5 = 0.25.
     * CIc = 0.25 * 4 * 2.5 / 3 = 5/6. */
    CHECK_NEAR(cu, 0.25, TOL);
    CHECK_NEAR(ci(up, one, inc, 4, SIM_EQUITY_CI_CORRECTED), 5.0 / 6.0, TOL);

    /* Weighted: income {1, 2}, population {3, 1}, access {1, 5}. W = 4, mu = 8/4 = 2.
     * R = 1.5/4 = 0.375 and (3 + 0.5)/4 = 0.875. Terms (R - 1/2)(x - mu)(w/W)/mu:
     * (-0.125)(-1)(0.75)/2 = 0.046875 and (0.375)(3)(0.25)/2 = 0.140625; CI = 2 * 0.1875 = 0.375.
     * CIc = 0.375 * 4 * 2 / (5 - 1) = 0.75. Three copies at income 1 tie, share the rank
     * 1.5/4, and give the same. */
    CHECK_NEAR(ci((const double[]){1, 5}, (const double[]){3, 1}, (const double[]){1, 2}, 2,
                  SIM_EQUITY_CI_STANDARD),
               0.375, TOL);
    CHECK_NEAR(ci((const double[]){1, 5}, (const double[]){3, 1}, (const double[]){1, 2}, 2,
                  SIM_EQUITY_CI_CORRECTED),
               0.75, TOL);
    CHECK_NEAR(ci((const double[]){1, 1, 5, 1}, one, (const double[]){1, 1, 2, 1}, 4,
                  SIM_EQUITY_CI_STANDARD),
               0.375, TOL);

    /* Ties on income with different access: income {10, 20, 20, 30}, access {1, 2, 4, 5}.
     * Ranks 1/8, then the tied pair shares (1 + 2/2)/4 = 1/2, then 7/8. mu = 3.
     * Terms: (-3/8)(-2)(1/4)/3 = 1/16, 0, 0, (3/8)(2)(1/4)/3 = 1/16: CI = 2/8 = 0.25, whichever
     * order the tied pair comes in. (Row-order ranks 3/8, 5/8, as the package assigns them,
     * would give 0.2917 in this order and 0.2083 with the pair swapped.) */
    const double tinc[] = {10, 20, 20, 30}, tx[] = {1, 2, 4, 5}, tx2[] = {1, 4, 2, 5};
    CHECK_NEAR(ci(tx, one, tinc, 4, SIM_EQUITY_CI_STANDARD), 0.25, TOL);
    CHECK_NEAR(ci(tx2, one, tinc, 4, SIM_EQUITY_CI_STANDARD), 0.25, TOL);
    CHECK_NEAR(ci(tx, one, tinc, 4, SIM_EQUITY_CI_CORRECTED), 0.25 * 4 * 3 / 4.0, TOL);

    /* Nobody has anything: mu = 0, NaN. rank_by is required. */
    CHECK(isnan(ci((const double[]){0, 0}, one, inc, 2, SIM_EQUITY_CI_STANDARD)));
    double c;
    CHECK_EQ_INT(sim_equity_concentration_index(top, one, NULL, 4, SIM_EQUITY_CI_STANDARD, &c),
                 SIM_EINVAL);
    CHECK_EQ_INT(sim_equity_concentration_index(top, one, inc, 4, (sim_equity_ci_type)7, &c),
                 SIM_EINVAL);
}

/* Erreygers (2009) eq. 24 and 27 for n unweighted people with distinct ranks i = 1..n counted
 * from the poorest: CI = 2 / (n^2 mu) sum_i (i - (n + 1)/2) x_i and
 * CIc = 8 / (n^2 (max - min)) sum_i (i - (n + 1)/2) x_i. Both lie in [-1, 1] (n = 2 reaches
 * +-1 for CIc, hence the rounding slack). */
static void test_equity_ci_random(void) {
    int bad = 0;
    for (int k = 0; k < 300; ++k) {
        size_t n = 2 + (size_t)(rng_next() % 40);
        double x[42], r[42], w[42];
        for (size_t i = 0; i < n; ++i) {
            x[i] = 1000.0 * rng_uniform();
            r[i] = (double)i + rng_uniform() * 0.5; /* distinct and increasing ... */
            w[i] = 1.0;
        }
        for (size_t i = n - 1; i > 0; --i) { /* ... then shuffled together */
            size_t j = (size_t)(rng_next() % (i + 1));
            double tx = x[i], tr = r[i];
            x[i] = x[j], r[i] = r[j], x[j] = tx, r[j] = tr;
        }
        double mu = 0, lo = INF, hi = -INF, s = 0;
        for (size_t i = 0; i < n; ++i)
            mu += x[i] / (double)n, lo = fmin(lo, x[i]), hi = fmax(hi, x[i]);
        for (size_t i = 0; i < n; ++i) {
            double rank = 1; /* 1-based rank of r[i] */
            for (size_t j = 0; j < n; ++j) rank += r[j] < r[i];
            s += (rank - ((double)n + 1.0) / 2.0) * x[i];
        }
        double nn = (double)n * (double)n;
        double want = 2.0 / (nn * mu) * s, wantc = 8.0 / (nn * (hi - lo)) * s;
        double got = ci(x, w, r, n, SIM_EQUITY_CI_STANDARD);
        double gotc = ci(x, w, r, n, SIM_EQUITY_CI_CORRECTED);
        if (!(fabs(got - want) <= 1e-12 && fabs(gotc - wantc) <= 1e-12 && fabs(got) <= 1 + 1e-12 &&
              fabs(gotc) <= 1 + 1e-12)) {
            ++bad;
            fprintf(stderr, "  ci case %d: got %.17g %.17g, want %.17g %.17g\n", k, got, gotc, want,
                    wantc);
        }
    }
    CHECK_EQ_INT(bad, 0);
}

/* ---- FGT ------------------------------------------------------------------------------ */

static void test_equity_fgt_hand(void) {
    /* x {0, 5, 10, 15, 20}, population {1, 2, 3, 2, 2} (W = 10), line z = 10.
     * Accessibility (poor if x < 10; x = 10 is not poor):
     *   0 -> gap 1 (1 person), 5 -> gap 1/2 (2 people).
     *   FGT0 = 3/10; FGT1 = (1 + 2 * 1/2)/10 = 0.2; FGT2 = (1 + 2 * 1/4)/10 = 0.15.
     * Time poverty (poor if x > 10):
     *   15 -> gap 1/2 (2 people), 20 -> gap 1 (2 people).
     *   FGT0 = 4/10; FGT1 = (1 + 2)/10 = 0.3; FGT2 = (2 * 1/4 + 2)/10 = 0.25. */
    const double x[] = {0, 5, 10, 15, 20}, w[] = {1, 2, 3, 2, 2};
    const sim_equity_direction up = SIM_EQUITY_HIGHER_IS_BETTER, down = SIM_EQUITY_LOWER_IS_BETTER;
    CHECK_NEAR(fgt(x, w, 5, 10, 0, up), 0.3, TOL);
    CHECK_NEAR(fgt(x, w, 5, 10, 1, up), 0.2, TOL);
    CHECK_NEAR(fgt(x, w, 5, 10, 2, up), 0.15, TOL);
    CHECK_NEAR(fgt(x, w, 5, 10, 0, down), 0.4, TOL);
    CHECK_NEAR(fgt(x, w, 5, 10, 1, down), 0.3, TOL);
    CHECK_NEAR(fgt(x, w, 5, 10, 2, down), 0.25, TOL);
    /* FGT_alpha is non-increasing in alpha for accessibility (gaps in [0, 1]). Everyone above
     * the line: all 0; everyone below: FGT0 = 1 (the package's documentation). */
    CHECK_NEAR(fgt(x, w, 5, 0.5, 0, up), 1.0 / 10.0, TOL); /* only x = 0 is below 0.5 */
    CHECK_NEAR(fgt((const double[]){20, 30}, w, 2, 10, 2, up), 0.0, 0.0);
    CHECK_NEAR(fgt(x, w, 5, 100, 0, up), 1.0, 0.0);
    /* Unreachable (+inf) times are poor with an infinite gap: FGT0 counts them, FGT1 and FGT2
     * become +inf. As accessibility, +inf is never poor. */
    const double t[] = {5, INF}, tw[] = {1, 1};
    CHECK_NEAR(fgt(t, tw, 2, 10, 0, down), 0.5, 0.0);
    CHECK(isinf(fgt(t, tw, 2, 10, 1, down)));
    CHECK_NEAR(fgt(t, tw, 2, 10, 1, up), 0.25, TOL); /* (10 - 5)/10 for half the people */
    /* Bad parameters. */
    double f;
    CHECK_EQ_INT(sim_equity_fgt(x, w, 5, 0, 1, up, &f), SIM_EINVAL);
    CHECK_EQ_INT(sim_equity_fgt(x, w, 5, -3, 1, up, &f), SIM_EINVAL);
    CHECK_EQ_INT(sim_equity_fgt(x, w, 5, INF, 1, up, &f), SIM_EINVAL);
    CHECK_EQ_INT(sim_equity_fgt(x, w, 5, NAN, 1, up, &f), SIM_EINVAL);
    CHECK_EQ_INT(sim_equity_fgt(x, w, 5, 10, -1, up, &f), SIM_EINVAL);
    CHECK_EQ_INT(sim_equity_fgt(x, w, 5, 10, NAN, up, &f), SIM_EINVAL);
    CHECK_EQ_INT(sim_equity_fgt(x, w, 5, 10, 1, (sim_equity_direction)5, &f), SIM_EINVAL);
    CHECK_EQ_INT(sim_equity_fgt(x, w, 5, 10, 0.5, up, &f), SIM_OK); /* any alpha >= 0 */
}

/* ---- properties: reordering, population as copies, zero and NaN ---------------------- */

/* Every result for one data set, in a fixed order. */
static void all_results(const double *x, const double *w, const double *r, const uint32_t *g,
                        size_t n, double *out) {
    size_t k = 0;
    out[k++] = mean(x, w, n);
    out[k++] = median(x, w, n);
    out[k++] = at_most(x, w, n, 300.0);
    out[k++] = at_least(x, w, n, 300.0);
    out[k++] = gini(x, w, n);
    out[k++] = palma(x, w, r, n);
    out[k++] = palma(x, w, NULL, n);
    theil(x, w, g, 3, n, &out[k], &out[k + 1], &out[k + 2]);
    k += 3;
    out[k++] = ci(x, w, r, n, SIM_EQUITY_CI_STANDARD);
    out[k++] = ci(x, w, r, n, SIM_EQUITY_CI_CORRECTED);
    for (int a = 0; a <= 2; ++a) {
        out[k++] = fgt(x, w, n, 400.0, a, SIM_EQUITY_HIGHER_IS_BETTER);
        out[k++] = fgt(x, w, n, 400.0, a, SIM_EQUITY_LOWER_IS_BETTER);
    }
    assert(k == 18);
}
#define N_RESULTS 18

static int same_results(const double *a, const double *b) {
    for (int k = 0; k < N_RESULTS; ++k) {
        if (isnan(a[k]) && isnan(b[k])) continue;
        if (!(fabs(a[k] - b[k]) <= 1e-12 * fmax(1.0, fabs(a[k])))) {
            fprintf(stderr, "  result %d: %.17g vs %.17g\n", k, a[k], b[k]);
            return 0;
        }
    }
    return 1;
}

static void test_equity_reorder_and_copies(void) {
    int bad_order = 0, bad_copies = 0;
    for (int k = 0; k < 100; ++k) {
        size_t n = 1 + (size_t)(rng_next() % 30);
        double x[30], w[30], r[30];
        uint32_t g[30];
        for (size_t i = 0; i < n; ++i) {
            x[i] = (double)(rng_next() % 800);
            w[i] = (double)(rng_next() % 4);
            r[i] = (double)(rng_next() % 10); /* many ties */
            g[i] = (uint32_t)(rng_next() % 3);
        }
        w[0] += 1.0;
        double base[N_RESULTS], other[N_RESULTS];
        all_results(x, w, r, g, n, base);

        /* The same origins in a shuffled order. */
        double px[30], pw[30], pr[30];
        uint32_t pg[30], perm[30];
        for (size_t i = 0; i < n; ++i) perm[i] = (uint32_t)i;
        for (size_t i = n - 1; i > 0; --i) {
            size_t j = (size_t)(rng_next() % (i + 1));
            uint32_t t = perm[i];
            perm[i] = perm[j], perm[j] = t;
        }
        for (size_t i = 0; i < n; ++i)
            px[i] = x[perm[i]], pw[i] = w[perm[i]], pr[i] = r[perm[i]], pg[i] = g[perm[i]];
        all_results(px, pw, pr, pg, n, other);
        if (!same_results(base, other)) ++bad_order, fprintf(stderr, "  reorder case %d\n", k);

        /* Each origin of population p as p origins of population 1 (and p = 0 as none). */
        double cx[120], cw[120], cr[120];
        uint32_t cg[120];
        size_t m = 0;
        for (size_t i = 0; i < n; ++i)
            for (int c = 0; c < (int)w[i]; ++c)
                cx[m] = x[i], cw[m] = 1.0, cr[m] = r[i], cg[m] = g[i], ++m;
        all_results(cx, cw, cr, cg, m, other);
        if (!same_results(base, other)) ++bad_copies, fprintf(stderr, "  copies case %d\n", k);
    }
    CHECK_EQ_INT(bad_order, 0);
    CHECK_EQ_INT(bad_copies, 0);
}

static void test_equity_zero_and_nan(void) {
    /* A zero-population origin is ignored whatever its values, NaN included. */
    const double x[] = {1, 2, 3, NAN}, r[] = {3, 1, 2, NAN}, w[] = {1, 2, 3, 0};
    const uint32_t g[] = {0, 1, 1, 99};
    double with[N_RESULTS], without[N_RESULTS];
    all_results(x, w, r, (const uint32_t[]){0, 1, 1, 0}, 4, with);
    all_results(x, w, r, (const uint32_t[]){0, 1, 1, 0}, 3, without);
    CHECK(same_results(with, without));
    double t, b, wi;
    CHECK_EQ_INT(sim_equity_theil_t(x, w, g, 2, 4, &t, &b, &wi), SIM_OK); /* id 99 unread */

    /* A NaN value with positive population makes every result NaN (R's NA). */
    const double xn[] = {1, NAN, 3}, rn[] = {1, NAN, 3}, wn[] = {1, 1, 1}, ok[] = {1, 2, 3};
    double res[N_RESULTS];
    all_results(xn, wn, ok, (const uint32_t[]){0, 1, 2}, 3, res);
    for (int k = 0; k < N_RESULTS; ++k) CHECK(isnan(res[k]));
    CHECK(isnan(palma(ok, wn, rn, 3)));
    CHECK(isnan(ci(ok, wn, rn, 3, SIM_EQUITY_CI_STANDARD)));
    /* Infinite values: the indices are NaN (means and shares handle +inf, see above). */
    const double xi[] = {1, INF, 3};
    CHECK(isnan(gini(xi, wn, 3)));
    CHECK(isnan(palma(xi, wn, ok, 3)));
    CHECK(isnan(ci(xi, wn, ok, 3, SIM_EQUITY_CI_STANDARD)));
    CHECK(isnan(palma(ok, wn, xi, 3)));

    /* No population at all (n == 0, or all weights 0): NaN, status OK. */
    const double zero[] = {0, 0, 0};
    all_results(ok, zero, ok, (const uint32_t[]){0, 1, 2}, 3, res);
    for (int k = 0; k < N_RESULTS; ++k) CHECK(isnan(res[k]));
    all_results(NULL, NULL, NULL, NULL, 0, res);
    for (int k = 0; k < N_RESULTS; ++k) CHECK(isnan(res[k]));

    /* Bad weights and pointers: SIM_EINVAL, result untouched. */
    const double neg[] = {1, -1, 1}, nan_w[] = {1, NAN, 1}, inf_w[] = {1, INF, 1};
    const double *bad_w[] = {neg, nan_w, inf_w};
    for (int k = 0; k < 3; ++k) {
        double v = 42.0;
        sim_equity_gap_result gr;
        CHECK_EQ_INT(sim_equity_mean(ok, bad_w[k], 3, &v), SIM_EINVAL);
        CHECK_EQ_INT(sim_equity_median(ok, bad_w[k], 3, &v), SIM_EINVAL);
        CHECK_EQ_INT(sim_equity_share_at_most(ok, bad_w[k], 3, 1, &v), SIM_EINVAL);
        CHECK_EQ_INT(sim_equity_share_at_least(ok, bad_w[k], 3, 1, &v), SIM_EINVAL);
        CHECK_EQ_INT(sim_equity_gap(ok, bad_w[k], ok, 3, SIM_EQUITY_STAT_MEAN, 0, &gr), SIM_EINVAL);
        CHECK_EQ_INT(sim_equity_gini(ok, bad_w[k], 3, &v), SIM_EINVAL);
        CHECK_EQ_INT(sim_equity_palma(ok, bad_w[k], ok, 3, &v), SIM_EINVAL);
        CHECK_EQ_INT(sim_equity_theil_t(ok, bad_w[k], NULL, 0, 3, &v, &v, &v), SIM_EINVAL);
        CHECK_EQ_INT(
            sim_equity_concentration_index(ok, bad_w[k], ok, 3, SIM_EQUITY_CI_STANDARD, &v),
            SIM_EINVAL);
        CHECK_EQ_INT(sim_equity_fgt(ok, bad_w[k], 3, 1, 0, SIM_EQUITY_HIGHER_IS_BETTER, &v),
                     SIM_EINVAL);
        CHECK_NEAR(v, 42.0, 0.0);
    }
    double v;
    CHECK_EQ_INT(sim_equity_mean(NULL, wn, 3, &v), SIM_EINVAL);
    CHECK_EQ_INT(sim_equity_gini(ok, NULL, 3, &v), SIM_EINVAL);
    CHECK_EQ_INT(sim_equity_gini(ok, wn, 3, NULL), SIM_EINVAL);
    CHECK_EQ_INT(sim_equity_theil_t(ok, wn, NULL, 0, 3, &v, NULL, &v), SIM_EINVAL);
    CHECK_EQ_INT(sim_equity_share_at_most(ok, wn, 3, NAN, &v), SIM_EINVAL);
    CHECK_EQ_INT(sim_equity_share_at_least(ok, wn, 3, NAN, &v), SIM_EINVAL);
}

int main(void) {
    test_equity_mean_median_shares();
    test_equity_gap();
    test_equity_gini_hand();
    test_equity_gini_random();
    test_equity_palma_hand();
    test_equity_palma_random();
    test_equity_theil_hand();
    test_equity_theil_random();
    test_equity_ci_hand();
    test_equity_ci_random();
    test_equity_fgt_hand();
    test_equity_reorder_and_copies();
    test_equity_zero_and_nan();
    return CHECK_DONE();
}
