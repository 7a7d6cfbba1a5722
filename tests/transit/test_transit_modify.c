/*
 * Transit modifications for scenarios (scenarios/transit.c: scn_transit_clone, _add_route,
 * _set_headway, _remove_trips, _added_stop_count, _rebuild_timetable), on Hand Town
 * (tests/transit/hand/hand.yaml, loaded as the runner loads it) and, for several feeds, Hand
 * Town's feed plus a small feed written here.
 *
 * Hand Town (hand.yaml's header has the map): walking is 1 m/s; departures every minute
 * 08:00 .. 08:19 (n = 20); R5's percentiles p5, p10, p50, p90, p95 are the sorted times at index
 * 0, 1, 9, 17, 18; board_slack_s 60; max_trip_min 60. Stops S1..S6 are stops 0..5. Lines: R1
 * S1 -> S2 (frequencies, 07:00 .. 09:50 every 10 min: 18 trips, 10 min ride), R2 S3 -> S4
 * (07:45 .. 09:25: 11 trips, 8 min), R3 S5 -> S6 (07:57 .. 09:37: 11 trips, 6 min); 40 trips,
 * 80 stop times. Origins A, B, C; services C1, C2, C3, H1 in that order.
 * Baseline (expected_origins.csv): A -> C1 14 14 18 22 23 min (walk 2 min to S1, ride 10, walk 1
 * to C1: 13 min plus the wait); C -> C2 21 21 25 29 30 (S3, line 2, walk S4 -> S5, line 3,
 * S6 -> C2); B -> C1 5 on foot; B -> C2 55 on foot; C -> C1 51 on foot; the rest unreachable.
 * Every expected time below is worked out by hand in the comment next to it.
 *
 * usage: transit_modify HAND_YAML
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "geo/crs.h"
#include "geo/geo.h"
#include "geo/network.h"
#include "scenarios/config.h"
#include "scenarios/runner.h"
#include "scenarios/runner_internal.h"
#include "scenarios/transit.h"
#include "sim/timetable.h"
#include "test_util.h"

#define NO 3 /* origins A, B, C */
#define ND 4 /* services C1, C2, C3, H1 */
#define NP 5 /* percentiles 5, 10, 50, 90, 95 */
#define OA 0
#define OB 1
#define OC 2
#define D_C1 0
#define D_C2 1
#define MIN(m) ((uint32_t)((m)*600)) /* minutes -> deciseconds */
#define U SIM_UNREACHABLE
#define WHAT "demo.yaml:40:7: scenario 'bus-3-every-10', modification 1 (set_headway)"

static scn_city *city;
static const scn_config *config;

/* ---- helpers ----------------------------------------------------------------------------------
 */

typedef struct {
    uint32_t ds[NO][ND][NP];
} results;

static sim_status collect(void *ud, uint32_t origin, const uint32_t *pct_ds) {
    results *r = ud;
    memcpy(r->ds[origin], pct_ds, sizeof r->ds[origin]);
    return SIM_OK;
}

/* Every origin to every service; the status of scn_transit_run. */
static sim_status run(const scn_transit *t, results *r, sim_error *err) {
    memset(r, 0xee, sizeof *r);
    return scn_transit_run(t, city->mg[GEO_MODE_WALK], city->origin_node, NO, city->svc_node, ND,
                           NULL, NULL, collect, r, NULL, err);
}

/* The five percentiles of origin o to service d, against minutes (U: unreachable). */
static void check_pct(const results *r, int o, int d, const uint32_t want[NP], int line) {
    for (int j = 0; j < NP; ++j)
        if (r->ds[o][d][j] != want[j]) {
            ++check_failures;
            fprintf(stderr,
                    "%s:%d: origin %d -> service %d, percentile %d: %u ds, expected %u ds\n",
                    __FILE__, line, o, d, j, r->ds[o][d][j], want[j]);
        }
    check_count += NP;
}
#define CHECK_PCT(r, o, d, ...)                                                                    \
    do {                                                                                           \
        const uint32_t want_[NP] = __VA_ARGS__;                                                    \
        check_pct(r, o, d, want_, __LINE__);                                                       \
    } while (0)

static const uint32_t ALL_UNREACHABLE[NP] = {U, U, U, U, U};

/* The baseline's answers (expected_origins.csv, expected_matrix.csv). */
static void check_baseline(const results *r, int line) {
    const uint32_t a_c1[NP] = {MIN(14), MIN(14), MIN(18), MIN(22), MIN(23)};
    const uint32_t c_c2[NP] = {MIN(21), MIN(21), MIN(25), MIN(29), MIN(30)};
    const uint32_t b_c1[NP] = {MIN(5), MIN(5), MIN(5), MIN(5), MIN(5)};
    const uint32_t b_c2[NP] = {MIN(55), MIN(55), MIN(55), MIN(55), MIN(55)};
    const uint32_t c_c1[NP] = {MIN(51), MIN(51), MIN(51), MIN(51), MIN(51)};
    check_pct(r, OA, D_C1, a_c1, line);
    check_pct(r, OC, D_C2, c_c2, line);
    check_pct(r, OB, D_C1, b_c1, line);
    check_pct(r, OB, D_C2, b_c2, line);
    check_pct(r, OC, D_C1, c_c1, line);
    check_pct(r, OA, D_C2, ALL_UNREACHABLE, line);
    for (int o = 0; o < NO; ++o)
        for (int d = 2; d < ND; ++d) check_pct(r, o, d, ALL_UNREACHABLE, line);
}

static void json_str(FILE *fp, const char *s) { fprintf(fp, "\"%s\"", s); }

/* The manifest's transit object (caller frees). */
static char *json_of(const scn_transit *t) {
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    if (!fp) exit(2);
    scn_transit_json(t, fp, json_str);
    fclose(fp);
    return buf;
}

static scn_transit *clone_of(const scn_transit *t) {
    scn_transit *c = NULL;
    sim_error err = {0};
    CHECK_EQ_INT(scn_transit_clone(t, &c, &err), SIM_OK);
    if (!c) {
        fprintf(stderr, "clone failed: %s\n", err.msg);
        exit(1);
    }
    return c;
}

static void rebuild(scn_transit *t) {
    sim_error err = {0};
    CHECK_EQ_INT(scn_transit_rebuild_timetable(t, &err), SIM_OK);
    if (err.msg[0]) fprintf(stderr, "rebuild: %s\n", err.msg);
}

/* A RAPTOR route of `tt` whose route_ref is `ref`, the k-th of them; -1 if none. */
static long tt_route(const sim_timetable *tt, uint32_t ref, int k) {
    for (uint32_t r = 0; r < tt->n_routes; ++r)
        if (tt->route_ref[r] == ref && k-- == 0) return (long)r;
    return -1;
}

/* Stop times of trip `trip` of RAPTOR route r at position i. */
static int32_t tt_arr(const sim_timetable *tt, long r, uint32_t trip, uint32_t i) {
    return tt->arr_s[tt->route_time_first[r] + (size_t)trip * tt->route_n_stops[r] + i];
}
static int32_t tt_dep(const sim_timetable *tt, long r, uint32_t trip, uint32_t i) {
    return tt->dep_s[tt->route_time_first[r] + (size_t)trip * tt->route_n_stops[r] + i];
}

/* Links t with its stops at the city's stop nodes, the added ones not on the streets. */
static void relink_unsnapped_new(scn_transit *t, sim_warnings *warn) {
    uint32_t ns = scn_transit_stop_count(t), loaded = ns - scn_transit_added_stop_count(t);
    uint32_t *node = malloc(ns * sizeof *node);
    if (!node) exit(2);
    for (uint32_t s = 0; s < ns; ++s) node[s] = s < loaded ? city->stop_node[s] : SIM_INVALID_ID;
    sim_error err = {0};
    CHECK_EQ_INT(scn_transit_link(t, city->mg[GEO_MODE_WALK], node, warn, &err), SIM_OK);
    if (err.msg[0]) fprintf(stderr, "link: %s\n", err.msg);
    free(node);
}

#define HMS(h, m, s) ((int32_t)((h)*3600 + (m)*60 + (s)))

/* ---- the tests --------------------------------------------------------------------------------
 */

/* The loaded transit before anything: the hand answers, and the manifest's counts. */
static void test_baseline(void) {
    const scn_transit *t = city->transit;
    results r;
    sim_error err = {0};
    CHECK_EQ_INT(scn_transit_trip_count(t), 40);
    CHECK_EQ_INT(scn_transit_added_stop_count(t), 0);
    CHECK_EQ_INT(run(t, &r, &err), SIM_OK);
    check_baseline(&r, __LINE__);
    char *js = json_of(t);
    /* 18 + 11 + 11 trips of 2 stops; R1's 18 from frequencies.txt */
    CHECK_STR_CONTAINS(js, "\"stops\": 6, \"routes\": 3, \"trips\": 40, \"stop_times\": 80}");
    CHECK_STR_CONTAINS(js, "\"trips\": 40, \"frequency_trips\": 18, \"previous_day_trips\": 0");
    free(js);
}

/* A clone modified (route 2 removed) leaves the original as it was; either can go first. */
static void test_clone(void) {
    const scn_transit *orig = city->transit;
    char *js_before = json_of(orig);
    scn_transit *a = clone_of(orig);
    results r;
    sim_error err = {0};
    /* a fresh clone of a linked transit runs as the original */
    CHECK_EQ_INT(run(a, &r, &err), SIM_OK);
    check_baseline(&r, __LINE__);

    size_t removed = 99;
    CHECK_EQ_INT(scn_transit_remove_trips(a, "R2", -1, -1, &removed, WHAT, &err), SIM_OK);
    CHECK_EQ_INT(removed, 11); /* 07:45, 07:55, ..., 09:25 */
    CHECK_EQ_INT(scn_transit_trip_count(a), 29);
    CHECK_EQ_INT(scn_transit_trip_count(orig), 40);
    /* modified, not rebuilt: refused */
    CHECK_EQ_INT(run(a, &r, &err), SIM_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "changed since the timetable was built");
    memset(&err, 0, sizeof err);
    rebuild(a);
    CHECK_EQ_INT(run(a, &r, &err), SIM_OK);
    /* C -> C2 needed line 2 (from S3, the only stop within 10 min of C); on foot 101 min >
     * max_trip_min: unreachable at every percentile now; C -> C1 51 min on foot as before */
    CHECK_PCT(&r, OC, D_C2, {U, U, U, U, U});
    CHECK_PCT(&r, OC, D_C1, {MIN(51), MIN(51), MIN(51), MIN(51), MIN(51)});
    CHECK_PCT(&r, OA, D_C1, {MIN(14), MIN(14), MIN(18), MIN(22), MIN(23)}); /* line 1 as before */
    char *js_a = json_of(a);
    CHECK_STR_CONTAINS(js_a, "\"trips\": 29, \"stop_times\": 58}"); /* 18 + 11 trips of 2 stops */
    free(js_a);

    /* the original: same trips, same answers, same manifest */
    CHECK_EQ_INT(run(orig, &r, &err), SIM_OK);
    check_baseline(&r, __LINE__);
    char *js_after = json_of(orig);
    CHECK_STR_EQ(js_after, js_before);
    free(js_after);

    /* a clone of the clone outlives it */
    scn_transit *b = clone_of(a);
    scn_transit_destroy(a);
    CHECK_EQ_INT(scn_transit_trip_count(b), 29);
    CHECK_EQ_INT(run(b, &r, &err), SIM_OK);
    CHECK_PCT(&r, OC, D_C2, {U, U, U, U, U});
    scn_transit_destroy(b);
    CHECK_EQ_INT(run(orig, &r, &err), SIM_OK);
    check_baseline(&r, __LINE__);
    free(js_before);
}

/* Removing the trips of a span: only those departing in it go. */
static void test_remove_span(void) {
    scn_transit *t = clone_of(city->transit);
    results r;
    sim_error err = {0};
    size_t removed = 99;
    /* R1 leaves S1 at 07:00, 07:10, ..., 09:50: in [08:10, 08:30) the 08:10 and 08:20 buses */
    CHECK_EQ_INT(
        scn_transit_remove_trips(t, "R1", HMS(8, 10, 0), HMS(8, 30, 0), &removed, WHAT, &err),
        SIM_OK);
    CHECK_EQ_INT(removed, 2);
    CHECK_EQ_INT(scn_transit_trip_count(t), 38);
    rebuild(t);
    CHECK_EQ_INT(run(t, &r, &err), SIM_OK);
    /* Leaving A at 08:0t (t = 0..19), at S1 at t + 2, the first bus left is 08:30 (t + 3 <= 30),
     * at C1 at 08:41: 41 - t = 41 .. 22, each once. Sorted 22 23 ... 41: index 0 = 22, 1 = 23,
     * 9 = 31, 17 = 39, 18 = 40 (all under the 50 min walk). */
    CHECK_PCT(&r, OA, D_C1, {MIN(22), MIN(23), MIN(31), MIN(39), MIN(40)});
    CHECK_PCT(&r, OC, D_C2, {MIN(21), MIN(21), MIN(25), MIN(29), MIN(30)}); /* lines 2, 3 kept */

    /* a span with no departure: nothing removed, not an error, nothing to rebuild */
    removed = 99;
    CHECK_EQ_INT(
        scn_transit_remove_trips(t, "R1", HMS(10, 0, 0), HMS(11, 0, 0), &removed, WHAT, &err),
        SIM_OK);
    CHECK_EQ_INT(removed, 0);
    CHECK_EQ_INT(scn_transit_trip_count(t), 38);
    CHECK_EQ_INT(run(t, &r, &err), SIM_OK);
    /* the span's end is excluded: [07:00, 07:10) holds the 07:00 bus only */
    CHECK_EQ_INT(
        scn_transit_remove_trips(t, "R1", HMS(7, 0, 0), HMS(7, 10, 0), &removed, WHAT, &err),
        SIM_OK);
    CHECK_EQ_INT(removed, 1);
    scn_transit_destroy(t);
}

/* Line 1 every 5 minutes instead of 10. */
static void test_set_headway(void) {
    scn_transit *t = clone_of(city->transit);
    results r;
    sim_error err = {0};
    size_t n = 0;
    /* from the first departure 07:00 while <= the last one 09:50: 07:00, 07:05, ..., 09:50 =
     * 170 / 5 + 1 = 35 trips (18 before) */
    CHECK_EQ_INT(scn_transit_set_headway(t, "R1", 300, -1, -1, &n, WHAT, &err), SIM_OK);
    CHECK_EQ_INT(n, 35);
    CHECK_EQ_INT(scn_transit_trip_count(t), 40 - 18 + 35);
    rebuild(t);
    CHECK_EQ_INT(run(t, &r, &err), SIM_OK);
    /* Leaving A at 08:0t, the bus is the first at or after t + 3 on the 5-min grid, C1 11 min
     * after it: t = 0, 1, 2 -> 08:05: 16 15 14; t = 3..7 -> 08:10: 18 17 16 15 14; likewise
     * every 5 minutes: each of 14 .. 18 four times. p5 = p10 = 14, p50 (index 9) = 16, p90
     * (17) = p95 (18) = 18. The wait (time - 13 min of walking and riding) at p50 goes from 5
     * min to 3 min, at p95 from 10 to 5. */
    CHECK_PCT(&r, OA, D_C1, {MIN(14), MIN(14), MIN(16), MIN(18), MIN(18)});
    CHECK_PCT(&r, OC, D_C2, {MIN(21), MIN(21), MIN(25), MIN(29), MIN(30)});
    char *js = json_of(t);
    /* 35 + 11 + 11 trips of 2 stops; the new R1 trips are not from frequencies.txt */
    CHECK_STR_CONTAINS(js, "\"trips\": 57, \"stop_times\": 114}");
    CHECK_STR_CONTAINS(js, "\"trips\": 57, \"frequency_trips\": 0, \"previous_day_trips\": 0");
    free(js);
    scn_transit_destroy(t);

    /* over the same span as the frequencies (07:00 to 10:00): 36 trips, twice 18 */
    t = clone_of(city->transit);
    CHECK_EQ_INT(scn_transit_set_headway(t, "R1", 300, HMS(7, 0, 0), HMS(10, 0, 0), &n, WHAT, &err),
                 SIM_OK);
    CHECK_EQ_INT(n, 36);
    /* again on the result, a shorter span: 08:00, 08:05, ..., 08:25 */
    CHECK_EQ_INT(scn_transit_set_headway(t, "R1", 300, HMS(8, 0, 0), HMS(8, 30, 0), &n, WHAT, &err),
                 SIM_OK);
    CHECK_EQ_INT(n, 6);
    CHECK_EQ_INT(scn_transit_trip_count(t), 6 + 22);
    /* R2 every 20 min from 07:45 to 09:25: 07:45, 08:05, ..., 09:25 = 100 / 20 + 1 = 6 */
    CHECK_EQ_INT(scn_transit_set_headway(t, "R2", 1200, -1, -1, &n, WHAT, &err), SIM_OK);
    CHECK_EQ_INT(n, 6);
    rebuild(t);
    CHECK_EQ_INT(run(t, &r, &err), SIM_OK);
    /* C boards line 2 at or after t + 2 (08:05, 08:25 ...), line 3 12 min later, C2 19 min after
     * line 2 left: t = 0..3: 08:05 -> 24 23 22 21; t = 4..19: 08:25 -> 44 - t = 40 .. 25. Sorted:
     * 21 22 23 24 25 26 ... 40: index 0 = 21, 1 = 22, 9 = 30, 17 = 38, 18 = 39. */
    CHECK_PCT(&r, OC, D_C2, {MIN(21), MIN(22), MIN(30), MIN(38), MIN(39)});
    scn_transit_destroy(t);
}

/* A route between two existing stops, explicit departures and hop times. */
static void test_add_route_existing(void) {
    scn_transit *t = clone_of(city->transit);
    results r;
    sim_error err = {0};
    const char *ids[] = {"S3", "S6"};
    const int32_t deps[] = {HMS(8, 10, 0)};
    const uint32_t hop[] = {600};
    scn_route_add x = {.route_id = "X",
                       .route_type = 3,
                       .n_stops = 2,
                       .stop_ids = ids,
                       .departures_s = deps,
                       .n_departures = 1,
                       .hop_s = hop};
    CHECK_EQ_INT(scn_transit_add_route(t, &x, WHAT, &err), SIM_OK);
    CHECK_EQ_INT(scn_transit_trip_count(t), 41);
    CHECK_EQ_INT(scn_transit_added_stop_count(t), 0);
    /* three stops with a dwell, two departures: times checked in the timetable */
    const char *ids3[] = {"S3", "S5", "S6"};
    const int32_t deps3[] = {HMS(9, 0, 0), HMS(9, 30, 0)};
    const uint32_t hop3[] = {300, 240};
    scn_route_add y = {.route_id = "Y",
                       .n_stops = 3,
                       .stop_ids = ids3,
                       .departures_s = deps3,
                       .n_departures = 2,
                       .hop_s = hop3,
                       .dwell_s = 45};
    CHECK_EQ_INT(scn_transit_add_route(t, &y, WHAT, &err), SIM_OK);
    CHECK_EQ_INT(scn_transit_trip_count(t), 43);
    rebuild(t);
    CHECK_EQ_INT(run(t, &r, &err), SIM_OK);
    /* C leaves at 08:0t, is at S3 at t + 1, boards X's 08:10 when t + 2 <= 10 (t = 8: exactly
     * the slack), is at S6 at 08:20 and at C2 at 08:21: 21 - t for t = 0..8 (21 .. 13); t = 9..13
     * as before (line 2 at 08:15: 25 24 23 22 21), t = 14..19: 30 .. 25. Sorted: 13 14 15 16 17
     * 18 19 20 21 21 22 23 24 25 25 26 27 28 29 30: index 0 = 13, 1 = 14, 9 = 21, 17 = 28,
     * 18 = 29. */
    CHECK_PCT(&r, OC, D_C2, {MIN(13), MIN(14), MIN(21), MIN(28), MIN(29)});
    CHECK_PCT(&r, OA, D_C1, {MIN(14), MIN(14), MIN(18), MIN(22), MIN(23)});
    /* Y is route_ref 4 (the feed's R1, R2, R3, then X, Y): stops S3 S5 S6 = 2 4 5; the 09:00
     * trip: leaves S3 32400, S5 at 32400 + 300 = 32700, leaves 32745 (45 s dwell), S6 at
     * 32745 + 240 = 32985; the last stop has no dwell */
    const sim_timetable *tt = scn_transit_timetable(t);
    long ry = tt_route(tt, 4, 0);
    CHECK(ry >= 0);
    if (ry >= 0) {
        CHECK_EQ_INT(tt->route_n_stops[ry], 3);
        CHECK_EQ_INT(tt->route_n_trips[ry], 2);
        const uint32_t *st = tt->route_stops + tt->route_stop_first[ry];
        CHECK_EQ_INT(st[0], 2);
        CHECK_EQ_INT(st[1], 4);
        CHECK_EQ_INT(st[2], 5);
        CHECK_EQ_INT(tt_arr(tt, ry, 0, 0), 32400);
        CHECK_EQ_INT(tt_dep(tt, ry, 0, 0), 32400);
        CHECK_EQ_INT(tt_arr(tt, ry, 0, 1), 32700);
        CHECK_EQ_INT(tt_dep(tt, ry, 0, 1), 32745);
        CHECK_EQ_INT(tt_arr(tt, ry, 0, 2), 32985);
        CHECK_EQ_INT(tt_dep(tt, ry, 0, 2), 32985);
        CHECK_EQ_INT(tt_dep(tt, ry, 1, 0), 34200); /* 09:30 */
    }
    /* an added route can be changed like a feed's: X every 30 min from 08:00 to 09:00 */
    size_t n = 0;
    CHECK_EQ_INT(scn_transit_set_headway(t, "X", 1800, HMS(8, 0, 0), HMS(9, 0, 0), &n, WHAT, &err),
                 SIM_OK);
    CHECK_EQ_INT(n, 2);
    CHECK_EQ_INT(scn_transit_remove_trips(t, "Y", -1, -1, &n, WHAT, &err), SIM_OK);
    CHECK_EQ_INT(n, 2);
    CHECK_EQ_INT(scn_transit_trip_count(t), 42);
    scn_transit_destroy(t);
}

/* A route through new stops: they come last, projected, and need a link. */
static void test_add_route_new_stops(void) {
    scn_transit *t = clone_of(city->transit);
    results r;
    sim_error err = {0};
    sim_warnings warn = {0};
    /* (9, 0) is on zone 32's central meridian at the equator: UTM x 500000 m, y 0 m; (9, 1) is
     * k0 x the meridian arc to 1 degree N: 0.9996 x 110574.39 = 110530.16 m */
    const char *ids[] = {NULL, "S6", NULL};
    const double lon[] = {9.0, 0, 9.0}, lat[] = {0.0, 0, 1.0};
    const uint32_t hop[] = {100, 200};
    scn_route_add a = {.route_id = "N",
                       .n_stops = 3,
                       .stop_ids = ids,
                       .lon = lon,
                       .lat = lat,
                       .headway_s = 600,
                       .start_s = HMS(8, 0, 0),
                       .end_s = HMS(9, 0, 0),
                       .hop_s = hop};
    CHECK_EQ_INT(scn_transit_add_route(t, &a, WHAT, &err), SIM_OK);
    CHECK_EQ_INT(scn_transit_added_stop_count(t), 2);
    CHECK_EQ_INT(scn_transit_stop_count(t), 8);
    CHECK_EQ_INT(scn_transit_trip_count(t), 46); /* 08:00, 08:10, ..., 08:50 */
    CHECK_EQ_INT(scn_transit_added_stop_count(city->transit), 0);
    CHECK_EQ_INT(scn_transit_stop_count(city->transit), 6);
    const double *x, *y, *lo, *la;
    scn_transit_stop_coords(t, &x, &y, &lo, &la);
    CHECK_NEAR(lo[6], 9.0, 0);
    CHECK_NEAR(la[6], 0.0, 0);
    CHECK_NEAR(lo[7], 9.0, 0);
    CHECK_NEAR(la[7], 1.0, 0);
    CHECK_NEAR(x[6], 500000.0, 1e-3);
    CHECK_NEAR(y[6], 0.0, 1e-3);
    CHECK_NEAR(x[7], 500000.0, 1e-3);
    CHECK_NEAR(y[7], 110530.16, 1.0);
    CHECK_NEAR(lo[5], 10.0264103, 1e-9); /* S6 as loaded */
    CHECK_STR_EQ(scn_transit_stop_id(t, 6), "N:1");
    CHECK_STR_EQ(scn_transit_stop_id(t, 7), "N:3");
    CHECK_STR_EQ(scn_transit_stop_id(t, 5), "gtfs:S6");
    /* an added stop is an existing stop for the next route */
    const char *ids2[] = {"N:3", "S1"};
    const int32_t deps2[] = {HMS(10, 0, 0)};
    const uint32_t hop2[] = {60};
    scn_route_add b = {.route_id = "N2",
                       .n_stops = 2,
                       .stop_ids = ids2,
                       .departures_s = deps2,
                       .n_departures = 1,
                       .hop_s = hop2};
    CHECK_EQ_INT(scn_transit_add_route(t, &b, WHAT, &err), SIM_OK);
    CHECK_EQ_INT(scn_transit_added_stop_count(t), 2);
    /* stops added: neither run nor a timetable-only rebuild until linked again */
    CHECK_EQ_INT(run(t, &r, &err), SIM_EINVAL);
    memset(&err, 0, sizeof err);
    CHECK_EQ_INT(scn_transit_rebuild_timetable(t, &err), SIM_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "2 stops added");
    memset(&err, 0, sizeof err);
    /* linked again (the new stops far from Hand Town's streets: not on them) */
    relink_unsnapped_new(t, &warn);
    int warned = 0;
    for (size_t i = 0; i < warn.n; ++i)
        for (size_t k = 0; k < warn.items[i].n_examples; ++k)
            warned += strstr(warn.items[i].examples[k], "N:1 (9.00000, 0.00000)") != NULL;
    CHECK_EQ_INT(warned, 1);
    sim_warnings_clear(&warn);
    CHECK_EQ_INT(scn_transit_timetable(t)->n_stops, 8);
    CHECK_EQ_INT(run(t, &r, &err), SIM_OK);
    check_baseline(&r, __LINE__); /* nobody walks to N's own stops */
    /* a clone of a transit with added stops keeps them */
    scn_transit *c = clone_of(t);
    CHECK_EQ_INT(scn_transit_added_stop_count(c), 2);
    CHECK_STR_EQ(scn_transit_stop_id(c, 7), "N:3");
    CHECK_EQ_INT(run(c, &r, &err), SIM_OK);
    scn_transit_destroy(t);
    check_baseline(&r, __LINE__);
    scn_transit_destroy(c);
}

/* Run times from a speed: geodesic distance / speed, rounded, at least 1 s. */
static void test_add_route_speed(void) {
    scn_transit *t = clone_of(city->transit);
    sim_error err = {0};
    sim_warnings warn = {0};
    /* On the equator the geodesic is a x dlon: 6378137 m x pi / 180 = 111319.49 m a degree.
     * 0.009 deg = 1001.88 m at 36 km/h (10 m/s) = 100.19 s -> 100; 0.0137 deg = 1525.08 m =
     * 152.51 s -> 153; 0 m -> 1 s (at least 1). Dwell 30 s: leave 28800; arrive 28900, leave
     * 28930; arrive 29083, leave 29113; arrive 29114. */
    const double lon[] = {10.0, 10.009, 10.0227, 10.0227}, lat[] = {0, 0, 0, 0};
    const int32_t deps[] = {HMS(8, 0, 0)};
    scn_route_add v = {.route_id = "V",
                       .n_stops = 4,
                       .lon = lon,
                       .lat = lat,
                       .departures_s = deps,
                       .n_departures = 1,
                       .speed_kmh = 36,
                       .dwell_s = 30};
    CHECK_EQ_INT(scn_transit_add_route(t, &v, WHAT, &err), SIM_OK);
    CHECK_EQ_INT(scn_transit_added_stop_count(t), 4);
    relink_unsnapped_new(t, &warn);
    sim_warnings_clear(&warn);
    const sim_timetable *tt = scn_transit_timetable(t);
    long rv = tt_route(tt, 3, 0);
    CHECK(rv >= 0);
    if (rv >= 0) {
        CHECK_EQ_INT(tt->route_n_stops[rv], 4);
        CHECK_EQ_INT(tt_dep(tt, rv, 0, 0), 28800);
        CHECK_EQ_INT(tt_arr(tt, rv, 0, 1), 28900);
        CHECK_EQ_INT(tt_dep(tt, rv, 0, 1), 28930);
        CHECK_EQ_INT(tt_arr(tt, rv, 0, 2), 29083);
        CHECK_EQ_INT(tt_dep(tt, rv, 0, 2), 29113);
        CHECK_EQ_INT(tt_arr(tt, rv, 0, 3), 29114);
    }
    scn_transit_destroy(t);
}

/* The same modifications, then a timetable-only rebuild or a full link: the same answers. */
static void apply_mods(scn_transit *t) {
    sim_error err = {0};
    size_t n = 0;
    CHECK_EQ_INT(scn_transit_set_headway(t, "R1", 420, -1, -1, &n, WHAT, &err), SIM_OK);
    CHECK_EQ_INT(n, 25); /* 07:00 + 7 min x k <= 09:50: k = 0..24 */
    CHECK_EQ_INT(scn_transit_remove_trips(t, "R3", HMS(8, 0, 0), HMS(8, 30, 0), &n, WHAT, &err),
                 SIM_OK);
    CHECK_EQ_INT(n, 3); /* 08:07, 08:17, 08:27 */
    const char *ids[] = {"S3", "S6"};
    const int32_t deps[] = {HMS(8, 5, 0), HMS(8, 12, 0)};
    const uint32_t hop[] = {500};
    scn_route_add x = {.route_id = "X",
                       .n_stops = 2,
                       .stop_ids = ids,
                       .departures_s = deps,
                       .n_departures = 2,
                       .hop_s = hop};
    CHECK_EQ_INT(scn_transit_add_route(t, &x, WHAT, &err), SIM_OK);
}

static void test_rebuild_equals_link(void) {
    scn_transit *a = clone_of(city->transit), *b = clone_of(city->transit);
    apply_mods(a);
    apply_mods(b);
    rebuild(a);
    sim_warnings warn = {0};
    sim_error err = {0};
    CHECK_EQ_INT(scn_transit_link(b, city->mg[GEO_MODE_WALK], city->stop_node, &warn, &err),
                 SIM_OK);
    sim_warnings_clear(&warn);
    results ra, rb;
    CHECK_EQ_INT(run(a, &ra, &err), SIM_OK);
    CHECK_EQ_INT(run(b, &rb, &err), SIM_OK);
    CHECK(memcmp(&ra, &rb, sizeof ra) == 0);
    /* and the modifications did something: A and C differ from the baseline */
    results base;
    CHECK_EQ_INT(run(city->transit, &base, &err), SIM_OK);
    CHECK(memcmp(&ra, &base, sizeof ra) != 0);
    const sim_timetable *ta = scn_transit_timetable(a), *tb = scn_transit_timetable(b);
    CHECK_EQ_INT(ta->n_routes, tb->n_routes);
    CHECK_EQ_INT(ta->n_stop_times, tb->n_stop_times);
    CHECK_EQ_INT(ta->n_stop_times, 2 * (25 + 11 + 8 + 2));
    CHECK(memcmp(ta->transfer_first, tb->transfer_first, (ta->n_stops + 1) * sizeof(uint32_t)) ==
          0);
    CHECK_EQ_INT(ta->transfer_first[ta->n_stops], 2); /* S4 <-> S5, 180 m */
    CHECK(memcmp(ta->transfer_to, tb->transfer_to, 2 * sizeof(uint32_t)) == 0);
    CHECK(memcmp(ta->transfer_walk_s, tb->transfer_walk_s, 2 * sizeof(uint32_t)) == 0);
    CHECK(memcmp(ta->dep_s, tb->dep_s, ta->n_stop_times * sizeof(int32_t)) == 0);
    char *ja = json_of(a), *jb = json_of(b);
    CHECK_STR_EQ(ja, jb);
    free(ja);
    free(jb);
    scn_transit_destroy(a);
    scn_transit_destroy(b);
}

/* Bad requests: SIM_EPARSE, `what` first, the transit unchanged. */
static void test_errors(void) {
    scn_transit *t = clone_of(city->transit);
    sim_error err = {0};
    size_t n = 7;
#define EXPECT_EPARSE(call, needle)                                                                \
    do {                                                                                           \
        memset(&err, 0, sizeof err);                                                               \
        CHECK_EQ_INT(call, SIM_EPARSE);                                                            \
        CHECK(strncmp(err.msg, WHAT ": ", strlen(WHAT) + 2) == 0);                                 \
        CHECK_STR_CONTAINS(err.msg, needle);                                                       \
    } while (0)
    EXPECT_EPARSE(scn_transit_set_headway(t, "Q77", 300, -1, -1, &n, WHAT, &err),
                  "route 'Q77' is not in the feeds (routes: R1, R2, R3)");
    EXPECT_EPARSE(scn_transit_remove_trips(t, "Q77", -1, -1, &n, WHAT, &err),
                  "route 'Q77' is not in the feeds (routes: R1, R2, R3)");
    EXPECT_EPARSE(scn_transit_remove_trips(t, "R22", -1, -1, &n, WHAT, &err),
                  "route 'R22' is not in the feeds (did you mean 'R2'?)");
    EXPECT_EPARSE(scn_transit_set_headway(t, "R1", 0, -1, -1, &n, WHAT, &err), "headway");
    EXPECT_EPARSE(scn_transit_set_headway(t, "R1", 300, HMS(9, 0, 0), HMS(8, 0, 0), &n, WHAT, &err),
                  "end 08:00:00 is not after start 09:00:00");
    EXPECT_EPARSE(scn_transit_remove_trips(t, "R1", HMS(8, 0, 0), HMS(8, 0, 0), &n, WHAT, &err),
                  "end 08:00:00 is not after start 08:00:00");

    const char *ids[] = {"S3", "Nowhere"};
    const int32_t deps[] = {HMS(8, 0, 0)};
    const uint32_t hop[] = {60};
    scn_route_add r = {.route_id = "X",
                       .n_stops = 2,
                       .stop_ids = ids,
                       .departures_s = deps,
                       .n_departures = 1,
                       .hop_s = hop};
    EXPECT_EPARSE(scn_transit_add_route(t, &r, WHAT, &err),
                  "route 'X', stop 2: stop 'Nowhere' is not in the feeds");
    const char *ids_s9[] = {"S3", "S9"};
    r.stop_ids = ids_s9;
    EXPECT_EPARSE(scn_transit_add_route(t, &r, WHAT, &err),
                  "stop 'S9' is not in the feeds (did you mean 'S1'?)");
    const char *ok_ids[] = {"S3", "S6"};
    r.stop_ids = ok_ids;
    r.route_id = "R2";
    EXPECT_EPARSE(scn_transit_add_route(t, &r, WHAT, &err), "route id 'R2' is taken");
    r.route_id = "gtfs:R2";
    EXPECT_EPARSE(scn_transit_add_route(t, &r, WHAT, &err), "route id 'gtfs:R2' is taken");
    r.route_id = "X";
    r.n_stops = 1;
    EXPECT_EPARSE(scn_transit_add_route(t, &r, WHAT, &err), "has 1 stop; a route needs at least 2");
    r.n_stops = 2;
    r.n_departures = 0;
    EXPECT_EPARSE(scn_transit_add_route(t, &r, WHAT, &err), "no headway and no departure times");
    r.headway_s = 600;
    r.start_s = HMS(9, 0, 0);
    r.end_s = HMS(9, 0, 0);
    EXPECT_EPARSE(scn_transit_add_route(t, &r, WHAT, &err),
                  "end 09:00:00 is not after start 09:00:00");
    r.headway_s = 0;
    r.n_departures = 1;
    r.hop_s = NULL;
    EXPECT_EPARSE(scn_transit_add_route(t, &r, WHAT, &err), "no run times");
    r.hop_s = hop;
    r.speed_kmh = 20;
    EXPECT_EPARSE(scn_transit_add_route(t, &r, WHAT, &err), "both hop times and a speed");
    r.speed_kmh = 0;
    const int32_t down[] = {HMS(8, 0, 0), HMS(7, 0, 0)};
    r.departures_s = down;
    r.n_departures = 2;
    EXPECT_EPARSE(scn_transit_add_route(t, &r, WHAT, &err), "ascending");
    r.departures_s = deps;
    r.n_departures = 1;
    const char *new_ids[] = {"S3", NULL};
    r.stop_ids = new_ids; /* a new stop without coordinates */
    EXPECT_EPARSE(scn_transit_add_route(t, &r, WHAT, &err), "neither a stop id nor a lon/lat");
    /* without a `what`: "transit" */
    memset(&err, 0, sizeof err);
    CHECK_EQ_INT(scn_transit_remove_trips(t, "Q77", -1, -1, &n, NULL, &err), SIM_EPARSE);
    CHECK(strncmp(err.msg, "transit: route 'Q77'", 20) == 0);
#undef EXPECT_EPARSE
    /* nothing changed: still runnable without a rebuild, the baseline's answers */
    results res;
    memset(&err, 0, sizeof err);
    CHECK_EQ_INT(scn_transit_trip_count(t), 40);
    CHECK_EQ_INT(scn_transit_stop_count(t), 6);
    CHECK_EQ_INT(run(t, &res, &err), SIM_OK);
    check_baseline(&res, __LINE__);
    scn_transit_destroy(t);
}

/* ---- several feeds: Hand Town's and a small one written here -----------------------------------
 */

/* Feed "gtfs_2": stops S3 (a second stop of that id), M, E. Route R1 both ways: S3 -> M -> E
 * (5 + 5 min) at 07:00, 07:20, 07:40, a short turn S3 -> M at 07:50, and E -> M -> S3 (4 + 5
 * min) at 07:10, 07:30; R9 on Sundays only; RN at night, 23:50 -> 24:20 on weekdays, so
 * 2024-03-05 (Tuesday) also has Monday's RN, shifted to -00:10:00 -> 00:20:00. */
static void write_small_feed(const char *dir) {
    tu_write_file(dir, "agency.txt",
                  "agency_id,agency_name,agency_url,agency_timezone\n"
                  "SM,Small,https://example.org/small,Africa/Libreville\n",
                  NULL, 0);
    tu_write_file(dir, "stops.txt",
                  "stop_id,stop_name,stop_lat,stop_lon\n"
                  "S3,South twin,0.9728688,10.0000000\n"
                  "M,Middle,0.98,10.01\n"
                  "E,East,0.99,10.02\n",
                  NULL, 0);
    tu_write_file(dir, "routes.txt",
                  "route_id,agency_id,route_short_name,route_long_name,route_type\n"
                  "R1,SM,1,Both ways,3\n"
                  "R9,SM,9,Sundays,3\n"
                  "RN,SM,N,Night,3\n",
                  NULL, 0);
    tu_write_file(dir, "calendar.txt",
                  "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,"
                  "end_date\n"
                  "WK,1,1,1,1,1,0,0,20240301,20240331\n"
                  "SU,0,0,0,0,0,0,1,20240301,20240331\n",
                  NULL, 0);
    tu_write_file(dir, "trips.txt",
                  "route_id,service_id,trip_id,direction_id\n"
                  "R1,WK,a1,0\nR1,WK,b1,1\nR1,WK,a2,0\nR1,WK,b2,1\nR1,WK,a3,0\nR1,WK,a4,0\n"
                  "R9,SU,z1,0\nRN,WK,n1,0\n",
                  NULL, 0);
    tu_write_file(dir, "stop_times.txt",
                  "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                  "a1,07:00:00,07:00:00,S3,1\na1,07:05:00,07:05:00,M,2\na1,07:10:00,07:10:00,E,3\n"
                  "a2,07:20:00,07:20:00,S3,1\na2,07:25:00,07:25:00,M,2\na2,07:30:00,07:30:00,E,3\n"
                  "a3,07:40:00,07:40:00,S3,1\na3,07:45:00,07:45:00,M,2\na3,07:50:00,07:50:00,E,3\n"
                  "a4,07:50:00,07:50:00,S3,1\na4,07:55:00,07:55:00,M,2\n"
                  "b1,07:10:00,07:10:00,E,1\nb1,07:14:00,07:14:00,M,2\nb1,07:19:00,07:19:00,S3,3\n"
                  "b2,07:30:00,07:30:00,E,1\nb2,07:34:00,07:34:00,M,2\nb2,07:39:00,07:39:00,S3,3\n"
                  "z1,08:00:00,08:00:00,S3,1\nz1,08:05:00,08:05:00,M,2\n"
                  "n1,23:50:00,23:50:00,M,1\nn1,24:20:00,24:20:00,E,2\n",
                  NULL, 0);
}

static void test_several_feeds(const char *hand_dir) {
    char tmp[PATH_MAX], feed[PATH_MAX], yaml[7 * PATH_MAX], path[PATH_MAX];
    if (!tu_temp_dir("transit_modify", tmp, sizeof tmp)) exit(1);
    tu_path(tmp, "gtfs", feed, sizeof feed);
    if (mkdir(feed, 0755) != 0) exit(1);
    write_small_feed(feed);
    snprintf(yaml, sizeof yaml,
             "name: two-feeds\n"
             "network: { nodes: %s/nodes.csv, edges: %s/edges.csv, walk_speed_kmh: 3.6 }\n"
             "transit:\n  feeds: [%s/gtfs, %s]\n  date: 2024-03-05\n  window: \"08:00-08:20\"\n"
             "population: { source: %s/population.csv, id: id, lon: lon, lat: lat, groups: "
             "{ everyone: population } }\n"
             "services:\n  clinic: { source: %s/services.csv, id: id, lon: lon, lat: lat }\n",
             hand_dir, hand_dir, hand_dir, feed, hand_dir, hand_dir);
    tu_write_file(tmp, "two.yaml", yaml, path, sizeof path);
    scn_config *cfg = NULL;
    geo_crs *crs = NULL;
    scn_transit *t = NULL;
    sim_error err = {0};
    sim_warnings warn = {0};
    CHECK_EQ_INT(scn_config_load(path, &cfg, &err), SIM_OK);
    if (!cfg) {
        fprintf(stderr, "%s\n", err.msg);
        exit(1);
    }
    CHECK_EQ_INT(geo_crs_create("EPSG:32632", &crs, &err), SIM_OK);
    CHECK_EQ_INT(scn_transit_load(cfg, crs, &warn, &t, &err), SIM_OK);
    if (!t) {
        fprintf(stderr, "%s\n", err.msg);
        exit(1);
    }
    /* 40 + R1's 6 + RN's 2 (the date's and Monday's after midnight); gtfs_2's stop times:
     * a1..a3 3 each, a4 2, b1 b2 3 each, RN 2 each = 9 + 2 + 6 + 4 = 21 */
    CHECK_EQ_INT(scn_transit_trip_count(t), 48);
    char *js = json_of(t);
    CHECK_STR_CONTAINS(js, "\"trips\": 8, \"stop_times\": 21}");
    CHECK_STR_CONTAINS(js, "\"trips\": 48, \"frequency_trips\": 18, \"previous_day_trips\": 1");
    free(js);
    size_t n = 0;
#define EXPECT_EPARSE(call, needle)                                                                \
    do {                                                                                           \
        memset(&err, 0, sizeof err);                                                               \
        CHECK_EQ_INT(call, SIM_EPARSE);                                                            \
        CHECK(strncmp(err.msg, WHAT ": ", strlen(WHAT) + 2) == 0);                                 \
        CHECK_STR_CONTAINS(err.msg, needle);                                                       \
    } while (0)
    EXPECT_EPARSE(scn_transit_remove_trips(t, "R1", -1, -1, &n, WHAT, &err),
                  "route 'R1' is in several feeds (gtfs:R1, gtfs_2:R1); write it as "
                  "'feedname:route_id'");
    EXPECT_EPARSE(scn_transit_set_headway(t, "R9", 600, -1, -1, &n, WHAT, &err),
                  "route 'gtfs_2:R9' has no trip on 2024-03-05");
    EXPECT_EPARSE(scn_transit_set_headway(t, "Q77", 600, -1, -1, &n, WHAT, &err),
                  "(routes: gtfs:R1, gtfs:R2, gtfs:R3, gtfs_2:R1, gtfs_2:R9, gtfs_2:RN)");
    const char *ids[] = {"S3", "M"};
    const int32_t deps[] = {HMS(8, 0, 0)};
    const uint32_t hop[] = {60};
    scn_route_add r = {.route_id = "X",
                       .n_stops = 2,
                       .stop_ids = ids,
                       .departures_s = deps,
                       .n_departures = 1,
                       .hop_s = hop};
    EXPECT_EPARSE(scn_transit_add_route(t, &r, WHAT, &err),
                  "stop 'S3' is in several feeds (gtfs:S3, gtfs_2:S3)");
    EXPECT_EPARSE(scn_transit_add_route(t, &r, WHAT, &err), "'feedname:stop_id'");
    const char *ids_ok[] = {"gtfs_2:S3", "M"};
    r.stop_ids = ids_ok;
    CHECK_EQ_INT(scn_transit_add_route(t, &r, WHAT, &err), SIM_OK);
    CHECK_EQ_INT(scn_transit_trip_count(t), 49);
    CHECK_EQ_INT(scn_transit_remove_trips(t, "X", -1, -1, &n, WHAT, &err), SIM_OK);
    CHECK_EQ_INT(n, 1);

    /* gtfs_2:R1 every 10 min. Directions: S3 M E (3 trips) first; E M S3 visits their common
     * stops in the opposite order: a second direction; S3 M goes the first one's way. First
     * direction: 07:00 .. 07:50 (a4's departure) every 10 min = 6 trips of S3 M E with a1's
     * times; second: 07:10 .. 07:30 = 3 trips of E M S3 with b1's. Hand Town's R1 untouched. */
    CHECK_EQ_INT(scn_transit_set_headway(t, "gtfs_2:R1", 600, -1, -1, &n, WHAT, &err), SIM_OK);
    CHECK_EQ_INT(n, 9);
    CHECK_EQ_INT(scn_transit_trip_count(t), 48 - 6 + 9);
    /* RN every 10 min from 23:00 to 24:00: 23:00 .. 23:50 on the date = 6; Monday's the same,
     * shifted by a day, kept while still running at midnight (30 min ride): those leaving
     * 23:30, 23:40, 23:50 = 3; 9 in all, 3 of them the previous date's */
    CHECK_EQ_INT(
        scn_transit_set_headway(t, "RN", 600, HMS(23, 0, 0), HMS(24, 0, 0), &n, WHAT, &err),
        SIM_OK);
    CHECK_EQ_INT(n, 9);
    CHECK_EQ_INT(scn_transit_trip_count(t), 51 - 2 + 9);
    js = json_of(t);
    /* gtfs_2: 9 R1 trips (6 of 3 stops, 3 of 3) + 9 RN of 2 = 18 trips, 27 + 18 = 45 times */
    CHECK_STR_CONTAINS(js, "\"trips\": 18, \"stop_times\": 45}");
    CHECK_STR_CONTAINS(js, "\"trips\": 58, \"frequency_trips\": 18, \"previous_day_trips\": 3");
    free(js);

    /* the timetable (stops not on any street here: only the trips matter) */
    uint32_t ns = scn_transit_stop_count(t);
    uint32_t *none = malloc(ns * sizeof *none);
    if (!none) exit(2);
    for (uint32_t s = 0; s < ns; ++s) none[s] = SIM_INVALID_ID;
    CHECK_EQ_INT(scn_transit_link(t, city->mg[GEO_MODE_WALK], none, &warn, &err), SIM_OK);
    free(none);
    const sim_timetable *tt = scn_transit_timetable(t);
    /* routes.txt rows: gtfs R1 R2 R3 = 0 1 2, gtfs_2 R1 R9 RN = 3 4 5; stops: gtfs S1..S6 =
     * 0..5, gtfs_2 S3 M E = 6 7 8 */
    long r0 = tt_route(tt, 3, 0), r1 = tt_route(tt, 3, 1), rn = tt_route(tt, 5, 0);
    CHECK(r0 >= 0 && r1 >= 0 && rn >= 0 && tt_route(tt, 3, 2) < 0 && tt_route(tt, 5, 1) < 0);
    if (r0 >= 0 && r1 >= 0 && rn >= 0) {
        if (tt->route_stops[tt->route_stop_first[r0]] != 6) { /* either order */
            long x = r0;
            r0 = r1;
            r1 = x;
        }
        const uint32_t *s0 = tt->route_stops + tt->route_stop_first[r0];
        const uint32_t *s1 = tt->route_stops + tt->route_stop_first[r1];
        CHECK_EQ_INT(tt->route_n_stops[r0], 3);
        CHECK(s0[0] == 6 && s0[1] == 7 && s0[2] == 8);
        CHECK_EQ_INT(tt->route_n_trips[r0], 6);
        CHECK_EQ_INT(tt_dep(tt, r0, 0, 0), HMS(7, 0, 0));
        CHECK_EQ_INT(tt_arr(tt, r0, 0, 1), HMS(7, 5, 0));
        CHECK_EQ_INT(tt_arr(tt, r0, 0, 2), HMS(7, 10, 0));
        CHECK_EQ_INT(tt_dep(tt, r0, 5, 0), HMS(7, 50, 0));
        CHECK_EQ_INT(tt_arr(tt, r0, 5, 2), HMS(8, 0, 0));
        CHECK_EQ_INT(tt->route_n_stops[r1], 3);
        CHECK(s1[0] == 8 && s1[1] == 7 && s1[2] == 6);
        CHECK_EQ_INT(tt->route_n_trips[r1], 3);
        CHECK_EQ_INT(tt_dep(tt, r1, 0, 0), HMS(7, 10, 0));
        CHECK_EQ_INT(tt_arr(tt, r1, 0, 1), HMS(7, 14, 0));
        CHECK_EQ_INT(tt_arr(tt, r1, 2, 2), HMS(7, 39, 0)); /* 07:30 + 9 min */
        /* RN: Monday's 23:30 first (-00:30:00 -> -00:00:00 ... arrives 00:00:00) */
        CHECK_EQ_INT(tt->route_n_trips[rn], 9);
        CHECK_EQ_INT(tt_dep(tt, rn, 0, 0), HMS(23, 30, 0) - 86400);
        CHECK_EQ_INT(tt_arr(tt, rn, 0, 1), 0);
        CHECK_EQ_INT(tt_dep(tt, rn, 3, 0), HMS(23, 0, 0));
        CHECK_EQ_INT(tt_arr(tt, rn, 8, 1), HMS(24, 20, 0));
    }
    /* again every 5 min without a span, each group from its first to its last departure: the
     * date's 23:00 .. 23:50 = 11, Monday's -00:30:00 .. -00:10:00 = 5 (all still running at
     * midnight) */
    CHECK_EQ_INT(scn_transit_set_headway(t, "gtfs_2:RN", 300, -1, -1, &n, WHAT, &err), SIM_OK);
    CHECK_EQ_INT(n, 16);
    /* removing every trip of a route includes the previous date's */
    CHECK_EQ_INT(scn_transit_remove_trips(t, "RN", -1, -1, &n, WHAT, &err), SIM_OK);
    CHECK_EQ_INT(n, 16);
#undef EXPECT_EPARSE
    sim_warnings_clear(&warn);
    scn_transit_destroy(t);
    geo_crs_destroy(crs);
    scn_config_destroy(cfg);
    CHECK(tu_remove_tree(tmp) == 0);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: transit_modify HAND_YAML\n");
        return 2;
    }
    geo_init();
    sim_error err = {0};
    sim_warnings warn = {0};
    scn_config *cfg = NULL;
    if (scn_config_load(argv[1], &cfg, &err)) {
        fprintf(stderr, "FAIL: %s\n", err.msg);
        return 1;
    }
    config = cfg;
    scn_run_opts opts = {0}; /* no progress; whatever fields the runner adds, zero */
    if (scn_city_load(cfg, &opts, &city, &warn, &err)) {
        fprintf(stderr, "FAIL: cannot load Hand Town: %s\n", err.msg);
        scn_config_destroy(cfg);
        return 1;
    }
    sim_warnings_clear(&warn);
    if (!city->transit || !city->mg[GEO_MODE_WALK] || city->pop->n != NO || city->n_svc != ND ||
        config->transit.n_percentiles != NP) {
        fprintf(stderr, "FAIL: %s is not Hand Town as this test knows it\n", argv[1]);
        return 1;
    }
    char hand_dir[PATH_MAX];
    snprintf(hand_dir, sizeof hand_dir, "%s", cfg->dir);

    test_baseline();
    test_clone();
    test_remove_span();
    test_set_headway();
    test_add_route_existing();
    test_add_route_new_stops();
    test_add_route_speed();
    test_rebuild_equals_link();
    test_errors();
    test_several_feeds(hand_dir);

    scn_city_destroy(city);
    scn_config_destroy(cfg);
    return CHECK_DONE();
}
