/*
 * Integration: range-RAPTOR on the real Porto Alegre feeds (poa_eptc.zip + poa_trensurb.zip,
 * 2019-05-13, departures 13:45-14:15 every minute) equals the brute-force time-expanded
 * reference (tests/sim/ref_timeexp.h, built from the raw trips) for every destination stop, at
 * every departure minute, from 40 origin stops drawn by a fixed-seed PRNG, with 0 to 4 rides.
 *
 * Footpaths: both sides get the same transfers, here every pair of stops within 300 m straight
 * line, walked at 1.25 m/s. They stand in for the street-network footpaths of the runner: what
 * this test checks is the routing on the real timetable (interpolated times, two feeds,
 * overtaking trips), not the footpaths.
 * usage: raptor_poa DATA_DIR   (fails loudly when the files are missing)
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "geo/geo.h"
#include "geo/gtfs.h"
#include "sim/raptor.h"
#include "sim/ref_timeexp.h"
#include "sim/timetable.h"

static double dist_m(const geo_gtfs_stop *a, const geo_gtfs_stop *b) {
    const double r = 6371008.8, d2r = 3.14159265358979323846 / 180.0;
    double dlat = (b->lat - a->lat) * d2r, dlon = (b->lon - a->lon) * d2r;
    double h = sin(dlat / 2) * sin(dlat / 2) +
               cos(a->lat * d2r) * cos(b->lat * d2r) * sin(dlon / 2) * sin(dlon / 2);
    return 2 * r * asin(sqrt(h));
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: raptor_poa DATA_DIR\n");
        return 2;
    }
    geo_init();
    char p1[4096], p2[4096];
    snprintf(p1, sizeof p1, "%s/poa/poa_eptc.zip", argv[1]);
    snprintf(p2, sizeof p2, "%s/poa/poa_trensurb.zip", argv[1]);
    const char *paths[2] = {p1, p2};
    sim_warnings warn = {0};
    sim_error err = {0};
    geo_gtfs *g = NULL;
    if (geo_gtfs_load(paths, 2, "2019-05-13", &warn, &g, &err)) {
        fprintf(stderr, "FAIL: cannot load the Porto Alegre feeds: %s\n", err.msg);
        return 1;
    }
    uint32_t ns = geo_gtfs_stop_count(g);
    const geo_gtfs_stop *st = geo_gtfs_stops(g);
    size_t nt = geo_gtfs_trip_count(g);
    const sim_trip *trips = geo_gtfs_trips(g);

    /* footpaths: stops within 300 m, both directions (a grid would be faster; n is 4,000) */
    size_t nx = 0, cap = 1024;
    sim_transfer *xf = malloc(cap * sizeof *xf);
    for (uint32_t a = 0; a < ns; ++a)
        for (uint32_t b = 0; b < ns; ++b) {
            if (a == b || fabs(st[a].lat - st[b].lat) > 0.003) continue;
            double d = dist_m(&st[a], &st[b]);
            if (d > 300.0) continue;
            if (nx == cap) xf = realloc(xf, (cap *= 2) * sizeof *xf);
            xf[nx++] = (sim_transfer){a, b, (uint32_t)lround(d / 1.25)};
        }
    sim_timetable *tt = NULL;
    CHECK(sim_timetable_build(ns, trips, nt, xf, nx, &tt) == SIM_OK);
    ref_te *ref = ref_te_build(trips, nt, xf, nx, ns, 0);
    CHECK(tt != NULL && ref != NULL);
    printf("Porto Alegre 2019-05-13: %u stops, %zu trips, %u routes, %zu footpaths\n", ns, nt,
           tt ? tt->n_routes : 0, nx);

    /* destinations = the stops themselves, reached with no egress walk */
    uint32_t *first = malloc((ns + 1) * sizeof *first), *dest = malloc(ns * sizeof *dest);
    uint32_t *walk = calloc(ns, sizeof *walk);
    for (uint32_t s = 0; s <= ns; ++s) first[s] = s;
    for (uint32_t s = 0; s < ns; ++s) dest[s] = s;
    sim_raptor_egress eg = {ns, ns, first, dest, walk};
    sim_raptor_params prm = sim_raptor_params_default();
    prm.window_start_s = 13 * 3600 + 45 * 60;
    prm.window_end_s = 14 * 3600 + 15 * 60;
    uint32_t nd = sim_raptor_departure_count(&prm);
    uint32_t *times = malloc((size_t)nd * ns * sizeof *times);
    int64_t *arr = malloc(ns * sizeof *arr);
    sim_raptor_ws *ws = sim_raptor_ws_create(tt, ns, 4);
    CHECK(ws != NULL);
    uint64_t rng = 20190513u, compared = 0, reachable = 0, mismatches = 0;
    for (int q = 0; q < 40 && tt && ref && ws; ++q) {
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        uint32_t origin = (uint32_t)((rng >> 33) % ns);
        prm.max_rides = (uint32_t)(q % 5); /* 0..4 rides */
        sim_raptor_access acc = {origin, 0};
        CHECK(sim_raptor_query(tt, &prm, &acc, 1, &eg, NULL, ws, times) == SIM_OK);
        for (uint32_t i = 0; i < nd; ++i) {
            int64_t dep = prm.window_start_s + (int64_t)i * prm.step_s;
            ref_te_earliest(ref, &acc, 1, dep, prm.max_rides, arr);
            for (uint32_t s = 0; s < ns; ++s) {
                uint32_t want = SIM_UNREACHABLE;
                if (arr[s] != REF_TE_NONE && arr[s] - dep <= (int64_t)prm.max_trip_s)
                    want = (uint32_t)(arr[s] - dep);
                uint32_t got = times[(size_t)i * ns + s];
                ++compared;
                reachable += want != SIM_UNREACHABLE;
                if (got != want && ++mismatches <= 10)
                    fprintf(stderr, "FAIL: origin %s dep %" PRId64 " rides %u to %s: raptor %u, "
                            "reference %u\n", st[origin].id, dep, prm.max_rides, st[s].id, got,
                            want);
            }
        }
    }
    printf("%" PRIu64 " (origin, departure, stop) travel times compared, %" PRIu64
           " reachable, %" PRIu64 " mismatches\n", compared, reachable, mismatches);
    CHECK(mismatches == 0);
    CHECK(reachable > compared / 50); /* not a vacuous pass */
    sim_raptor_ws_destroy(ws);
    ref_te_free(ref);
    sim_timetable_destroy(tt);
    geo_gtfs_destroy(g);
    sim_warnings_clear(&warn);
    free(xf);
    free(first);
    free(dest);
    free(walk);
    free(times);
    free(arr);
    return CHECK_DONE();
}
