/*
 * Tests for geo/gtfs.c on the hand-made feeds in tests/data/gtfs (see the README there):
 * calendars and exceptions, the previous day's trips after midnight, frequencies, interpolation
 * with and without shape_dist_traveled, pickup/drop-off flags, stations and transfers, quoting,
 * BOM, CRLF, header spaces, column order, namespaced ids of two feeds, a zip read through
 * /vsizip/, and bad input (each error naming file, line and column).
 *
 * Every expected time is worked out by hand in the comments, in seconds after midnight.
 */
#include "geo/gtfs.h"

#include <cpl_vsi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "geo/geo.h"
#include "test_util.h"

#define PATH_LEN 1024

static char feed_a[PATH_LEN], feed_b[PATH_LEN];
static char tmp_dir[PATH_LEN];

#define H(h, m, s) ((h)*3600 + (m)*60 + (s))

static geo_gtfs *load_ok_(int line, const char *const *paths, size_t n, const char *date,
                          sim_warnings *warn) {
    geo_gtfs *g = NULL;
    sim_error err = {0};
    sim_status rc = geo_gtfs_load(paths, n, date, warn, &g, &err);
    CHECK_EQ_INT(rc, SIM_OK);
    if (rc) fprintf(stderr, "  ^ at line %d: unexpected error: %s\n", line, err.msg);
    return g;
}
#define load_ok(paths, n, date, warn) load_ok_(__LINE__, paths, n, date, warn)

/* The `nth` (0-based) sim_trip made from GTFS trip `id` on `day` (0 or -1); -1 if none. */
static long find_trip(const geo_gtfs *g, const char *id, int day, int nth) {
    const geo_gtfs_trip_info *info = geo_gtfs_trip_infos(g);
    for (size_t i = 0; i < geo_gtfs_trip_count(g); ++i)
        if (strcmp(info[i].id, id) == 0 && info[i].service_day == day && nth-- == 0) return (long)i;
    return -1;
}

static size_t count_trips(const geo_gtfs *g, const char *id) {
    size_t n = 0;
    const geo_gtfs_trip_info *info = geo_gtfs_trip_infos(g);
    for (size_t i = 0; i < geo_gtfs_trip_count(g); ++i) n += strcmp(info[i].id, id) == 0;
    return n;
}

/* Checks trip `i`'s stops and times against the n expected values. */
static void expect_trip_(int line, const geo_gtfs *g, long i, uint32_t n, const uint32_t *stops,
                         const int32_t *arr, const int32_t *dep) {
    int before = check_failures;
    CHECK(i >= 0);
    if (i < 0) {
        fprintf(stderr, "  ^ trip missing (line %d)\n", line);
        return;
    }
    const sim_trip *t = &geo_gtfs_trips(g)[i];
    CHECK_EQ_U32(t->n_stops, n);
    for (uint32_t k = 0; k < n && k < t->n_stops; ++k) {
        CHECK_EQ_U32(t->stops[k], stops[k]);
        CHECK_EQ_INT(t->arr_s[k], arr[k]);
        CHECK_EQ_INT(t->dep_s[k], dep[k]);
    }
    if (check_failures != before) fprintf(stderr, "  ^ in the trip checked at line %d\n", line);
}
#define expect_trip(g, i, n, stops, arr, dep)                                                      \
    expect_trip_(__LINE__, g, i, n, (const uint32_t[])stops, (const int32_t[])arr,                 \
                 (const int32_t[])dep)
#define L(...)                                                                                     \
    { __VA_ARGS__ }

/* The count of the warning whose text contains `frag` (0 if none). */
static size_t warned(const sim_warnings *w, const char *frag) {
    for (size_t i = 0; i < w->n; ++i)
        if (strstr(w->items[i].what, frag)) return w->items[i].count;
    return 0;
}

/* Routing stops of feed a, in stops.txt order (E1 is an entrance, ST a station). */
enum { S0, S1, S2, S3, S4, P1, P2 };

static void test_feed_a(void) {
    sim_warnings warn = {0};
    const char *paths[] = {feed_a};
    geo_gtfs *g = load_ok(paths, 1, "2024-03-05", &warn); /* a Tuesday */
    if (!g) return;
    CHECK_STR_EQ(geo_gtfs_service_date(g), "2024-03-05");

    /* stops: quoted names with commas, columns in another order, parents */
    CHECK_EQ_U32(geo_gtfs_stop_count(g), 7);
    const geo_gtfs_stop *st = geo_gtfs_stops(g);
    CHECK_STR_EQ(st[S0].id, "a:S0");
    CHECK_STR_EQ(st[S0].name, "Zero, the first");
    CHECK_STR_EQ(st[P2].name, "Central, platform 2");
    CHECK_NEAR(st[S1].lon, 0.01, 1e-12);
    CHECK_NEAR(st[P2].lat, 0.0001, 1e-12);
    CHECK_EQ_U32(geo_gtfs_station_count(g), 1);
    CHECK_STR_EQ(geo_gtfs_stations(g)[0].id, "a:ST");
    CHECK_EQ_U32(st[P1].parent, 0);
    CHECK_EQ_U32(st[P2].parent, 0);
    CHECK_EQ_U32(st[S0].parent, SIM_INVALID_ID);
    CHECK_EQ_U32(st[S4].parent, SIM_INVALID_ID); /* its parent S3 is not a station */
    CHECK_EQ_INT(warned(&warn, "parent_station is not a station"), 1);
    CHECK_EQ_U32(geo_gtfs_stop_find(g, "a:P2"), P2);
    CHECK_EQ_U32(geo_gtfs_stop_find(g, "a:E1"), SIM_INVALID_ID); /* entrance */
    CHECK_EQ_U32(geo_gtfs_stop_find(g, "S0"), SIM_INVALID_ID);   /* ids are namespaced */

    /* routes, with an extended route_type and a doubled quote */
    CHECK_EQ_U32(geo_gtfs_route_count(g), 3);
    const geo_gtfs_route *r = geo_gtfs_routes(g);
    CHECK_STR_EQ(r[0].id, "a:R1");
    CHECK_STR_EQ(r[0].long_name, "Centre, via Market");
    CHECK_EQ_INT(r[0].route_type, 3);
    CHECK_STR_EQ(r[1].short_name, "N2");
    CHECK_STR_EQ(r[1].long_name, "Night \"owl\" bus");
    CHECK_EQ_INT(r[1].route_type, 700);

    /* T_SHAPE: S1 has no time, shape_dist_traveled 0, 250, 1000 over 08:00:00-08:10:00:
     * 08:00:00 + 600 s * 250/1000 = 28800 + 150 (great-circle distance would give + 300). */
    long i = find_trip(g, "a:T_SHAPE", 0, 0);
    expect_trip(g, i, 3, L(S0, S1, S2), L(28800, 28950, 29400), L(28800, 28950, 29400));
    if (i >= 0) {
        const sim_trip *t = &geo_gtfs_trips(g)[i];
        CHECK_EQ_U32(t->route_ref, 0);
        CHECK(t->pickup_ok && t->dropoff_ok);
        if (t->pickup_ok && t->dropoff_ok) {
            CHECK_EQ_INT(t->pickup_ok[0], 1); /* drop_off_type 1 at S0 */
            CHECK_EQ_INT(t->dropoff_ok[0], 0);
            CHECK_EQ_INT(t->pickup_ok[1], 1);
            CHECK_EQ_INT(t->dropoff_ok[1], 1);
            CHECK_EQ_INT(t->pickup_ok[2], 0); /* pickup_type 1 at S2 */
            CHECK_EQ_INT(t->dropoff_ok[2], 1);
        }
    }
    /* T_HAV: rows shuffled (sequences 10, 20, 30, 40); S1, S2 without times and without
     * shape_dist_traveled; stops on the equator at longitudes 0, 0.01, 0.02, 0.03, so the
     * great-circle distances split 08:00:00 -> 08:09:00 (540 s) in thirds: + 180, + 360.
     * S3 arrives 08:09:00 and leaves 08:09:30. */
    i = find_trip(g, "a:T_HAV", 0, 0);
    expect_trip(g, i, 4, L(S0, S1, S2, S3), L(28800, 28980, 29160, 29340),
                L(28800, 28980, 29160, 29370));
    if (i >= 0) CHECK(geo_gtfs_trips(g)[i].pickup_ok == NULL); /* every stop allows both */

    /* past 24:00 on the date: 23:50:00 -> 24:20:00 kept as is; WK is removed on the previous
     * date (calendar_dates), so there is no copy of T_LATE shifted by a day */
    expect_trip(g, find_trip(g, "a:T_LATE", 0, 0), 2, L(S0, S4), L(85800, 87600), L(85800, 87600));
    CHECK_EQ_INT(count_trips(g, "a:T_LATE"), 1);
    CHECK_EQ_U32(geo_gtfs_trips(g)[find_trip(g, "a:T_LATE", 0, 0)].route_ref, 1);
    /* the previous date's (Monday) T_PREV, 23:30:00 -> 25:10:00, minus 86400 */
    expect_trip(g, find_trip(g, "a:T_PREV", -1, 0), 2, L(S0, S4), L(-1800, 4200), L(-1800, 4200));
    CHECK_EQ_INT(count_trips(g, "a:T_PREV"), 1);
    CHECK_EQ_INT(count_trips(g, "a:T_PREV_EARLY"), 0); /* Monday's, over before midnight */
    /* calendar_dates: HOL removed on the date, EXTRA added; SAT does not run on Tuesdays */
    CHECK_EQ_INT(count_trips(g, "a:T_HOL"), 0);
    CHECK_EQ_INT(count_trips(g, "a:T_SAT"), 0);
    /* single-digit hours: 7:05:00 = 25500, 7:15:00 = 26100, 7:16:00 = 26160 */
    expect_trip(g, find_trip(g, "a:T_EXTRA", 0, 0), 2, L(S1, S2), L(25500, 26100), L(25500, 26160));

    /* exact_times=1, 06:00:00-07:00:00 every 1200 s: starts 06:00, 06:20, 06:40 (not 07:00);
     * the template's own 10:00:00 is only the shape of the trip (S1 five minutes later) */
    CHECK_EQ_INT(count_trips(g, "a:T_FREQ1"), 3);
    for (int k = 0; k < 3; ++k) {
        int32_t s = H(6, 0, 0) + 1200 * k;
        long j = find_trip(g, "a:T_FREQ1", 0, k);
        expect_trip(g, j, 2, L(S0, S1), L(s, s + 300), L(s, s + 300));
        if (j >= 0) CHECK_EQ_INT(geo_gtfs_trip_infos(g)[j].from_frequency, 1);
    }
    /* exact_times 0 and empty: expanded the same way, from start_time: 12:00, 12:10, 12:20,
     * then 23:50 and 24:00 (< 24:10:00) */
    CHECK_EQ_INT(count_trips(g, "a:T_FREQ0"), 5);
    const int32_t f0[] = {H(12, 0, 0), H(12, 10, 0), H(12, 20, 0), H(23, 50, 0), H(24, 0, 0)};
    for (int k = 0; k < 5; ++k)
        expect_trip(g, find_trip(g, "a:T_FREQ0", 0, k), 2, L(S1, S2), L(f0[k], f0[k] + 420),
                    L(f0[k], f0[k] + 420));

    /* dropped, and warned about once each */
    CHECK_EQ_INT(count_trips(g, "a:T_BACK"), 0);
    CHECK_EQ_INT(warned(&warn, "times go backwards"), 1);
    CHECK_EQ_INT(count_trips(g, "a:T_NOFIRST"), 0);
    CHECK_EQ_INT(warned(&warn, "without a time at its first or last stop"), 1);
    CHECK_EQ_INT(count_trips(g, "a:T_DUP"), 0);
    CHECK_EQ_INT(warned(&warn, "duplicate stop_sequence"), 1);
    CHECK_EQ_INT(count_trips(g, "a:T_NOSERVICE"), 0);
    CHECK_EQ_INT(warned(&warn, "service_id in neither calendar file"), 1);
    CHECK_EQ_INT(warned(&warn, "trips.txt: trip_id not in trips.txt"), 0);
    CHECK_EQ_INT(warned(&warn, "stop_times.txt: trip_id not in trips.txt"), 1);  /* GHOST */
    CHECK_EQ_INT(warned(&warn, "frequencies.txt: trip_id not in trips.txt"), 1); /* NOPE */
    /* the stop_time at unknown stop SX is dropped, the trip kept */
    CHECK_EQ_INT(warned(&warn, "stop_id not in stops.txt"), 1);
    expect_trip(g, find_trip(g, "a:T_UNKSTOP", 0, 0), 2, L(S0, S1), L(32400, 33000),
                L(32400, 33000));
    expect_trip(g, find_trip(g, "a:T_PLAT", 0, 0), 2, L(P1, S4), L(39600, 40200), L(39600, 40200));

    /* transfers: ST->ST (type 2, 120 s) is P1<->P2; S3->P1 300 s; S4->ST forbidden (type 3)
     * is S4->P1 and S4->P2; type 1 ignored; an unknown stop and a type 2 without time warned */
    size_t n;
    const sim_transfer *tr = geo_gtfs_transfers(g, &n);
    CHECK_EQ_INT(n, 3);
    if (n == 3) {
        CHECK(tr[0].from == P1 && tr[0].to == P2 && tr[0].walk_s == 120);
        CHECK(tr[1].from == P2 && tr[1].to == P1 && tr[1].walk_s == 120);
        CHECK(tr[2].from == S3 && tr[2].to == P1 && tr[2].walk_s == 300);
    }
    tr = geo_gtfs_forbidden_transfers(g, &n);
    CHECK_EQ_INT(n, 2);
    if (n == 2) {
        CHECK(tr[0].from == S4 && tr[0].to == P1);
        CHECK(tr[1].from == S4 && tr[1].to == P2);
    }
    CHECK_EQ_INT(warned(&warn, "transfer ignored"), 1);
    CHECK_EQ_INT(warned(&warn, "without min_transfer_time"), 1);

    /* the manifest counts: trips T_SHAPE, T_HAV, T_LATE, T_PREV, T_EXTRA, 3 x T_FREQ1,
     * 5 x T_FREQ0, T_UNKSTOP, T_PLAT; stop times 3 + 4 + 2 + 2 + 2 + 6 + 10 + 2 + 2 */
    size_t nf;
    const geo_gtfs_feed_info *f = geo_gtfs_feeds(g, &nf);
    CHECK_EQ_INT(nf, 1);
    CHECK_STR_EQ(f[0].name, "a");
    CHECK_STR_EQ(f[0].first_date, "2024-01-01");
    CHECK_STR_EQ(f[0].last_date, "2024-12-31");
    geo_gtfs_counts c = geo_gtfs_total_counts(g);
    CHECK_EQ_INT(c.trips, 15);
    CHECK_EQ_INT(geo_gtfs_trip_count(g), 15);
    CHECK_EQ_INT(c.frequency_trips, 8);
    CHECK_EQ_INT(c.previous_day_trips, 1);
    CHECK_EQ_INT(c.stop_times, 33);
    CHECK_EQ_INT(c.stops, 7);
    CHECK_EQ_INT(c.stations, 1);
    CHECK_EQ_INT(c.routes, 3);
    CHECK_EQ_INT(c.transfers, 3);
    CHECK_EQ_INT(c.forbidden_transfers, 2);
    /* output order: trips.txt order, the previous date's instances first */
    CHECK_EQ_INT(find_trip(g, "a:T_SHAPE", 0, 0), 0);
    CHECK_EQ_INT(find_trip(g, "a:T_PREV", -1, 0), 3);
    CHECK_EQ_INT(find_trip(g, "a:T_PLAT", 0, 0), 14);
    geo_gtfs_destroy(g);
    sim_warnings_clear(&warn);
}

/* Wednesday 2024-03-06: Tuesday's trips that pass midnight come back with times - 86400. */
static void test_previous_day(void) {
    const char *paths[] = {feed_a};
    geo_gtfs *g = load_ok(paths, 1, "2024-03-06", NULL);
    if (!g) return;
    /* T_LATE 23:50:00 -> 24:20:00: yesterday's at -600 -> 1200, listed first, then today's */
    long y = find_trip(g, "a:T_LATE", -1, 0), t = find_trip(g, "a:T_LATE", 0, 0);
    expect_trip(g, y, 2, L(S0, S4), L(-600, 1200), L(-600, 1200));
    expect_trip(g, t, 2, L(S0, S4), L(85800, 87600), L(85800, 87600));
    CHECK(y >= 0 && y + 1 == t);
    /* T_FREQ0 yesterday: the 23:50 start ends at 23:57 (gone); the 24:00 start runs 0 -> 420 */
    CHECK_EQ_INT(count_trips(g, "a:T_FREQ0"), 6);
    expect_trip(g, find_trip(g, "a:T_FREQ0", -1, 0), 2, L(S1, S2), L(0, 420), L(0, 420));
    CHECK_EQ_INT(find_trip(g, "a:T_FREQ0", -1, 1), -1);
    /* Monday's T_PREV and Tuesday's added T_EXTRA are not there */
    CHECK_EQ_INT(count_trips(g, "a:T_PREV"), 0);
    CHECK_EQ_INT(count_trips(g, "a:T_EXTRA"), 0);
    geo_gtfs_counts c = geo_gtfs_total_counts(g);
    CHECK_EQ_INT(c.trips, 15);
    CHECK_EQ_INT(c.previous_day_trips, 2);
    geo_gtfs_destroy(g);
}

/* Feeds a and b use the same stop, route, trip and service ids. */
static void test_two_feeds(void) {
    sim_warnings warn = {0};
    const char *paths[] = {feed_a, feed_b};
    geo_gtfs *g = load_ok(paths, 2, "2024-03-05", &warn);
    if (!g) return;
    CHECK_EQ_U32(geo_gtfs_stop_count(g), 9);
    CHECK_EQ_U32(geo_gtfs_stop_find(g, "a:S0"), 0);
    CHECK_EQ_U32(geo_gtfs_stop_find(g, "b:S0"), 7);
    CHECK_EQ_U32(geo_gtfs_stop_find(g, "b:S1"), 8);
    CHECK_NEAR(geo_gtfs_stops(g)[7].lon, 1.0, 1e-12);
    CHECK_EQ_INT(geo_gtfs_stops(g)[7].feed, 1);
    CHECK_EQ_U32(geo_gtfs_route_count(g), 4);
    CHECK_STR_EQ(geo_gtfs_routes(g)[3].id, "b:R1");
    long i = find_trip(g, "b:T_SHAPE", 0, 0);
    CHECK_EQ_INT(i, 15);
    expect_trip(g, i, 2, L(7, 8), L(32400, 34200), L(32400, 34200));
    if (i >= 0) CHECK_EQ_U32(geo_gtfs_trips(g)[i].route_ref, 3);
    CHECK_EQ_INT(count_trips(g, "a:T_SHAPE"), 1);
    size_t nf;
    const geo_gtfs_feed_info *f = geo_gtfs_feeds(g, &nf);
    CHECK_EQ_INT(nf, 2);
    CHECK_STR_EQ(f[1].name, "b");
    CHECK_STR_EQ(f[1].first_date, "2024-03-01");
    CHECK_STR_EQ(f[1].last_date, "2024-03-31");
    CHECK_EQ_INT(f[1].counts.trips, 1);
    CHECK_EQ_INT(f[1].counts.stop_times, 2);
    CHECK_EQ_INT(geo_gtfs_total_counts(g).trips, 16);
    geo_gtfs_destroy(g);
    sim_warnings_clear(&warn);

    /* one feed twice needs names */
    const char *twice[] = {feed_b, feed_b};
    const char *names[] = {"north", "south"};
    geo_gtfs *g2 = NULL;
    sim_error err = {0};
    CHECK_EQ_INT(geo_gtfs_load(twice, 2, "2024-03-05", NULL, &g2, &err), SIM_EINVAL);
    CHECK_STR_CONTAINS(err.msg, "both named 'b'");
    CHECK(g2 == NULL);
    memset(&err, 0, sizeof err);
    CHECK_EQ_INT(geo_gtfs_load_named(twice, names, 2, "2024-03-05", NULL, &g2, &err), SIM_OK);
    if (g2) {
        CHECK_EQ_U32(geo_gtfs_stop_find(g2, "south:S1"), 3);
        CHECK_EQ_INT(geo_gtfs_trip_count(g2), 2);
        CHECK_STR_EQ(geo_gtfs_trip_infos(g2)[1].id, "south:T_SHAPE");
    }
    geo_gtfs_destroy(g2);
}

/* Copies feed b's files into dir/name (a new folder), replacing `file` by `text` (NULL: leaves
 * the file out). Returns the folder's path in `out`. */
static const char *variant(const char *name, const char *file, const char *text, char *out) {
    static const char *const FILES[] = {"calendar.txt", "stops.txt", "routes.txt", "trips.txt",
                                        "stop_times.txt"};
    tu_path(tmp_dir, name, out, PATH_LEN);
    if (mkdir(out, 0700) != 0) {
        fprintf(stderr, "mkdir %s failed\n", out);
        exit(1);
    }
    for (size_t k = 0; k < sizeof FILES / sizeof FILES[0]; ++k) {
        if (strcmp(FILES[k], file) == 0) {
            if (text) tu_write_file(out, file, text, NULL, 0);
            continue;
        }
        char src[PATH_LEN];
        char *body = tu_read_file(tu_path(feed_b, FILES[k], src, sizeof src));
        if (!body) {
            fprintf(stderr, "cannot read %s\n", src);
            exit(1);
        }
        tu_write_file(out, FILES[k], body, NULL, 0);
        free(body);
    }
    return out;
}

static void expect_error_(int line, const char *path, const char *date, sim_status code,
                          const char *const *frags) {
    int before = check_failures;
    geo_gtfs *g = (geo_gtfs *)&g;
    sim_error err = {0};
    CHECK_EQ_INT(geo_gtfs_load(&path, 1, date, NULL, &g, &err), code);
    CHECK_EQ_INT(err.code, code);
    CHECK(g == NULL);
    for (; *frags; ++frags) CHECK_STR_CONTAINS(err.msg, *frags);
    if (check_failures != before)
        fprintf(stderr, "  ^ in the case at line %d: %s\n", line, err.msg);
}
#define expect_error(path, date, code, ...)                                                        \
    expect_error_(__LINE__, path, date, code, (const char *const[]){__VA_ARGS__, NULL})

static void test_errors(void) {
    char p[PATH_LEN];
    const char *D = "2024-03-05";
    expect_error(variant("no_stops", "stops.txt", NULL, p), D, SIM_EPARSE, "no_stops",
                 "required file stops.txt is missing");
    expect_error(variant("no_seq", "stop_times.txt",
                         "trip_id,arrival_time,departure_time,stop_id\n"
                         "T_SHAPE,09:00:00,09:00:00,S0\n",
                         p),
                 D, SIM_EPARSE, "stop_times.txt: missing required column 'stop_sequence'",
                 "(columns: trip_id, arrival_time, departure_time, stop_id)");
    expect_error(variant("bad_time", "stop_times.txt",
                         "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                         "T_SHAPE,09:00:00,09:00:00,S0,1\r\n"
                         "T_SHAPE,25:61:00,25:61:00,S1,2\r\n",
                         p),
                 D, SIM_EPARSE, "stop_times.txt:3: arrival_time '25:61:00' is not a time");
    expect_error(variant("bad_lat", "stops.txt",
                         "stop_id,stop_name,stop_lat,stop_lon\nS0,x,1.0,1.0\nS1,y,north,1.01\n", p),
                 D, SIM_EPARSE, "stops.txt:3: stop_lat 'north' is not a latitude");
    expect_error(variant("no_lon", "stops.txt",
                         "stop_id,stop_name,stop_lat,stop_lon\nS0,x,1.0,1.0\nS1,y,1.0,\n", p),
                 D, SIM_EPARSE, "stops.txt:3: stop_lon is empty");
    expect_error(variant("open_quote", "routes.txt",
                         "route_id,agency_id,route_short_name,route_long_name,route_type\n"
                         "R1,,\"B1,,3\n",
                         p),
                 D, SIM_EPARSE, "routes.txt:2: a quoted field is not closed");
    expect_error(variant("no_calendar", "calendar.txt", NULL, p), D, SIM_EPARSE,
                 "calendar.txt or calendar_dates.txt is missing");
    expect_error(feed_a, "2025-01-01", SIM_EINVAL,
                 "2025-01-01 is outside the feed's calendar (2024-01-01 to 2024-12-31)");
    expect_error(feed_b, "2024-04-01", SIM_EINVAL,
                 "gtfs/b/: 2024-04-01 is outside the feed's "
                 "calendar (2024-03-01 to 2024-03-31)");
    expect_error(variant("stray_quote", "routes.txt",
                         "route_id,agency_id,route_short_name,route_long_name,route_type\n"
                         "R1,,\"B1\"x,,3\n",
                         p),
                 D, SIM_EPARSE, "routes.txt:2: malformed CSV");
    expect_error(feed_a, "2024-02-30", SIM_EINVAL, "'2024-02-30' is not a date YYYY-MM-DD");
    expect_error(feed_a, "20240305", SIM_EINVAL, "is not a date YYYY-MM-DD");
    tu_path(tmp_dir, "nowhere.zip", p, sizeof p);
    expect_error(p, D, SIM_EIO, "nowhere.zip: cannot read");
    tu_write_file(tmp_dir, "not_a.zip", "hello", p, sizeof p);
    expect_error(p, D, SIM_EIO, "not_a.zip: cannot read as a GTFS feed");
}

/* Feed b zipped (by GDAL's /vsizip/ writer) reads like the folder, named after the zip. */
static void test_zip(void) {
    static const char *const FILES[] = {"calendar.txt", "stops.txt", "routes.txt", "trips.txt",
                                        "stop_times.txt"};
    char zip[PATH_LEN], member[PATH_LEN + 64], src[PATH_LEN];
    tu_path(tmp_dir, "b.zip", zip, sizeof zip);
    for (size_t k = 0; k < sizeof FILES / sizeof FILES[0]; ++k) {
        char *body = tu_read_file(tu_path(feed_b, FILES[k], src, sizeof src));
        snprintf(member, sizeof member, "/vsizip/%s/%s", zip, FILES[k]);
        VSILFILE *fp = body ? VSIFOpenL(member, "wb") : NULL;
        size_t len = body ? strlen(body) : 0;
        if (!fp || VSIFWriteL(body, 1, len, fp) != len || VSIFCloseL(fp) != 0) {
            fprintf(stderr, "cannot write %s\n", member);
            exit(1);
        }
        free(body);
    }
    const char *paths[] = {zip};
    geo_gtfs *g = load_ok(paths, 1, "2024-03-05", NULL);
    if (!g) return;
    CHECK_EQ_U32(geo_gtfs_stop_find(g, "b:S1"), 1);
    expect_trip(g, find_trip(g, "b:T_SHAPE", 0, 0), 2, L(0, 1), L(32400, 34200), L(32400, 34200));
    size_t nf;
    CHECK_STR_EQ(geo_gtfs_feeds(g, &nf)[0].path, zip);
    geo_gtfs_destroy(g);
}

int main(void) {
    geo_init();
    const char *d = getenv("ACCESSIM_TEST_DATA");
    if (!d || !*d) {
        fprintf(stderr, "ACCESSIM_TEST_DATA is not set (run through ctest)\n");
        return 1;
    }
    tu_path(d, "gtfs/a", feed_a, sizeof feed_a);
    tu_path(d, "gtfs/b/", feed_b, sizeof feed_b); /* a trailing slash is fine */
    if (!tu_temp_dir("accessim_gtfs", tmp_dir, sizeof tmp_dir)) return 1;
    test_feed_a();
    test_previous_day();
    test_two_feeds();
    test_errors();
    test_zip();
    tu_remove_tree(tmp_dir);
    return CHECK_DONE();
}
