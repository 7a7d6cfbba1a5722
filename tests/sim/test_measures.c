/*
 * Unit tests for sim/measures.c: the travel-time matrix, decay functions and accessibility
 * measures, on cases worked by hand in the comments, values from the R package `accessibility`
 * (ipeaGIT) tests and examples, and properties on seeded random matrices.
 * Times are minutes unless a name says otherwise; tolerances are absolute unless stated.
 */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fixture.h"
#include "sim/measures.h"
#include "sim/route.h"

#define EXACT 0.0
#define TOL 1e-12

/* ---------------------------------------------------------------------------------------------
 * Fixtures
 * ------------------------------------------------------------------------------------------- */

/* Builds a matrix from "from>to:minutes ..." (rows in (from, to) order; minutes become
 * round(minutes * 600) deciseconds, exact for the multiples of 0.1 s used here). Exits on a
 * malformed fixture: that is a bug in the test, not in the code under test. */
static sim_ttm ttm_fixture(uint32_t n_from, uint32_t n_to, const char *spec) {
    sim_od rows[256];
    size_t n = 0;
    const char *p = spec;
    for (;;) {
        while (*p == ' ') ++p;
        if (!*p) break;
        unsigned from, to;
        double minutes;
        int used = 0;
        if (n == 256 || sscanf(p, "%u>%u:%lf%n", &from, &to, &minutes, &used) != 3) {
            fprintf(stderr, "bad matrix fixture near '%s'\n", p);
            exit(1);
        }
        rows[n++] = (sim_od){from, to, (uint32_t)lround(minutes * 600.0)};
        p += used;
    }
    sim_ttm m;
    if (sim_ttm_from_od(rows, n, n_from, n_to, &m) != SIM_OK) {
        fprintf(stderr, "matrix fixture rejected: %s\n", spec);
        exit(1);
    }
    return m;
}

static sim_decay decay_linear(double cutoff_min) {
    return (sim_decay){.kind = SIM_DECAY_LINEAR, .cutoff_min = cutoff_min};
}
static sim_decay decay_exponential(double b) {
    return (sim_decay){.kind = SIM_DECAY_EXPONENTIAL, .decay_value = b};
}

/* Sums in index order. */
static double sum_of(const double *a, size_t n) {
    double s = 0.0;
    for (size_t i = 0; i < n; ++i) s += a[i];
    return s;
}

/* ---------------------------------------------------------------------------------------------
 * The matrix
 * ------------------------------------------------------------------------------------------- */

static void test_ttm_from_od(void) {
    /* Origin 1 has no rows; 1801 ds is 3 min 0.1 s = 1801 / 600 min. */
    const sim_od rows[] = {{0, 1, 600}, {0, 2, 1801}, {2, 0, 0}};
    sim_ttm m;
    CHECK_EQ_INT(sim_ttm_from_od(rows, 3, 3, 3, &m), SIM_OK);
    CHECK_EQ_INT(sim_ttm_check(&m), SIM_OK);
    CHECK_EQ_U32(m.n_from, 3);
    CHECK_EQ_U32(m.n_to, 3);
    CHECK_EQ_INT(m.first[0], 0);
    CHECK_EQ_INT(m.first[1], 2);
    CHECK_EQ_INT(m.first[2], 2);
    CHECK_EQ_INT(m.first[3], 3);
    CHECK_EQ_U32(m.to[1], 2);
    CHECK_NEAR(m.minutes[0], 1.0, EXACT);
    CHECK_NEAR(m.minutes[1], 1801.0 / 600.0, EXACT);
    CHECK_NEAR(m.minutes[2], 0.0, EXACT);
    sim_ttm_release(&m);
    CHECK(m.first == NULL && m.owned_ == NULL);
    sim_ttm_release(&m);  /* twice: now a zeroed view, left alone */
    sim_ttm_release(NULL);

    /* Empty matrices. */
    CHECK_EQ_INT(sim_ttm_from_od(NULL, 0, 4, 2, &m), SIM_OK);
    CHECK_EQ_INT(sim_ttm_check(&m), SIM_OK);
    CHECK_EQ_INT(m.first[4], 0);
    sim_ttm_release(&m);
    CHECK_EQ_INT(sim_ttm_from_od(NULL, 0, 0, 0, &m), SIM_OK);
    CHECK_EQ_INT(sim_ttm_check(&m), SIM_OK);
    sim_ttm_release(&m);

    /* Rejected: out of order, duplicate pair, out of range, unreachable marker. */
    const sim_od unordered[] = {{1, 0, 5}, {0, 1, 5}};
    const sim_od duplicate[] = {{0, 1, 5}, {0, 1, 6}};
    const sim_od out_of_range[] = {{0, 2, 5}};
    const sim_od unreachable[] = {{0, 0, SIM_UNREACHABLE}};
    CHECK_EQ_INT(sim_ttm_from_od(unordered, 2, 2, 2, &m), SIM_EINVAL);
    CHECK_EQ_INT(sim_ttm_from_od(duplicate, 2, 2, 2, &m), SIM_EINVAL);
    CHECK_EQ_INT(sim_ttm_from_od(out_of_range, 1, 2, 2, &m), SIM_EINVAL);
    CHECK_EQ_INT(sim_ttm_from_od(unreachable, 1, 2, 2, &m), SIM_EINVAL);
    CHECK_EQ_INT(sim_ttm_from_od(NULL, 1, 2, 2, &m), SIM_EINVAL);
    CHECK_EQ_INT(sim_ttm_from_od(rows, 3, 3, 3, NULL), SIM_EINVAL);
}

static void test_ttm_builder_chunks(void) {
    /* The same rows in three chunks, through the sim_matrix_sink adapter, give the same matrix
     * as one call; the builder can then be reused. */
    const sim_od rows[] = {{0, 0, 60}, {0, 3, 120}, {2, 1, 30}, {2, 2, 90}, {4, 3, 6000}};
    sim_ttm_builder *b = NULL;
    CHECK_EQ_INT(sim_ttm_builder_create(5, 4, &b), SIM_OK);
    sim_matrix_sink sink = sim_ttm_sink;
    CHECK_EQ_INT(sink(b, rows, 2), SIM_OK);
    CHECK_EQ_INT(sink(b, rows + 2, 0), SIM_OK);
    CHECK_EQ_INT(sink(b, rows + 2, 3), SIM_OK);
    sim_ttm a, whole;
    CHECK_EQ_INT(sim_ttm_builder_finish(b, &a), SIM_OK);
    CHECK_EQ_INT(sim_ttm_from_od(rows, 5, 5, 4, &whole), SIM_OK);
    CHECK_EQ_INT(sim_ttm_check(&a), SIM_OK);
    CHECK(memcmp(a.first, whole.first, 6 * sizeof *a.first) == 0);
    CHECK(memcmp(a.to, whole.to, 5 * sizeof *a.to) == 0);
    CHECK(memcmp(a.minutes, whole.minutes, 5 * sizeof *a.minutes) == 0);
    CHECK_NEAR(a.minutes[4], 10.0, EXACT);

    /* Reuse after finish; then a row going backwards poisons the builder. */
    sim_ttm again;
    CHECK_EQ_INT(sim_ttm_builder_add(b, rows + 4, 1), SIM_OK);
    CHECK_EQ_INT(sim_ttm_builder_finish(b, &again), SIM_OK);
    CHECK_EQ_INT(again.first[5], 1);
    CHECK_EQ_INT(again.first[4], 0);
    sim_ttm_release(&again);
    CHECK_EQ_INT(sim_ttm_builder_add(b, rows + 4, 1), SIM_OK);
    CHECK_EQ_INT(sim_ttm_builder_add(b, rows + 2, 1), SIM_EINVAL); /* (2, 1) after (4, 3) */
    CHECK_EQ_INT(sim_ttm_builder_add(b, rows + 4, 0), SIM_EINVAL); /* stays refused */
    CHECK_EQ_INT(sim_ttm_builder_finish(b, &again), SIM_EINVAL);
    sim_ttm_builder_destroy(b);
    sim_ttm_builder_destroy(NULL);
    sim_ttm_release(&a);
    sim_ttm_release(&whole);
}

static void test_ttm_check_views(void) {
    /* A caller-made view over its own arrays. */
    uint64_t first[] = {0, 2, 3};
    uint32_t to[] = {0, 2, 1};
    double minutes[] = {1.5, 0.0, 7.25};
    sim_ttm v = {.n_from = 2, .n_to = 3, .first = first, .to = to, .minutes = minutes};
    CHECK_EQ_INT(sim_ttm_check(&v), SIM_OK);
    sim_ttm_release(&v); /* a view: left alone */
    CHECK(v.first == first);

    to[1] = 0; /* duplicate destination in row 0 */
    CHECK_EQ_INT(sim_ttm_check(&v), SIM_EINVAL);
    to[1] = 3; /* out of range */
    CHECK_EQ_INT(sim_ttm_check(&v), SIM_EINVAL);
    to[1] = 2;
    minutes[2] = -1.0;
    CHECK_EQ_INT(sim_ttm_check(&v), SIM_EINVAL);
    minutes[2] = NAN;
    CHECK_EQ_INT(sim_ttm_check(&v), SIM_EINVAL);
    minutes[2] = INFINITY;
    CHECK_EQ_INT(sim_ttm_check(&v), SIM_EINVAL);
    minutes[2] = 7.25;
    first[1] = 4; /* offsets going backwards */
    CHECK_EQ_INT(sim_ttm_check(&v), SIM_EINVAL);
    first[1] = 2;
    first[0] = 1;
    CHECK_EQ_INT(sim_ttm_check(&v), SIM_EINVAL);
    first[0] = 0;
    CHECK_EQ_INT(sim_ttm_check(&v), SIM_OK);
    CHECK_EQ_INT(sim_ttm_check(NULL), SIM_EINVAL);
    /* Measures re-check the offsets. */
    double opp[3] = {1, 1, 1}, out[2];
    first[2] = 1;
    CHECK_EQ_INT(sim_measure_cumulative_cutoff(&v, opp, 10, out), SIM_EINVAL);
}

/* ---------------------------------------------------------------------------------------------
 * Decay functions
 * ------------------------------------------------------------------------------------------- */

static void test_decay_binary_linear_exponential(void) {
    /* decay_binary(30): 1 up to and including the cutoff. */
    sim_decay bin = {.kind = SIM_DECAY_BINARY, .cutoff_min = 30};
    CHECK_NEAR(sim_decay_weight(&bin, 0), 1.0, EXACT);
    CHECK_NEAR(sim_decay_weight(&bin, 30), 1.0, EXACT);
    CHECK_NEAR(sim_decay_weight(&bin, 30.0001), 0.0, EXACT);
    sim_decay bin0 = {.kind = SIM_DECAY_BINARY, .cutoff_min = 0};
    CHECK_NEAR(sim_decay_weight(&bin0, 0), 1.0, EXACT);

    /* decay_linear(40): 1 - t/40, floored at 0; 0 exactly at the cutoff. */
    sim_decay lin = decay_linear(40);
    CHECK_NEAR(sim_decay_weight(&lin, 0), 1.0, EXACT);
    CHECK_NEAR(sim_decay_weight(&lin, 10), 0.75, EXACT);
    CHECK_NEAR(sim_decay_weight(&lin, 30), 0.25, EXACT);
    CHECK_NEAR(sim_decay_weight(&lin, 40), 0.0, EXACT);
    CHECK_NEAR(sim_decay_weight(&lin, 55), 0.0, EXACT);
    /* R example decay_linear(30) at c(20, 35): 1/3, 0. */
    sim_decay lin30 = decay_linear(30);
    CHECK_NEAR(sim_decay_weight(&lin30, 20), 1.0 / 3.0, TOL);
    CHECK_NEAR(sim_decay_weight(&lin30, 35), 0.0, EXACT);

    /* decay_exponential(0.1): exp(-0.1 t); R example at 20 and 35. */
    sim_decay ex = decay_exponential(0.1);
    CHECK_NEAR(sim_decay_weight(&ex, 0), 1.0, EXACT);
    CHECK_NEAR(sim_decay_weight(&ex, 20), 0.1353352832366127, TOL); /* e^-2 */
    CHECK_NEAR(sim_decay_weight(&ex, 35), 0.0301973834223185, TOL); /* e^-3.5 */
}

static void test_decay_power(void) {
    /* tests/testthat/test-decay_power.R: decay_power(0.5) at c(0, 0.5, 1, 16, 64) is
     * c(1, 1, 1, 0.25, 0.125) (t^-b capped at 1, so t = 0 gives 1, not Inf), and
     * decay_power(0.25) at c(0, 0.5, 1, 16, 256) is c(1, 1, 1, 0.5, 0.25). */
    sim_decay p = {.kind = SIM_DECAY_POWER, .decay_value = 0.5};
    const double t1[] = {0, 0.5, 1, 16, 64}, w1[] = {1, 1, 1, 0.25, 0.125};
    for (int k = 0; k < 5; ++k) CHECK_NEAR(sim_decay_weight(&p, t1[k]), w1[k], TOL);
    p.decay_value = 0.25;
    const double t2[] = {0, 0.5, 1, 16, 256}, w2[] = {1, 1, 1, 0.5, 0.25};
    for (int k = 0; k < 5; ++k) CHECK_NEAR(sim_decay_weight(&p, t2[k]), w2[k], TOL);
    /* R example decay_power(0.1) at c(20, 35): 20^-0.1, 35^-0.1. */
    p.decay_value = 0.1;
    CHECK_NEAR(sim_decay_weight(&p, 20), 0.7411344491069477, TOL);
    CHECK_NEAR(sim_decay_weight(&p, 35), 0.7007985515957754, TOL);
}

static void test_decay_logistic(void) {
    /* f(t) = g(0) / g(t), g(x) = 1 + exp((x - c) pi / (sd sqrt 3)).
     * tests/testthat/test-decay_logistic.R: (c 20, sd 2) at c(0, 20) is c(1, 0.5);
     * (c 30, sd 10) at c(0, 30) is c(1, 0.502) within 0.001. */
    sim_decay lg = {.kind = SIM_DECAY_LOGISTIC, .cutoff_min = 20, .sd_min = 2};
    CHECK_NEAR(sim_decay_weight(&lg, 0), 1.0, EXACT);
    CHECK_NEAR(sim_decay_weight(&lg, 20), 0.5, 1e-7);
    lg.cutoff_min = 30;
    lg.sd_min = 10;
    CHECK_NEAR(sim_decay_weight(&lg, 0), 1.0, EXACT);
    CHECK_NEAR(sim_decay_weight(&lg, 30), 0.502, 0.001);
    /* By hand, c 30, sd 5 (the R example decay_logistic(30, 5) at c(0, 30, 45, 60)):
     *   k = pi / (5 sqrt 3) = 0.362760;  g(0) = 1 + e^(-30 k) = 1 + e^-10.8828 = 1.0000188
     *   t = 30: g = 2                 -> 0.5000094
     *   t = 45: g = 1 + e^(15 k) = 1 + e^5.4414 = 231.76   -> 0.0043148
     *   t = 60: g = 1 + e^(30 k) = 1 + e^10.8828 = 53253   -> 1.8779e-05 */
    lg.sd_min = 5;
    CHECK_NEAR(sim_decay_weight(&lg, 0), 1.0, EXACT);
    CHECK_NEAR(sim_decay_weight(&lg, 30), 0.5000093892666582, TOL);
    CHECK_NEAR(sim_decay_weight(&lg, 45), 0.004314804025006029, TOL);
    CHECK_NEAR(sim_decay_weight(&lg, 60), 1.877853331634243e-05, TOL);
    CHECK_NEAR(sim_decay_weight(&lg, 1e6), 0.0, EXACT); /* exp overflows to Inf: weight 0 */
}

static void test_decay_gaussian(void) {
    /* exp(-t^2 / (2 sigma^2)), sigma 20: t = 10 -> e^-0.125, t = 20 -> e^-0.5. */
    sim_decay g = {.kind = SIM_DECAY_GAUSSIAN, .sigma_min = 20};
    CHECK_NEAR(sim_decay_weight(&g, 0), 1.0, EXACT);
    CHECK_NEAR(sim_decay_weight(&g, 10), 0.8824969025845955, TOL);
    CHECK_NEAR(sim_decay_weight(&g, 20), 0.6065306597126334, TOL);
}

static void test_decay_stepped(void) {
    /* tests/testthat/test-decay_stepped.R: steps c(10, 20, 30, 40), weights
     * c(0.75, 0.5, 0.25, 0) at c(0, 10, 20, 30, 40) is c(1, 0.75, 0.5, 0.25, 0): the weight
     * changes exactly at each step ([s_k, s_k+1) intervals, "open on the right"). */
    const double steps[] = {10, 20, 30, 40}, weights[] = {0.75, 0.5, 0.25, 0};
    sim_decay st = {.kind = SIM_DECAY_STEPPED, .steps_min = steps, .weights = weights,
                    .n_steps = 4};
    const double t[] = {0, 10, 20, 30, 40}, w[] = {1, 0.75, 0.5, 0.25, 0};
    for (int k = 0; k < 5; ++k) CHECK_NEAR(sim_decay_weight(&st, t[k]), w[k], EXACT);
    CHECK_NEAR(sim_decay_weight(&st, 9.999), 1.0, EXACT);
    CHECK_NEAR(sim_decay_weight(&st, 19.999), 0.75, EXACT);
    CHECK_NEAR(sim_decay_weight(&st, 1000), 0.0, EXACT);
    /* Same file: steps c(25, 50), weights c(0.5, 0) at c(5, 30, 55) is c(1, 0.5, 0). */
    const double s2[] = {25, 50}, w2[] = {0.5, 0};
    sim_decay st2 = {.kind = SIM_DECAY_STEPPED, .steps_min = s2, .weights = w2, .n_steps = 2};
    CHECK_NEAR(sim_decay_weight(&st2, 5), 1.0, EXACT);
    CHECK_NEAR(sim_decay_weight(&st2, 30), 0.5, EXACT);
    CHECK_NEAR(sim_decay_weight(&st2, 55), 0.0, EXACT);
    /* Weights need not decrease (R does not require it). */
    const double w3[] = {0.2, 0.9};
    st2.weights = w3;
    CHECK_EQ_INT(sim_decay_check(&st2, NULL, 0), SIM_OK);
    CHECK_NEAR(sim_decay_weight(&st2, 60), 0.9, EXACT);
}

static void test_decay_check(void) {
    char why[128];
    sim_decay d = decay_exponential(0);
    CHECK_EQ_INT(sim_decay_check(&d, why, sizeof why), SIM_EINVAL);
    CHECK_STR_EQ(why, "exponential decay: decay_value must be > 0 (got 0)");
    d.decay_value = -0.5;
    CHECK_EQ_INT(sim_decay_check(&d, why, sizeof why), SIM_EINVAL);
    CHECK_STR_CONTAINS(why, "got -0.5");
    d.decay_value = NAN;
    CHECK_EQ_INT(sim_decay_check(&d, why, sizeof why), SIM_EINVAL);
    d.decay_value = INFINITY;
    CHECK_EQ_INT(sim_decay_check(&d, NULL, 0), SIM_EINVAL);
    d.decay_value = 0.2;
    CHECK_EQ_INT(sim_decay_check(&d, why, sizeof why), SIM_OK);
    CHECK_STR_EQ(why, "");

    d = (sim_decay){.kind = SIM_DECAY_POWER, .decay_value = 0};
    CHECK_EQ_INT(sim_decay_check(&d, why, sizeof why), SIM_EINVAL);
    CHECK_STR_CONTAINS(why, "power decay: decay_value");

    d = (sim_decay){.kind = SIM_DECAY_BINARY, .cutoff_min = -1};
    CHECK_EQ_INT(sim_decay_check(&d, why, sizeof why), SIM_EINVAL);
    CHECK_STR_EQ(why, "binary decay: cutoff must be >= 0 minutes (got -1)");
    d.cutoff_min = 0;
    CHECK_EQ_INT(sim_decay_check(&d, why, sizeof why), SIM_OK);

    d = decay_linear(0);
    CHECK_EQ_INT(sim_decay_check(&d, why, sizeof why), SIM_EINVAL);
    CHECK_STR_CONTAINS(why, "linear decay: cutoff must be > 0");

    d = (sim_decay){.kind = SIM_DECAY_LOGISTIC, .cutoff_min = 30, .sd_min = 0};
    CHECK_EQ_INT(sim_decay_check(&d, why, sizeof why), SIM_EINVAL);
    CHECK_STR_CONTAINS(why, "logistic decay: sd");
    d = (sim_decay){.kind = SIM_DECAY_LOGISTIC, .cutoff_min = 0, .sd_min = 5};
    CHECK_EQ_INT(sim_decay_check(&d, why, sizeof why), SIM_EINVAL);
    CHECK_STR_CONTAINS(why, "logistic decay: cutoff");

    d = (sim_decay){.kind = SIM_DECAY_GAUSSIAN, .sigma_min = -3};
    CHECK_EQ_INT(sim_decay_check(&d, why, sizeof why), SIM_EINVAL);
    CHECK_STR_CONTAINS(why, "gaussian decay: sigma");

    const double unsorted[] = {20, 10}, dup[] = {10, 10}, below_one[] = {0.5, 10};
    const double ok_w[] = {0.5, 0}, bad_w[] = {0.5, 1.5}, neg_w[] = {-0.1, 0};
    d = (sim_decay){.kind = SIM_DECAY_STEPPED, .steps_min = unsorted, .weights = ok_w,
                    .n_steps = 2};
    CHECK_EQ_INT(sim_decay_check(&d, why, sizeof why), SIM_EINVAL);
    CHECK_STR_CONTAINS(why, "strictly increasing");
    d.steps_min = dup;
    CHECK_EQ_INT(sim_decay_check(&d, why, sizeof why), SIM_EINVAL);
    d.steps_min = below_one; /* R: steps >= 1 */
    CHECK_EQ_INT(sim_decay_check(&d, why, sizeof why), SIM_EINVAL);
    CHECK_STR_CONTAINS(why, "step 1 must be >= 1 minute");
    const double good_steps[] = {10, 20};
    d.steps_min = good_steps;
    d.weights = bad_w;
    CHECK_EQ_INT(sim_decay_check(&d, why, sizeof why), SIM_EINVAL);
    CHECK_STR_EQ(why, "stepped decay: weight 2 must be in [0, 1] (got 1.5)");
    d.weights = neg_w;
    CHECK_EQ_INT(sim_decay_check(&d, why, sizeof why), SIM_EINVAL);
    d.weights = ok_w;
    CHECK_EQ_INT(sim_decay_check(&d, why, sizeof why), SIM_OK);
    d.n_steps = 0;
    CHECK_EQ_INT(sim_decay_check(&d, why, sizeof why), SIM_EINVAL);
    d.n_steps = 2;
    d.weights = NULL;
    CHECK_EQ_INT(sim_decay_check(&d, why, sizeof why), SIM_EINVAL);

    d = (sim_decay){.kind = (sim_decay_kind)42};
    CHECK_EQ_INT(sim_decay_check(&d, why, sizeof why), SIM_EINVAL);
    CHECK_STR_EQ(why, "decay: unknown kind 42");
    CHECK_EQ_INT(sim_decay_check(NULL, why, sizeof why), SIM_EINVAL);
    /* A short buffer truncates but stays terminated. */
    char tiny[8];
    d = decay_exponential(-1);
    CHECK_EQ_INT(sim_decay_check(&d, tiny, sizeof tiny), SIM_EINVAL);
    CHECK_STR_EQ(tiny, "exponen");
}

static void test_decay_names(void) {
    for (int k = 0; k < SIM_DECAY_KIND_COUNT; ++k) {
        sim_decay_kind back = SIM_DECAY_BINARY;
        CHECK_EQ_INT(sim_decay_kind_from_name(sim_decay_kind_name((sim_decay_kind)k), &back),
                     SIM_OK);
        CHECK_EQ_INT(back, k);
    }
    CHECK_STR_EQ(sim_decay_kind_name(SIM_DECAY_GAUSSIAN), "gaussian");
    CHECK_STR_EQ(sim_decay_kind_name((sim_decay_kind)99), "unknown");
    sim_decay_kind k;
    CHECK_EQ_INT(sim_decay_kind_from_name("Exponential", &k), SIM_EINVAL);
    CHECK_EQ_INT(sim_decay_kind_from_name("gauss", &k), SIM_EINVAL);
    CHECK_EQ_INT(sim_decay_kind_from_name(NULL, &k), SIM_EINVAL);
}

/* ---------------------------------------------------------------------------------------------
 * Cumulative, gravity, cost to closest
 * ------------------------------------------------------------------------------------------- */

/* Origin 0 reaches d0 at 5, d1 at 12, d2 at 18 minutes; origin 1 reaches d3 at 15; origin 2
 * reaches nothing. Opportunities d0..d3 = 1, 2, 4, 2.5. */
static const char *SMALL = "0>0:5 0>1:12 0>2:18 1>3:15";
static const double SMALL_OPP[] = {1, 2, 4, 2.5};

static void test_cumulative_cutoff(void) {
    sim_ttm m = ttm_fixture(3, 4, SMALL);
    double out[3];
    CHECK_EQ_INT(sim_measure_cumulative_cutoff(&m, SMALL_OPP, 12, out), SIM_OK);
    CHECK_NEAR(out[0], 3.0, EXACT); /* 1 + 2: 12 <= 12 is inside (inclusive) */
    CHECK_NEAR(out[1], 0.0, EXACT);
    CHECK_NEAR(out[2], 0.0, EXACT); /* no rows: 0, as R's fill_missing_ids */
    CHECK_EQ_INT(sim_measure_cumulative_cutoff(&m, SMALL_OPP, 11.99, out), SIM_OK);
    CHECK_NEAR(out[0], 1.0, EXACT);
    CHECK_EQ_INT(sim_measure_cumulative_cutoff(&m, SMALL_OPP, 60, out), SIM_OK);
    CHECK_NEAR(out[0], 7.0, EXACT);
    CHECK_NEAR(out[1], 2.5, EXACT);
    CHECK_EQ_INT(sim_measure_cumulative_cutoff(&m, SMALL_OPP, 0, out), SIM_OK);
    CHECK_NEAR(out[0], 0.0, EXACT);
    /* Rejected: negative or NaN cutoff, negative opportunities. */
    CHECK_EQ_INT(sim_measure_cumulative_cutoff(&m, SMALL_OPP, -1, out), SIM_EINVAL);
    CHECK_EQ_INT(sim_measure_cumulative_cutoff(&m, SMALL_OPP, NAN, out), SIM_EINVAL);
    const double neg[] = {1, -2, 4, 2.5};
    CHECK_EQ_INT(sim_measure_cumulative_cutoff(&m, neg, 10, out), SIM_EINVAL);
    CHECK_EQ_INT(sim_measure_cumulative_cutoff(&m, NULL, 10, out), SIM_EINVAL);
    CHECK_EQ_INT(sim_measure_cumulative_cutoff(&m, SMALL_OPP, 10, NULL), SIM_EINVAL);
    sim_ttm_release(&m);
}

static void test_cumulative_interval(void) {
    sim_ttm m = ttm_fixture(3, 4, SMALL);
    double out[3];
    /* [10, 20] by 1: 11 cutoffs. Origin 0: cutoffs 10, 11 -> 1; 12..17 -> 3 (six); 18, 19,
     * 20 -> 7. Sorted values 1 1 3 3 3 3 3 3 7 7 7: median (6th) 3; mean 41 / 11 = 3.727 -> 3.
     * Origin 1: 10..14 -> 0 (five), 15..20 -> 2.5 (six): median 2.5 -> 2 (truncated as R's
     * as.integer); mean 15 / 11 = 1.36 -> 1. Origin 2 reaches nothing: 0. */
    CHECK_EQ_INT(sim_measure_cumulative_interval(&m, SMALL_OPP, 10, 20, 1, SIM_SUMMARY_MEDIAN,
                                                 out),
                 SIM_OK);
    CHECK_NEAR(out[0], 3.0, EXACT);
    CHECK_NEAR(out[1], 2.0, EXACT);
    CHECK_NEAR(out[2], 0.0, EXACT);
    CHECK_EQ_INT(
        sim_measure_cumulative_interval(&m, SMALL_OPP, 10, 20, 1, SIM_SUMMARY_MEAN, out), SIM_OK);
    CHECK_NEAR(out[0], 3.0, EXACT);
    CHECK_NEAR(out[1], 1.0, EXACT);
    /* Even counts: [16, 19] -> 3 3 7 7: median (3 + 7) / 2 = 5, mean 5. [17, 20] -> 3 7 7 7:
     * median 7, mean 6. */
    CHECK_EQ_INT(sim_measure_cumulative_interval(&m, SMALL_OPP, 16, 19, 1, SIM_SUMMARY_MEDIAN,
                                                 out),
                 SIM_OK);
    CHECK_NEAR(out[0], 5.0, EXACT);
    CHECK_EQ_INT(sim_measure_cumulative_interval(&m, SMALL_OPP, 17, 20, 1, SIM_SUMMARY_MEDIAN,
                                                 out),
                 SIM_OK);
    CHECK_NEAR(out[0], 7.0, EXACT);
    CHECK_EQ_INT(
        sim_measure_cumulative_interval(&m, SMALL_OPP, 17, 20, 1, SIM_SUMMARY_MEAN, out), SIM_OK);
    CHECK_NEAR(out[0], 6.0, EXACT);
    /* Increment 3 on [10, 20]: R's seq(10, 20, by = 3) = 10 13 16 19 -> 1 3 3 7: median 3,
     * mean 14 / 4 = 3.5 -> 3. Increment 2.5: 10 12.5 15 17.5 20 -> 1 3 3 3 7: mean 17/5 = 3.4. */
    CHECK_EQ_INT(sim_measure_cumulative_interval(&m, SMALL_OPP, 10, 20, 3, SIM_SUMMARY_MEDIAN,
                                                 out),
                 SIM_OK);
    CHECK_NEAR(out[0], 3.0, EXACT);
    CHECK_EQ_INT(
        sim_measure_cumulative_interval(&m, SMALL_OPP, 10, 20, 2.5, SIM_SUMMARY_MEAN, out),
        SIM_OK);
    CHECK_NEAR(out[0], 3.0, EXACT);
    CHECK_NEAR(out[1], 1.0, EXACT); /* 0 0 2.5 2.5 2.5: mean 1.5 -> 1 */
    /* Rejected: start >= end, negative start, step <= 0, too many cutoffs, bad summary. */
    CHECK_EQ_INT(sim_measure_cumulative_interval(&m, SMALL_OPP, 20, 20, 1, SIM_SUMMARY_MEDIAN,
                                                 out),
                 SIM_EINVAL);
    CHECK_EQ_INT(sim_measure_cumulative_interval(&m, SMALL_OPP, 30, 20, 1, SIM_SUMMARY_MEDIAN,
                                                 out),
                 SIM_EINVAL);
    CHECK_EQ_INT(sim_measure_cumulative_interval(&m, SMALL_OPP, -5, 20, 1, SIM_SUMMARY_MEDIAN,
                                                 out),
                 SIM_EINVAL);
    CHECK_EQ_INT(sim_measure_cumulative_interval(&m, SMALL_OPP, 10, 20, 0, SIM_SUMMARY_MEDIAN,
                                                 out),
                 SIM_EINVAL);
    CHECK_EQ_INT(sim_measure_cumulative_interval(&m, SMALL_OPP, 10, 20, 1e-9,
                                                 SIM_SUMMARY_MEDIAN, out),
                 SIM_EINVAL);
    CHECK_EQ_INT(
        sim_measure_cumulative_interval(&m, SMALL_OPP, 10, 20, 1, (sim_summary)7, out),
        SIM_EINVAL);
    sim_ttm_release(&m);
}

static void test_gravity(void) {
    sim_ttm m = ttm_fixture(3, 4, SMALL);
    double out[3];
    /* Linear, cutoff 20: origin 0: 1 (1 - 5/20) + 2 (1 - 12/20) + 4 (1 - 18/20)
     *   = 0.75 + 0.8 + 0.4 = 1.95; origin 1: 2.5 (1 - 15/20) = 0.625; origin 2: 0. */
    sim_decay lin = decay_linear(20);
    CHECK_EQ_INT(sim_measure_gravity(&m, SMALL_OPP, &lin, out), SIM_OK);
    CHECK_NEAR(out[0], 1.95, TOL);
    CHECK_NEAR(out[1], 0.625, TOL);
    CHECK_NEAR(out[2], 0.0, EXACT);
    /* Exponential 0.1: origin 0: e^-0.5 + 2 e^-1.2 + 4 e^-1.8
     *   = 0.6065306597 + 0.6023884238 + 0.6611955529 = 1.8701146364. */
    sim_decay ex = decay_exponential(0.1);
    CHECK_EQ_INT(sim_measure_gravity(&m, SMALL_OPP, &ex, out), SIM_OK);
    CHECK_NEAR(out[0], exp(-0.5) + 2 * exp(-1.2) + 4 * exp(-1.8), TOL);
    CHECK_NEAR(out[0], 1.8701146364, 1e-9);
    /* Binary decay: the cumulative measure. */
    sim_decay bin = {.kind = SIM_DECAY_BINARY, .cutoff_min = 12};
    double cum[3];
    CHECK_EQ_INT(sim_measure_gravity(&m, SMALL_OPP, &bin, out), SIM_OK);
    CHECK_EQ_INT(sim_measure_cumulative_cutoff(&m, SMALL_OPP, 12, cum), SIM_OK);
    CHECK(memcmp(out, cum, sizeof out) == 0);
    /* Rejected decay. */
    sim_decay bad = decay_exponential(-0.1);
    CHECK_EQ_INT(sim_measure_gravity(&m, SMALL_OPP, &bad, out), SIM_EINVAL);
    CHECK_EQ_INT(sim_measure_gravity(&m, SMALL_OPP, NULL, out), SIM_EINVAL);
    sim_ttm_release(&m);
}

static void test_cost_to_closest(void) {
    /* Origin 0: d0 at 12 (0 opportunities: ignored), d1 at 5 (1), d2 at 20 (2), d3 at 8 (0.5).
     * In order of time among d with opportunities: 5 (1), 8 (0.5), 20 (2); cumulative 1, 1.5,
     * 3.5. Origin 1: only d3 at 3 (0.5). Origin 2: nothing. */
    sim_ttm m = ttm_fixture(3, 4, "0>0:12 0>1:5 0>2:20 0>3:8 1>3:3");
    const double opp[] = {0, 1, 2, 0.5};
    double out[3];
    CHECK_EQ_INT(sim_measure_cost_to_closest(&m, opp, 1, out), SIM_OK);
    CHECK_NEAR(out[0], 5.0, EXACT);
    CHECK_NEAR(out[1], 3.0, EXACT); /* R's n == 1: min over opportunities > 0, even 0.5 */
    CHECK(isnan(out[2]));           /* R: Inf */
    CHECK_EQ_INT(sim_measure_cost_to_closest(&m, opp, 1.5, out), SIM_OK);
    CHECK_NEAR(out[0], 8.0, EXACT);
    CHECK(isnan(out[1])); /* 0.5 < 1.5 */
    CHECK_EQ_INT(sim_measure_cost_to_closest(&m, opp, 2, out), SIM_OK);
    CHECK_NEAR(out[0], 20.0, EXACT);
    CHECK_EQ_INT(sim_measure_cost_to_closest(&m, opp, 3.5, out), SIM_OK);
    CHECK_NEAR(out[0], 20.0, EXACT);
    CHECK_EQ_INT(sim_measure_cost_to_closest(&m, opp, 4, out), SIM_OK);
    CHECK(isnan(out[0]));
    /* k-th nearest service: one opportunity per service. Ties at 7 minutes: 2nd and 3rd are
     * both 7. */
    sim_ttm k = ttm_fixture(1, 4, "0>0:9 0>1:7 0>2:7 0>3:2");
    const double ones[] = {1, 1, 1, 1};
    const double want[] = {2, 7, 7, 9};
    for (int n = 1; n <= 4; ++n) {
        CHECK_EQ_INT(sim_measure_cost_to_closest(&k, ones, n, out), SIM_OK);
        CHECK_NEAR(out[0], want[n - 1], EXACT);
    }
    CHECK_EQ_INT(sim_measure_cost_to_closest(&k, ones, 5, out), SIM_OK);
    CHECK(isnan(out[0]));
    /* Rejected: n < 1 (R: lower = 1), NaN, Inf. */
    CHECK_EQ_INT(sim_measure_cost_to_closest(&k, ones, 0.5, out), SIM_EINVAL);
    CHECK_EQ_INT(sim_measure_cost_to_closest(&k, ones, NAN, out), SIM_EINVAL);
    CHECK_EQ_INT(sim_measure_cost_to_closest(&k, ones, INFINITY, out), SIM_EINVAL);
    sim_ttm_release(&k);
    sim_ttm_release(&m);
}

/* ---------------------------------------------------------------------------------------------
 * Floating catchment areas and spatial availability, worked by hand
 *
 * Three origins A, B, C (populations 100, 200, 300) and two services S1, S2 (capacities 10,
 * 20). Travel times: A-S1 10, A-S2 30, B-S1 20, B-S2 10, C-S2 20 (C cannot reach S1: no row).
 * Linear decay, cutoff 40: w(10) = 0.75, w(20) = 0.5, w(30) = 0.25, so
 *
 *             S1     S2
 *      A    0.75   0.25      row sums: A 1.00, B 1.25, C 0.50
 *      B    0.50   0.75      column sums: S1 1.25, S2 1.50
 *      C     -     0.50
 * ------------------------------------------------------------------------------------------- */

static const char *HAND = "0>0:10 0>1:30 1>0:20 1>1:10 2>1:20";
static const double HAND_POP[] = {100, 200, 300};
static const double HAND_CAP[] = {10, 20};

static void test_2sfca_by_hand(void) {
    /* Step 1, demand reaching each service:
     *   D1 = 100 * 0.75 + 200 * 0.5              = 75 + 100       = 175
     *   D2 = 100 * 0.25 + 200 * 0.75 + 300 * 0.5 = 25 + 150 + 150 = 325
     *   R1 = 10 / 175 = 2/35 = 0.0571428571,  R2 = 20 / 325 = 4/65 = 0.0615384615
     * Step 2, A_i = sum_j R_j w_ij:
     *   A = 0.75 * 2/35 + 0.25 * 4/65 = 3/70 + 1/65 = 265/4550 = 53/910 = 0.0582417582
     *   B = 0.50 * 2/35 + 0.75 * 4/65 = 1/35 + 3/65 = 170/2275 = 34/455 = 0.0747252747
     *   C = 0.50 * 4/65                             = 2/65          = 0.0307692308
     * Check: 100 A + 200 B + 300 C = 5.824 + 14.945 + 9.231 = 30 = total capacity. */
    sim_ttm m = ttm_fixture(3, 2, HAND);
    sim_decay lin = decay_linear(40);
    double a[3], r[2];
    CHECK_EQ_INT(sim_measure_fca(&m, SIM_FCA_2SFCA, HAND_CAP, HAND_POP, &lin, a, r), SIM_OK);
    CHECK_NEAR(r[0], 2.0 / 35.0, TOL);
    CHECK_NEAR(r[1], 4.0 / 65.0, TOL);
    CHECK_NEAR(a[0], 53.0 / 910.0, TOL);
    CHECK_NEAR(a[1], 34.0 / 455.0, TOL);
    CHECK_NEAR(a[2], 2.0 / 65.0, TOL);
    CHECK_NEAR(a[0], 0.0582417582, 1e-10);
    CHECK_NEAR(a[1], 0.0747252747, 1e-10);
    CHECK_NEAR(a[2], 0.0307692308, 1e-10);
    CHECK_NEAR(100 * a[0] + 200 * a[1] + 300 * a[2], 30.0, 1e-12);
    /* The ratio output is optional. */
    double a2[3];
    CHECK_EQ_INT(sim_measure_fca(&m, SIM_FCA_2SFCA, HAND_CAP, HAND_POP, &lin, a2, NULL), SIM_OK);
    CHECK(memcmp(a, a2, sizeof a) == 0);

    /* E2SFCA (Luo & Qi 2009) is 2SFCA with stepped weights: steps 15, 25 with weights 0.6,
     * 0.2 give w(10) = 1, w(20) = 0.6, w(30) = 0.2:
     *   D1 = 100 * 1 + 200 * 0.6 = 220;  D2 = 100 * 0.2 + 200 * 1 + 300 * 0.6 = 400
     *   R1 = 10/220 = 1/22,  R2 = 20/400 = 1/20
     *   A = 1/22 + 0.2/20 = 0.0554545455;  B = 0.6/22 + 1/20 = 0.0772727273;  C = 0.6/20 = 0.03
     */
    const double steps[] = {15, 25}, weights[] = {0.6, 0.2};
    sim_decay st = {.kind = SIM_DECAY_STEPPED, .steps_min = steps, .weights = weights,
                    .n_steps = 2};
    CHECK_EQ_INT(sim_measure_fca(&m, SIM_FCA_E2SFCA, HAND_CAP, HAND_POP, &st, a, r), SIM_OK);
    CHECK_NEAR(r[0], 1.0 / 22.0, TOL);
    CHECK_NEAR(r[1], 1.0 / 20.0, TOL);
    CHECK_NEAR(a[0], 1.0 / 22.0 + 0.01, TOL);
    CHECK_NEAR(a[1], 0.6 / 22.0 + 0.05, TOL);
    CHECK_NEAR(a[2], 0.03, TOL);
    CHECK_EQ_INT(sim_measure_fca(&m, SIM_FCA_2SFCA, HAND_CAP, HAND_POP, &st, a2, NULL), SIM_OK);
    CHECK(memcmp(a, a2, sizeof a) == 0); /* exactly the same computation */
    /* E2SFCA insists on stepped weights. */
    CHECK_EQ_INT(sim_measure_fca(&m, SIM_FCA_E2SFCA, HAND_CAP, HAND_POP, &lin, a, r),
                 SIM_EINVAL);
    sim_ttm_release(&m);
}

static void test_bfca_by_hand(void) {
    /* Weights normalised by origin (row) for step 1 and by service (column) for step 2:
     *   by row:    A-S1 0.75/1 = 0.75, A-S2 0.25;  B-S1 0.5/1.25 = 0.4, B-S2 0.6;  C-S2 1
     *   by column: A-S1 0.75/1.25 = 0.6, B-S1 0.4;  A-S2 0.25/1.5 = 1/6, B-S2 0.5, C-S2 1/3
     * Step 1, balanced demand:
     *   D1 = 100 * 0.75 + 200 * 0.4            = 75 + 80        = 155
     *   D2 = 100 * 0.25 + 200 * 0.6 + 300 * 1  = 25 + 120 + 300 = 445   (D1 + D2 = 600 = all)
     *   R1 = 10 / 155 = 2/31 = 0.0645161290,  R2 = 20 / 445 = 4/89 = 0.0449438202
     * Step 2:
     *   A = 0.6 * 2/31 + (1/6) * 4/89 = 6/155 + 2/267 = 1912/41385 = 0.0462003141
     *   B = 0.4 * 2/31 + 0.5 * 4/89   = 4/155 + 2/89  = 666/13795  = 0.0482783617
     *   C = (1/3) * 4/89              = 4/267                      = 0.0149812734
     * Check: A + B + C = R1 + R2 = 0.1094599493 (each service's ratio is handed out once);
     * note 100 A + 200 B + 300 C = 18.77, not the capacity 30: that is not BFCA's property. */
    sim_ttm m = ttm_fixture(3, 2, HAND);
    sim_decay lin = decay_linear(40);
    double a[3], r[2];
    CHECK_EQ_INT(sim_measure_fca(&m, SIM_FCA_BFCA, HAND_CAP, HAND_POP, &lin, a, r), SIM_OK);
    CHECK_NEAR(r[0], 2.0 / 31.0, TOL);
    CHECK_NEAR(r[1], 4.0 / 89.0, TOL);
    CHECK_NEAR(a[0], 1912.0 / 41385.0, TOL);
    CHECK_NEAR(a[1], 666.0 / 13795.0, TOL);
    CHECK_NEAR(a[2], 4.0 / 267.0, TOL);
    CHECK_NEAR(a[0], 0.0462003141, 1e-10);
    CHECK_NEAR(a[1], 0.0482783617, 1e-10);
    CHECK_NEAR(a[2], 0.0149812734, 1e-10);
    CHECK_NEAR(a[0] + a[1] + a[2], r[0] + r[1], 1e-15);
    CHECK_NEAR(HAND_CAP[0] / r[0] + HAND_CAP[1] / r[1], 600.0, 1e-9); /* D1 + D2 */
    sim_ttm_release(&m);
}

static void test_spatial_availability_by_hand(void) {
    /* alpha = 1: kappa_ij = P_i w_ij / sum_k P_k w_kj, the same denominators as 2SFCA's step 1
     * (175 and 325), so SA_i = P_i * 2SFCA_i:
     *   A = 10 * 75/175 + 20 * 25/325           = 30/7 + 20/13 = 530/91  = 5.8241758242
     *   B = 10 * 100/175 + 20 * 150/325         = 40/7 + 120/13 = 1360/91 = 14.9450549451
     *   C = 20 * 150/325                        = 120/13        = 9.2307692308
     *   A + B + C = 30 = total capacity.
     * alpha = 2: P^2 = 10000, 40000, 90000:
     *   den1 = 10000 * 0.75 + 40000 * 0.5 = 27500
     *   den2 = 10000 * 0.25 + 40000 * 0.75 + 90000 * 0.5 = 2500 + 30000 + 45000 = 77500
     *   A = 10 * 7500/27500 + 20 * 2500/77500  = 30/11 + 20/31  = 1150/341 = 3.3724340176
     *   B = 10 * 20000/27500 + 20 * 30000/77500 = 80/11 + 240/31 = 5120/341 = 15.0146627566
     *   C = 20 * 45000/77500                   = 360/31         = 11.6129032258
     *   A + B + C = (1150 + 5120 + 3960) / 341 = 30. */
    sim_ttm m = ttm_fixture(3, 2, HAND);
    sim_decay lin = decay_linear(40);
    double sa[3], fca[3];
    CHECK_EQ_INT(sim_measure_spatial_availability(&m, HAND_CAP, HAND_POP, &lin, 1.0, sa), SIM_OK);
    CHECK_NEAR(sa[0], 530.0 / 91.0, 1e-12);
    CHECK_NEAR(sa[1], 1360.0 / 91.0, 1e-12);
    CHECK_NEAR(sa[2], 120.0 / 13.0, 1e-12);
    CHECK_NEAR(sa[0] + sa[1] + sa[2], 30.0, 1e-12);
    CHECK_EQ_INT(sim_measure_fca(&m, SIM_FCA_2SFCA, HAND_CAP, HAND_POP, &lin, fca, NULL),
                 SIM_OK);
    for (int i = 0; i < 3; ++i) CHECK_NEAR(sa[i], HAND_POP[i] * fca[i], 1e-12);
    CHECK_EQ_INT(sim_measure_spatial_availability(&m, HAND_CAP, HAND_POP, &lin, 2.0, sa), SIM_OK);
    CHECK_NEAR(sa[0], 1150.0 / 341.0, 1e-12);
    CHECK_NEAR(sa[1], 5120.0 / 341.0, 1e-12);
    CHECK_NEAR(sa[2], 360.0 / 31.0, 1e-12);
    CHECK_NEAR(sa[0] + sa[1] + sa[2], 30.0, 1e-12);
    /* alpha = 0: every origin weighs the same (P^0 = 1, 0^0 = 1 as in R). den1 = 1.25,
     * den2 = 1.5: A = 10 * 0.6 + 20/6 = 9.3333, B = 4 + 10 = 14, C = 20/3 = 6.6667. */
    CHECK_EQ_INT(sim_measure_spatial_availability(&m, HAND_CAP, HAND_POP, &lin, 0.0, sa), SIM_OK);
    CHECK_NEAR(sa[0], 6.0 + 20.0 / 6.0, 1e-12);
    CHECK_NEAR(sa[1], 14.0, 1e-12);
    CHECK_NEAR(sa[2], 20.0 / 3.0, 1e-12);
    /* Rejected alpha. */
    CHECK_EQ_INT(sim_measure_spatial_availability(&m, HAND_CAP, HAND_POP, &lin, -1.0, sa),
                 SIM_EINVAL);
    CHECK_EQ_INT(sim_measure_spatial_availability(&m, HAND_CAP, HAND_POP, &lin, INFINITY, sa),
                 SIM_EINVAL);
    sim_ttm_release(&m);
}

static void test_spatial_availability_soukhov_example(void) {
    /* The R package's own test "calculates spatial availability correctly"
     * (tests/testthat/test-spatial_availability.R, also the spatial_availability() example),
     * "data used in Soukhov et al. (2023), slightly modified": origins A, B, C with
     * populations 50000, 150000, 10000; destinations 1, 2, 3 with 100000, 100000, 10000 jobs;
     * times A: 15 30 100, B: 30 15 100, C: 100 100 15; decay_exponential(0.1). Expected,
     * rounded to whole jobs: A 66833, B 133203, C 9963. */
    sim_ttm m = ttm_fixture(3, 3,
                            "0>0:15 0>1:30 0>2:100 1>0:30 1>1:15 1>2:100 2>0:100 2>1:100 2>2:15");
    const double pop[] = {50000, 150000, 10000}, jobs[] = {100000, 100000, 10000};
    sim_decay ex = decay_exponential(0.1);
    double sa[3];
    CHECK_EQ_INT(sim_measure_spatial_availability(&m, jobs, pop, &ex, 1.0, sa), SIM_OK);
    CHECK_NEAR(round(sa[0]), 66833.0, EXACT);
    CHECK_NEAR(round(sa[1]), 133203.0, EXACT);
    CHECK_NEAR(round(sa[2]), 9963.0, EXACT);
    CHECK_NEAR(sa[0], 66833.46577090456, 1e-8);
    CHECK_NEAR(sa[0] + sa[1] + sa[2], 210000.0, 1e-8);
    sim_ttm_release(&m);
}

/* ---------------------------------------------------------------------------------------------
 * Edge conventions: zero demand, zero weight, origins without rows
 * ------------------------------------------------------------------------------------------- */

static void test_fca_edges(void) {
    /* Origin 0 (population 0) alone reaches service 0 (capacity 5) at 10 minutes; origin 1
     * (population 50) reaches service 1 (capacity 10) at 10 and service 2 (capacity 0) at 50
     * (beyond the binary cutoff 30: weight 0); origin 2 has no rows; service 3 has no rows.
     *
     * 2SFCA: D0 = 0 -> R0 = 5/0 = Inf, and origin 0 gives it weight 1: A0 = Inf (R does the
     * same). D1 = 50 -> A1 = 10/50 = 0.2; service 2: D2 = 0, R2 = 0/0 = NaN, dropped. A2 = 0.
     * Ratios: NAN where the demand is 0 (services 0, 2, 3), 0.2 for service 1. */
    sim_ttm m = ttm_fixture(3, 4, "0>0:10 1>1:10 1>2:50");
    const double pop[] = {0, 50, 70}, cap[] = {5, 10, 0, 8};
    sim_decay bin = {.kind = SIM_DECAY_BINARY, .cutoff_min = 30};
    double a[3], r[4];
    CHECK_EQ_INT(sim_measure_fca(&m, SIM_FCA_2SFCA, cap, pop, &bin, a, r), SIM_OK);
    CHECK(isinf(a[0]) && a[0] > 0);
    CHECK_NEAR(a[1], 0.2, TOL);
    CHECK_NEAR(a[2], 0.0, EXACT);
    CHECK(isnan(r[0]) && isnan(r[2]) && isnan(r[3]));
    CHECK_NEAR(r[1], 0.2, TOL);

    /* BFCA: row sums 1 (origin 0) and 1 (origin 1: 1 + 0); column sums 1, 1, 0, 0.
     * D0 = 0 * 1 = 0 -> Inf * 1 = Inf for origin 0; D1 = 50 -> A1 = 10/50 * 1 = 0.2, and
     * service 2's term (0/0) * (0/0) is NaN, dropped. */
    CHECK_EQ_INT(sim_measure_fca(&m, SIM_FCA_BFCA, cap, pop, &bin, a, r), SIM_OK);
    CHECK(isinf(a[0]) && a[0] > 0);
    CHECK_NEAR(a[1], 0.2, TOL);
    CHECK_NEAR(a[2], 0.0, EXACT);
    CHECK(isnan(r[0]) && isnan(r[2]) && isnan(r[3]));

    /* Spatial availability: service 0's denominator is 0 * 1 = 0 -> allocates nothing (R 1.3's
     * spatial_availability() would give origin 0 NaN; constrained_accessibility("singly") and
     * accessim give 0); service 1 all to origin 1; service 2 weight 0: nothing. */
    double sa[3];
    CHECK_EQ_INT(sim_measure_spatial_availability(&m, cap, pop, &bin, 1.0, sa), SIM_OK);
    CHECK_NEAR(sa[0], 0.0, EXACT);
    CHECK_NEAR(sa[1], 10.0, EXACT);
    CHECK_NEAR(sa[2], 0.0, EXACT);

    /* An origin whose every weight is 0 gives 0/0 row weights in BFCA, dropped: origin 0 now
     * reaches service 1 at 40 only (weight 0), origin 1 as before. */
    sim_ttm z = ttm_fixture(2, 2, "0>1:40 1>1:10");
    const double pop2[] = {30, 50}, cap2[] = {1, 10};
    double a2[2], r2[2];
    CHECK_EQ_INT(sim_measure_fca(&z, SIM_FCA_BFCA, cap2, pop2, &bin, a2, r2), SIM_OK);
    CHECK_NEAR(a2[0], 0.0, EXACT); /* its only term: 10/50 * (0 / 1) = 0 */
    CHECK_NEAR(a2[1], 0.2, TOL);
    CHECK_NEAR(r2[1], 0.2, TOL);   /* origin 0's 30 people are not allocated anywhere */

    /* Rejected inputs. */
    const double negpop[] = {0, -1, 70}, nancap[] = {5, NAN, 0, 8};
    CHECK_EQ_INT(sim_measure_fca(&m, SIM_FCA_2SFCA, cap, negpop, &bin, a, r), SIM_EINVAL);
    CHECK_EQ_INT(sim_measure_fca(&m, SIM_FCA_2SFCA, nancap, pop, &bin, a, r), SIM_EINVAL);
    CHECK_EQ_INT(sim_measure_fca(&m, (sim_fca_method)9, cap, pop, &bin, a, r), SIM_EINVAL);
    CHECK_EQ_INT(sim_measure_spatial_availability(&m, cap, negpop, &bin, 1, sa), SIM_EINVAL);
    sim_decay bad = {.kind = SIM_DECAY_BINARY, .cutoff_min = -5};
    CHECK_EQ_INT(sim_measure_fca(&m, SIM_FCA_BFCA, cap, pop, &bad, a, r), SIM_EINVAL);
    CHECK_EQ_INT(sim_measure_spatial_availability(&m, cap, pop, &bad, 1, sa), SIM_EINVAL);
    /* P^alpha overflowing is refused rather than turned into NaN. */
    const double huge[] = {1e200, 50, 70};
    CHECK_EQ_INT(sim_measure_spatial_availability(&m, cap, huge, &bin, 2, sa), SIM_EINVAL);
    sim_ttm_release(&z);
    sim_ttm_release(&m);
}

/* ---------------------------------------------------------------------------------------------
 * Properties on seeded random matrices
 * ------------------------------------------------------------------------------------------- */

typedef struct {
    uint32_t n_from, n_to;
    sim_od *rows;
    size_t n_rows;
    double *pop, *cap, *opp;
} random_case;

/* Each origin reaches each destination with probability `density_pct`%, in 0.1 s steps up to
 * 60 minutes; every origin reaches destination (origin mod n_to) within 10 minutes and every
 * destination is reached by origin (j mod n_from) within 10 minutes, so with a decay positive
 * below 10 minutes every row and column has positive weight. Populations and capacities are
 * positive, some fractional. */
static random_case random_make(uint64_t seed, uint32_t n_from, uint32_t n_to,
                               uint32_t density_pct) {
    rng_state = seed;
    random_case c = {n_from, n_to, NULL, 0, NULL, NULL, NULL};
    c.rows = malloc((size_t)n_from * n_to * sizeof *c.rows);
    c.pop = malloc(n_from * sizeof *c.pop);
    c.cap = malloc(n_to * sizeof *c.cap);
    c.opp = malloc(n_to * sizeof *c.opp);
    if (!c.rows || !c.pop || !c.cap || !c.opp) {
        fprintf(stderr, "out of memory making a test case\n");
        exit(1);
    }
    for (uint32_t i = 0; i < n_from; ++i) {
        c.pop[i] = 1 + rng_below(5000) + (rng_below(4) == 0 ? 0.5 : 0.0);
        for (uint32_t j = 0; j < n_to; ++j) {
            int forced = j == i % n_to || i == j % n_from;
            if (!forced && rng_below(100) >= density_pct) continue;
            uint32_t ds = forced ? rng_below(6000) : rng_below(36001);
            c.rows[c.n_rows++] = (sim_od){i, j, ds};
        }
    }
    for (uint32_t j = 0; j < n_to; ++j) {
        c.cap[j] = 1 + rng_below(100) + (rng_below(3) == 0 ? 0.25 : 0.0);
        c.opp[j] = rng_below(4); /* some destinations without opportunities */
    }
    return c;
}

static void random_free(random_case *c) {
    free(c->rows);
    free(c->pop);
    free(c->cap);
    free(c->opp);
}

static void test_properties_conservation(void) {
    const sim_decay decays[] = {
        decay_exponential(0.08),
        {.kind = SIM_DECAY_POWER, .decay_value = 1.5},
        {.kind = SIM_DECAY_LOGISTIC, .cutoff_min = 25, .sd_min = 8},
        {.kind = SIM_DECAY_GAUSSIAN, .sigma_min = 15},
        decay_linear(45),
        {.kind = SIM_DECAY_BINARY, .cutoff_min = 30},
    };
    for (uint64_t seed = 1; seed <= 4; ++seed) {
        random_case c = random_make(seed, 37, 11, 40);
        sim_ttm m;
        CHECK_EQ_INT(sim_ttm_from_od(c.rows, c.n_rows, c.n_from, c.n_to, &m), SIM_OK);
        double total_cap = sum_of(c.cap, c.n_to), total_pop = sum_of(c.pop, c.n_from);
        double a[37], r[11], sa[37];
        for (size_t d = 0; d < sizeof decays / sizeof *decays; ++d) {
            const sim_decay *dec = &decays[d];
            /* Spatial availability hands out every destination's supply exactly once. */
            for (double alpha = 0.5; alpha <= 2.0; alpha += 0.75) {
                CHECK_EQ_INT(sim_measure_spatial_availability(&m, c.cap, c.pop, dec, alpha, sa),
                             SIM_OK);
                CHECK_NEAR(sum_of(sa, c.n_from), total_cap, 1e-9 * total_cap);
            }
            /* 2SFCA: sum_i P_i A_i = sum_j S_j (Luo & Wang's supply is conserved). */
            CHECK_EQ_INT(sim_measure_fca(&m, SIM_FCA_2SFCA, c.cap, c.pop, dec, a, r), SIM_OK);
            double pa = 0.0;
            for (uint32_t i = 0; i < c.n_from; ++i) pa += c.pop[i] * a[i];
            CHECK_NEAR(pa, total_cap, 1e-9 * total_cap);
            /* BFCA (Paez et al. 2019): demand is allocated once, sum_j D_j = sum_i P_i with
             * D_j = S_j / R_j; and the level of service once, sum_i A_i = sum_j R_j. */
            CHECK_EQ_INT(sim_measure_fca(&m, SIM_FCA_BFCA, c.cap, c.pop, dec, a, r), SIM_OK);
            double demand = 0.0;
            for (uint32_t j = 0; j < c.n_to; ++j) demand += c.cap[j] / r[j];
            CHECK_NEAR(demand, total_pop, 1e-9 * total_pop);
            CHECK_NEAR(sum_of(a, c.n_from), sum_of(r, c.n_to), 1e-12 * sum_of(r, c.n_to));
        }
        sim_ttm_release(&m);
        random_free(&c);
    }
}

/* Every measure, written one after the other into out (n_from values each). */
#define N_MEASURES 9
static void all_measures(const sim_ttm *m, const double *opp, const double *cap,
                         const double *pop, double *out) {
    sim_decay ex = decay_exponential(0.08);
    const double steps[] = {10, 20, 30}, weights[] = {0.68, 0.22, 0};
    sim_decay st = {.kind = SIM_DECAY_STEPPED, .steps_min = steps, .weights = weights,
                    .n_steps = 3};
    size_t n = m->n_from;
    double ratio[64];
    CHECK_EQ_INT(sim_measure_cost_to_closest(m, opp, 1, out + 0 * n), SIM_OK);
    CHECK_EQ_INT(sim_measure_cost_to_closest(m, opp, 3, out + 1 * n), SIM_OK);
    CHECK_EQ_INT(sim_measure_cumulative_cutoff(m, opp, 20, out + 2 * n), SIM_OK);
    CHECK_EQ_INT(sim_measure_cumulative_interval(m, opp, 10, 40, 1, SIM_SUMMARY_MEDIAN,
                                                 out + 3 * n),
                 SIM_OK);
    CHECK_EQ_INT(sim_measure_gravity(m, opp, &ex, out + 4 * n), SIM_OK);
    CHECK_EQ_INT(sim_measure_fca(m, SIM_FCA_2SFCA, cap, pop, &ex, out + 5 * n, ratio), SIM_OK);
    CHECK_EQ_INT(sim_measure_fca(m, SIM_FCA_E2SFCA, cap, pop, &st, out + 6 * n, ratio), SIM_OK);
    CHECK_EQ_INT(sim_measure_fca(m, SIM_FCA_BFCA, cap, pop, &ex, out + 7 * n, ratio), SIM_OK);
    CHECK_EQ_INT(sim_measure_spatial_availability(m, cap, pop, &ex, 1.0, out + 8 * n), SIM_OK);
}

static void test_properties_origin_order(void) {
    /* Renumbering the origins (a permutation of the rows and of the populations) renumbers the
     * results and changes nothing else, up to the order of additions in the per-destination
     * sums (relative 1e-12). */
    enum { NF = 41, NT = 13 };
    random_case c = random_make(77, NF, NT, 35);
    uint32_t perm[NF]; /* new index of old origin i */
    for (uint32_t i = 0; i < NF; ++i) perm[i] = i;
    for (uint32_t i = NF - 1; i > 0; --i) { /* Fisher-Yates */
        uint32_t k = rng_below(i + 1), t = perm[i];
        perm[i] = perm[k];
        perm[k] = t;
    }
    sim_od *moved = malloc(c.n_rows * sizeof *moved);
    double pop2[NF];
    size_t n2 = 0;
    for (uint32_t new_i = 0; new_i < NF; ++new_i) {
        uint32_t old_i = 0;
        while (perm[old_i] != new_i) ++old_i;
        pop2[new_i] = c.pop[old_i];
        for (size_t r = 0; r < c.n_rows; ++r)
            if (c.rows[r].from == old_i) moved[n2++] = (sim_od){new_i, c.rows[r].to, c.rows[r].time_ds};
    }
    sim_ttm a, b;
    CHECK_EQ_INT(sim_ttm_from_od(c.rows, c.n_rows, NF, NT, &a), SIM_OK);
    CHECK_EQ_INT(sim_ttm_from_od(moved, n2, NF, NT, &b), SIM_OK);
    double out_a[N_MEASURES * NF], out_b[N_MEASURES * NF];
    all_measures(&a, c.opp, c.cap, c.pop, out_a);
    all_measures(&b, c.opp, c.cap, pop2, out_b);
    int mismatches = 0;
    for (uint32_t k = 0; k < N_MEASURES; ++k) {
        for (uint32_t i = 0; i < NF; ++i) {
            double x = out_a[k * NF + i], y = out_b[k * NF + perm[i]];
            int same = (isnan(x) && isnan(y)) || fabs(x - y) <= 1e-12 * fmax(1.0, fabs(x));
            if (!same) {
                ++mismatches;
                fprintf(stderr, "measure %u origin %u: %.17g vs %.17g\n", k, i, x, y);
            }
        }
    }
    CHECK_EQ_INT(mismatches, 0);
    sim_ttm_release(&a);
    sim_ttm_release(&b);
    free(moved);
    random_free(&c);
}

static void test_properties_thread_count(void) {
    /* Same bytes with 1 and 4 threads. */
    enum { NF = 300, NT = 20 };
    random_case c = random_make(2024, NF, NT, 50);
    sim_ttm m;
    CHECK_EQ_INT(sim_ttm_from_od(c.rows, c.n_rows, NF, NT, &m), SIM_OK);
    static double one[N_MEASURES * NF], four[N_MEASURES * NF];
    int saved = omp_get_max_threads();
    omp_set_num_threads(1);
    all_measures(&m, c.opp, c.cap, c.pop, one);
    omp_set_num_threads(4);
    all_measures(&m, c.opp, c.cap, c.pop, four);
    omp_set_num_threads(saved);
    CHECK(memcmp(one, four, sizeof one) == 0);
    sim_ttm_release(&m);
    random_free(&c);
}

static void test_properties_against_naive(void) {
    /* Cumulative interval and cost to closest against brute force on a random matrix: every
     * cutoff summed separately over the row in destination order; every n scanned. */
    enum { NF = 60, NT = 25 };
    random_case c = random_make(5, NF, NT, 30);
    sim_ttm m;
    CHECK_EQ_INT(sim_ttm_from_od(c.rows, c.n_rows, NF, NT, &m), SIM_OK);
    double med[NF], mean[NF], near2[NF];
    CHECK_EQ_INT(
        sim_measure_cumulative_interval(&m, c.opp, 15, 45, 1, SIM_SUMMARY_MEDIAN, med), SIM_OK);
    CHECK_EQ_INT(sim_measure_cumulative_interval(&m, c.opp, 15, 45, 1, SIM_SUMMARY_MEAN, mean),
                 SIM_OK);
    CHECK_EQ_INT(sim_measure_cost_to_closest(&m, c.opp, 2, near2), SIM_OK);
    int bad = 0;
    for (uint32_t i = 0; i < NF; ++i) {
        double v[31], total = 0.0;
        for (int k = 0; k <= 30; ++k) {
            double s = 0.0;
            for (uint64_t e = m.first[i]; e < m.first[i + 1]; ++e)
                if (m.minutes[e] <= 15 + k) s += c.opp[m.to[e]];
            v[k] = s; /* whole numbers: exact in any order */
            total += s;
        }
        bad += med[i] != trunc(v[15]);
        bad += mean[i] != trunc(total / 31);
        /* Least t among the row's times with sum of opportunities within t >= 2. */
        double best = NAN;
        for (uint64_t e = m.first[i]; e < m.first[i + 1]; ++e) {
            double t = m.minutes[e], s = 0.0;
            for (uint64_t f = m.first[i]; f < m.first[i + 1]; ++f)
                if (m.minutes[f] <= t) s += c.opp[m.to[f]];
            if (s >= 2 && c.opp[m.to[e]] > 0 && (isnan(best) || t < best)) best = t;
        }
        bad += !((isnan(best) && isnan(near2[i])) || best == near2[i]);
    }
    CHECK_EQ_INT(bad, 0);
    sim_ttm_release(&m);
    random_free(&c);
}

int main(void) {
    test_ttm_from_od();
    test_ttm_builder_chunks();
    test_ttm_check_views();
    test_decay_binary_linear_exponential();
    test_decay_power();
    test_decay_logistic();
    test_decay_gaussian();
    test_decay_stepped();
    test_decay_check();
    test_decay_names();
    test_cumulative_cutoff();
    test_cumulative_interval();
    test_gravity();
    test_cost_to_closest();
    test_2sfca_by_hand();
    test_bfca_by_hand();
    test_spatial_availability_by_hand();
    test_spatial_availability_soukhov_example();
    test_fca_edges();
    test_properties_conservation();
    test_properties_origin_order();
    test_properties_thread_count();
    test_properties_against_naive();
    return CHECK_DONE();
}
