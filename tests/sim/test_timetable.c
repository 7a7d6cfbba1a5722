/* Unit tests for sim/timetable.c: grouping, ordering, FIFO split, indexes and validation. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "sim/timetable.h"
#include "trip_fixture.h"

/* Builds from trip specs; exits on a fixture the builder rejects (a bug in the test). */
static sim_timetable *fx_build(uint32_t n_stops, const char *const *specs, size_t n,
                               const sim_transfer *xf, size_t n_xf) {
    fx_trip f[16];
    sim_trip t[16];
    for (size_t j = 0; j < n; ++j) fx_parse(&f[j], specs[j]);
    fx_views(f, t, n);
    sim_timetable *tt = NULL;
    if (sim_timetable_build(n_stops, t, n, xf, n_xf, &tt) != SIM_OK) {
        fprintf(stderr, "fixture rejected\n");
        exit(2);
    }
    return tt;
}

static const int32_t *trip_dep(const sim_timetable *tt, uint32_t r, uint32_t t) {
    return tt->dep_s + tt->route_time_first[r] + (size_t)t * tt->route_n_stops[r];
}

static const int32_t *trip_arr(const sim_timetable *tt, uint32_t r, uint32_t t) {
    return tt->arr_s + tt->route_time_first[r] + (size_t)t * tt->route_n_stops[r];
}

/* ---- hand cases ------------------------------------------------------------------------- */

static void test_groups_by_sequence_in_first_appearance_order(void) {
    /* Patterns: A = 2>0>1 (trips 0, 2), B = 0>1 (trip 1), C = 2>0>1 with no pickup at 0
     * (trip 3), so routes are A, B, C. route_ref is the route's first trip in input order. */
    const char *specs[] = {"2@100 0@200 1@300", "0@50 1@60", "2@10 0@20 1@30",
                           "2@100 0@200-p 1@300"};
    sim_timetable *tt = fx_build(3, specs, 4, NULL, 0);
    CHECK_EQ_U32(tt->n_routes, 3);
    CHECK_EQ_U32(tt->n_stops, 3);
    CHECK_EQ_U32(tt->route_n_trips[0], 2);
    CHECK_EQ_U32(tt->route_n_trips[1], 1);
    CHECK_EQ_U32(tt->route_n_trips[2], 1);
    CHECK_EQ_U32(tt->route_n_stops[0], 3);
    CHECK_EQ_U32(tt->route_n_stops[1], 2);
    CHECK_EQ_U32(tt->route_ref[0], 0);
    CHECK_EQ_U32(tt->route_ref[1], 1);
    CHECK_EQ_U32(tt->route_ref[2], 3);
    CHECK_EQ_U32(tt->route_stop_first[3], 8);
    CHECK_EQ_U32(tt->n_stop_times, 11);
    const uint32_t want_stops[] = {2, 0, 1, 0, 1, 2, 0, 1};
    for (int i = 0; i < 8; ++i) CHECK_EQ_U32(tt->route_stops[i], want_stops[i]);
    /* Route A sorted by departure: trip 2 (10) before trip 0 (100). */
    CHECK_EQ_INT(trip_dep(tt, 0, 0)[0], 10);
    CHECK_EQ_INT(trip_dep(tt, 0, 1)[0], 100);
    /* Flags: everything allowed except pickup at position 1 of route C. */
    size_t c = tt->route_time_first[2];
    CHECK_EQ_U32(tt->flags[c + 0], SIM_TT_BOARD | SIM_TT_ALIGHT);
    CHECK_EQ_U32(tt->flags[c + 1], SIM_TT_ALIGHT);
    CHECK_EQ_U32(tt->flags[c + 2], SIM_TT_BOARD | SIM_TT_ALIGHT);
    sim_timetable_destroy(tt);
}

static void test_sort_ties_by_later_stops(void) {
    /* Same departure at stop 0 (100): the one reaching stop 1 first (200) comes first; the dwell
     * at stop 1 breaks the next tie (dep 200 < 250). Neither overtakes: one route of 3 trips. */
    const char *specs[] = {"0@100 1@300 2@400", "0@100 1@200/250 2@400", "0@100 1@200 2@400"};
    sim_timetable *tt = fx_build(3, specs, 3, NULL, 0);
    CHECK_EQ_U32(tt->n_routes, 1);
    CHECK_EQ_U32(tt->route_n_trips[0], 3);
    CHECK_EQ_INT(trip_arr(tt, 0, 0)[1], 200);
    CHECK_EQ_INT(trip_dep(tt, 0, 0)[1], 200);
    CHECK_EQ_INT(trip_dep(tt, 0, 1)[1], 250);
    CHECK_EQ_INT(trip_arr(tt, 0, 2)[1], 300);
    sim_timetable_destroy(tt);
}

static void test_overtaking_trips_split_into_routes(void) {
    /* 0>1>2. Sorted: A (1000, slow), B (1100, express: at stop 2 at 1300 < A's 1800), C (1200).
     * A -> route 0; B overtakes A -> route 1; C follows A without overtaking -> route 0;
     * D (1250) overtakes C (stop 2 at 1850 < 1900) but not B -> route 1. */
    const char *specs[] = {"0@1000 1@1100 2@1800", "0@1100 1@1150 2@1300", "0@1200 1@1300 2@1900",
                           "0@1250 1@1350 2@1850"};
    sim_timetable *tt = fx_build(3, specs, 4, NULL, 0);
    CHECK_EQ_U32(tt->n_routes, 2);
    CHECK_EQ_U32(tt->route_n_trips[0], 2);
    CHECK_EQ_U32(tt->route_n_trips[1], 2);
    CHECK_EQ_INT(trip_dep(tt, 0, 0)[0], 1000);
    CHECK_EQ_INT(trip_dep(tt, 0, 1)[0], 1200);
    CHECK_EQ_INT(trip_dep(tt, 1, 0)[0], 1100);
    CHECK_EQ_INT(trip_dep(tt, 1, 1)[0], 1250);
    CHECK_EQ_U32(tt->route_ref[0], 0);
    CHECK_EQ_U32(tt->route_ref[1], 1);
    /* Equal times never count as overtaking: a copy of A joins route 0. */
    const char *specs2[] = {"0@1000 1@1100 2@1800", "0@1000 1@1100 2@1800"};
    sim_timetable *t2 = fx_build(3, specs2, 2, NULL, 0);
    CHECK_EQ_U32(t2->n_routes, 1);
    CHECK_EQ_U32(t2->route_n_trips[0], 2);
    sim_timetable_destroy(t2);
    sim_timetable_destroy(tt);
}

static void test_stop_route_index(void) {
    /* Route 0: 0>1>2>0 (a loop visits 0 twice), route 1: 3>1. Stop 0: (0,0),(0,3); stop 1:
     * (0,1),(1,1); stop 2: (0,2); stop 3: (1,0); stop 4: none. */
    const char *specs[] = {"0@0 1@10 2@20 0@30", "3@0 1@10"};
    sim_timetable *tt = fx_build(5, specs, 2, NULL, 0);
    const uint32_t first[] = {0, 2, 4, 5, 6, 6};
    const uint32_t routes[] = {0, 0, 0, 1, 0, 1}, pos[] = {0, 3, 1, 1, 2, 0};
    for (int s = 0; s <= 5; ++s) CHECK_EQ_U32(tt->stop_route_first[s], first[s]);
    for (int e = 0; e < 6; ++e) {
        CHECK_EQ_U32(tt->stop_routes[e], routes[e]);
        CHECK_EQ_U32(tt->stop_route_pos[e], pos[e]);
    }
    sim_timetable_destroy(tt);
}

static void test_transfers_csr(void) {
    /* Row 1 gets 1>2 (30, shorter than 35) and 1>3 (40, shorter than 50), sorted by target;
     * the self-loop 2>2 is dropped. */
    const sim_transfer xf[] = {{1, 3, 50}, {1, 2, 30}, {1, 3, 40},
                               {2, 2, 10}, {0, 1, 5},  {1, 2, 35}};
    const char *specs[] = {"0@0 1@10"};
    sim_timetable *tt = fx_build(4, specs, 1, xf, 6);
    const uint32_t first[] = {0, 1, 3, 3, 3};
    for (int s = 0; s <= 4; ++s) CHECK_EQ_U32(tt->transfer_first[s], first[s]);
    const uint32_t to[] = {1, 2, 3}, walk[] = {5, 30, 40};
    for (int e = 0; e < 3; ++e) {
        CHECK_EQ_U32(tt->transfer_to[e], to[e]);
        CHECK_EQ_U32(tt->transfer_walk_s[e], walk[e]);
    }
    sim_timetable_destroy(tt);
}

static void test_rejects_invalid_input(void) {
    fx_trip f;
    sim_trip t;
    static sim_timetable sentinel; /* *out must be reset to NULL on failure */
    sim_timetable *tt = &sentinel;
    const char *bad[] = {
        "0@100",             /* one stop */
        "0@100 5@200",       /* stop out of range */
        "0@100/90 1@200",    /* departs before it arrives */
        "0@100/250 1@200",   /* arrives at 1 before leaving 0 */
        "0@100 1@200 2@150", /* goes backwards */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; ++i) {
        fx_parse(&f, bad[i]);
        fx_views(&f, &t, 1);
        tt = &sentinel;
        CHECK_EQ_INT(sim_timetable_build(3, &t, 1, NULL, 0, &tt), SIM_EINVAL);
        CHECK(tt == NULL);
    }
    fx_parse(&f, "0@100 1@100/100 2@100"); /* zero-time hops are fine */
    fx_views(&f, &t, 1);
    CHECK_EQ_INT(sim_timetable_build(3, &t, 1, NULL, 0, &tt), SIM_OK);
    sim_timetable_destroy(tt);
    const sim_transfer xf = {0, 3, 10};
    CHECK_EQ_INT(sim_timetable_build(3, &t, 1, &xf, 1, &tt), SIM_EINVAL);
    CHECK_EQ_INT(sim_timetable_build(3, NULL, 1, NULL, 0, &tt), SIM_EINVAL);
    CHECK_EQ_INT(sim_timetable_build(3, &t, 1, NULL, 0, NULL), SIM_EINVAL);
    t.stops = NULL;
    CHECK_EQ_INT(sim_timetable_build(3, &t, 1, NULL, 0, &tt), SIM_EINVAL);
    /* No trips at all: an empty but valid timetable. */
    CHECK_EQ_INT(sim_timetable_build(2, NULL, 0, NULL, 0, &tt), SIM_OK);
    CHECK_EQ_U32(tt->n_routes, 0);
    CHECK_EQ_U32(tt->stop_route_first[2], 0);
    CHECK_EQ_U32(tt->transfer_first[2], 0);
    sim_timetable_destroy(tt);
    sim_timetable_destroy(NULL);
}

/* ---- properties on random trips --------------------------------------------------------- */

static uint64_t rng = 12345;
static uint32_t rnd(uint32_t n) {
    rng = rng * 6364136223846793005u + 1442695040888963407u;
    return (uint32_t)((rng >> 33) % n);
}

/* Every input trip appears exactly once, in a route of its own pattern; every route is FIFO and
 * sorted; building twice gives the same bytes. */
static void test_random_invariants(void) {
    enum { N_TRIPS = 60, N_STOPS = 6 };
    static fx_trip f[N_TRIPS];
    static sim_trip t[N_TRIPS];
    for (int round = 0; round < 20; ++round) {
        /* three lines of 3..4 stops, trips with random speeds so some overtake */
        uint32_t line[3][4], len[3];
        for (int l = 0; l < 3; ++l) {
            len[l] = 3 + rnd(2);
            for (uint32_t i = 0; i < len[l]; ++i) line[l][i] = rnd(N_STOPS);
        }
        for (int j = 0; j < N_TRIPS; ++j) {
            int l = (int)rnd(3);
            memset(&f[j], 0, sizeof f[j]);
            f[j].n = len[l];
            int32_t now = (int32_t)rnd(600) - 100;
            for (uint32_t i = 0; i < len[l]; ++i) {
                f[j].stops[i] = line[l][i];
                f[j].arr[i] = now;
                now += (int32_t)rnd(3) * 10;
                f[j].dep[i] = now;
                now += (int32_t)rnd(200);
                f[j].pick[i] = f[j].drop[i] = 1;
            }
        }
        fx_views(f, t, N_TRIPS);
        sim_timetable *a = NULL, *b = NULL;
        CHECK_EQ_INT(sim_timetable_build(N_STOPS, t, N_TRIPS, NULL, 0, &a), SIM_OK);
        CHECK_EQ_INT(sim_timetable_build(N_STOPS, t, N_TRIPS, NULL, 0, &b), SIM_OK);
        if (!a || !b) return;
        CHECK_EQ_U32(a->n_routes, b->n_routes);
        CHECK(memcmp(a->dep_s, b->dep_s, a->n_stop_times * sizeof *a->dep_s) == 0);
        CHECK(memcmp(a->route_n_trips, b->route_n_trips, a->n_routes * sizeof(uint32_t)) == 0);
        CHECK_EQ_U32(a->n_stop_times, b->n_stop_times);
        uint32_t total = 0;
        int fifo = 1, found_all = 1;
        for (uint32_t r = 0; r < a->n_routes; ++r) {
            uint32_t n = a->route_n_stops[r];
            total += a->route_n_trips[r];
            for (uint32_t u = 1; u < a->route_n_trips[r]; ++u)
                for (uint32_t i = 0; i < n; ++i)
                    if (trip_arr(a, r, u)[i] < trip_arr(a, r, u - 1)[i] ||
                        trip_dep(a, r, u)[i] < trip_dep(a, r, u - 1)[i])
                        fifo = 0;
        }
        CHECK_EQ_U32(total, N_TRIPS);
        CHECK(fifo);
        /* each input trip is found (times and stops) in some route with its stop sequence */
        for (int j = 0; j < N_TRIPS; ++j) {
            int hit = 0;
            for (uint32_t r = 0; r < a->n_routes && !hit; ++r) {
                uint32_t n = a->route_n_stops[r];
                if (n != f[j].n ||
                    memcmp(a->route_stops + a->route_stop_first[r], f[j].stops, n * 4) != 0)
                    continue;
                for (uint32_t u = 0; u < a->route_n_trips[r] && !hit; ++u)
                    hit = !memcmp(trip_arr(a, r, u), f[j].arr, n * 4) &&
                          !memcmp(trip_dep(a, r, u), f[j].dep, n * 4);
            }
            found_all &= hit;
        }
        CHECK(found_all);
        sim_timetable_destroy(a);
        sim_timetable_destroy(b);
    }
}

int main(void) {
    test_groups_by_sequence_in_first_appearance_order();
    test_sort_ties_by_later_stops();
    test_overtaking_trips_split_into_routes();
    test_stop_route_index();
    test_transfers_csr();
    test_rejects_invalid_input();
    test_random_invariants();
    return CHECK_DONE();
}
