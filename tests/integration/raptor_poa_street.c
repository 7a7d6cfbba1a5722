/*
 * Integration: range-RAPTOR with street-network walks on the real Porto Alegre scenario
 * (scenarios/examples/porto-alegre-transit.yaml: POA OSM, EPTC + Trensurb feeds, 2019-05-13)
 * equals the brute-force time-expanded reference (tests/sim/ref_timeexp.h).
 *
 * The city is loaded through the library exactly as the runner loads it (scn_config_load,
 * scn_city_load), from a temporary copy of the example whose data paths point at DATA_DIR.
 * Then, as scn_transit_run() does: egress walks from the stops to every service
 * (sim_stoplinks_egress at the configured egress bound) and, for 40 origins drawn over the list
 * by a fixed-seed PRNG, access walks (sim_stoplinks_access) and a range-RAPTOR query over the
 * first 30 minutes of the window (14:00-14:30) with the scenario's slack, trip limit and step.
 * Each origin uses one of the ride limits transit.max_rides .. 1 in turn. Both sides get the
 * same footpaths (the timetable's transfer arrays: the street-network transfers) and the same
 * access and egress lists; the reference is built from the raw trips of the same feeds and date
 * (those that can matter in the window), not from the timetable. Every (origin, departure,
 * service) travel time compared must be identical. The reference is slow (it explores every
 * event up to the trip limit, some 40 ms per departure here), so each origin is compared at
 * every third departure (RAPTOR still computes all 30), the first one rotating by origin.
 *
 * Also checked: the timetable's transfers are exactly sim_stoplinks_transfers() at the
 * configured transfer bound (the feeds have no transfers.txt), and walks follow the streets:
 * no transfer, access or egress walk is shorter than the straight line (WGS84 geodesic between
 * the stop, origin and service nodes) at the walking speed, allowing 1 s of rounding, and
 * most transfers are longer.
 *
 * usage: raptor_poa_street DATA_DIR EXAMPLE_YAML   (fails loudly when the files are missing)
 */
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "geo/crs.h"
#include "geo/geo.h"
#include "geo/gtfs.h"
#include "geo/network.h"
#include "scenarios/config.h"
#include "scenarios/runner.h"
#include "scenarios/runner_internal.h"
#include "scenarios/transit.h"
#include "sim/raptor.h"
#include "sim/ref_timeexp.h"
#include "sim/route.h"
#include "sim/stoplinks.h"
#include "sim/timetable.h"
#include "test_util.h"

#define N_ORIGINS 40
#define WINDOW_S 1800 /* 14:00-14:30 */
#define EXAMPLE_DATA "../../../shared/data"
#define DEP_STRIDE 3  /* each origin is compared at every DEP_STRIDE-th departure */
#define MAX_REPORT 10 /* mismatches printed */

/* A travel time that differs from the reference. */
typedef struct {
    int64_t dep;
    uint32_t dest, got, want;
} mismatch;

/* One sampled origin: its walks, and what the comparison found (written by one thread). */
typedef struct {
    size_t origin;
    uint32_t node, max_rides, n_acc;
    sim_raptor_access *acc;
    uint32_t *direct_ds;
    sim_status query_rc;
    uint64_t compared, reachable, beats_walk, n_bad;
    mismatch bad[MAX_REPORT];
} origin_run;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Minutes to deciseconds of the walking graph, as scenarios/transit.c converts its bounds. */
static uint32_t min_to_ds(double min) { return (uint32_t)llround(min * 600.0); }

/* Writes a copy of the example YAML with EXAMPLE_DATA replaced by `data` (absolute) into the
 * folder `dir`; returns the copy's path in `out`, or NULL with a message. */
static char *write_scenario(const char *example, const char *data, const char *dir, char *out,
                            size_t size) {
    char *text = tu_read_file(example);
    if (!text) {
        fprintf(stderr, "FAIL: example scenario missing: %s\n", example);
        return NULL;
    }
    size_t n_hits = 0, la = strlen(EXAMPLE_DATA), lb = strlen(data);
    for (const char *p = text; (p = strstr(p, EXAMPLE_DATA)); p += la) ++n_hits;
    if (!n_hits) {
        fprintf(stderr, "FAIL: %s does not refer to %s, so it cannot be pointed at %s\n", example,
                EXAMPLE_DATA, data);
        free(text);
        return NULL;
    }
    char *copy = malloc(strlen(text) + n_hits * lb + 1), *w = copy;
    if (!copy) exit(2);
    for (const char *p = text, *q; *p; p = q + la) {
        if (!(q = strstr(p, EXAMPLE_DATA))) {
            strcpy(w, p);
            w += strlen(p);
            break;
        }
        memcpy(w, p, (size_t)(q - p));
        w += q - p;
        memcpy(w, data, lb);
        w += lb;
    }
    *w = '\0';
    tu_write_file(dir, "porto-alegre-transit.yaml", copy, out, size);
    free(copy);
    free(text);
    return out;
}

static int file_exists(const char *dir, const char *name) {
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *fp = fopen(p, "rb");
    if (!fp) {
        fprintf(stderr,
                "FAIL: integration data missing: %s does not exist. This test needs the shared "
                "real data (Porto Alegre sample): configure with -DACCESSIM_SHARED_DATA=<folder "
                "holding poa/>, or skip it with `ctest -LE integration`.\n",
                p);
        return 0;
    }
    fclose(fp);
    return 1;
}

static int cmp_transfer(const void *a, const void *b) {
    const sim_transfer *x = a, *y = b;
    if (x->from != y->from) return x->from < y->from ? -1 : 1;
    return (x->to > y->to) - (x->to < y->to);
}

/* Walk of `walk_s` seconds between graph nodes a and b against the straight line: returns
 * 1 if it is strictly longer than the straight line (beyond the 1 s rounding), 0 if about equal;
 * fails the check if it is shorter. */
static int vs_straight(const geo_network *net, const geo_mode_graph *walk, uint32_t a, uint32_t b,
                       uint32_t walk_s, double speed_mps, const char *what, double *worst_s) {
    uint32_t u = walk->node_of[a], v = walk->node_of[b];
    double crow_s = geo_geodesic_m(net->lon[u], net->lat[u], net->lon[v], net->lat[v]) / speed_mps;
    double slack_s = (double)walk_s - crow_s;
    if (slack_s < *worst_s) *worst_s = slack_s;
    if (slack_s < -1.0) {
        CHECK_FAIL_("%s walk %u s between graph nodes %u and %u is shorter than the straight "
                    "line (%.2f s at %.3f m/s)",
                    what, walk_s, a, b, crow_s, speed_mps);
    }
    return slack_s > 1.0;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: raptor_poa_street DATA_DIR EXAMPLE_YAML\n");
        return 2;
    }
    double t_start = now_s();
    const char *need[] = {"poa/poa_osm.pbf", "poa/poa_eptc.zip", "poa/poa_trensurb.zip",
                          "poa/poa_hexgrid.csv"};
    for (size_t i = 0; i < sizeof need / sizeof *need; ++i)
        if (!file_exists(argv[1], need[i])) return 1;
    char data[PATH_MAX], dir[PATH_MAX], yaml[PATH_MAX];
    if (!realpath(argv[1], data)) {
        fprintf(stderr, "FAIL: cannot resolve %s\n", argv[1]);
        return 1;
    }
    if (!tu_temp_dir("raptor_poa_street", dir, sizeof dir)) return 1;
    if (!write_scenario(argv[2], data, dir, yaml, sizeof yaml)) {
        tu_remove_tree(dir);
        return 1;
    }

    /* ---- the city, as the runner loads it ---------------------------------------------------- */
    geo_init();
    sim_error err = {0};
    sim_warnings warn = {0};
    scn_config *cfg = NULL;
    scn_city *c = NULL;
    sim_status cfg_rc = scn_config_load(yaml, &cfg, &err);
    /* the config holds resolved (absolute) paths: the copy is no longer needed */
    CHECK(tu_remove_tree(dir) == 0);
    if (cfg_rc || !cfg->transit.set) {
        fprintf(stderr, "FAIL: %s: %s\n", yaml, cfg ? "no transit block" : err.msg);
        scn_config_destroy(cfg);
        return 1;
    }
    scn_run_opts opts = {.progress = NULL, .progress_ud = NULL, .threads = 0};
    if (scn_city_load(cfg, &opts, &c, &warn, &err)) {
        fprintf(stderr, "FAIL: cannot load the Porto Alegre transit scenario: %s\n", err.msg);
        scn_config_destroy(cfg);
        sim_warnings_clear(&warn);
        return 1;
    }
    double t_loaded = now_s();
    const sim_timetable *tt = scn_transit_timetable(c->transit);
    const uint32_t *stop_g = scn_transit_stop_graph_nodes(c->transit);
    const geo_mode_graph *walk = c->mg[GEO_MODE_WALK];
    const sim_raptor_params cprm = scn_transit_params(c->transit);
    CHECK(tt != NULL && stop_g != NULL && walk != NULL);
    if (!tt || !stop_g || !walk) return CHECK_DONE();
    const uint32_t ns = tt->n_stops, nn = walk->n_nodes;
    const double speed_mps = cfg->profile.walk_kmh / 3.6;
    const uint32_t max_access_ds = min_to_ds(cfg->transit.max_access_min);
    const uint32_t max_egress_ds = min_to_ds(cfg->transit.max_egress_min);
    const uint32_t max_transfer_ds = min_to_ds(cfg->transit.max_transfer_min);
    const uint32_t max_direct_ds = min_to_ds(cfg->transit.max_trip_min);

    /* stops on the walking graph: distinct nodes, and the inverse map the runner uses */
    uint32_t *stop_at = malloc(nn * sizeof *stop_at);
    if (!stop_at) exit(2);
    memset(stop_at, 0xff, nn * sizeof *stop_at);
    uint32_t linked = 0;
    for (uint32_t s = 0; s < ns; ++s) {
        if (stop_g[s] == SIM_INVALID_ID) continue;
        CHECK(stop_g[s] < nn && stop_at[stop_g[s]] == SIM_INVALID_ID);
        if (stop_g[s] < nn) stop_at[stop_g[s]] = s;
        ++linked;
    }

    /* the raw trips of the same feeds and date, for the reference */
    geo_gtfs *gtfs = NULL;
    if (geo_gtfs_load((const char *const *)cfg->transit.feeds, cfg->transit.n_feeds,
                      cfg->transit.date, NULL, &gtfs, &err)) {
        fprintf(stderr, "FAIL: cannot load the feeds again: %s\n", err.msg);
        return 1;
    }
    size_t n_trips = geo_gtfs_trip_count(gtfs), raw_times = 0, n_feed_xf = 0;
    const sim_trip *trips = geo_gtfs_trips(gtfs);
    for (size_t j = 0; j < n_trips; ++j) raw_times += trips[j].n_stops;
    CHECK_EQ_U32(geo_gtfs_stop_count(gtfs), ns);
    CHECK_EQ_INT(raw_times, tt->n_stop_times);
    for (uint32_t s = 0; s < ns && s < geo_gtfs_stop_count(gtfs); ++s)
        if (strcmp(geo_gtfs_stops(gtfs)[s].id, scn_transit_stop_id(c->transit, s)) != 0) {
            CHECK_STR_EQ(geo_gtfs_stops(gtfs)[s].id, scn_transit_stop_id(c->transit, s));
            break;
        }
    geo_gtfs_transfers(gtfs, &n_feed_xf);

    /* footpaths: the timetable's transfer arrays, and they are the street walks */
    size_t n_xf = tt->transfer_first[ns];
    sim_transfer *xf = malloc((n_xf ? n_xf : 1) * sizeof *xf);
    if (!xf) exit(2);
    for (uint32_t s = 0; s < ns; ++s)
        for (uint32_t k = tt->transfer_first[s]; k < tt->transfer_first[s + 1]; ++k)
            xf[k] = (sim_transfer){s, tt->transfer_to[k], tt->transfer_walk_s[k]};
    sim_transfer *street = NULL;
    size_t n_street = 0;
    CHECK_EQ_INT(
        sim_stoplinks_transfers(walk->fwd, stop_g, ns, max_transfer_ds, &street, &n_street),
        SIM_OK);
    if (n_feed_xf == 0) { /* no transfers.txt: every footpath is a street walk and vice versa */
        CHECK_EQ_INT(n_street, n_xf);
        size_t diff = 0;
        for (size_t k = 0; k < n_street && k < n_xf; ++k)
            diff += cmp_transfer(&street[k], &xf[k]) != 0 || street[k].walk_s != xf[k].walk_s;
        CHECK_EQ_INT(diff, 0);
    }
    free(street);

    /* egress to the services, as scn_transit_run() */
    uint32_t n_dest = (uint32_t)c->n_svc;
    uint32_t *dest_g = malloc((n_dest ? n_dest : 1) * sizeof *dest_g);
    if (!dest_g) exit(2);
    for (uint32_t d = 0; d < n_dest; ++d)
        dest_g[d] =
            c->svc_node[d] == SIM_INVALID_ID ? SIM_INVALID_ID : walk->graph_of[c->svc_node[d]];
    sim_egress_table eg = {0};
    CHECK_EQ_INT(sim_stoplinks_egress(walk->rev, stop_g, ns, dest_g, n_dest, max_egress_ds, &eg),
                 SIM_OK);
    const sim_raptor_egress egress = sim_egress_table_view(&eg);
    CHECK_EQ_INT(sim_raptor_egress_validate(&egress, ns), SIM_OK);

    printf("Porto Alegre transit scenario: %u stops (%u on the walking graph of %u nodes), %zu "
           "trips, %u routes, %zu street footpaths, %u services, %zu origins; loaded in %.1f s\n",
           ns, linked, nn, n_trips, tt->n_routes, n_xf, n_dest, c->pop->n, t_loaded - t_start);

    /* ---- walks are never shorter than the straight line ---------------------------------- */
    size_t longer_xf = 0, longer_acc = 0, longer_eg = 0;
    double worst_xf = INFINITY, worst_acc = INFINITY, worst_eg = INFINITY;
    for (size_t k = 0; k < n_xf; ++k)
        longer_xf += vs_straight(c->net, walk, stop_g[xf[k].from], stop_g[xf[k].to], xf[k].walk_s,
                                 speed_mps, "transfer", &worst_xf);
    for (uint32_t s = 0; s < ns; ++s)
        for (uint32_t e = eg.first[s]; e < eg.first[s + 1]; ++e)
            longer_eg += vs_straight(c->net, walk, stop_g[s], dest_g[eg.dest[e]], eg.walk_s[e],
                                     speed_mps, "egress", &worst_eg);
    CHECK(n_xf > 1000 && longer_xf > n_xf / 2); /* streets are not straight lines */
    CHECK(eg.first[ns] > 1000 && longer_eg > eg.first[ns] / 2);

    /* ---- the origins and their access walks ------------------------------------------------ */
    size_t n_orig = c->pop->n;
    origin_run *runs = calloc(N_ORIGINS, sizeof *runs);
    sim_scratch *scr = sim_scratch_create(nn);
    if (!runs || !scr) exit(2);
    uint64_t rng = 20190513u;
    uint32_t n_origins = 0;
    uint64_t n_access = 0;
    for (uint32_t q = 0; q < N_ORIGINS; ++q) {
        /* one origin in each of N_ORIGINS blocks of the list: the first on the walking graph
         * from a random position in its block */
        size_t lo = q * n_orig / N_ORIGINS, hi = (q + 1) * n_orig / N_ORIGINS;
        if (hi <= lo) continue;
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        size_t i = lo + (size_t)((rng >> 33) % (hi - lo));
        uint32_t og = SIM_INVALID_ID;
        for (size_t tries = 0; tries < hi - lo; ++tries, i = i + 1 < hi ? i + 1 : lo) {
            uint32_t v = c->origin_node[i];
            if (v != SIM_INVALID_ID && (og = walk->graph_of[v]) != SIM_INVALID_ID) break;
        }
        if (og == SIM_INVALID_ID) continue;
        origin_run *o = &runs[n_origins++];
        o->origin = i;
        o->node = og;
        o->max_rides = cprm.max_rides - q % cprm.max_rides; /* max_rides, ..., 1, max_rides .. */
        o->acc = malloc(ns * sizeof *o->acc);
        o->direct_ds = malloc((n_dest ? n_dest : 1) * sizeof *o->direct_ds);
        if (!o->acc || !o->direct_ds) exit(2);
        sim_status rc = SIM_EINTERNAL;
        o->n_acc = sim_stoplinks_access(walk->fwd, og, stop_at, max_access_ds, max_direct_ds,
                                        dest_g, n_dest, scr, o->acc, o->direct_ds, &rc);
        CHECK_EQ_INT(rc, SIM_OK);
        n_access += o->n_acc;
        for (uint32_t a = 0; a < o->n_acc; ++a)
            longer_acc += vs_straight(c->net, walk, og, stop_g[o->acc[a].stop], o->acc[a].walk_s,
                                      speed_mps, "access", &worst_acc);
    }
    sim_scratch_destroy(scr);
    printf("walks vs straight line at %.3f m/s: %zu transfers (%zu longer by > 1 s, least "
           "slack %.2f s), %zu egress (%zu longer, %.2f s), %" PRIu64
           " access (%zu longer, %.2f s)\n",
           speed_mps, n_xf, longer_xf, worst_xf, (size_t)eg.first[ns], longer_eg, worst_eg,
           n_access, longer_acc, worst_acc);

    /* ---- RAPTOR against the reference, origins in parallel (a reference per thread) -------- */
    sim_raptor_params prm = cprm;
    prm.window_end_s = prm.window_start_s + WINDOW_S;
    const uint32_t nd = sim_raptor_departure_count(&prm);
    /* The reference explores every event it can reach, to the end of the day: give it only the
     * trips that can matter. A trip that has arrived at its last stop before the window opens
     * cannot be boarded (boarding is at or after the departure), and one that leaves its first
     * stop after the window's last departure + max_trip_s only reaches stops later than any
     * travel time kept. RAPTOR gets the full timetable. */
    sim_trip *ref_trips = malloc((n_trips ? n_trips : 1) * sizeof *ref_trips);
    if (!ref_trips) exit(2);
    size_t n_ref_trips = 0;
    for (size_t j = 0; j < n_trips; ++j) {
        const sim_trip *t = &trips[j];
        if (t->n_stops == 0 || t->arr_s[t->n_stops - 1] < prm.window_start_s ||
            (int64_t)t->dep_s[0] > (int64_t)prm.window_end_s + prm.max_trip_s)
            continue;
        ref_trips[n_ref_trips++] = *t;
    }
    int setup_failed = 0;
    double t_cmp = now_s();
#pragma omp parallel
    {
        ref_te *ref = ref_te_build(ref_trips, n_ref_trips, xf, n_xf, ns, cprm.board_slack_s);
        sim_raptor_ws *ws = sim_raptor_ws_create(tt, n_dest, cprm.max_rides);
        size_t n_times = (size_t)nd * n_dest;
        uint32_t *times = malloc((n_times ? n_times : 1) * sizeof *times);
        int64_t *arr = malloc(ns * sizeof *arr);
        int64_t *best = malloc((n_dest ? n_dest : 1) * sizeof *best);
        int ok = ref && ws && times && arr && best;
        if (!ok) {
#pragma omp atomic write
            setup_failed = 1;
        }
#pragma omp for schedule(dynamic, 1)
        for (int64_t qi = 0; qi < (int64_t)n_origins; ++qi) {
            origin_run *o = &runs[qi];
            if (!ok) continue;
            sim_raptor_params p = prm;
            p.max_rides = o->max_rides;
            o->query_rc = sim_raptor_query(tt, &p, o->acc, o->n_acc, &egress, NULL, ws, times);
            if (o->query_rc) continue;
            /* every DEP_STRIDE-th departure against the reference, from a different first one
             * for consecutive origins: every minute of the window is checked for some */
            for (uint32_t k = (uint32_t)qi % DEP_STRIDE; k < nd; k += DEP_STRIDE) {
                int64_t dep = p.window_start_s + (int64_t)k * p.step_s;
                ref_te_earliest(ref, o->acc, o->n_acc, dep, p.max_rides, arr);
                for (uint32_t d = 0; d < n_dest; ++d) best[d] = REF_TE_NONE;
                for (uint32_t s = 0; s < ns; ++s) {
                    if (arr[s] == REF_TE_NONE) continue;
                    for (uint32_t e = eg.first[s]; e < eg.first[s + 1]; ++e)
                        if (arr[s] + eg.walk_s[e] < best[eg.dest[e]])
                            best[eg.dest[e]] = arr[s] + eg.walk_s[e];
                }
                for (uint32_t d = 0; d < n_dest; ++d) {
                    uint32_t want = SIM_UNREACHABLE;
                    if (best[d] != REF_TE_NONE && best[d] - dep <= (int64_t)p.max_trip_s)
                        want = (uint32_t)(best[d] - dep);
                    uint32_t got = times[(size_t)k * n_dest + d];
                    ++o->compared;
                    if (want != SIM_UNREACHABLE) {
                        ++o->reachable;
                        /* the runner keeps the direct walk (deciseconds) where it is faster */
                        o->beats_walk += (uint64_t)want * 10 < o->direct_ds[d];
                    }
                    if (got != want && o->n_bad++ < MAX_REPORT)
                        o->bad[o->n_bad - 1] = (mismatch){dep, d, got, want};
                }
            }
        }
        free(best);
        free(arr);
        free(times);
        sim_raptor_ws_destroy(ws);
        ref_te_free(ref);
    }
    t_cmp = now_s() - t_cmp;
    CHECK(!setup_failed);

    uint64_t compared = 0, reachable = 0, beats_walk = 0, mismatches = 0;
    for (uint32_t qi = 0; qi < n_origins; ++qi) {
        const origin_run *o = &runs[qi];
        CHECK_EQ_INT(o->query_rc, SIM_OK);
        compared += o->compared;
        reachable += o->reachable;
        beats_walk += o->beats_walk;
        for (uint32_t b = 0; b < o->n_bad && b < MAX_REPORT && mismatches + b < MAX_REPORT; ++b)
            fprintf(stderr,
                    "FAIL: origin %s (walking-graph node %u, %u access stops) departing %" PRId64
                    " s with at most %u rides to service %s: raptor %u s, reference %u s\n",
                    c->pop->id[o->origin], o->node, o->n_acc, o->bad[b].dep, o->max_rides,
                    c->svc_id[o->bad[b].dest], o->bad[b].got, o->bad[b].want);
        mismatches += o->n_bad;
    }
    printf("%u origins x %u departures (window start + 30 min; 1 in %d checked per origin) x "
           "%u services: %" PRIu64 " travel times compared, %" PRIu64
           " reachable by transit (%" PRIu64 " faster than the direct walk), %" PRIu64
           " mismatches; reference on %zu trips; "
           "comparison %.1f s, total %.1f s\n",
           n_origins, nd, DEP_STRIDE, n_dest, compared, reachable, beats_walk, mismatches,
           n_ref_trips, t_cmp, now_s() - t_start);
    CHECK_EQ_INT(n_origins, N_ORIGINS);
    CHECK_EQ_INT(mismatches, 0);
    CHECK(reachable > compared / 10); /* not a vacuous pass */
    CHECK(beats_walk > 0);

    for (uint32_t qi = 0; qi < n_origins; ++qi) {
        free(runs[qi].acc);
        free(runs[qi].direct_ds);
    }
    free(runs);
    free(ref_trips);
    sim_egress_table_free(&eg);
    free(dest_g);
    free(xf);
    free(stop_at);
    geo_gtfs_destroy(gtfs);
    scn_city_destroy(c);
    scn_config_destroy(cfg);
    sim_warnings_clear(&warn);
    return CHECK_DONE();
}
