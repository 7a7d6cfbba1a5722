/*
 * accessim — public transit in a scenario (see transit.h and docs/TRANSIT.md).
 */
#include "scenarios/transit.h"

#include <limits.h>
#include <math.h>
#include <omp.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "geo/gtfs.h"
#include "sim/route.h"
#include "sim/stoplinks.h"

/* The feeds as read: shared, read-only, by a transit and its clones; the last one frees it. */
typedef struct {
    geo_gtfs *gtfs;
    atomic_size_t refs;
} shared_feeds;

/* Where a trip of the transit comes from. A trip of the feeds points into the shared geo_gtfs;
 * a trip made here (src == NO_SRC) owns one block of memory, starting at its `stops` (see
 * trip_block_alloc). feed is SIM_INVALID_ID for an added route's trips. */
#define NO_SRC UINT32_MAX
typedef struct {
    uint32_t src; /* index into geo_gtfs_trips(), or NO_SRC */
    uint32_t feed;
    int8_t service_day;     /* 0 or -1 (the previous date's, after midnight) */
    uint8_t from_frequency; /* expanded from frequencies.txt */
} trip_meta;

/* A route added by scn_transit_add_route: its trips have route_ref = feed routes + index. */
typedef struct {
    char *id;
    int route_type;
} added_route;

struct scn_transit {
    const scn_config *cfg;
    const geo_crs *crs; /* borrowed, for added stops */
    shared_feeds *feeds;
    geo_gtfs *gtfs; /* feeds->gtfs: only read */
    uint32_t n_stops, n_loaded_stops;
    size_t stops_cap;
    double *x, *y, *lon, *lat;
    char **added_stop_id; /* n_stops - n_loaded_stops */

    /* the trips, feed trips first in load order until modified; meta is parallel */
    sim_trip *trips;
    trip_meta *meta;
    size_t n_trips, trips_cap;
    added_route *routes_added;
    size_t n_routes_added;
    int stale; /* trips or stops changed since the timetable was built */

    /* after scn_transit_link */
    int linked;
    uint32_t n_linked_stops; /* n_stops at the link */
    uint32_t n_graph_nodes;
    uint32_t *stop_graph_node; /* walking-graph node per stop, SIM_INVALID_ID if not linked */
    uint32_t *stop_at_node;    /* walking-graph node -> stop, SIM_INVALID_ID if none */
    sim_timetable *tt;
    sim_transfer *xf; /* the transfers the timetable was built with (street + transfers.txt) */
    size_t n_xf;
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

static void feeds_release(shared_feeds *f) {
    if (f && atomic_fetch_sub(&f->refs, 1) == 1) {
        geo_gtfs_destroy(f->gtfs);
        free(f);
    }
}

/* Frees a trip's arrays if the transit owns them. */
static void trip_release(const sim_trip *tr, const trip_meta *m) {
    if (m->src == NO_SRC) free((void *)tr->stops);
}

void scn_transit_destroy(scn_transit *t) {
    if (!t) return;
    for (size_t i = 0; i < t->n_trips; ++i) trip_release(&t->trips[i], &t->meta[i]);
    free(t->trips);
    free(t->meta);
    for (size_t k = 0; k < t->n_routes_added; ++k) free(t->routes_added[k].id);
    free(t->routes_added);
    for (uint32_t k = 0; t->added_stop_id && k < t->n_stops - t->n_loaded_stops; ++k)
        free(t->added_stop_id[k]);
    free(t->added_stop_id);
    feeds_release(t->feeds);
    free(t->x);
    free(t->y);
    free(t->lon);
    free(t->lat);
    free(t->stop_graph_node);
    free(t->stop_at_node);
    sim_timetable_destroy(t->tt);
    free(t->xf);
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
    t->crs = crs;
    if (!(t->feeds = calloc(1, sizeof *t->feeds))) {
        free(t);
        return sim_error_set(err, SIM_ENOMEM, "transit");
    }
    atomic_init(&t->feeds->refs, 1);
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
        rc =
            geo_gtfs_load_named((const char *const *)cfg->transit.feeds, (const char *const *)names,
                                nfeeds, cfg->transit.date, warn, &t->feeds->gtfs, err);
    t->gtfs = t->feeds->gtfs;
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
    t->n_stops = t->n_loaded_stops = geo_gtfs_stop_count(t->gtfs);
    size_t n1 = t->n_stops ? t->n_stops : 1;
    t->stops_cap = n1;
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

    /* the trips, as the feeds give them: modifications work on this copy of the list */
    size_t n_trips = geo_gtfs_trip_count(t->gtfs);
    t->trips = malloc((n_trips ? n_trips : 1) * sizeof *t->trips);
    t->meta = malloc((n_trips ? n_trips : 1) * sizeof *t->meta);
    if (!t->trips || !t->meta) {
        rc = sim_error_set(err, SIM_ENOMEM, "transit trips");
        goto fail;
    }
    t->n_trips = t->trips_cap = n_trips;
    if (t->n_trips) memcpy(t->trips, geo_gtfs_trips(t->gtfs), t->n_trips * sizeof *t->trips);
    const geo_gtfs_trip_info *ti = geo_gtfs_trip_infos(t->gtfs);
    for (size_t i = 0; i < t->n_trips; ++i)
        t->meta[i] = (trip_meta){(uint32_t)i, ti[i].feed, ti[i].service_day, ti[i].from_frequency};

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
size_t scn_transit_trip_count(const scn_transit *t) { return t->n_trips; }

void scn_transit_stop_coords(const scn_transit *t, const double **x, const double **y,
                             const double **lon, const double **lat) {
    *x = t->x;
    *y = t->y;
    *lon = t->lon;
    *lat = t->lat;
}

const char *scn_transit_stop_id(const scn_transit *t, uint32_t s) {
    return s < t->n_loaded_stops ? geo_gtfs_stops(t->gtfs)[s].id
                                 : t->added_stop_id[s - t->n_loaded_stops];
}

uint32_t scn_transit_added_stop_count(const scn_transit *t) {
    return t->n_stops - t->n_loaded_stops;
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
    /* linked before (a clone, or stops added since): start again */
    free(t->stop_graph_node);
    free(t->stop_at_node);
    sim_timetable_destroy(t->tt);
    free(t->xf);
    t->stop_graph_node = t->stop_at_node = NULL;
    t->tt = NULL;
    t->xf = NULL;
    t->n_xf = 0;
    t->linked = 0;
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
        size_t shown = 0;
        for (uint32_t s = 0; s < ns && shown < 3; ++s)
            if (t->stop_graph_node[s] == SIM_INVALID_ID) {
                sim_warnings_add(warn,
                                 "transit stops beyond network.snap_distance_m of any walkable "
                                 "street (outside the street network?): no walking to or from "
                                 "them, only riding through",
                                 "%s (%.5f, %.5f)", scn_transit_stop_id(t, s), t->lon[s],
                                 t->lat[s]);
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
    rc = sim_timetable_build(ns, t->trips, t->n_trips, merged, n, &t->tt);
    if (rc) {
        rc = sim_error_set(err, rc, "building the transit timetable: %s", sim_status_str(rc));
        goto done;
    }
    /* kept for scn_transit_rebuild_timetable and clones */
    t->xf = merged;
    t->n_xf = n;
    merged = NULL;
    t->linked = 1;
    t->n_linked_stops = ns;
    t->stale = 0;
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
    if (!t->tt || t->stale)
        return sim_error_set(err, SIM_EINVAL,
                             "transit: %s (scn_transit_rebuild_timetable or scn_transit_link)",
                             !t->tt ? "not linked to the walking network"
                                    : "trips or stops changed since the timetable was built");
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

/* Trips and stop times per feed and in all, of the trips as they are now. feed_trips and
 * feed_times have n_feeds slots (or are NULL). */
static void trip_counts(const scn_transit *t, size_t *feed_trips, size_t *feed_times,
                        size_t n_feeds, geo_gtfs_counts *tc) {
    memset(tc, 0, sizeof *tc);
    for (size_t f = 0; feed_trips && f < n_feeds; ++f) feed_trips[f] = feed_times[f] = 0;
    for (size_t i = 0; i < t->n_trips; ++i) {
        const trip_meta *m = &t->meta[i];
        ++tc->trips;
        tc->stop_times += t->trips[i].n_stops;
        tc->frequency_trips += m->from_frequency != 0;
        tc->previous_day_trips += m->service_day < 0;
        if (feed_trips && m->feed < n_feeds) {
            ++feed_trips[m->feed];
            feed_times[m->feed] += t->trips[i].n_stops;
        }
    }
}

void scn_transit_json(const scn_transit *t, FILE *fp, void (*json_str)(FILE *, const char *)) {
    const scn_config *c = t->cfg;
    size_t nf = 0;
    const geo_gtfs_feed_info *fi = geo_gtfs_feeds(t->gtfs, &nf);
    geo_gtfs_counts tc;
    size_t *ftrips = calloc(2 * (nf ? nf : 1), sizeof *ftrips),
           *ftimes = ftrips ? ftrips + nf : NULL;
    trip_counts(t, ftrips, ftimes, nf, &tc);
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
        fprintf(fp,
                ", \"calendar\": [\"%s\", \"%s\"], \"stops\": %zu, \"routes\": %zu, "
                "\"trips\": %zu, \"stop_times\": %zu}",
                fi[f].first_date, fi[f].last_date, fi[f].counts.stops, fi[f].counts.routes,
                ftrips ? ftrips[f] : fi[f].counts.trips,
                ftimes ? ftimes[f] : fi[f].counts.stop_times);
    }
    free(ftrips);
    fprintf(fp, "], \"stops\": %u, \"stops_linked\": %zu, \"trips\": %zu, "
                "\"frequency_trips\": %zu, \"previous_day_trips\": %zu, \"raptor_routes\": %u, "
                "\"transfers\": {\"street\": %zu, \"feed\": %zu, \"forbidden_dropped\": %zu}}",
            t->n_stops, t->stops_linked, tc.trips, tc.frequency_trips, tc.previous_day_trips,
            t->tt ? t->tt->n_routes : 0, t->street_transfers, t->feed_transfers,
            t->forbidden_dropped);
}

void scn_transit_describe(const scn_transit *t, char *buf, size_t size) {
    geo_gtfs_counts tc;
    trip_counts(t, NULL, NULL, 0, &tc);
    size_t nf = 0;
    geo_gtfs_feeds(t->gtfs, &nf);
    snprintf(buf, size,
             "transit: %zu feed%s, %s, %zu trips on the date, %u stops (%zu on the walking "
             "network), %zu walking transfers",
             nf, nf == 1 ? "" : "s", t->cfg->transit.date, tc.trips, t->n_stops, t->stops_linked,
             t->transfers);
}

/* ---- modifications: clone, add a route, change a headway, remove trips ---------------------- */

/* Trips one request may make: a headway of seconds over days is a mistake, not a scenario. */
#define MAX_MADE_TRIPS 1000000
#define DAY_S 86400

static const char *what_or(const char *what) { return what && *what ? what : "transit"; }

/* "HH:MM:SS" (hours may pass 24; "-" for the previous date's times) into buf (24 bytes). */
static const char *hms(int32_t s, char *buf) {
    long long v = s < 0 ? -(long long)s : (long long)s;
    snprintf(buf, 24, "%s%02lld:%02lld:%02lld", s < 0 ? "-" : "", v / 3600, v / 60 % 60, v % 60);
    return buf;
}

/* A trip made here owns one block: stops, arr_s, dep_s (4 bytes a stop each), then pickup and
 * drop-off flags (1 byte a stop each); the block starts at `stops`, which trip_release frees. */
static unsigned char *trip_block_alloc(uint32_t n, uint32_t **stops, int32_t **arr, int32_t **dep,
                                       uint8_t **pick, uint8_t **drop) {
    size_t n4 = (size_t)n * 4;
    unsigned char *b = malloc((n ? (size_t)n : 1) * 14);
    if (!b) return NULL;
    *stops = (uint32_t *)(void *)b;
    *arr = (int32_t *)(void *)(b + n4);
    *dep = (int32_t *)(void *)(b + 2 * n4);
    *pick = b + 3 * n4;
    *drop = b + 3 * n4 + n;
    return b;
}

/* *out = a copy of `src` owned by the transit, times shifted by shift_s (the caller checks the
 * range); flags kept (NULL stays NULL). */
static sim_status trip_copy(const sim_trip *src, int32_t shift_s, sim_trip *out) {
    uint32_t n = src->n_stops, *st;
    int32_t *arr, *dep;
    uint8_t *pick, *drop;
    if (!trip_block_alloc(n, &st, &arr, &dep, &pick, &drop)) return SIM_ENOMEM;
    memcpy(st, src->stops, (size_t)n * sizeof *st);
    for (uint32_t i = 0; i < n; ++i) {
        arr[i] = src->arr_s[i] + shift_s;
        dep[i] = src->dep_s[i] + shift_s;
    }
    if (src->pickup_ok) memcpy(pick, src->pickup_ok, n);
    if (src->dropoff_ok) memcpy(drop, src->dropoff_ok, n);
    *out = (sim_trip){.stops = st,
                      .arr_s = arr,
                      .dep_s = dep,
                      .pickup_ok = src->pickup_ok ? pick : NULL,
                      .dropoff_ok = src->dropoff_ok ? drop : NULL,
                      .n_stops = n,
                      .route_ref = src->route_ref};
    return SIM_OK;
}

/* Room for `extra` more trips (the list is unchanged on failure). */
static sim_status trips_reserve(scn_transit *t, size_t extra) {
    size_t need = t->n_trips + extra;
    if (need <= t->trips_cap) return SIM_OK;
    size_t cap = 2 * t->trips_cap > need ? 2 * t->trips_cap : need;
    sim_trip *tr = realloc(t->trips, cap * sizeof *tr);
    if (!tr) return SIM_ENOMEM;
    t->trips = tr;
    trip_meta *m = realloc(t->meta, cap * sizeof *m);
    if (!m) return SIM_ENOMEM;
    t->meta = m;
    t->trips_cap = cap;
    return SIM_OK;
}

/* Room for `extra` more stops' coordinates. */
static sim_status stops_reserve(scn_transit *t, size_t extra) {
    size_t need = (size_t)t->n_stops + extra;
    if (need >= SIM_INVALID_ID) return SIM_ENOMEM;
    if (need <= t->stops_cap) return SIM_OK;
    size_t cap = 2 * t->stops_cap > need ? 2 * t->stops_cap : need;
    double **arrays[4] = {&t->x, &t->y, &t->lon, &t->lat};
    for (int k = 0; k < 4; ++k) {
        double *a = realloc(*arrays[k], cap * sizeof *a);
        if (!a) return SIM_ENOMEM; /* those already grown keep the larger size: harmless */
        *arrays[k] = a;
    }
    t->stops_cap = cap;
    return SIM_OK;
}

static int fold_c(int c) { return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c; }

/* Levenshtein distance ignoring ASCII case; INT_MAX for names longer than 64 bytes. */
static int edit_distance(const char *a, const char *b) {
    size_t na = strlen(a), nb = strlen(b);
    if (na > 64 || nb > 64) return INT_MAX;
    int row[2][65];
    for (size_t j = 0; j <= nb; ++j) row[0][j] = (int)j;
    for (size_t i = 1; i <= na; ++i) {
        int *prev = row[(i - 1) & 1], *cur = row[i & 1];
        cur[0] = (int)i;
        for (size_t j = 1; j <= nb; ++j) {
            int best = prev[j - 1] + (fold_c(a[i - 1]) != fold_c(b[j - 1]));
            if (prev[j] + 1 < best) best = prev[j] + 1;
            if (cur[j - 1] + 1 < best) best = cur[j - 1] + 1;
            cur[j] = best;
        }
    }
    return row[na & 1][nb];
}

/* Keeps `cand` in *best if it is the closest so far to `word` within one edit (two for names
 * longer than four characters). */
static void consider(const char *word, const char *cand, const char **best, int *best_d) {
    int d = edit_distance(word, cand);
    int limit = strlen(cand) > 4 ? 2 : 1;
    if (d <= limit && d < *best_d) {
        *best = cand;
        *best_d = d;
    }
}

/* An id of the feeds without its "<feed>:" namespace. */
static const char *local_id(const scn_transit *t, const char *id, uint32_t feed) {
    size_t nf = 0;
    const geo_gtfs_feed_info *fi = geo_gtfs_feeds(t->gtfs, &nf);
    if (feed >= nf) return id;
    size_t l = strlen(fi[feed].name);
    return strncmp(id, fi[feed].name, l) == 0 && id[l] == ':' ? id + l + 1 : id;
}

static size_t feed_count(const scn_transit *t) {
    size_t nf = 0;
    geo_gtfs_feeds(t->gtfs, &nf);
    return nf;
}

/* Route `ref` as a user writes it: its route_id with one feed, "feed:route_id" with several, an
 * added route's id. */
static const char *route_name(const scn_transit *t, uint32_t ref) {
    uint32_t nr = geo_gtfs_route_count(t->gtfs);
    if (ref >= nr) return t->routes_added[ref - nr].id;
    const geo_gtfs_route *r = &geo_gtfs_routes(t->gtfs)[ref];
    return feed_count(t) > 1 ? r->id : local_id(t, r->id, r->feed);
}

/* The routes named `id` (route_id in any feed, "feed:route_id", or an added route's id): their
 * number, the first two in found[]. */
static size_t match_routes(const scn_transit *t, const char *id, uint32_t found[2]) {
    size_t n = 0;
    uint32_t nr = geo_gtfs_route_count(t->gtfs);
    const geo_gtfs_route *r = geo_gtfs_routes(t->gtfs);
    for (uint32_t k = 0; k < nr + t->n_routes_added; ++k) {
        int hit = k < nr ? !strcmp(r[k].id, id) || !strcmp(local_id(t, r[k].id, r[k].feed), id)
                         : !strcmp(t->routes_added[k - nr].id, id);
        if (hit && n < 2) found[n] = k;
        n += hit != 0;
    }
    return n;
}

/* The route named `id` into *ref, or SIM_EPARSE naming the candidates. */
static sim_status find_route(const scn_transit *t, const char *id, uint32_t *ref, const char *what,
                             sim_error *err) {
    if (!id || !*id) return sim_error_set(err, SIM_EPARSE, "%s: no route id given", what);
    uint32_t found[2];
    size_t n = match_routes(t, id, found);
    uint32_t nr = geo_gtfs_route_count(t->gtfs);
    if (n == 1) {
        *ref = found[0];
        return SIM_OK;
    }
    if (n > 1)
        return sim_error_set(err, SIM_EPARSE,
                             "%s: route '%s' is in several feeds (%s, %s%s); write it as "
                             "'feedname:route_id'",
                             what, id, found[0] < nr ? geo_gtfs_routes(t->gtfs)[found[0]].id : id,
                             found[1] < nr ? geo_gtfs_routes(t->gtfs)[found[1]].id : id,
                             n > 2 ? ", ..." : "");
    uint32_t total = nr + (uint32_t)t->n_routes_added;
    const char *best = NULL;
    int best_d = INT_MAX;
    for (uint32_t k = 0; k < total; ++k) consider(id, route_name(t, k), &best, &best_d);
    if (best)
        return sim_error_set(err, SIM_EPARSE,
                             "%s: route '%s' is not in the feeds (did you mean '%s'?)", what, id,
                             best);
    char list[160] = "";
    size_t used = 0, shown = 0;
    for (uint32_t k = 0; k < total && shown < 10; ++k) {
        const char *name = route_name(t, k);
        if (used + strlen(name) + 2 > 110) break;
        used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", shown ? ", " : "", name);
        ++shown;
    }
    if (!total)
        return sim_error_set(err, SIM_EPARSE, "%s: route '%s': the feeds have no routes", what, id);
    return sim_error_set(err, SIM_EPARSE, "%s: route '%s' is not in the feeds (routes: %s%s)", what,
                         id, list, shown < total ? ", ..." : "");
}

/* The stop named `id` (position `pos` of a route being added) into *s, or SIM_EPARSE. */
static sim_status find_stop(const scn_transit *t, const char *id, size_t pos, const char *route,
                            uint32_t *s, const char *what, sim_error *err) {
    size_t nf = 0, n = 0;
    const geo_gtfs_feed_info *fi = geo_gtfs_feeds(t->gtfs, &nf);
    uint32_t hit[2] = {SIM_INVALID_ID, SIM_INVALID_ID};
    uint32_t exact = geo_gtfs_stop_find(t->gtfs, id); /* "feed:stop_id" */
    if (exact != SIM_INVALID_ID) {
        *s = exact;
        return SIM_OK;
    }
    for (size_t f = 0; f < nf; ++f) {
        size_t len = strlen(fi[f].name) + strlen(id) + 2;
        char *full = malloc(len);
        if (!full) return sim_error_set(err, SIM_ENOMEM, "%s", what);
        snprintf(full, len, "%s:%s", fi[f].name, id);
        uint32_t v = geo_gtfs_stop_find(t->gtfs, full);
        free(full);
        if (v != SIM_INVALID_ID && n < 2) hit[n] = v;
        n += v != SIM_INVALID_ID;
    }
    for (uint32_t k = 0; k < t->n_stops - t->n_loaded_stops; ++k)
        if (!strcmp(t->added_stop_id[k], id)) {
            if (n < 2) hit[n] = t->n_loaded_stops + k;
            ++n;
        }
    if (n == 1) {
        *s = hit[0];
        return SIM_OK;
    }
    if (n > 1)
        return sim_error_set(err, SIM_EPARSE,
                             "%s: route '%s', stop %zu: stop '%s' is in several feeds (%s, %s); "
                             "write it as 'feedname:stop_id'",
                             what, route, pos + 1, id, scn_transit_stop_id(t, hit[0]),
                             scn_transit_stop_id(t, hit[1]));
    const geo_gtfs_stop *st = geo_gtfs_stops(t->gtfs);
    const char *best = NULL;
    int best_d = INT_MAX;
    for (uint32_t v = 0; v < t->n_stops; ++v)
        consider(id,
                 v < t->n_loaded_stops && nf == 1 ? local_id(t, st[v].id, st[v].feed)
                                                  : scn_transit_stop_id(t, v),
                 &best, &best_d);
    if (best)
        return sim_error_set(err, SIM_EPARSE,
                             "%s: route '%s', stop %zu: stop '%s' is not in the feeds (did you "
                             "mean '%s'?)",
                             what, route, pos + 1, id, best);
    return sim_error_set(err, SIM_EPARSE,
                         "%s: route '%s', stop %zu: stop '%s' is not in the feeds (a stop_id of "
                         "stops.txt with location_type 0%s)",
                         what, route, pos + 1, id, nf > 1 ? ", or 'feedname:stop_id'" : "");
}

sim_status scn_transit_clone(const scn_transit *t, scn_transit **out, sim_error *err) {
    *out = NULL;
    scn_transit *c = malloc(sizeof *c);
    if (!c) return sim_error_set(err, SIM_ENOMEM, "transit copy");
    *c = *t; /* settings and counts; every owned array is made again below */
    atomic_fetch_add(&t->feeds->refs, 1);
    c->x = c->y = c->lon = c->lat = NULL;
    c->added_stop_id = NULL;
    c->n_stops = c->n_loaded_stops;
    c->trips = NULL;
    c->meta = NULL;
    c->n_trips = c->trips_cap = 0;
    c->routes_added = NULL;
    c->n_routes_added = 0;
    c->stop_graph_node = c->stop_at_node = NULL;
    c->tt = NULL;
    c->xf = NULL;
    c->n_xf = 0;
    sim_status rc = SIM_OK;

    size_t ns = t->n_stops ? t->n_stops : 1, n_added = t->n_stops - t->n_loaded_stops;
    c->stops_cap = ns;
    double **dst[4] = {&c->x, &c->y, &c->lon, &c->lat};
    const double *src[4] = {t->x, t->y, t->lon, t->lat};
    for (int k = 0; k < 4; ++k) {
        if (!(*dst[k] = malloc(ns * sizeof **dst[k]))) goto oom;
        memcpy(*dst[k], src[k], (size_t)t->n_stops * sizeof **dst[k]);
    }
    if (n_added) {
        if (!(c->added_stop_id = calloc(n_added, sizeof *c->added_stop_id))) goto oom;
        c->n_stops = t->n_stops; /* destroy frees the ids made so far (the others are NULL) */
        for (size_t k = 0; k < n_added; ++k)
            if (!(c->added_stop_id[k] = strdup(t->added_stop_id[k]))) goto oom;
    }
    size_t nt = t->n_trips ? t->n_trips : 1;
    if (!(c->trips = malloc(nt * sizeof *c->trips)) || !(c->meta = malloc(nt * sizeof *c->meta)))
        goto oom;
    c->trips_cap = nt;
    for (size_t i = 0; i < t->n_trips; ++i) {
        if (t->meta[i].src == NO_SRC) {
            if (trip_copy(&t->trips[i], 0, &c->trips[i])) goto oom;
        } else {
            c->trips[i] = t->trips[i]; /* points into the shared feeds */
        }
        c->meta[i] = t->meta[i];
        c->n_trips = i + 1;
    }
    if (t->n_routes_added) {
        if (!(c->routes_added = calloc(t->n_routes_added, sizeof *c->routes_added))) goto oom;
        for (size_t k = 0; k < t->n_routes_added; ++k) {
            c->routes_added[k] = t->routes_added[k];
            c->routes_added[k].id = NULL;
            c->n_routes_added = k + 1;
            if (!(c->routes_added[k].id = strdup(t->routes_added[k].id))) goto oom;
        }
    }
    if (t->linked) {
        size_t nl = t->n_linked_stops, nn = t->n_graph_nodes;
        if (!(c->stop_graph_node = malloc((nl ? nl : 1) * sizeof *c->stop_graph_node)) ||
            !(c->stop_at_node = malloc((nn ? nn : 1) * sizeof *c->stop_at_node)) ||
            !(c->xf = malloc((t->n_xf ? t->n_xf : 1) * sizeof *c->xf)))
            goto oom;
        memcpy(c->stop_graph_node, t->stop_graph_node, nl * sizeof *c->stop_graph_node);
        memcpy(c->stop_at_node, t->stop_at_node, nn * sizeof *c->stop_at_node);
        memcpy(c->xf, t->xf, t->n_xf * sizeof *c->xf);
        c->n_xf = t->n_xf;
        /* Stops as linked: the copy's timetable from its trips (the original's may be stale),
         * ready to run. Stops added since the link: the copy needs a link, as the original. */
        c->stale = 1;
        if (c->n_stops == c->n_linked_stops) {
            if ((rc = sim_timetable_build(c->n_stops, c->trips, c->n_trips, c->xf, c->n_xf,
                                          &c->tt))) {
                rc = sim_error_set(err, rc, "transit copy: building the timetable: %s",
                                   sim_status_str(rc));
                goto fail;
            }
            c->stale = 0;
        }
    }
    *out = c;
    return SIM_OK;
oom:
    rc = sim_error_set(err, SIM_ENOMEM, "transit copy");
fail:
    scn_transit_destroy(c);
    return rc;
}

sim_status scn_transit_rebuild_timetable(scn_transit *t, sim_error *err) {
    if (!t->linked)
        return sim_error_set(err, SIM_EINVAL,
                             "transit: not linked to the walking network yet (scn_transit_link)");
    if (t->n_stops != t->n_linked_stops)
        return sim_error_set(err, SIM_EINVAL,
                             "transit: %u stop%s added since the stops were linked: link them "
                             "again (scn_transit_link) so that they get their walks",
                             t->n_stops - t->n_linked_stops,
                             t->n_stops - t->n_linked_stops == 1 ? "" : "s");
    sim_timetable *tt = NULL;
    sim_status rc = sim_timetable_build(t->n_stops, t->trips, t->n_trips, t->xf, t->n_xf, &tt);
    if (rc)
        return sim_error_set(err, rc, "rebuilding the transit timetable: %s", sim_status_str(rc));
    sim_timetable_destroy(t->tt);
    t->tt = tt;
    t->stale = 0;
    return SIM_OK;
}

/* WGS84 coordinates of stop s of a route being added: an existing stop, or new stop k (s =
 * n_stops + k) at nlon[k], nlat[k]. */
static void stop_lonlat(const scn_transit *t, uint32_t s, const double *nlon, const double *nlat,
                        double *lon, double *lat) {
    if (s < t->n_stops) {
        *lon = t->lon[s];
        *lat = t->lat[s];
    } else {
        *lon = nlon[s - t->n_stops];
        *lat = nlat[s - t->n_stops];
    }
}

sim_status scn_transit_add_route(scn_transit *t, const scn_route_add *r, const char *what,
                                 sim_error *err) {
    what = what_or(what);
    sim_status rc = SIM_OK;
    uint32_t *seq = NULL, *hops = NULL;
    double *nlon = NULL, *nlat = NULL, *nx = NULL, *ny = NULL;
    int32_t *deps = NULL;
    sim_trip *made = NULL;
    size_t n_made = 0, n_new = 0, nd = 0;
    char **ids = NULL, *rid = NULL;
    char b1[24], b2[24];
    const char *id = r->route_id;
    size_t n = r->n_stops;
#define ADD_FAIL(...)                                                                              \
    do {                                                                                           \
        rc = sim_error_set(err, SIM_EPARSE, __VA_ARGS__);                                          \
        goto done;                                                                                 \
    } while (0)
    if (!id || !*id) ADD_FAIL("%s: the route to add has no id", what);
    uint32_t found[2];
    if (match_routes(t, id, found))
        ADD_FAIL("%s: route id '%s' is taken by %s route '%s'; choose another id", what, id,
                 found[0] < geo_gtfs_route_count(t->gtfs) ? "the feeds'" : "the added",
                 found[0] < geo_gtfs_route_count(t->gtfs) ? geo_gtfs_routes(t->gtfs)[found[0]].id
                                                          : route_name(t, found[0]));
    if (n < 2)
        ADD_FAIL("%s: route '%s' has %zu stop%s; a route needs at least 2", what, id, n,
                 n == 1 ? "" : "s");
    if (n > 100000) ADD_FAIL("%s: route '%s' has %zu stops (at most 100000)", what, id, n);
    int route_type = r->route_type < 0 ? 3 : r->route_type;
    if (route_type > 1799 || (route_type > 12 && route_type < 100))
        ADD_FAIL("%s: route '%s': route_type %d is not a GTFS route_type (0-12, or 100-1799)", what,
                 id, route_type);

    /* departures at the first stop */
    if (r->headway_s == 0 && r->n_departures == 0)
        ADD_FAIL("%s: route '%s' has no headway and no departure times: give a headway with a "
                 "start and an end, or the departure times",
                 what, id);
    if (r->headway_s > 0 && r->n_departures > 0)
        ADD_FAIL("%s: route '%s' has both a headway and departure times: give one of them", what,
                 id);
    if (r->headway_s > 0) {
        if (r->start_s < 0)
            ADD_FAIL("%s: route '%s': start %s is before midnight of the service date", what, id,
                     hms(r->start_s, b1));
        if (r->end_s <= r->start_s)
            ADD_FAIL("%s: route '%s': end %s is not after start %s", what, id, hms(r->end_s, b1),
                     hms(r->start_s, b2));
        int64_t span = (int64_t)r->end_s - r->start_s;
        nd = (size_t)((span + r->headway_s - 1) / r->headway_s);
    } else {
        nd = r->n_departures;
        if (!r->departures_s) ADD_FAIL("%s: route '%s': no departure times given", what, id);
    }
    if (nd > MAX_MADE_TRIPS)
        ADD_FAIL("%s: route '%s' would have %zu trips (at most %d)", what, id, nd, MAX_MADE_TRIPS);
    if (!(deps = malloc(nd * sizeof *deps))) goto oom;
    for (size_t k = 0; k < nd; ++k) {
        if (r->headway_s > 0) {
            deps[k] = (int32_t)(r->start_s + (int64_t)k * r->headway_s);
            continue;
        }
        deps[k] = r->departures_s[k];
        if (deps[k] < 0)
            ADD_FAIL("%s: route '%s': departure %s is before midnight of the service date", what,
                     id, hms(deps[k], b1));
        if (k && deps[k] <= deps[k - 1])
            ADD_FAIL("%s: route '%s': departure times must be ascending (%s after %s)", what, id,
                     hms(deps[k], b1), hms(deps[k - 1], b2));
    }

    /* run times */
    int speed_given = r->speed_kmh != 0;
    if (speed_given && !(r->speed_kmh > 0 && isfinite(r->speed_kmh)))
        ADD_FAIL("%s: route '%s': speed %g km/h is not a positive speed", what, id, r->speed_kmh);
    if (!r->hop_s && !speed_given)
        ADD_FAIL("%s: route '%s' has no run times: give the time of each hop, or a speed", what,
                 id);
    if (r->hop_s && speed_given)
        ADD_FAIL("%s: route '%s' has both hop times and a speed: give one of them", what, id);

    /* stops: existing ones by id, new ones at the end */
    seq = malloc(n * sizeof *seq);
    nlon = malloc(n * sizeof *nlon);
    nlat = malloc(n * sizeof *nlat);
    if (!seq || !nlon || !nlat) goto oom;
    for (size_t i = 0; i < n; ++i) {
        const char *sid = r->stop_ids ? r->stop_ids[i] : NULL;
        if (sid) {
            if ((rc = find_stop(t, sid, i, id, &seq[i], what, err))) goto done;
            continue;
        }
        if (!r->lon || !r->lat)
            ADD_FAIL("%s: route '%s', stop %zu: neither a stop id nor a lon/lat", what, id, i + 1);
        double lon = r->lon[i], lat = r->lat[i];
        if (!(lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90))
            ADD_FAIL("%s: route '%s', stop %zu: (%g, %g) is not a WGS84 longitude, latitude", what,
                     id, i + 1, lon, lat);
        seq[i] = t->n_stops + (uint32_t)n_new;
        nlon[n_new] = lon;
        nlat[n_new] = lat;
        ++n_new;
    }
    if (n_new) {
        if (!t->crs) ADD_FAIL("%s: route '%s': new stops need the transit's CRS", what, id);
        nx = malloc(n_new * sizeof *nx);
        ny = malloc(n_new * sizeof *ny);
        if (!nx || !ny) goto oom;
        memcpy(nx, nlon, n_new * sizeof *nx);
        memcpy(ny, nlat, n_new * sizeof *ny);
        if ((rc = geo_crs_forward(t->crs, nx, ny, n_new, err))) goto done;
    }
    if (!(hops = malloc((n - 1) * sizeof *hops))) goto oom;
    int64_t run_s = 0;
    for (size_t i = 0; i + 1 < n; ++i) {
        if (r->hop_s) {
            hops[i] = r->hop_s[i];
        } else {
            double lon1, lat1, lon2, lat2;
            stop_lonlat(t, seq[i], nlon, nlat, &lon1, &lat1);
            stop_lonlat(t, seq[i + 1], nlon, nlat, &lon2, &lat2);
            double s = geo_geodesic_m(lon1, lat1, lon2, lat2) / (r->speed_kmh / 3.6);
            if (!(s < 1e9))
                ADD_FAIL("%s: route '%s': hop %zu takes %g s at %g km/h", what, id, i + 1, s,
                         r->speed_kmh);
            long long h = llround(s);
            hops[i] = h < 1 ? 1u : (uint32_t)h;
        }
        run_s += hops[i] + (i + 2 < n ? (int64_t)r->dwell_s : 0);
    }
    if ((int64_t)deps[nd - 1] + run_s > INT32_MAX)
        ADD_FAIL("%s: route '%s': its last trip would arrive %lld s after midnight, beyond the "
                 "times supported",
                 what, id, (long long)deps[nd - 1] + (long long)run_s);

    /* the trips, the new stops' ids and the route's, then room for them: nothing fails after */
    uint32_t ref = geo_gtfs_route_count(t->gtfs) + (uint32_t)t->n_routes_added;
    if (!(made = malloc(nd * sizeof *made))) goto oom;
    for (; n_made < nd; ++n_made) {
        uint32_t *st;
        int32_t *arr, *dep;
        uint8_t *pick, *drop;
        if (!trip_block_alloc((uint32_t)n, &st, &arr, &dep, &pick, &drop)) goto oom;
        memcpy(st, seq, n * sizeof *st);
        arr[0] = dep[0] = deps[n_made];
        for (size_t i = 1; i < n; ++i) {
            arr[i] = dep[i - 1] + (int32_t)hops[i - 1];
            dep[i] = arr[i] + (i + 1 < n ? (int32_t)r->dwell_s : 0);
        }
        made[n_made] = (sim_trip){st, arr, dep, NULL, NULL, (uint32_t)n, ref};
    }
    if (!(rid = strdup(id))) goto oom;
    if (n_new) {
        if (!(ids = calloc(n_new, sizeof *ids))) goto oom;
        for (size_t i = 0, k = 0; i < n; ++i) {
            if (seq[i] < t->n_stops) continue;
            size_t len = strlen(id) + 24;
            if (!(ids[k] = malloc(len))) goto oom;
            snprintf(ids[k++], len, "%s:%zu", id, i + 1);
        }
    }
    if (trips_reserve(t, nd) || stops_reserve(t, n_new)) goto oom;
    added_route *ra = realloc(t->routes_added, (t->n_routes_added + 1) * sizeof *ra);
    if (!ra) goto oom;
    t->routes_added = ra;
    if (n_new) {
        size_t n_added = t->n_stops - t->n_loaded_stops;
        char **na = realloc(t->added_stop_id, (n_added + n_new) * sizeof *na);
        if (!na) goto oom;
        t->added_stop_id = na;
        for (size_t k = 0; k < n_new; ++k) {
            uint32_t s = t->n_stops + (uint32_t)k;
            t->x[s] = nx[k];
            t->y[s] = ny[k];
            t->lon[s] = nlon[k];
            t->lat[s] = nlat[k];
            na[n_added + k] = ids[k];
        }
        t->n_stops += (uint32_t)n_new;
        free(ids);
        ids = NULL;
    }
    t->routes_added[t->n_routes_added++] = (added_route){rid, route_type};
    rid = NULL;
    for (size_t k = 0; k < nd; ++k) {
        t->trips[t->n_trips] = made[k];
        t->meta[t->n_trips++] = (trip_meta){NO_SRC, SIM_INVALID_ID, 0, 0};
    }
    n_made = 0;
    t->stale = 1;
    goto done;
#undef ADD_FAIL
oom:
    rc = sim_error_set(err, SIM_ENOMEM, "%s: adding route '%s'", what, id ? id : "");
done:
    for (size_t k = 0; k < n_made; ++k) free((void *)made[k].stops);
    for (size_t k = 0; ids && k < n_new; ++k) free(ids[k]);
    free(ids);
    free(rid);
    free(made);
    free(seq);
    free(hops);
    free(nlon);
    free(nlat);
    free(nx);
    free(ny);
    free(deps);
    return rc;
}

/* Same stop sequence and pickup/drop-off flags (what makes a RAPTOR route). */
static int same_pattern(const sim_trip *a, const sim_trip *b) {
    if (a->n_stops != b->n_stops) return 0;
    for (uint32_t i = 0; i < a->n_stops; ++i) {
        if (a->stops[i] != b->stops[i]) return 0;
        if ((a->pickup_ok ? a->pickup_ok[i] != 0 : 1) != (b->pickup_ok ? b->pickup_ok[i] != 0 : 1))
            return 0;
        if ((a->dropoff_ok ? a->dropoff_ok[i] != 0 : 1) !=
            (b->dropoff_ok ? b->dropoff_ok[i] != 0 : 1))
            return 0;
    }
    return 1;
}

/* Whether `b` runs in the direction of `a`: of the stops they share, taken in b's order, more
 * consecutive pairs come in a's order than in the opposite order. */
static int same_direction(const sim_trip *a, const sim_trip *b) {
    long along = 0, against = 0, prev = -1;
    for (uint32_t j = 0; j < b->n_stops; ++j) {
        long p = -1;
        for (uint32_t i = 0; i < a->n_stops && p < 0; ++i)
            if (a->stops[i] == b->stops[j]) p = (long)i;
        if (p < 0) continue;
        if (prev >= 0) {
            along += p > prev;
            against += p < prev;
        }
        prev = p;
    }
    return along > against;
}

typedef struct {
    size_t count, rep; /* trips with the pattern, the first of them (index into t->trips) */
    uint32_t id;
} pattern_rank;

static int cmp_rank(const void *a, const void *b) {
    const pattern_rank *x = a, *y = b;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    return (x->rep > y->rep) - (x->rep < y->rep);
}

/* One group of a route's trips to replace: a direction on the date or the day before. */
typedef struct {
    size_t tpl;    /* template trip (index into t->trips) */
    int32_t first; /* first departure */
    size_t n;      /* departures first, first + headway, ... (before the day-before filter) */
    int prev_day;
} headway_group;

sim_status scn_transit_set_headway(scn_transit *t, const char *route_id, uint32_t headway_s,
                                   int32_t start_s, int32_t end_s, size_t *n_trips_out,
                                   const char *what, sim_error *err) {
    what = what_or(what);
    uint32_t ref = 0;
    char b1[24], b2[24];
    sim_status rc = find_route(t, route_id, &ref, what, err);
    if (rc) return rc;
    const char *name = route_name(t, ref);
    if (headway_s == 0)
        return sim_error_set(err, SIM_EPARSE, "%s: route '%s': a headway must be at least 1 s",
                             what, name);
    if (start_s >= 0 && end_s <= start_s)
        return sim_error_set(err, SIM_EPARSE, "%s: route '%s': end %s is not after start %s", what,
                             name, hms(end_s, b1), hms(start_s, b2));
    size_t n_idx = 0;
    for (size_t i = 0; i < t->n_trips; ++i) n_idx += t->trips[i].route_ref == ref;
    if (!n_idx)
        return sim_error_set(err, SIM_EPARSE,
                             "%s: route '%s' has no trip on %s (the service date): there is no "
                             "headway to change",
                             what, name, t->cfg->transit.date);
    size_t *idx = malloc(n_idx * sizeof *idx), *gcount = NULL, *gfirst = NULL;
    uint32_t *pat = malloc(n_idx * sizeof *pat), *dir = NULL;
    pattern_rank *rank = malloc(n_idx * sizeof *rank);
    size_t *main_rep = NULL;
    headway_group *groups = NULL;
    sim_trip *made = NULL;
    trip_meta *made_meta = NULL;
    size_t n_made = 0, n_pat = 0, n_dir = 0, n_groups = 0;
    if (!idx || !pat || !rank) goto oom;
    for (size_t i = 0, k = 0; i < t->n_trips; ++i)
        if (t->trips[i].route_ref == ref) idx[k++] = i;
    /* the route's patterns, with their trips */
    for (size_t k = 0; k < n_idx; ++k) {
        uint32_t p = 0;
        while (p < n_pat && !same_pattern(&t->trips[idx[k]], &t->trips[rank[p].rep])) ++p;
        if (p == n_pat) rank[n_pat++] = (pattern_rank){0, idx[k], p};
        ++rank[p].count;
        pat[k] = p;
    }
    /* directions, most common pattern first */
    dir = malloc(n_pat * sizeof *dir);
    main_rep = malloc(n_pat * sizeof *main_rep);
    gcount = malloc(n_pat * sizeof *gcount);
    gfirst = malloc(n_pat * sizeof *gfirst);
    groups = malloc(2 * n_pat * sizeof *groups);
    if (!dir || !main_rep || !gcount || !gfirst || !groups) goto oom;
    qsort(rank, n_pat, sizeof *rank, cmp_rank);
    for (size_t q = 0; q < n_pat; ++q) {
        const sim_trip *tr = &t->trips[rank[q].rep];
        size_t d = 0;
        while (d < n_dir && !same_direction(&t->trips[main_rep[d]], tr)) ++d;
        if (d == n_dir) main_rep[n_dir++] = rank[q].rep;
        dir[rank[q].id] = (uint32_t)d;
    }
    /* per direction and day: its most common pattern's earliest trip, its span of departures */
    size_t total = 0;
    for (size_t d = 0; d < n_dir; ++d)
        for (int prev_day = 0; prev_day <= 1; ++prev_day) {
            size_t in_group = 0;
            int32_t first = INT32_MAX, last = INT32_MIN;
            for (size_t p = 0; p < n_pat; ++p) gcount[p] = 0, gfirst[p] = SIZE_MAX;
            for (size_t k = 0; k < n_idx; ++k) {
                const sim_trip *tr = &t->trips[idx[k]];
                if (dir[pat[k]] != d || (t->meta[idx[k]].service_day < 0) != prev_day) continue;
                ++in_group;
                if (tr->dep_s[0] < first) first = tr->dep_s[0];
                if (tr->dep_s[0] > last) last = tr->dep_s[0];
                if (!gcount[pat[k]]++) gfirst[pat[k]] = k;
            }
            if (!in_group) continue;
            size_t best = 0;
            for (size_t p = 1; p < n_pat; ++p)
                if (gcount[p] > gcount[best] ||
                    (gcount[p] == gcount[best] && gfirst[p] < gfirst[best]))
                    best = p;
            size_t tpl = SIZE_MAX;
            for (size_t k = 0; k < n_idx; ++k) {
                const sim_trip *tr = &t->trips[idx[k]];
                if (pat[k] != best || (t->meta[idx[k]].service_day < 0) != prev_day) continue;
                if (tpl == SIZE_MAX || tr->dep_s[0] < t->trips[tpl].dep_s[0]) tpl = idx[k];
            }
            int64_t lo = first, hi = (int64_t)last + 1; /* departures in [lo, hi) */
            if (start_s >= 0) {
                lo = (int64_t)start_s - (prev_day ? DAY_S : 0);
                hi = (int64_t)end_s - (prev_day ? DAY_S : 0);
            }
            const sim_trip *tr = &t->trips[tpl];
            int64_t run = (int64_t)tr->arr_s[tr->n_stops - 1] - tr->dep_s[0];
            int64_t lead = (int64_t)tr->dep_s[0] - tr->arr_s[0];
            size_t n_dep = (size_t)((hi - lo + headway_s - 1) / headway_s);
            int64_t last_dep = lo + (int64_t)(n_dep - 1) * headway_s;
            if (lo - lead < INT32_MIN || last_dep + run > INT32_MAX) {
                rc = sim_error_set(err, SIM_EPARSE,
                                   "%s: route '%s': times beyond the range supported", what, name);
                goto done;
            }
            groups[n_groups++] = (headway_group){tpl, (int32_t)lo, n_dep, prev_day};
            total += n_dep;
            if (total > MAX_MADE_TRIPS) {
                rc = sim_error_set(err, SIM_EPARSE, "%s: route '%s' would have over %d trips", what,
                                   name, MAX_MADE_TRIPS);
                goto done;
            }
        }
    /* the new trips; then the old ones go and the new ones come last */
    made = malloc((total ? total : 1) * sizeof *made);
    made_meta = malloc((total ? total : 1) * sizeof *made_meta);
    if (!made || !made_meta) goto oom;
    uint32_t feed =
        ref < geo_gtfs_route_count(t->gtfs) ? geo_gtfs_routes(t->gtfs)[ref].feed : SIM_INVALID_ID;
    for (size_t g = 0; g < n_groups; ++g) {
        const sim_trip *tr = &t->trips[groups[g].tpl];
        for (size_t k = 0; k < groups[g].n; ++k) {
            int64_t dep0 = (int64_t)groups[g].first + (int64_t)k * headway_s; /* range checked */
            /* the day before's trips count only while they still run after midnight */
            if (groups[g].prev_day && dep0 + tr->arr_s[tr->n_stops - 1] - tr->dep_s[0] < 0)
                continue;
            if (trip_copy(tr, (int32_t)(dep0 - tr->dep_s[0]), &made[n_made])) goto oom;
            made_meta[n_made++] =
                (trip_meta){NO_SRC, feed, (int8_t)(groups[g].prev_day ? -1 : 0), 0};
        }
    }
    if (trips_reserve(t, n_made)) goto oom;
    size_t w = 0;
    for (size_t i = 0; i < t->n_trips; ++i) {
        if (t->trips[i].route_ref == ref) {
            trip_release(&t->trips[i], &t->meta[i]);
            continue;
        }
        t->trips[w] = t->trips[i];
        t->meta[w++] = t->meta[i];
    }
    memcpy(t->trips + w, made, n_made * sizeof *made);
    memcpy(t->meta + w, made_meta, n_made * sizeof *made_meta);
    t->n_trips = w + n_made;
    if (n_trips_out) *n_trips_out = n_made;
    n_made = 0;
    t->stale = 1;
    goto done;
oom:
    rc = sim_error_set(err, SIM_ENOMEM, "%s: route '%s'", what, route_id);
done:
    for (size_t k = 0; k < n_made; ++k) free((void *)made[k].stops);
    free(made);
    free(made_meta);
    free(idx);
    free(pat);
    free(rank);
    free(dir);
    free(main_rep);
    free(gcount);
    free(gfirst);
    free(groups);
    return rc;
}

sim_status scn_transit_remove_trips(scn_transit *t, const char *route_id, int32_t from_s,
                                    int32_t to_s, size_t *n_removed, const char *what,
                                    sim_error *err) {
    what = what_or(what);
    uint32_t ref = 0;
    char b1[24], b2[24];
    sim_status rc = find_route(t, route_id, &ref, what, err);
    if (rc) return rc;
    if (from_s >= 0 && to_s <= from_s)
        return sim_error_set(err, SIM_EPARSE, "%s: route '%s': end %s is not after start %s", what,
                             route_name(t, ref), hms(to_s, b1), hms(from_s, b2));
    size_t w = 0;
    for (size_t i = 0; i < t->n_trips; ++i) {
        const sim_trip *tr = &t->trips[i];
        if (tr->route_ref == ref &&
            (from_s < 0 || (tr->dep_s[0] >= from_s && tr->dep_s[0] < to_s))) {
            trip_release(tr, &t->meta[i]);
            continue;
        }
        t->trips[w] = t->trips[i];
        t->meta[w++] = t->meta[i];
    }
    if (n_removed) *n_removed = t->n_trips - w;
    if (w != t->n_trips) t->stale = 1;
    t->n_trips = w;
    return SIM_OK;
}
