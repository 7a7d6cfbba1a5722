/*
 * Unit tests for sim/raptor.c: hand-made timetables with answers worked out in the comments
 * (each also checked against the time-expanded reference), percentiles, then a differential test
 * against tests/sim/ref_timeexp.h on random networks.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ref_timeexp.h"
#include "sim/raptor.h"
#include "sim/timetable.h"
#include "trip_fixture.h"

#define U SIM_UNREACHABLE
#define MAX_FX_TRIPS 64

/* ---- fixtures ------------------------------------------------------------------------------ */

/* Egress CSR owning its arrays. */
typedef struct {
    sim_raptor_egress e;
    uint32_t *first, *dest, *walk;
} fx_egress;

/* Destination d is stop d itself (walk 0), for d < n_stops. */
static void fx_identity_egress(fx_egress *x, uint32_t n_stops) {
    x->first = malloc((n_stops + 1) * sizeof *x->first);
    x->dest = malloc((n_stops ? n_stops : 1) * sizeof *x->dest);
    x->walk = calloc(n_stops ? n_stops : 1, sizeof *x->walk);
    if (!x->first || !x->dest || !x->walk) exit(2);
    for (uint32_t s = 0; s <= n_stops; ++s) x->first[s] = s;
    for (uint32_t s = 0; s < n_stops; ++s) x->dest[s] = s;
    x->e = (sim_raptor_egress){n_stops, n_stops, x->first, x->dest, x->walk};
}

static void fx_egress_free(fx_egress *x) {
    free(x->first);
    free(x->dest);
    free(x->walk);
}

/* Expected travel times from reference arrivals at stops: min over egress walks and the direct
 * walk, capped by max_trip_s, exactly as raptor.h specifies. */
static void ref_times(const sim_raptor_egress *eg, const int64_t *arr, int64_t t,
                      const uint32_t *direct, uint32_t max_trip_s, uint32_t *out) {
    for (uint32_t d = 0; d < eg->n_dest; ++d) out[d] = U;
    int64_t *best = malloc(eg->n_dest * sizeof *best);
    if (!best) exit(2);
    for (uint32_t d = 0; d < eg->n_dest; ++d) best[d] = REF_TE_NONE;
    for (uint32_t s = 0; s < eg->n_stops; ++s) {
        if (arr[s] == REF_TE_NONE) continue;
        for (uint32_t e = eg->first[s]; e < eg->first[s + 1]; ++e)
            if (arr[s] + eg->walk_s[e] < best[eg->dest[e]])
                best[eg->dest[e]] = arr[s] + eg->walk_s[e];
    }
    for (uint32_t d = 0; d < eg->n_dest; ++d) {
        int64_t v = best[d] == REF_TE_NONE ? INT64_MAX : best[d] - t;
        if (direct && direct[d] != UINT32_MAX && direct[d] < v) v = direct[d];
        out[d] = v <= (int64_t)max_trip_s ? (uint32_t)v : U;
    }
    free(best);
}

/*
 * Runs one query on the trips `specs` (stop ids < n_stops), destinations = stops (walk 0), and
 * compares with want[departure * n_stops + stop]; also checks that the time-expanded reference
 * agrees with the same expectations. `line` names the case in failure messages.
 */
static void expect_times(int line, uint32_t n_stops, const char *const *specs, size_t n_specs,
                         const sim_transfer *xf, size_t n_xf, const sim_raptor_params *p,
                         const sim_raptor_access *acc, uint32_t n_acc, const uint32_t *direct,
                         const uint32_t *want) {
    static fx_trip f[MAX_FX_TRIPS];
    static sim_trip t[MAX_FX_TRIPS];
    for (size_t j = 0; j < n_specs; ++j) fx_parse(&f[j], specs[j]);
    fx_views(f, t, n_specs);
    sim_timetable *tt = NULL;
    CHECK_EQ_INT(sim_timetable_build(n_stops, t, n_specs, xf, n_xf, &tt), SIM_OK);
    if (!tt) return;
    fx_egress eg;
    fx_identity_egress(&eg, n_stops);
    sim_raptor_ws *ws = sim_raptor_ws_create(tt, n_stops, p->max_rides);
    uint32_t n_dep = sim_raptor_departure_count(p);
    uint32_t *got = malloc((size_t)n_dep * n_stops * sizeof *got + 1);
    uint32_t *exp_ref = malloc(n_stops * sizeof *exp_ref + 1);
    int64_t *arr = malloc(n_stops * sizeof *arr + 1);
    ref_te *ref = ref_te_build(t, n_specs, xf, n_xf, n_stops, p->board_slack_s);
    if (!ws || !got || !exp_ref || !arr || !ref) exit(2);
    CHECK_EQ_INT(sim_raptor_query(tt, p, acc, n_acc, &eg.e, direct, ws, got), SIM_OK);
    for (uint32_t i = 0; i < n_dep; ++i) {
        int64_t dep = (int64_t)p->window_start_s + (int64_t)i * p->step_s;
        ref_te_earliest(ref, acc, n_acc, dep, p->max_rides, arr);
        ref_times(&eg.e, arr, dep, direct, p->max_trip_s, exp_ref);
        for (uint32_t s = 0; s < n_stops; ++s) {
            uint32_t w = want[(size_t)i * n_stops + s], g = got[(size_t)i * n_stops + s];
            if (g != w || exp_ref[s] != w)
                fprintf(stderr, "case at line %d: departure %u, stop %u: raptor %u, ref %u\n", line,
                        i, s, g, exp_ref[s]);
            CHECK_EQ_U32(g, w);
            CHECK_EQ_U32(exp_ref[s], w);
        }
    }
    ref_te_free(ref);
    free(arr);
    free(exp_ref);
    free(got);
    sim_raptor_ws_destroy(ws);
    fx_egress_free(&eg);
    sim_timetable_destroy(tt);
}

static sim_raptor_params window(int32_t start_s, int32_t end_s, uint32_t max_rides) {
    sim_raptor_params p = sim_raptor_params_default();
    p.window_start_s = start_s;
    p.window_end_s = end_s;
    p.max_rides = max_rides;
    p.max_trip_s = 100000;
    return p;
}

/* ---- hand cases ----------------------------------------------------------------------------- */

/* One trip 0>1>2 leaving stop 0 at 1000, at 1 at 1300, at 2 at 1600; the origin is 60 s from
 * stop 0. Departures 840 and 900 reach stop 0 at 900 and 960 and both catch the trip:
 *   840: stop 1 at 1300 -> 460, stop 2 at 1600 -> 760;   900: 400 and 700.
 * Stop 0 itself is reached by access only, which does not count: unreachable. */
static const char *const ONE_TRIP[] = {"0@1000 1@1300 2@1600"};
static const sim_raptor_access AT0_60[] = {{0, 60}};

static void test_direct_ride(void) {
    sim_raptor_params p = window(840, 960, 2);
    expect_times(__LINE__, 3, ONE_TRIP, 1, NULL, 0, &p, AT0_60, 1, NULL,
                 (const uint32_t[]){U, 460, 760, U, 400, 700});
}

static void test_board_slack(void) {
    /* Leaving at 900 the stop is reached at 960: with 40 s slack, 960 + 40 = 1000 still catches
     * the 1000 departure; with 41 s it is missed and nothing else runs. Leaving at 840 (stop at
     * 900) either slack is fine. */
    sim_raptor_params p = window(840, 960, 2);
    p.board_slack_s = 40;
    expect_times(__LINE__, 3, ONE_TRIP, 1, NULL, 0, &p, AT0_60, 1, NULL,
                 (const uint32_t[]){U, 460, 760, U, 400, 700});
    p.board_slack_s = 41;
    expect_times(__LINE__, 3, ONE_TRIP, 1, NULL, 0, &p, AT0_60, 1, NULL,
                 (const uint32_t[]){U, 460, 760, U, U, U});
}

/* T1 0>1 (1000 -> 1300); T2a 2>3 (1359 -> 1600); T2b 2>3 (1500 -> 1800); a footpath 1>2.
 * Leaving stop 0 at 1000 (walk 0). */
static const char *const TRANSFER[] = {"0@1000 1@1300", "2@1359 3@1600", "2@1500 3@1800"};
static const sim_raptor_access AT0[] = {{0, 0}};

static void test_transfer_and_missed_connection(void) {
    sim_raptor_params p = window(1000, 1001, 2);
    /* Walk 59 s: at stop 2 at 1359, just in time for T2a: stop 3 at 1600. */
    const sim_transfer fast[] = {{1, 2, 59}};
    expect_times(__LINE__, 4, TRANSFER, 3, fast, 1, &p, AT0, 1, NULL,
                 (const uint32_t[]){U, 300, 359, 600});
    /* Walk 60 s: at stop 2 at 1360, T2a left 1 s before: T2b, stop 3 at 1800. */
    const sim_transfer slow[] = {{1, 2, 60}};
    expect_times(__LINE__, 4, TRANSFER, 3, slow, 1, &p, AT0, 1, NULL,
                 (const uint32_t[]){U, 300, 360, 800});
    /* One ride only: stop 3 is out of reach, stop 2 still counts (footpath after the ride). */
    p.max_rides = 1;
    expect_times(__LINE__, 4, TRANSFER, 3, fast, 1, &p, AT0, 1, NULL,
                 (const uint32_t[]){U, 300, 359, U});
    /* Footpaths do not chain: after riding to 1 (1300), 1>2 on foot (1310) but not on to 3;
     * stop 3 comes by T2a (1600). */
    const sim_transfer chain[] = {{1, 2, 10}, {2, 3, 10}};
    p.max_rides = 2;
    expect_times(__LINE__, 4, TRANSFER, 3, chain, 2, &p, AT0, 1, NULL,
                 (const uint32_t[]){U, 300, 310, 600});
}

static void test_overtaking_trips(void) {
    /* A (slow) leaves stop 0 at 1000 and reaches stop 2 at 1800; B leaves at 1100 and reaches
     * it at 1300. From stop 0 at 1000: stop 1 by A at 1100 (100), stop 2 by B at 1300 (300):
     * a scan that boards the earliest trip of a single route would keep A and say 800. */
    const char *const specs[] = {"0@1000 1@1100 2@1800", "0@1100 1@1150 2@1300"};
    sim_raptor_params p = window(1000, 1001, 1);
    expect_times(__LINE__, 3, specs, 2, NULL, 0, &p, AT0, 1, NULL, (const uint32_t[]){U, 100, 300});
    /* From stop 1 at 1120: A left at 1100; B at 1150 reaches stop 2 at 1300 (300). */
    const sim_raptor_access at1[] = {{1, 120}};
    expect_times(__LINE__, 3, specs, 2, NULL, 0, &p, at1, 1, NULL, (const uint32_t[]){U, U, 300});
}

static void test_max_rides(void) {
    /* Chain 0>1 (100 -> 200), 1>2 (300 -> 400), 2>3 (500 -> 600), leaving stop 0 at 100. */
    const char *const specs[] = {"0@100 1@200", "1@300 2@400", "2@500 3@600"};
    const uint32_t want[4][4] = {
        {U, U, U, U}, {U, 100, U, U}, {U, 100, 300, U}, {U, 100, 300, 500}};
    for (uint32_t k = 0; k <= 3; ++k) {
        sim_raptor_params p = window(100, 101, k);
        expect_times(__LINE__, 4, specs, 3, NULL, 0, &p, AT0, 1, NULL, want[k]);
    }
}

static void test_max_trip(void) {
    /* ONE_TRIP leaving at 900: stop 1 in 400 s, stop 2 in 700 s. The limit is inclusive. */
    sim_raptor_params p = window(900, 960, 2);
    p.max_trip_s = 700;
    expect_times(__LINE__, 3, ONE_TRIP, 1, NULL, 0, &p, AT0_60, 1, NULL,
                 (const uint32_t[]){U, 400, 700});
    p.max_trip_s = 699;
    expect_times(__LINE__, 3, ONE_TRIP, 1, NULL, 0, &p, AT0_60, 1, NULL,
                 (const uint32_t[]){U, 400, U});
}

static void test_after_midnight(void) {
    /* Y is yesterday's trip still running (times minus 86400): stop 1 at 00:00:30, stop 2 at
     * 00:10. Z runs tomorrow morning by the service day's clock: 86500 -> 87000. The origin is
     * 20 s from stop 1. Leaving at 0: at stop 1 at 20, Y at 30, stop 2 at 600 -> 600. Leaving at
     * 60: at stop 1 at 80, Y is gone; Z reaches stop 2 at 87000 -> 86940. */
    const char *const specs[] = {"0@-300 1@30 2@600", "1@86500 2@87000"};
    const sim_raptor_access at1[] = {{1, 20}};
    sim_raptor_params p = window(0, 120, 2);
    expect_times(__LINE__, 3, specs, 2, NULL, 0, &p, at1, 1, NULL,
                 (const uint32_t[]){U, U, 600, U, U, 86940});
    /* A window across midnight: W leaves stop 0 at 86400 and reaches stop 1 at 86700. */
    const char *const late[] = {"0@86400 1@86700"};
    p = window(86340, 86460, 1);
    expect_times(__LINE__, 2, late, 1, NULL, 0, &p, AT0, 1, NULL,
                 (const uint32_t[]){U, 360, U, 300});
}

static void test_walking_beats_transit(void) {
    /* ONE_TRIP leaving at 900: transit gives stop 1 in 400, stop 2 in 700. Walking straight
     * takes 100 to stop 0 (not reachable by transit), 450 to stop 1 (slower) and 500 to stop 2
     * (faster). */
    sim_raptor_params p = window(900, 960, 2);
    const uint32_t direct[] = {100, 450, 500};
    expect_times(__LINE__, 3, ONE_TRIP, 1, NULL, 0, &p, AT0_60, 1, direct,
                 (const uint32_t[]){100, 400, 500});
    p.max_trip_s = 99; /* the limit applies to walking too */
    expect_times(__LINE__, 3, ONE_TRIP, 1, NULL, 0, &p, AT0_60, 1, direct,
                 (const uint32_t[]){U, U, U});
    p.max_rides = 0; /* walking only */
    p.max_trip_s = 100000;
    expect_times(__LINE__, 3, ONE_TRIP, 1, NULL, 0, &p, AT0_60, 1, direct,
                 (const uint32_t[]){100, 450, 500});
}

static void test_pickup_dropoff(void) {
    /* No drop-off at stop 1: unreachable, but riding through to stop 2 (1200) works. */
    const char *const nodrop[] = {"0@1000 1@1100-d 2@1200"};
    sim_raptor_params p = window(1000, 1001, 1);
    expect_times(__LINE__, 3, nodrop, 1, NULL, 0, &p, AT0, 1, NULL, (const uint32_t[]){U, U, 200});
    const sim_raptor_access at1[] = {{1, 0}};
    expect_times(__LINE__, 3, nodrop, 1, NULL, 0, &p, at1, 1, NULL, (const uint32_t[]){U, U, 200});
    /* No pickup at stop 1: boarding there is impossible. */
    const char *const nopick[] = {"0@1000 1@1100-p 2@1200"};
    expect_times(__LINE__, 3, nopick, 1, NULL, 0, &p, at1, 1, NULL, (const uint32_t[]){U, U, U});
}

static void test_rejects_bad_arguments(void) {
    fx_trip f;
    sim_trip t;
    fx_parse(&f, "0@1000 1@1300");
    fx_views(&f, &t, 1);
    sim_timetable *tt = NULL, *other = NULL;
    CHECK_EQ_INT(sim_timetable_build(2, &t, 1, NULL, 0, &tt), SIM_OK);
    CHECK_EQ_INT(sim_timetable_build(2, &t, 1, NULL, 0, &other), SIM_OK);
    fx_egress eg;
    fx_identity_egress(&eg, 2);
    CHECK_EQ_INT(sim_raptor_egress_validate(&eg.e, 2), SIM_OK);
    CHECK_EQ_INT(sim_raptor_egress_validate(&eg.e, 3), SIM_EINVAL);
    eg.dest[1] = 2; /* beyond n_dest */
    CHECK_EQ_INT(sim_raptor_egress_validate(&eg.e, 2), SIM_EINVAL);
    eg.dest[1] = 1;
    CHECK(sim_raptor_ws_create(tt, 2, SIM_RAPTOR_MAX_RIDES + 1) == NULL);
    CHECK(sim_raptor_ws_create(NULL, 2, 1) == NULL);
    sim_raptor_ws *ws = sim_raptor_ws_create(tt, 2, 2);
    sim_raptor_params p = window(940, 1060, 2); /* 940 -> 360 s, 1000 -> 300 s to stop 1 */
    uint32_t out[4] = {7, 7, 7, 7};
    const sim_raptor_access bad[] = {{2, 0}};
    CHECK_EQ_INT(sim_raptor_query(tt, &p, bad, 1, &eg.e, NULL, ws, out), SIM_EINVAL);
    CHECK_EQ_INT(sim_raptor_query(other, &p, AT0, 1, &eg.e, NULL, ws, out), SIM_EINVAL);
    CHECK_EQ_INT(sim_raptor_query(tt, &p, AT0, 1, &eg.e, NULL, ws, NULL), SIM_EINVAL);
    p.max_rides = 3;
    CHECK_EQ_INT(sim_raptor_query(tt, &p, AT0, 1, &eg.e, NULL, ws, out), SIM_EINVAL);
    p.max_rides = 2;
    p.step_s = 0;
    CHECK_EQ_INT(sim_raptor_query(tt, &p, AT0, 1, &eg.e, NULL, ws, out), SIM_EINVAL);
    CHECK_EQ_U32(out[0], 7); /* untouched */
    p.step_s = 60;
    CHECK_EQ_U32(sim_raptor_departure_count(&p), 2);
    CHECK_EQ_INT(sim_raptor_query(tt, &p, AT0, 1, &eg.e, NULL, ws, out), SIM_OK);
    CHECK_EQ_U32(out[0], U);
    CHECK_EQ_U32(out[1], 360);
    CHECK_EQ_U32(out[3], 300);
    p.window_end_s = p.window_start_s; /* empty window: nothing to do */
    CHECK_EQ_U32(sim_raptor_departure_count(&p), 0);
    CHECK_EQ_INT(sim_raptor_query(tt, &p, AT0, 1, &eg.e, NULL, ws, NULL), SIM_OK);
    p.window_end_s = p.window_start_s + 121; /* partial last step still counts */
    CHECK_EQ_U32(sim_raptor_departure_count(&p), 3);
    sim_raptor_ws_destroy(ws);
    sim_raptor_ws_destroy(NULL);
    fx_egress_free(&eg);
    sim_timetable_destroy(other);
    sim_timetable_destroy(tt);
}

/* ---- percentiles -------------------------------------------------------------------------- */

static void test_percentile_index_follows_r5(void) {
    /* ceil(p / 100 * n) - 1 */
    CHECK_EQ_U32(sim_raptor_percentile_index(5, 10), 0); /* ceil(0.5) - 1 */
    CHECK_EQ_U32(sim_raptor_percentile_index(5, 40), 1); /* ceil(2.0) - 1 */
    CHECK_EQ_U32(sim_raptor_percentile_index(5, 41), 2); /* ceil(2.05) - 1 */
    CHECK_EQ_U32(sim_raptor_percentile_index(5, 50), 2); /* ceil(2.5) - 1 */
    CHECK_EQ_U32(sim_raptor_percentile_index(5, 80), 3); /* ceil(4.0) - 1 */
    CHECK_EQ_U32(sim_raptor_percentile_index(5, 81), 4); /* ceil(4.05) - 1 */
    CHECK_EQ_U32(sim_raptor_percentile_index(120, 50), 59);
    CHECK_EQ_U32(sim_raptor_percentile_index(120, 100), 119);
    CHECK_EQ_U32(sim_raptor_percentile_index(1, 1), 0);
    /* Double rounding, as in R5's Java: 7 / 100.0 * 100 = 7.000000000000001, so index 7. */
    CHECK_EQ_U32(sim_raptor_percentile_index(100, 7), 7);
    CHECK_EQ_U32(sim_raptor_percentile_index(100, 50), 49);
}

static void test_percentiles_hand(void) {
    /* 5 departures x 2 destinations. Destination 0 sorted: 100 200 300 400 U; destination 1:
     * 60 U U U U. Indexes for 10/50/80/81 of 5: 0, 2, 3, 4. */
    const uint32_t times[5 * 2] = {300, U, 100, U, U, U, 200, U, 400, 60};
    const uint32_t pct[] = {10, 50, 80, 81};
    uint32_t scratch[5], out[2 * 4];
    CHECK_EQ_INT(sim_raptor_percentiles(times, 5, 2, pct, 4, scratch, out), SIM_OK);
    const uint32_t want[] = {100, 300, 400, U, 60, U, U, U};
    for (int i = 0; i < 8; ++i) CHECK_EQ_U32(out[i], want[i]);
    const uint32_t bad[] = {0};
    CHECK_EQ_INT(sim_raptor_percentiles(times, 5, 2, bad, 1, scratch, out), SIM_EINVAL);
    const uint32_t too_big[] = {101};
    CHECK_EQ_INT(sim_raptor_percentiles(times, 5, 2, too_big, 1, scratch, out), SIM_EINVAL);
    CHECK_EQ_INT(sim_raptor_percentiles(times, 0, 2, pct, 4, scratch, out), SIM_EINVAL);
}

static void test_percentiles_of_a_query(void) {
    /* Trips every 120 s from stop 0 (1000, 1120, 1240), 300 s to stop 1. Departures every 60 s
     * from 940 to 1180: travel times 360 300 360 300 360, sorted 300 300 360 360 360.
     * Percentiles 25/40/41/50/100 -> indexes 1, 1, 2, 2, 4 -> 300 300 360 360 360. */
    const char *const specs[] = {"0@1000 1@1300", "0@1120 1@1420", "0@1240 1@1540"};
    sim_raptor_params p = window(940, 1240, 1);
    expect_times(__LINE__, 2, specs, 3, NULL, 0, &p, AT0, 1, NULL,
                 (const uint32_t[]){U, 360, U, 300, U, 360, U, 300, U, 360});
    fx_trip f[3];
    sim_trip t[3];
    for (int j = 0; j < 3; ++j) fx_parse(&f[j], specs[j]);
    fx_views(f, t, 3);
    sim_timetable *tt = NULL;
    CHECK_EQ_INT(sim_timetable_build(2, t, 3, NULL, 0, &tt), SIM_OK);
    fx_egress eg;
    fx_identity_egress(&eg, 2);
    sim_raptor_ws *ws = sim_raptor_ws_create(tt, 2, 1);
    uint32_t times[5 * 2], scratch[5], out[2 * 5];
    CHECK_EQ_INT(sim_raptor_query(tt, &p, AT0, 1, &eg.e, NULL, ws, times), SIM_OK);
    const uint32_t pct[] = {25, 40, 41, 50, 100};
    CHECK_EQ_INT(sim_raptor_percentiles(times, 5, 2, pct, 5, scratch, out), SIM_OK);
    const uint32_t want[] = {U, U, U, U, U, 300, 300, 360, 360, 360};
    for (int i = 0; i < 10; ++i) CHECK_EQ_U32(out[i], want[i]);
    sim_raptor_ws_destroy(ws);
    fx_egress_free(&eg);
    sim_timetable_destroy(tt);
}

/* ---- random networks ---------------------------------------------------------------------- */

static uint64_t rng = 20240611;
static uint32_t rnd(uint32_t n) {
    rng = rng * 6364136223846793005u + 1442695040888963407u;
    return (uint32_t)((rng >> 33) % n);
}

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static void test_percentiles_random_against_qsort(void) {
    uint32_t v[300], sorted[300], scratch[300], pct[100], out[100];
    for (uint32_t j = 0; j < 100; ++j) pct[j] = j + 1;
    int ok = 1;
    for (int round = 0; round < 200; ++round) {
        uint32_t n = 1 + rnd(300), spread = 1 + rnd(round % 3 ? 1000 : 5);
        for (uint32_t i = 0; i < n; ++i) v[i] = rnd(8) ? rnd(spread) : U;
        memcpy(sorted, v, n * sizeof *v);
        qsort(sorted, n, sizeof *sorted, cmp_u32);
        CHECK_EQ_INT(sim_raptor_percentiles(v, n, 1, pct, 100, scratch, out), SIM_OK);
        for (uint32_t j = 0; j < 100; ++j)
            ok &= out[j] == sorted[sim_raptor_percentile_index(n, pct[j])];
    }
    CHECK(ok);
}

/*
 * 200 random networks: a few lines (stop sequences, possibly revisiting stops, with some pickups or
 * drop-offs forbidden) with trips at random speeds (so some overtake), random footpaths with
 * duplicates and self-loops, identity egress plus extra destinations reached from a few stops.
 * For random origins and windows, every departure's travel times must equal the reference's,
 * and a one-departure query at each minute must give the same row as the range query.
 */
static void test_random_against_reference(void) {
    enum { MAX_STOPS = 24, MAX_TRIPS = 48, MAX_XF = 48, MAX_EXTRA = 4, MAX_DEP = 16 };
    static fx_trip f[MAX_TRIPS];
    static sim_trip t[MAX_TRIPS];
    sim_transfer xf[MAX_XF];
    uint32_t first[MAX_STOPS + 1], dest[MAX_STOPS * (1 + MAX_EXTRA)],
        walk[MAX_STOPS * (1 + MAX_EXTRA)];
    long mismatches = 0, rows_single = 0, reached = 0, compared = 0;
    for (int net = 0; net < 200; ++net) {
        uint32_t n_stops = 3 + rnd(MAX_STOPS - 2), n_lines = 1 + rnd(6);
        uint32_t line[6][6], len[6];
        uint8_t lpick[6][6], ldrop[6][6];
        for (uint32_t l = 0; l < n_lines; ++l) {
            len[l] = 2 + rnd(5);
            for (uint32_t i = 0; i < len[l]; ++i) {
                line[l][i] = rnd(n_stops);
                lpick[l][i] = rnd(8) != 0;
                ldrop[l][i] = rnd(8) != 0;
            }
        }
        uint32_t n_trips = 1 + rnd(MAX_TRIPS);
        for (uint32_t j = 0; j < n_trips; ++j) {
            uint32_t l = rnd(n_lines);
            memset(&f[j], 0, sizeof f[j]);
            f[j].n = len[l];
            int32_t now = (int32_t)rnd(4000) - 600;
            for (uint32_t i = 0; i < len[l]; ++i) {
                f[j].stops[i] = line[l][i];
                f[j].pick[i] = lpick[l][i];
                f[j].drop[i] = ldrop[l][i];
                f[j].arr[i] = now;
                now += rnd(3) ? 0 : (int32_t)rnd(60);
                f[j].dep[i] = now;
                now += rnd(6) ? (int32_t)rnd(500) : 0;
            }
        }
        fx_views(f, t, n_trips);
        uint32_t n_xf = rnd(2 * n_stops + 1);
        for (uint32_t x = 0; x < n_xf; ++x)
            xf[x] = (sim_transfer){rnd(n_stops), rnd(n_stops), rnd(300)};
        /* egress: destination d < n_stops is stop d; n_extra more, each from 1..3 stops */
        uint32_t n_extra = rnd(MAX_EXTRA + 1), n_dest = n_stops + n_extra, m = 0;
        for (uint32_t s = 0; s < n_stops; ++s) {
            first[s] = m;
            dest[m] = s;
            walk[m++] = rnd(4) ? 0 : rnd(200);
            for (uint32_t d = n_stops; d < n_dest; ++d)
                if (rnd(n_stops) < 3) {
                    dest[m] = d;
                    walk[m++] = rnd(900);
                }
        }
        first[n_stops] = m;
        sim_raptor_egress eg = {n_stops, n_dest, first, dest, walk};
        CHECK_EQ_INT(sim_raptor_egress_validate(&eg, n_stops), SIM_OK);
        uint32_t slack = rnd(3) ? 0 : rnd(90);

        sim_timetable *tt = NULL;
        CHECK_EQ_INT(sim_timetable_build(n_stops, t, n_trips, xf, n_xf, &tt), SIM_OK);
        ref_te *ref = ref_te_build(t, n_trips, xf, n_xf, n_stops, slack);
        sim_raptor_ws *ws = sim_raptor_ws_create(tt, n_dest, 5);
        sim_raptor_ws *fresh = sim_raptor_ws_create(tt, n_dest, 5);
        if (!tt || !ref || !ws || !fresh) exit(2);
        static uint32_t got[MAX_DEP * (MAX_STOPS + MAX_EXTRA)], one[MAX_STOPS + MAX_EXTRA];
        uint32_t want[MAX_STOPS + MAX_EXTRA], direct[MAX_STOPS + MAX_EXTRA];
        int64_t arr[MAX_STOPS];
        for (int origin = 0; origin < 6; ++origin) {
            sim_raptor_access acc[4];
            uint32_t n_acc = 1 + rnd(4);
            for (uint32_t a = 0; a < n_acc; ++a)
                acc[a] = (sim_raptor_access){rnd(n_stops), rnd(300)};
            int use_direct = rnd(2) != 0;
            for (uint32_t d = 0; d < n_dest; ++d) direct[d] = rnd(3) ? UINT32_MAX : rnd(3000);
            sim_raptor_params p = sim_raptor_params_default();
            p.step_s = rnd(4) ? 60 : 1 + rnd(200);
            uint32_t n_dep = 1 + rnd(MAX_DEP);
            p.window_start_s = (int32_t)rnd(4000) - 900;
            p.window_end_s =
                p.window_start_s + (int32_t)((n_dep - 1) * p.step_s + 1 + rnd(p.step_s));
            p.max_rides = rnd(6);
            p.max_trip_s = rnd(3) ? 300 + rnd(4000) : 100000000;
            p.board_slack_s = slack;
            CHECK_EQ_U32(sim_raptor_departure_count(&p), n_dep);
            const uint32_t *dw = use_direct ? direct : NULL;
            CHECK_EQ_INT(sim_raptor_query(tt, &p, acc, n_acc, &eg, dw, ws, got), SIM_OK);
            for (uint32_t i = 0; i < n_dep; ++i) {
                int64_t dep = (int64_t)p.window_start_s + (int64_t)i * p.step_s;
                ref_te_earliest(ref, acc, n_acc, dep, p.max_rides, arr);
                ref_times(&eg, arr, dep, dw, p.max_trip_s, want);
                for (uint32_t d = 0; d < n_dest; ++d) {
                    ++compared;
                    reached += want[d] != U;
                    if (got[(size_t)i * n_dest + d] != want[d] && mismatches++ < 10)
                        fprintf(stderr,
                                "net %d origin %d departure %u (t=%lld) dest %u: raptor %u, "
                                "reference %u\n",
                                net, origin, i, (long long)dep, d, got[(size_t)i * n_dest + d],
                                want[d]);
                }
                /* the same minute alone, on a fresh workspace every other time */
                sim_raptor_params q = p;
                q.window_start_s = (int32_t)dep;
                q.window_end_s = (int32_t)dep + 1;
                CHECK_EQ_INT(sim_raptor_query(tt, &q, acc, n_acc, &eg, dw, i % 2 ? fresh : ws, one),
                             SIM_OK);
                rows_single += memcmp(one, got + (size_t)i * n_dest, n_dest * sizeof *one) != 0;
            }
        }
        sim_raptor_ws_destroy(fresh);
        sim_raptor_ws_destroy(ws);
        ref_te_free(ref);
        sim_timetable_destroy(tt);
    }
    CHECK_EQ_INT(mismatches, 0);
    CHECK_EQ_INT(rows_single, 0);
    CHECK(reached > compared / 10); /* the networks are not trivially empty */
    printf("random: %ld travel times compared, %ld reachable\n", compared, reached);
}

int main(void) {
    test_direct_ride();
    test_board_slack();
    test_transfer_and_missed_connection();
    test_overtaking_trips();
    test_max_rides();
    test_max_trip();
    test_after_midnight();
    test_walking_beats_transit();
    test_pickup_dropoff();
    test_rejects_bad_arguments();
    test_percentile_index_follows_r5();
    test_percentiles_hand();
    test_percentiles_of_a_query();
    test_percentiles_random_against_qsort();
    test_random_against_reference();
    return CHECK_DONE();
}
