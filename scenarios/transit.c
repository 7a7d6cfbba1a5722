/*
 * accessim — public transit in a scenario (see transit.h and docs/TRANSIT.md).
 */
#include "scenarios/transit.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "geo/gtfs.h"
#include "sim/route.h"
#include "sim/stoplinks.h"

struct scn_transit {
    const scn_config *cfg;
    geo_gtfs *gtfs;
    uint32_t n_stops;
    double *x, *y, *lon, *lat;

    /* after scn_transit_link */
    uint32_t n_graph_nodes;
    uint32_t *stop_graph_node; /* walking-graph node per stop, SIM_INVALID_ID if not linked */
    uint32_t *stop_at_node;    /* walking-graph node -> stop, SIM_INVALID_ID if none */
    sim_timetable *tt;
    size_t stops_linked, street_transfers, feed_transfers, forbidden_dropped, transfers;

    sim_raptor_params params;
    uint32_t max_access_ds, max_egress_ds, max_transfer_ds, max_direct_ds;
};

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Minutes of walking to deciseconds of the walking graph. */
static uint32_t min_to_ds(double min) {
    double ds = min * 600.0;
    return ds >= (double)(SIM_UNREACHABLE - 1) ? SIM_UNREACHABLE - 1 : (uint32_t)llround(ds);
}

void scn_transit_destroy(scn_transit *t) {
    if (!t) return;
    geo_gtfs_destroy(t->gtfs);
    free(t->x);
    free(t->y);
    free(t->lon);
    free(t->lat);
    free(t->stop_graph_node);
    free(t->stop_at_node);
    sim_timetable_destroy(t->tt);
    free(t);
}

/* A feed's default name: its file or folder name without ".zip", at path[*start .. + *len]. */
static void feed_base(const char *path, size_t *start, size_t *len) {
    size_t end = strlen(path);
    while (end > 1 && path[end - 1] == '/') --end;
    size_t b = end;
    while (b > 0 && path[b - 1] != '/') --b;
    size_t n = end - b;
    if (n > 4 && strncasecmp(path + end - 4, ".zip", 4) == 0) n -= 4;
    *start = b;
    *len = n;
}

sim_status scn_transit_load(const scn_config *cfg, const geo_crs *crs, sim_warnings *warn,
                            scn_transit **out, sim_error *err) {
    *out = NULL;
    scn_transit *t = calloc(1, sizeof *t);
    if (!t) return sim_error_set(err, SIM_ENOMEM, "transit");
    t->cfg = cfg;
    /* Ids are namespaced by feed name: the file or folder name without ".zip". Two feeds with
     * one name (city/gtfs and region/gtfs) get "_2", "_3" ... in file order. */
    size_t nfeeds = cfg->transit.n_feeds;
    char **names = calloc(nfeeds, sizeof *names);
    sim_status rc = names ? SIM_OK : sim_error_set(err, SIM_ENOMEM, "transit");
    for (size_t f = 0; !rc && f < nfeeds; ++f) {
        size_t b, n;
        feed_base(cfg->transit.feeds[f], &b, &n);
        unsigned same = 1; /* feeds before this one with the same base name, plus one */
        for (size_t e = 0; e < f; ++e) {
            size_t eb, en;
            feed_base(cfg->transit.feeds[e], &eb, &en);
            same += en == n && strncmp(cfg->transit.feeds[e] + eb, cfg->transit.feeds[f] + b, n) == 0;
        }
        char name[300];
        if (same > 1) snprintf(name, sizeof name, "%.*s_%u", (int)n, cfg->transit.feeds[f] + b, same);
        else snprintf(name, sizeof name, "%.*s", (int)n, cfg->transit.feeds[f] + b);
        if (!(names[f] = strdup(name))) rc = sim_error_set(err, SIM_ENOMEM, "transit");
    }
    if (!rc)
        rc = geo_gtfs_load_named((const char *const *)cfg->transit.feeds,
                                 (const char *const *)names, nfeeds, cfg->transit.date, warn,
                                 &t->gtfs, err);
    for (size_t f = 0; names && f < nfeeds; ++f) free(names[f]);
    free(names);
    if (rc && err && rc != SIM_ENOMEM) {
        /* point at the scenario too: the feed's own message names file, line and column */
        char msg[sizeof err->msg];
        snprintf(msg, sizeof msg, "%s", err->msg);
        sim_error_set(err, rc, "%s (transit: at %s:%d:%d)", msg, cfg->path, cfg->transit.mark.line,
                      cfg->transit.mark.col);
    }
    if (rc) goto fail;
    /* A date the calendars cover but on which nothing runs is an error too: every transit
     * result would be "walk only" without saying why. */
    size_t nf = 0;
    const geo_gtfs_feed_info *fi = geo_gtfs_feeds(t->gtfs, &nf);
    if (geo_gtfs_trip_count(t->gtfs) == 0) {
        rc = sim_error_set(err, SIM_EINVAL,
                           "%s:%d:%d: transit.date %s: no trip of %s%s runs on that date "
                           "(calendar %s to %s); choose a date with service",
                           cfg->path, cfg->transit.date_mark.line, cfg->transit.date_mark.col,
                           cfg->transit.date, nf > 1 ? "any feed, e.g. " : "", fi[0].path,
                           fi[0].first_date, fi[0].last_date);
        goto fail;
    }
    for (size_t f = 0; f < nf; ++f)
        if (fi[f].counts.trips == 0)
            sim_warnings_add(warn, "transit feed with no trip on the service date", "%s (%s)",
                             fi[f].path, cfg->transit.date);
    t->n_stops = geo_gtfs_stop_count(t->gtfs);
    size_t n1 = t->n_stops ? t->n_stops : 1;
    t->x = malloc(n1 * sizeof *t->x);
    t->y = malloc(n1 * sizeof *t->y);
    t->lon = malloc(n1 * sizeof *t->lon);
    t->lat = malloc(n1 * sizeof *t->lat);
    if (!t->x || !t->y || !t->lon || !t->lat) {
        rc = sim_error_set(err, SIM_ENOMEM, "transit stops");
        goto fail;
    }
    const geo_gtfs_stop *st = geo_gtfs_stops(t->gtfs);
    for (uint32_t s = 0; s < t->n_stops; ++s) {
        t->x[s] = t->lon[s] = st[s].lon;
        t->y[s] = t->lat[s] = st[s].lat;
    }
    if ((rc = geo_crs_forward(crs, t->x, t->y, t->n_stops, err))) goto fail;

    const scn_config *c = cfg;
    t->params = sim_raptor_params_default();
    t->params.window_start_s = c->transit.window_start_s;
    t->params.window_end_s = c->transit.window_end_s;
    t->params.step_s = c->transit.step_s;
    t->params.max_rides = c->transit.max_rides;
    t->params.max_trip_s = (uint32_t)llround(c->transit.max_trip_min * 60.0);
    t->params.board_slack_s = c->transit.board_slack_s;
    t->max_access_ds = min_to_ds(c->transit.max_access_min);
    t->max_egress_ds = min_to_ds(c->transit.max_egress_min);
    t->max_transfer_ds = min_to_ds(c->transit.max_transfer_min);
    t->max_direct_ds = min_to_ds(c->transit.max_trip_min);
    *out = t;
    return SIM_OK;
fail:
    scn_transit_destroy(t);
    return rc;
}

uint32_t scn_transit_stop_count(const scn_transit *t) { return t->n_stops; }
size_t scn_transit_trip_count(const scn_transit *t) { return geo_gtfs_trip_count(t->gtfs); }

void scn_transit_stop_coords(const scn_transit *t, const double **x, const double **y,
                             const double **lon, const double **lat) {
    *x = t->x;
    *y = t->y;
    *lon = t->lon;
    *lat = t->lat;
}

const char *scn_transit_stop_id(const scn_transit *t, uint32_t s) {
    return geo_gtfs_stops(t->gtfs)[s].id;
}

const sim_timetable *scn_transit_timetable(const scn_transit *t) { return t->tt; }
const uint32_t *scn_transit_stop_graph_nodes(const scn_transit *t) { return t->stop_graph_node; }
sim_raptor_params scn_transit_params(const scn_transit *t) { return t->params; }

/* A transfer with where it came from: 0 = transfers.txt (wins), 1 = the street network. */
typedef struct {
    sim_transfer tr;
    int source;
} tagged_transfer;

static int cmp_tagged(const void *a, const void *b) {
    const tagged_transfer *x = a, *y = b;
    if (x->tr.from != y->tr.from) return x->tr.from < y->tr.from ? -1 : 1;
    if (x->tr.to != y->tr.to) return x->tr.to < y->tr.to ? -1 : 1;
    return x->source - y->source;
}

static int cmp_pair(const void *a, const void *b) {
    const sim_transfer *x = a, *y = b;
    if (x->from != y->from) return x->from < y->from ? -1 : 1;
    return x->to < y->to ? -1 : x->to > y->to;
}

sim_status scn_transit_link(scn_transit *t, const geo_mode_graph *walk,
                            const uint32_t *stop_net_node, sim_warnings *warn, sim_error *err) {
    sim_status rc = SIM_OK;
    uint32_t ns = t->n_stops, nn = walk->n_nodes;
    sim_transfer *street = NULL, *forbidden = NULL;
    tagged_transfer *all = NULL;
    sim_transfer *merged = NULL;
    size_t n_street = 0, n_feed = 0, n_forb = 0;
    t->n_graph_nodes = nn;
    t->stop_graph_node = malloc((ns ? ns : 1) * sizeof *t->stop_graph_node);
    t->stop_at_node = malloc((nn ? nn : 1) * sizeof *t->stop_at_node);
    if (!t->stop_graph_node || !t->stop_at_node) goto oom;
    memset(t->stop_at_node, 0xff, (size_t)nn * sizeof *t->stop_at_node);
    t->stops_linked = 0;
    size_t unlinked = 0;
    for (uint32_t s = 0; s < ns; ++s) {
        uint32_t v = stop_net_node[s];
        uint32_t g = v == SIM_INVALID_ID ? SIM_INVALID_ID : walk->graph_of[v];
        t->stop_graph_node[s] = g;
        if (g == SIM_INVALID_ID) {
            ++unlinked;
            continue;
        }
        t->stop_at_node[g] = s;
        ++t->stops_linked;
    }
    if (unlinked) {
        const geo_gtfs_stop *st = geo_gtfs_stops(t->gtfs);
        size_t shown = 0;
        for (uint32_t s = 0; s < ns && shown < 3; ++s)
            if (t->stop_graph_node[s] == SIM_INVALID_ID) {
                sim_warnings_add(warn,
                                 "transit stops beyond network.snap_distance_m of any walkable "
                                 "street (outside the street network?): no walking to or from "
                                 "them, only riding through",
                                 "%s (%.5f, %.5f)", st[s].id, st[s].lon, st[s].lat);
                ++shown;
            }
        if (unlinked > shown)
            sim_warnings_add_n(warn, unlinked - shown,
                               "transit stops beyond network.snap_distance_m of any walkable "
                               "street (outside the street network?): no walking to or from "
                               "them, only riding through",
                               NULL);
    }
    if ((rc = sim_stoplinks_transfers(walk->fwd, t->stop_graph_node, ns, t->max_transfer_ds,
                                      &street, &n_street))) {
        rc = sim_error_set(err, rc, "walking transfers between transit stops: %s",
                           sim_status_str(rc));
        goto done;
    }
    const sim_transfer *feed = geo_gtfs_transfers(t->gtfs, &n_feed);
    const sim_transfer *forb = geo_gtfs_forbidden_transfers(t->gtfs, &n_forb);
    if (n_forb) {
        if (!(forbidden = malloc(n_forb * sizeof *forbidden))) goto oom;
        memcpy(forbidden, forb, n_forb * sizeof *forbidden);
        qsort(forbidden, n_forb, sizeof *forbidden, cmp_pair);
    }
    size_t n_all = n_street + n_feed;
    all = malloc((n_all ? n_all : 1) * sizeof *all);
    merged = malloc((n_all ? n_all : 1) * sizeof *merged);
    if (!all || !merged) goto oom;
    for (size_t i = 0; i < n_feed; ++i) all[i] = (tagged_transfer){feed[i], 0};
    for (size_t i = 0; i < n_street; ++i) all[n_feed + i] = (tagged_transfer){street[i], 1};
    qsort(all, n_all, sizeof *all, cmp_tagged);
    /* Per stop pair: transfers.txt's min_transfer_time replaces the street walk (the operator
     * knows the station's passages and rules); of several feed rows the shortest; forbidden
     * pairs (transfer_type 3) get no walk at all. */
    size_t n = 0;
    t->forbidden_dropped = t->feed_transfers = t->street_transfers = 0;
    for (size_t i = 0; i < n_all;) {
        size_t j = i;
        uint32_t best = all[i].tr.walk_s;
        while (j < n_all && all[j].tr.from == all[i].tr.from && all[j].tr.to == all[i].tr.to) {
            if (all[j].source == all[i].source && all[j].tr.walk_s < best) best = all[j].tr.walk_s;
            ++j;
        }
        sim_transfer tr = {all[i].tr.from, all[i].tr.to, best};
        if (forbidden && bsearch(&tr, forbidden, n_forb, sizeof *forbidden, cmp_pair)) {
            ++t->forbidden_dropped;
        } else if (tr.from != tr.to) {
            merged[n++] = tr;
            if (all[i].source == 0) ++t->feed_transfers;
            else ++t->street_transfers;
        }
        i = j;
    }
    t->transfers = n;
    rc = sim_timetable_build(ns, geo_gtfs_trips(t->gtfs), geo_gtfs_trip_count(t->gtfs), merged, n,
                             &t->tt);
    if (rc) rc = sim_error_set(err, rc, "building the transit timetable: %s", sim_status_str(rc));
    goto done;
oom:
    rc = sim_error_set(err, SIM_ENOMEM, "linking transit stops");
done:
    free(street);
    free(forbidden);
    free(all);
    free(merged);
    return rc;
}

sim_status scn_transit_run(const scn_transit *t, const geo_mode_graph *walk,
                           const uint32_t *origin_node, uint32_t n_origins,
                           const uint32_t *dest_node, uint32_t n_dest,
                           void (*progress)(void *ud, size_t done, size_t total), void *progress_ud,
                           scn_transit_sink sink, void *sink_ud, scn_transit_stats *stats,
                           sim_error *err) {
    sim_status rc = SIM_OK;
    double t0 = now_s();
    const sim_timetable *tt = t->tt;
    uint32_t np = (uint32_t)t->cfg->transit.n_percentiles;
    const uint32_t *pct = t->cfg->transit.percentiles;
    uint32_t n_dep = sim_raptor_departure_count(&t->params);
    size_t row = (size_t)n_dest * np;
    uint32_t *dest_g = malloc((n_dest ? n_dest : 1) * sizeof *dest_g);
    sim_egress_table eg = {0};
    int threads = omp_get_max_threads();
    uint32_t chunk = (uint32_t)(32 * (threads > 0 ? threads : 1));
    uint32_t *buf = malloc((size_t)chunk * (row ? row : 1) * sizeof *buf);
    sim_status *st = malloc(chunk * sizeof *st);
    if (stats) memset(stats, 0, sizeof *stats);
    if (!dest_g || !buf || !st) {
        rc = sim_error_set(err, SIM_ENOMEM, "transit routing");
        goto done;
    }
    for (uint32_t d = 0; d < n_dest; ++d)
        dest_g[d] = dest_node[d] == SIM_INVALID_ID ? SIM_INVALID_ID : walk->graph_of[dest_node[d]];
    if ((rc = sim_stoplinks_egress(walk->rev, t->stop_graph_node, t->n_stops, dest_g, n_dest,
                                   t->max_egress_ds, &eg))) {
        rc = sim_error_set(err, rc, "egress walks from transit stops: %s", sim_status_str(rc));
        goto done;
    }
    const sim_raptor_egress egress = sim_egress_table_view(&eg);
    double t1 = now_s();
    if (stats) stats->links_s = t1 - t0;
    /* One parallel region for the whole run: each thread's workspaces are made once. Chunks
     * of origins are routed in parallel, then handed to the sink in origin order by the
     * calling thread (the master) while the others wait at the barrier. */
#pragma omp parallel
    {
        sim_raptor_ws *ws = sim_raptor_ws_create(tt, n_dest, t->params.max_rides);
        sim_scratch *s = sim_scratch_create(walk->n_nodes);
        sim_raptor_access *acc = malloc((t->n_stops ? t->n_stops : 1) * sizeof *acc);
        uint32_t *direct = malloc((n_dest ? n_dest : 1) * sizeof *direct);
        size_t n_times = (size_t)n_dep * n_dest;
        uint32_t *times = malloc((n_times ? n_times : 1) * sizeof *times);
        uint32_t *scratch = malloc((n_dep ? n_dep : 1) * sizeof *scratch);
        int ok = ws && s && acc && direct && times && scratch;
        for (uint32_t i0 = 0; i0 < n_origins; i0 += chunk) {
            uint32_t n = n_origins - i0 < chunk ? n_origins - i0 : chunk;
#pragma omp master
            if (progress) progress(progress_ud, i0, n_origins);
#pragma omp for schedule(dynamic, 1)
            for (int64_t k = 0; k < (int64_t)n; ++k) {
                uint32_t i = i0 + (uint32_t)k, *out = buf + (size_t)k * row;
                if (!ok) {
                    st[k] = SIM_ENOMEM;
                    continue;
                }
                uint32_t v = origin_node[i];
                uint32_t g = v == SIM_INVALID_ID ? SIM_INVALID_ID : walk->graph_of[v];
                sim_status qs = SIM_OK;
                uint32_t na = sim_stoplinks_access(walk->fwd, g, t->stop_at_node,
                                                   t->max_access_ds, t->max_direct_ds, dest_g,
                                                   n_dest, s, acc, direct, &qs);
                /* Walking all the way is left out of RAPTOR and added afterwards, in
                 * deciseconds as the walk mode has it: it is the same at every departure, so
                 * the percentile of min(transit, walk) is min(percentile of transit, walk). */
                if (!qs)
                    qs = sim_raptor_query(tt, &t->params, acc, na, &egress, NULL, ws, times);
                if (!qs && n_dep)
                    qs = sim_raptor_percentiles(times, n_dep, n_dest, pct, np, scratch, out);
                if (!qs && !n_dep)
                    for (size_t x = 0; x < row; ++x) out[x] = SIM_UNREACHABLE;
                for (size_t x = 0; !qs && x < row; ++x) {
                    uint32_t ds = out[x] == SIM_UNREACHABLE ? SIM_UNREACHABLE : out[x] * 10u;
                    uint32_t w = direct[x / np];
                    out[x] = w < ds ? w : ds;
                }
                st[k] = qs;
            } /* implicit barrier: the chunk is done */
#pragma omp master
            for (uint32_t k = 0; k < n && !rc; ++k) {
                if (st[k]) {
                    rc = sim_error_set(err, st[k], "transit routing from origin %u: %s", i0 + k,
                                       sim_status_str(st[k]));
                    break;
                }
                rc = sink(sink_ud, i0 + k, buf + (size_t)k * row);
                if (rc && err && !err->msg[0])
                    sim_error_set(err, rc, "transit results: %s", sim_status_str(rc));
            }
#pragma omp barrier
            if (rc) break; /* every thread reads rc after the barrier: all leave together */
        }
        free(scratch);
        free(times);
        free(direct);
        free(acc);
        sim_scratch_destroy(s);
        sim_raptor_ws_destroy(ws);
    }
    if (progress && !rc) progress(progress_ud, n_origins, n_origins);
    if (stats) {
        stats->query_s = now_s() - t1;
        stats->origins = n_origins;
    }
done:
    sim_egress_table_free(&eg);
    free(dest_g);
    free(buf);
    free(st);
    return rc;
}

void scn_transit_json(const scn_transit *t, FILE *fp, void (*json_str)(FILE *, const char *)) {
    const scn_config *c = t->cfg;
    size_t nf = 0;
    const geo_gtfs_feed_info *fi = geo_gtfs_feeds(t->gtfs, &nf);
    geo_gtfs_counts tc = geo_gtfs_total_counts(t->gtfs);
    fprintf(fp, "{\"date\": ");
    json_str(fp, c->transit.date);
    fprintf(fp, ", \"window\": [%d, %d], \"step_s\": %u, \"departures\": %u, \"percentiles\": [",
            c->transit.window_start_s, c->transit.window_end_s, c->transit.step_s,
            sim_raptor_departure_count(&t->params));
    for (size_t j = 0; j < c->transit.n_percentiles; ++j)
        fprintf(fp, "%s%u", j ? ", " : "", c->transit.percentiles[j]);
    fprintf(fp, "], \"feeds\": [");
    for (size_t f = 0; f < nf; ++f) {
        fprintf(fp, "%s{\"name\": ", f ? ", " : "");
        json_str(fp, fi[f].name);
        fprintf(fp, ", \"path\": ");
        json_str(fp, fi[f].path);
        fprintf(fp, ", \"calendar\": [\"%s\", \"%s\"], \"stops\": %zu, \"routes\": %zu, "
                    "\"trips\": %zu, \"stop_times\": %zu}",
                fi[f].first_date, fi[f].last_date, fi[f].counts.stops, fi[f].counts.routes,
                fi[f].counts.trips, fi[f].counts.stop_times);
    }
    fprintf(fp, "], \"stops\": %u, \"stops_linked\": %zu, \"trips\": %zu, "
                "\"frequency_trips\": %zu, \"previous_day_trips\": %zu, \"raptor_routes\": %u, "
                "\"transfers\": {\"street\": %zu, \"feed\": %zu, \"forbidden_dropped\": %zu}}",
            t->n_stops, t->stops_linked, tc.trips, tc.frequency_trips, tc.previous_day_trips,
            t->tt ? t->tt->n_routes : 0, t->street_transfers, t->feed_transfers,
            t->forbidden_dropped);
}

void scn_transit_describe(const scn_transit *t, char *buf, size_t size) {
    geo_gtfs_counts tc = geo_gtfs_total_counts(t->gtfs);
    size_t nf = 0;
    geo_gtfs_feeds(t->gtfs, &nf);
    snprintf(buf, size,
             "transit: %zu feed%s, %s, %zu trips on the date, %u stops (%zu on the walking "
             "network), %zu walking transfers",
             nf, nf == 1 ? "" : "s", t->cfg->transit.date, tc.trips, t->n_stops, t->stops_linked,
             t->transfers);
}
