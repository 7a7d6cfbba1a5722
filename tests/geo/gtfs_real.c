/*
 * Integration: the four real GTFS feeds in ../shared/data load on a date inside their calendars,
 * with the stop and route counts of shared/data/README.md, and trips that keep the contract of
 * sim/timetable.h. The number of trips and stop times per feed is printed, one line per feed:
 *   feed <name> trips=<n> stop_times=<n> frequency_trips=<n> previous_day_trips=<n> stops=<n>
 *       routes=<n>
 * for tests/geo/gtfs_counts.py, which counts them independently (python3 csv + zipfile) and
 * compares. Load times go to stderr.
 * usage: geo_gtfs_real DATA_DIR      (fails loudly when the files are missing)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "geo/geo.h"
#include "geo/gtfs.h"

typedef struct {
    const char *what, *date;
    const char *files[2];
    size_t n_files;
    /* README counts, per feed */
    size_t stops[2], routes[2];
} real_case;

static const real_case CASES[] = {
    {"Porto Alegre (EPTC bus + Trensurb rail)",
     "2019-05-13",
     {"poa/poa_eptc.zip", "poa/poa_trensurb.zip"},
     2,
     {3986, 24},
     {115, 2}},
    {"Helsinki (HSL, frequencies)", "2022-02-22", {"helsinki/helsinki_gtfs.zip"}, 1, {0}, {200}},
    {"Porto (Metro do Porto)", "2026-03-10", {"porto/metro_do_porto_gtfs.zip"}, 1, {85}, {7}},
};

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Every trip keeps sim/timetable.h's contract; returns the number of stop times. */
static size_t check_trips(const geo_gtfs *g) {
    const sim_trip *trips = geo_gtfs_trips(g);
    const geo_gtfs_trip_info *info = geo_gtfs_trip_infos(g);
    uint32_t n_stops = geo_gtfs_stop_count(g), n_routes = geo_gtfs_route_count(g);
    size_t n_st = 0, bad = 0;
    for (size_t i = 0; i < geo_gtfs_trip_count(g); ++i) {
        const sim_trip *t = &trips[i];
        n_st += t->n_stops;
        int ok = t->n_stops >= 2 && t->route_ref < n_routes && info[i].id;
        for (uint32_t k = 0; k < t->n_stops && ok; ++k) {
            ok = t->stops[k] < n_stops && t->arr_s[k] <= t->dep_s[k] &&
                 (k + 1 == t->n_stops || t->dep_s[k] <= t->arr_s[k + 1]);
        }
        /* a previous-day trip is there because it is still running after midnight */
        if (ok && info[i].service_day == -1) ok = t->arr_s[t->n_stops - 1] >= 0;
        if (!ok && bad++ < 3) fprintf(stderr, "trip %zu (%s) breaks the contract\n", i, info[i].id);
    }
    CHECK_EQ_INT(bad, 0);
    return n_st;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s DATA_DIR\n", argv[0]);
        return 2;
    }
    geo_init();
    for (size_t c = 0; c < sizeof CASES / sizeof CASES[0]; ++c) {
        const real_case *rc = &CASES[c];
        char paths[2][1024];
        const char *p[2];
        for (size_t i = 0; i < rc->n_files; ++i) {
            snprintf(paths[i], sizeof paths[i], "%s/%s", argv[1], rc->files[i]);
            p[i] = paths[i];
            FILE *f = fopen(paths[i], "rb");
            if (!f) {
                fprintf(stderr, "FAIL: missing real data file %s (set ACCESSIM_SHARED_DATA)\n",
                        paths[i]);
                return 1;
            }
            fclose(f);
        }
        geo_gtfs *g = NULL;
        sim_warnings warn = {0};
        sim_error err = {0};
        double t0 = now_s();
        sim_status st = geo_gtfs_load(p, rc->n_files, rc->date, &warn, &g, &err);
        double dt = now_s() - t0;
        CHECK_EQ_INT(st, SIM_OK);
        if (st) {
            fprintf(stderr, "FAIL: %s: %s\n", rc->what, err.msg);
            sim_warnings_clear(&warn);
            continue;
        }
        geo_gtfs_counts tot = geo_gtfs_total_counts(g);
        fprintf(stderr, "%s on %s: loaded in %.3f s: %zu trips, %zu stop times, %zu stops\n",
                rc->what, rc->date, dt, tot.trips, tot.stop_times, tot.stops);
        for (size_t w = 0; w < warn.n; ++w)
            fprintf(stderr, "  warning: %s (%zu, e.g. %s)\n", warn.items[w].what,
                    warn.items[w].count, warn.items[w].n_examples ? warn.items[w].examples[0] : "");
        size_t n_feeds;
        const geo_gtfs_feed_info *feeds = geo_gtfs_feeds(g, &n_feeds);
        CHECK_EQ_INT(n_feeds, rc->n_files);
        for (size_t i = 0; i < n_feeds; ++i) {
            const geo_gtfs_counts *k = &feeds[i].counts;
            printf("feed %s trips=%zu stop_times=%zu frequency_trips=%zu previous_day_trips=%zu "
                   "stops=%zu routes=%zu\n",
                   feeds[i].name, k->trips, k->stop_times, k->frequency_trips,
                   k->previous_day_trips, k->stops, k->routes);
            fprintf(stderr, "  %s covers %s to %s\n", feeds[i].name, feeds[i].first_date,
                    feeds[i].last_date);
            if (rc->stops[i]) CHECK_EQ_INT(k->stops, rc->stops[i]);
            CHECK_EQ_INT(k->routes, rc->routes[i]);
            CHECK(k->trips > 0);
        }
        CHECK_EQ_INT(check_trips(g), tot.stop_times);
        CHECK(dt < 60.0);
        sim_warnings_clear(&warn);
        geo_gtfs_destroy(g);
    }
    /* Helsinki's frequencies are all exact_times=1 and its calendar is one day */
    return CHECK_DONE();
}
