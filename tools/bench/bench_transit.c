/*
 * accessim-bench-transit — the public-transit benchmark (issue 4). Never a test: timings depend
 * on the machine. tools/bench/transit.sh builds the release preset and runs it on the reference
 * job (scenarios/examples/porto-alegre-transit.yaml); results go to docs/PERFORMANCE.md.
 *
 *   accessim-bench-transit SCENARIO.yaml [--threads LIST] [--sample N] [--reps R] [--no-job]
 *
 * Prints Markdown tables on stdout (progress on stderr):
 *  - feeds: GTFS load and timetable build, wall time and peak-RSS growth (VmHWM);
 *  - city: scn_city_load() end to end (network, population, services, feeds, snapping, graphs,
 *    street transfers);
 *  - per origin, on a sample of origins towards every origin (the reference job's
 *    destinations), one thread: the access search (walks to stops and the direct walk), one
 *    earliest-arrival RAPTOR query (one departure), the window as one range-RAPTOR query and as
 *    one plain RAPTOR query per departure, the same range query without egress (so the
 *    difference is the cost of propagating stop arrivals to destinations), and percentiles;
 *  - the reference job: `accessim matrix --mode transit --to origins` through the library
 *    (scn_city_transit_matrix to /dev/null) at each thread count, best of R.
 * Times are wall-clock (CLOCK_MONOTONIC).
 */
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "geo/geo.h"
#include "geo/gtfs.h"
#include "scenarios/config.h"
#include "scenarios/runner.h"
#include "scenarios/runner_internal.h"
#include "scenarios/transit.h"
#include "sim/raptor.h"
#include "sim/route.h"
#include "sim/stoplinks.h"
#include "sim/timetable.h"

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void hwm_reset(void) {
    FILE *fp = fopen("/proc/self/clear_refs", "w");
    if (!fp) return;
    fputs("5", fp);
    fclose(fp);
}

/* VmHWM or VmRSS of this process, MB. */
static double proc_mb(const char *key) {
    FILE *fp = fopen("/proc/self/status", "r");
    char line[256];
    double kb = -1;
    size_t n = strlen(key);
    if (fp) {
        while (fgets(line, sizeof line, fp))
            if (strncmp(line, key, n) == 0) kb = strtod(line + n, NULL);
        fclose(fp);
    }
    return kb / 1024.0;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, size_t n) {
    qsort(v, n, sizeof *v, cmp_double);
    return n ? (n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2])) : NAN;
}

static void die(const char *what, const sim_error *err) {
    fprintf(stderr, "accessim-bench-transit: %s: %s\n", what, err->msg);
    exit(1);
}

static void progress_cb(void *ud, const char *stage, size_t done, size_t total) {
    (void)ud;
    if (total) fprintf(stderr, "\r  %s (%zu/%zu)   ", stage, done, total);
    else fprintf(stderr, "\r  %s ...   ", stage);
}

int main(int argc, char **argv) {
    const char *path = NULL, *threads_list = "1,2";
    size_t sample = 200, reps = 3;
    int job = 1;
    for (int i = 1; i < argc; ++i) {
        if (!strcmp(argv[i], "--threads") && i + 1 < argc) threads_list = argv[++i];
        else if (!strcmp(argv[i], "--sample") && i + 1 < argc) sample = strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--reps") && i + 1 < argc) reps = strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--no-job")) job = 0;
        else if (!path && argv[i][0] != '-') path = argv[i];
        else {
            fprintf(stderr, "usage: accessim-bench-transit SCENARIO.yaml [--threads LIST] "
                            "[--sample N] [--reps R] [--no-job]\n");
            return 2;
        }
    }
    if (!path) {
        fprintf(stderr, "accessim-bench-transit: needs a scenario file with a transit: block\n");
        return 2;
    }
    if (reps < 1) reps = 1;
    geo_init();
    sim_error err = {0};
    scn_config *cfg = NULL;
    if (scn_config_load(path, &cfg, &err)) die(path, &err);
    if (!cfg->transit.set) {
        fprintf(stderr, "accessim-bench-transit: %s has no transit: block\n", path);
        return 2;
    }

    /* ---- feeds --------------------------------------------------------------------------- */
    printf("### Feeds (%s, %s)\n\n| step | wall s | peak RSS growth MB | count |\n|---|---|---|---|\n",
           cfg->name, cfg->transit.date);
    double base_mb = proc_mb("VmRSS:");
    hwm_reset();
    double t0 = now_s();
    geo_gtfs *g = NULL;
    if (geo_gtfs_load((const char *const *)cfg->transit.feeds, cfg->transit.n_feeds,
                      cfg->transit.date, NULL, &g, &err))
        die("feeds", &err);
    double t1 = now_s();
    geo_gtfs_counts tc = geo_gtfs_total_counts(g);
    printf("| load %zu feed(s) (GTFS -> trips of the date) | %.3f | %.1f | %zu trips, %zu stop "
           "times, %zu stops |\n",
           cfg->transit.n_feeds, t1 - t0, proc_mb("VmHWM:") - base_mb, tc.trips, tc.stop_times,
           tc.stops);
    sim_timetable *tt0 = NULL;
    t0 = now_s();
    if (sim_timetable_build(geo_gtfs_stop_count(g), geo_gtfs_trips(g), geo_gtfs_trip_count(g),
                            NULL, 0, &tt0)) {
        fprintf(stderr, "accessim-bench-transit: timetable build failed\n");
        return 1;
    }
    t1 = now_s();
    printf("| timetable build (routes, FIFO split) | %.3f | %.1f | %u RAPTOR routes |\n", t1 - t0,
           proc_mb("VmHWM:") - base_mb, tt0->n_routes);
    sim_timetable_destroy(tt0);
    geo_gtfs_destroy(g);

    /* ---- city ---------------------------------------------------------------------------- */
    sim_warnings warn = {0};
    scn_city *c = NULL;
    scn_run_opts opts = {.progress = progress_cb, .progress_ud = NULL, .threads = omp_get_max_threads()};
    t0 = now_s();
    if (scn_city_load(cfg, &opts, &c, &warn, &err)) die("city", &err);
    t1 = now_s();
    fputs("\r", stderr);
    const sim_timetable *tt = scn_transit_timetable(c->transit);
    const geo_mode_graph *walk = c->mg[GEO_MODE_WALK];
    const uint32_t *stop_g = scn_transit_stop_graph_nodes(c->transit);
    uint32_t linked = 0;
    for (uint32_t s = 0; s < tt->n_stops; ++s) linked += stop_g[s] != SIM_INVALID_ID;
    printf("\n### City load (scn_city_load, %d threads)\n\n| wall s | origins | stops linked | "
           "walking transfers | walk graph nodes |\n|---|---|---|---|---|\n| %.3f | %zu | %u of "
           "%u | %u | %u |\n",
           omp_get_max_threads(), t1 - t0, c->pop->n, linked, tt->n_stops,
           tt->transfer_first[tt->n_stops], walk->n_nodes);

    /* ---- per origin ---------------------------------------------------------------------- */
    sim_raptor_params p = scn_transit_params(c->transit);
    uint32_t no = (uint32_t)c->pop->n, nd = 0, n_dep = sim_raptor_departure_count(&p);
    uint32_t *dest = malloc(no * sizeof *dest), *orig = malloc(no * sizeof *orig);
    uint32_t *stop_at = malloc(walk->n_nodes * sizeof *stop_at);
    memset(stop_at, 0xff, walk->n_nodes * sizeof *stop_at);
    for (uint32_t s = 0; s < tt->n_stops; ++s)
        if (stop_g[s] != SIM_INVALID_ID) stop_at[stop_g[s]] = s;
    for (uint32_t i = 0; i < no; ++i) {
        uint32_t v = c->origin_node[i];
        orig[i] = v == SIM_INVALID_ID ? SIM_INVALID_ID : walk->graph_of[v];
        if (orig[i] != SIM_INVALID_ID) dest[nd++] = orig[i];
    }
    uint32_t max_access = (uint32_t)llround(cfg->transit.max_access_min * 600.0);
    uint32_t max_egress = (uint32_t)llround(cfg->transit.max_egress_min * 600.0);
    uint32_t max_direct = (uint32_t)llround(cfg->transit.max_trip_min * 600.0);
    sim_egress_table eg = {0}, none = {0};
    omp_set_num_threads(1);
    t0 = now_s();
    if (sim_stoplinks_egress(walk->rev, stop_g, tt->n_stops, dest, nd, max_egress, &eg)) return 1;
    double egress_s = now_s() - t0;
    none.n_stops = tt->n_stops;
    none.n_dest = nd;
    none.first = calloc(tt->n_stops + 1, sizeof *none.first);
    sim_raptor_egress e_full = sim_egress_table_view(&eg), e_none = sim_egress_table_view(&none);

    sim_raptor_ws *ws = sim_raptor_ws_create(tt, nd, p.max_rides);
    sim_scratch *s = sim_scratch_create(walk->n_nodes);
    sim_raptor_access *acc = malloc(tt->n_stops * sizeof *acc);
    uint32_t *direct = malloc(nd * sizeof *direct);
    uint32_t *times = malloc((size_t)n_dep * nd * sizeof *times);
    uint32_t *scr = malloc(n_dep * sizeof *scr), *pct = malloc((size_t)nd * 8 * sizeof *pct);
    size_t ns = sample < no ? sample : no;
    double *a_ms = malloc(ns * sizeof *a_ms), *one_ms = malloc(ns * sizeof *one_ms);
    double *range_ms = malloc(ns * sizeof *range_ms), *plain_ms = malloc(ns * sizeof *plain_ms);
    double *noeg_ms = malloc(ns * sizeof *noeg_ms), *pct_ms = malloc(ns * sizeof *pct_ms);
    double sum_access = 0;
    size_t used = 0;
    for (size_t k = 0; k < ns; ++k) {
        uint32_t i = (uint32_t)(k * no / ns);
        if (orig[i] == SIM_INVALID_ID) continue;
        fprintf(stderr, "\r  per-origin queries (%zu/%zu)   ", k + 1, ns);
        sim_status st = SIM_OK;
        double a = now_s();
        uint32_t na = sim_stoplinks_access(walk->fwd, orig[i], stop_at, max_access, max_direct,
                                           dest, nd, s, acc, direct, &st);
        double b = now_s();
        sum_access += na;
        sim_raptor_params one = p;
        one.window_end_s = one.window_start_s + (int32_t)one.step_s;
        sim_raptor_query(tt, &one, acc, na, &e_full, NULL, ws, times);
        double c1 = now_s();
        sim_raptor_query(tt, &p, acc, na, &e_full, NULL, ws, times);
        double c2 = now_s();
        for (uint32_t d = 0; d < n_dep; ++d) {
            one.window_start_s = p.window_start_s + (int32_t)(d * p.step_s);
            one.window_end_s = one.window_start_s + (int32_t)p.step_s;
            sim_raptor_query(tt, &one, acc, na, &e_full, NULL, ws, times);
        }
        double c3 = now_s();
        sim_raptor_query(tt, &p, acc, na, &e_none, NULL, ws, times);
        double c4 = now_s();
        sim_raptor_query(tt, &p, acc, na, &e_full, NULL, ws, times);
        double c5 = now_s();
        sim_raptor_percentiles(times, n_dep, nd, cfg->transit.percentiles,
                               (uint32_t)cfg->transit.n_percentiles, scr, pct);
        double c6 = now_s();
        a_ms[used] = 1e3 * (b - a);
        one_ms[used] = 1e3 * (c1 - b);
        range_ms[used] = 1e3 * (c2 - c1);
        plain_ms[used] = 1e3 * (c3 - c2);
        noeg_ms[used] = 1e3 * (c4 - c3);
        pct_ms[used] = 1e3 * (c6 - c5);
        ++used;
    }
    fputs("\r", stderr);
    double r_total = 0, p_total = 0;
    for (size_t k = 0; k < used; ++k) {
        r_total += range_ms[k];
        p_total += plain_ms[k];
    }
    double m_a = median(a_ms, used), m_one = median(one_ms, used), m_range = median(range_ms, used);
    double m_plain = median(plain_ms, used), m_noeg = median(noeg_ms, used),
           m_pct = median(pct_ms, used);
    printf("\n### Per origin (%zu origins sampled evenly, to %u destinations, %u departures, "
           "1 thread; medians)\n\n| step | ms per origin |\n|---|---|\n",
           used, nd, n_dep);
    printf("| egress table, once for all origins (%u stop-destination walks) | %.1f (total) |\n",
           eg.first[eg.n_stops], 1e3 * egress_s);
    printf("| access + direct walks (one street search, %.0f stops in reach on average) | %.2f |\n",
           used ? sum_access / used : 0, m_a);
    printf("| one earliest-arrival query (one departure) | %.2f |\n", m_one);
    printf("| range-RAPTOR over the window | %.2f |\n", m_range);
    printf("| ... of which rounds (same query without egress) | %.2f |\n", m_noeg);
    printf("| ... of which propagation to destinations (difference) | %.2f |\n", m_range - m_noeg);
    printf("| plain RAPTOR, one query per departure | %.2f |\n", m_plain);
    printf("| percentiles (%zu) over the departures | %.2f |\n", cfg->transit.n_percentiles, m_pct);
    printf("\nrange-RAPTOR is %.1fx faster per departure minute than plain RAPTOR (sums over the "
           "sample: %.0f ms vs %.0f ms)\n",
           r_total > 0 ? p_total / r_total : NAN, r_total, p_total);

    /* ---- the reference job ------------------------------------------------------------------ */
    if (job) {
        printf("\n### Reference job: %zu x %u, %u departures, %zu percentiles (matrix --mode "
               "transit --to origins)\n\n| threads | wall s (best of %zu) | all runs |\n|---|---|---|\n",
               c->pop->n, nd, n_dep, cfg->transit.n_percentiles, reps);
        char *list = strdup(threads_list);
        for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
            int th = atoi(tok);
            if (th < 1) continue;
            omp_set_num_threads(th);
            double best = INFINITY;
            char all[256] = "";
            for (size_t r = 0; r < reps; ++r) {
                FILE *fp = fopen("/dev/null", "w");
                size_t n_src = 0;
                double a = now_s();
                if (scn_city_transit_matrix(c, 0, 1, NULL, 0, fp, &opts, &n_src, &err))
                    die("job", &err);
                double b = now_s() - a;
                fclose(fp);
                fputs("\r", stderr);
                best = fmin(best, b);
                size_t len = strlen(all);
                snprintf(all + len, sizeof all - len, "%s%.2f", r ? ", " : "", b);
            }
            printf("| %d | %.2f | %s |\n", th, best, all);
        }
        free(list);
    }
    printf("\npeak RSS of the benchmark process: %.0f MB\n", proc_mb("VmHWM:"));
    free(dest);
    free(orig);
    free(stop_at);
    sim_egress_table_free(&eg);
    free(none.first);
    sim_raptor_ws_destroy(ws);
    sim_scratch_destroy(s);
    free(acc);
    free(direct);
    free(times);
    free(scr);
    free(pct);
    free(a_ms);
    free(one_ms);
    free(range_ms);
    free(plain_ms);
    free(noeg_ms);
    free(pct_ms);
    scn_city_destroy(c);
    scn_config_destroy(cfg);
    sim_warnings_clear(&warn);
    return 0;
}
