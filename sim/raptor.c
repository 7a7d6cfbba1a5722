#include "sim/raptor.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>

/*
 * Range-RAPTOR as in Delling, Pajor and Werneck (2015), section 4: the departures of the window
 * are processed latest first and the labels are never reset between them. A label found for a
 * later departure is a valid (if pessimistic) arrival for an earlier one, because the traveller
 * may wait at the origin; so each departure only has to explore what its earlier start improves,
 * starting from the access stops (which always improve, the start being earlier) and scanning
 * only routes through stops improved in the previous round of this same departure.
 *
 * Labels per stop s and round k (k rides at most), stored stop-major so that one stop's rounds
 * share a cache line:
 *   best[s][k]  earliest arrival at s reached by access (k = 0), ride or footpath, <= k rides;
 *   ride[s][k]  earliest arrival at s by alighting from a vehicle, <= k rides (k >= 1).
 * Both are kept "at most k" (non-increasing in k) by writing an improvement for round k into every
 * round j >= k at once, which replaces the per-round copy of the paper (and R5's minMergePrevious)
 * by a few writes per improvement: the stops are not marked again in rounds > k, because the
 * paper's argument applies: what a label can reach with more rides was already explored from it
 * with fewer. Two labels are needed because footpaths do not chain: an arrival by vehicle that
 * does not beat best[s][k] (set by a footpath) may still lead, by its own footpath, somewhere
 * earlier; so rides are pruned against ride[][], footpaths and boardings use best[][].
 *
 * Destinations: transit[s] is the earliest arrival at s by a ride or the footpath after it, over
 * all rounds and all departures so far (access alone does not count, see raptor.h). After each
 * departure the stops whose transit[] improved relax their egress walks into dest_best[], which is
 * likewise kept across departures. Target pruning: leaving at t, nothing arriving after
 * t + max_trip_s can matter, and the bound only shrinks as departures get earlier.
 *
 * Nothing is reset per departure except small flag lists; per query, only the stops touched by
 * the previous query are reset (the touched list).
 */

#define INF INT32_MAX

enum { F_TOUCHED = 1, F_MARKED = 2, F_FOOT = 4, F_EGRESS = 8 };

struct sim_raptor_ws {
    const sim_timetable *tt;
    uint32_t n_stops, n_routes, n_dest, max_rides, stride; /* stride = max_rides + 1 */
    int32_t *best, *ride;                                  /* n_stops * stride each */
    int32_t *transit;                                      /* n_stops */
    int32_t *dest_best;                                    /* n_dest */
    uint8_t *flag;                                         /* n_stops, F_* bits */
    uint32_t *touched, n_touched; /* stops with any label set since the last reset */
    uint32_t *marked, n_marked;   /* stops whose best[][k-1] improved: scan their routes */
    uint32_t *next, n_next;       /* stops whose best[][k] improves in this round */
    uint32_t *foot, n_foot;       /* stops whose ride[][k] improved: walk their footpaths */
    uint32_t *egress, n_egress;   /* stops whose transit[] improved in this departure */
    uint8_t *route_on;            /* n_routes: route listed in `routes` */
    uint32_t *route_from;         /* n_routes: earliest marked position */
    uint32_t *routes, n_routes_listed;
};

/* Per-query constants of a departure, passed to the scanning helpers. */
typedef struct {
    uint32_t k, max_rides;
    int64_t bound; /* latest useful arrival */
    int64_t slack;
} round_ctx;

sim_raptor_params sim_raptor_params_default(void) {
    sim_raptor_params p = {0, 0, 60, 4, 7200, 0};
    return p;
}

uint32_t sim_raptor_departure_count(const sim_raptor_params *p) {
    if (!p || p->step_s == 0 || p->window_end_s <= p->window_start_s) return 0;
    int64_t span = (int64_t)p->window_end_s - p->window_start_s;
    return (uint32_t)((span + p->step_s - 1) / p->step_s);
}

sim_status sim_raptor_egress_validate(const sim_raptor_egress *e, uint32_t n_stops) {
    if (!e || !e->first || e->n_stops != n_stops || e->first[0] != 0) return SIM_EINVAL;
    for (uint32_t s = 0; s < n_stops; ++s)
        if (e->first[s + 1] < e->first[s]) return SIM_EINVAL;
    uint32_t m = e->first[n_stops];
    if (m && (!e->dest || !e->walk_s)) return SIM_EINVAL;
    for (uint32_t i = 0; i < m; ++i)
        if (e->dest[i] >= e->n_dest) return SIM_EINVAL;
    return SIM_OK;
}

void sim_raptor_ws_destroy(sim_raptor_ws *ws) {
    if (!ws) return;
    free(ws->best);
    free(ws->ride);
    free(ws->transit);
    free(ws->dest_best);
    free(ws->flag);
    free(ws->touched);
    free(ws->marked);
    free(ws->next);
    free(ws->foot);
    free(ws->egress);
    free(ws->route_on);
    free(ws->route_from);
    free(ws->routes);
    free(ws);
}

static void fill_inf(int32_t *v, size_t n) {
    for (size_t i = 0; i < n; ++i) v[i] = INF;
}

sim_raptor_ws *sim_raptor_ws_create(const sim_timetable *tt, uint32_t n_dest, uint32_t max_rides) {
    if (!tt || max_rides > SIM_RAPTOR_MAX_RIDES) return NULL;
    sim_raptor_ws *ws = calloc(1, sizeof *ws);
    if (!ws) return NULL;
    size_t ns = tt->n_stops ? tt->n_stops : 1, nr = tt->n_routes ? tt->n_routes : 1;
    size_t nd = n_dest ? n_dest : 1;
    ws->tt = tt;
    ws->n_stops = tt->n_stops;
    ws->n_routes = tt->n_routes;
    ws->n_dest = n_dest;
    ws->max_rides = max_rides;
    ws->stride = max_rides + 1;
    ws->best = malloc(ns * ws->stride * sizeof *ws->best);
    ws->ride = malloc(ns * ws->stride * sizeof *ws->ride);
    ws->transit = malloc(ns * sizeof *ws->transit);
    ws->dest_best = malloc(nd * sizeof *ws->dest_best);
    ws->flag = calloc(ns, sizeof *ws->flag);
    ws->touched = malloc(ns * sizeof *ws->touched);
    ws->marked = malloc(ns * sizeof *ws->marked);
    ws->next = malloc(ns * sizeof *ws->next);
    ws->foot = malloc(ns * sizeof *ws->foot);
    ws->egress = malloc(ns * sizeof *ws->egress);
    ws->route_on = calloc(nr, sizeof *ws->route_on);
    ws->route_from = malloc(nr * sizeof *ws->route_from);
    ws->routes = malloc(nr * sizeof *ws->routes);
    if (!ws->best || !ws->ride || !ws->transit || !ws->dest_best || !ws->flag || !ws->touched ||
        !ws->marked || !ws->next || !ws->foot || !ws->egress || !ws->route_on || !ws->route_from ||
        !ws->routes) {
        sim_raptor_ws_destroy(ws);
        return NULL;
    }
    fill_inf(ws->best, ns * ws->stride);
    fill_inf(ws->ride, ns * ws->stride);
    fill_inf(ws->transit, ns);
    return ws;
}

/* ---- label updates ------------------------------------------------------------------------ */

static inline void touch(sim_raptor_ws *ws, uint32_t s) {
    if (!(ws->flag[s] & F_TOUCHED)) {
        ws->flag[s] |= F_TOUCHED;
        ws->touched[ws->n_touched++] = s;
    }
}

/* best[s][j] = min(best[s][j], v) for j = k..max_rides; marks s for the next round if improved. */
static inline void improve_best(sim_raptor_ws *ws, const round_ctx *c, uint32_t s, int32_t v) {
    int32_t *b = ws->best + (size_t)s * ws->stride;
    if (v >= b[c->k]) return;
    touch(ws, s);
    for (uint32_t j = c->k; j <= c->max_rides && v < b[j]; ++j) b[j] = v;
    if (!(ws->flag[s] & F_MARKED)) {
        ws->flag[s] |= F_MARKED;
        ws->next[ws->n_next++] = s;
    }
}

static inline void improve_transit(sim_raptor_ws *ws, uint32_t s, int32_t v) {
    if (v >= ws->transit[s]) return;
    touch(ws, s);
    ws->transit[s] = v;
    if (!(ws->flag[s] & F_EGRESS)) {
        ws->flag[s] |= F_EGRESS;
        ws->egress[ws->n_egress++] = s;
    }
}

/* Alighting at s at time a in round c->k. */
static inline void improve_ride(sim_raptor_ws *ws, const round_ctx *c, uint32_t s, int32_t a) {
    int32_t *r = ws->ride + (size_t)s * ws->stride;
    if (a >= r[c->k]) return;
    touch(ws, s);
    for (uint32_t j = c->k; j <= c->max_rides && a < r[j]; ++j) r[j] = a;
    if (!(ws->flag[s] & F_FOOT)) {
        ws->flag[s] |= F_FOOT;
        ws->foot[ws->n_foot++] = s;
    }
    improve_best(ws, c, s, a);
    improve_transit(ws, s, a);
}

/* ---- one round ------------------------------------------------------------------------------ */

/* Lists the routes through marked stops with the earliest marked position; clears the marks. */
static void collect_routes(sim_raptor_ws *ws) {
    const sim_timetable *tt = ws->tt;
    ws->n_routes_listed = 0;
    for (uint32_t m = 0; m < ws->n_marked; ++m) {
        uint32_t s = ws->marked[m];
        ws->flag[s] &= (uint8_t)~F_MARKED;
        for (uint32_t e = tt->stop_route_first[s]; e < tt->stop_route_first[s + 1]; ++e) {
            uint32_t r = tt->stop_routes[e], pos = tt->stop_route_pos[e];
            if (!ws->route_on[r]) {
                ws->route_on[r] = 1;
                ws->route_from[r] = pos;
                ws->routes[ws->n_routes_listed++] = r;
            } else if (pos < ws->route_from[r]) {
                ws->route_from[r] = pos;
            }
        }
    }
}

/* First trip in [0, hi) departing position i at or after e (trips are FIFO, so departures at a
 * position are sorted); hi if none. */
static inline uint32_t first_trip_from(const int32_t *dep, uint32_t n, uint32_t i, uint32_t hi,
                                       int64_t e) {
    uint32_t lo = 0;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (dep[(size_t)mid * n + i] >= e)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* Scans route r from position `from` in round c->k: board the earliest catchable trip given
 * best[][k-1] (switching to an earlier one where a stop allows), alight into ride[][k]. */
static void scan_route(sim_raptor_ws *ws, const round_ctx *c, uint32_t r, uint32_t from) {
    const sim_timetable *tt = ws->tt;
    const uint32_t n = tt->route_n_stops[r], nt = tt->route_n_trips[r];
    const uint32_t *stops = tt->route_stops + tt->route_stop_first[r];
    const size_t base = tt->route_time_first[r];
    const int32_t *arr = tt->arr_s + base, *dep = tt->dep_s + base;
    const uint8_t *fl = tt->flags + base; /* one pattern per route: trip 0's flags hold for all */
    const int32_t *prev = ws->best + (c->k - 1);
    uint32_t cur = nt; /* trip on board; nt = none */
    for (uint32_t i = from; i < n; ++i) {
        uint32_t s = stops[i];
        if (cur < nt && (fl[i] & SIM_TT_ALIGHT)) {
            int32_t a = arr[(size_t)cur * n + i];
            if (a <= c->bound) improve_ride(ws, c, s, a);
        }
        if (!(fl[i] & SIM_TT_BOARD)) continue;
        int32_t b = prev[(size_t)s * ws->stride];
        if (b == INF) continue;
        int64_t e = (int64_t)b + c->slack;
        if (e > c->bound) continue; /* anything boarded later arrives too late */
        if (cur < nt && e > dep[(size_t)cur * n + i]) continue; /* no earlier trip catchable */
        uint32_t t = first_trip_from(dep, n, i, cur, e);
        if (t < cur) cur = t;
    }
}

static void walk_footpaths(sim_raptor_ws *ws, const round_ctx *c) {
    const sim_timetable *tt = ws->tt;
    for (uint32_t f = 0; f < ws->n_foot; ++f) {
        uint32_t s = ws->foot[f];
        ws->flag[s] &= (uint8_t)~F_FOOT;
        int64_t a = ws->ride[(size_t)s * ws->stride + c->k]; /* this round's ride arrival */
        for (uint32_t e = tt->transfer_first[s]; e < tt->transfer_first[s + 1]; ++e) {
            int64_t v = a + tt->transfer_walk_s[e];
            if (v > c->bound) continue;
            improve_best(ws, c, tt->transfer_to[e], (int32_t)v);
            improve_transit(ws, tt->transfer_to[e], (int32_t)v);
        }
    }
    ws->n_foot = 0;
}

static void relax_egress(sim_raptor_ws *ws, const sim_raptor_egress *eg) {
    for (uint32_t x = 0; x < ws->n_egress; ++x) {
        uint32_t s = ws->egress[x];
        ws->flag[s] &= (uint8_t)~F_EGRESS;
        int64_t v = ws->transit[s];
        for (uint32_t e = eg->first[s]; e < eg->first[s + 1]; ++e) {
            uint32_t d = eg->dest[e];
            assert(d < ws->n_dest);
            int64_t at = v + eg->walk_s[e];
            if (at < ws->dest_best[d]) ws->dest_best[d] = (int32_t)at;
        }
    }
    ws->n_egress = 0;
}

/* Back to "nothing known" for the stops the last query touched. */
static void reset_labels(sim_raptor_ws *ws) {
    for (uint32_t x = 0; x < ws->n_touched; ++x) {
        uint32_t s = ws->touched[x];
        fill_inf(ws->best + (size_t)s * ws->stride, ws->stride);
        fill_inf(ws->ride + (size_t)s * ws->stride, ws->stride);
        ws->transit[s] = INF;
        ws->flag[s] = 0;
    }
    ws->n_touched = 0;
    fill_inf(ws->dest_best, ws->n_dest);
}

/* Clears the marks of a list that will not be scanned. */
static void drop_marks(sim_raptor_ws *ws, const uint32_t *list, uint32_t n) {
    for (uint32_t x = 0; x < n; ++x) ws->flag[list[x]] &= (uint8_t)~F_MARKED;
}

/* One RAPTOR run leaving at t, on the labels left by the later departures. */
static void run_departure(sim_raptor_ws *ws, const sim_raptor_params *p,
                          const sim_raptor_access *access, uint32_t n_access, int64_t t) {
    round_ctx c = {0, p->max_rides, t + p->max_trip_s, p->board_slack_s};
    if (c.bound > INF - 1) c.bound = INF - 1;
    ws->n_next = 0;
    for (uint32_t a = 0; a < n_access; ++a) {
        int64_t v = t + access[a].walk_s;
        if (v <= c.bound) improve_best(ws, &c, access[a].stop, (int32_t)v);
    }
    for (c.k = 1; c.k <= p->max_rides; ++c.k) {
        uint32_t *tmp = ws->marked;
        ws->marked = ws->next;
        ws->n_marked = ws->n_next;
        ws->next = tmp;
        ws->n_next = 0;
        if (ws->n_marked == 0) break;
        collect_routes(ws);
        for (uint32_t x = 0; x < ws->n_routes_listed; ++x) {
            uint32_t r = ws->routes[x];
            ws->route_on[r] = 0;
            scan_route(ws, &c, r, ws->route_from[r]);
        }
        walk_footpaths(ws, &c);
    }
    drop_marks(ws, ws->next, ws->n_next); /* the last round's improvements have no next round */
    ws->n_next = 0;
}

sim_status sim_raptor_query(const sim_timetable *tt, const sim_raptor_params *params,
                            const sim_raptor_access *access, uint32_t n_access,
                            const sim_raptor_egress *egress, const uint32_t *direct_walk_s,
                            sim_raptor_ws *ws, uint32_t *times_s) {
    if (!tt || !params || !egress || !ws || (n_access && !access)) return SIM_EINVAL;
    if (ws->tt != tt || ws->n_stops != tt->n_stops || ws->n_routes != tt->n_routes)
        return SIM_EINVAL;
    if (params->step_s == 0 || params->max_rides > ws->max_rides) return SIM_EINVAL;
    if (egress->n_stops != tt->n_stops || egress->n_dest != ws->n_dest || !egress->first)
        return SIM_EINVAL;
    for (uint32_t a = 0; a < n_access; ++a)
        if (access[a].stop >= tt->n_stops) return SIM_EINVAL;
    uint32_t n_dep = sim_raptor_departure_count(params), n_dest = ws->n_dest;
    if (n_dep && n_dest && !times_s) return SIM_EINVAL;

    reset_labels(ws);
    for (uint32_t i = n_dep; i-- > 0;) {
        int64_t t = (int64_t)params->window_start_s + (int64_t)i * params->step_s;
        run_departure(ws, params, access, n_access, t);
        relax_egress(ws, egress);
        uint32_t *row = times_s + (size_t)i * n_dest;
        for (uint32_t d = 0; d < n_dest; ++d) {
            uint64_t tt_s = ws->dest_best[d] == INF ? UINT64_MAX : (uint64_t)(ws->dest_best[d] - t);
            if (direct_walk_s && direct_walk_s[d] != UINT32_MAX && direct_walk_s[d] < tt_s)
                tt_s = direct_walk_s[d];
            row[d] = tt_s <= params->max_trip_s ? (uint32_t)tt_s : SIM_UNREACHABLE;
        }
    }
    return SIM_OK;
}

/* ---- percentiles ------------------------------------------------------------------------- */

uint32_t sim_raptor_percentile_index(uint32_t n, uint32_t percentile) {
    assert(n > 0 && percentile >= 1 && percentile <= 100);
    /* Same operations, in the same order and precision, as R5's findPercentileIndex(). */
    double idx = ceil((double)percentile / 100 * (double)n) - 1;
    if (idx < 0) return 0;
    if (idx > (double)(n - 1)) return n - 1;
    return (uint32_t)idx;
}

/* Ascending in-place sort of small arrays: quicksort (median of three) down to insertion sort. */
static void sort_u32(uint32_t *v, size_t n) {
    while (n > 16) {
        uint32_t a = v[0], b = v[n / 2], c = v[n - 1];
        uint32_t pivot = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
        size_t i = 0, j = n - 1;
        for (;;) {
            while (v[i] < pivot) ++i;
            while (v[j] > pivot) --j;
            if (i >= j) break;
            uint32_t x = v[i];
            v[i++] = v[j];
            v[j--] = x;
        }
        /* [0, j] <= pivot <= [j + 1, n): recurse on the smaller part, loop on the larger. */
        size_t left = j + 1;
        if (left < n - left) {
            sort_u32(v, left);
            v += left;
            n -= left;
        } else {
            sort_u32(v + left, n - left);
            n = left;
        }
    }
    for (size_t i = 1; i < n; ++i) {
        uint32_t x = v[i];
        size_t j = i;
        while (j > 0 && v[j - 1] > x) {
            v[j] = v[j - 1];
            --j;
        }
        v[j] = x;
    }
}

sim_status sim_raptor_percentiles(const uint32_t *times_s, uint32_t n_departures, uint32_t n_dest,
                                  const uint32_t *percentiles, uint32_t n_percentiles,
                                  uint32_t *scratch, uint32_t *out) {
    if (n_departures == 0 || (n_percentiles && !percentiles)) return SIM_EINVAL;
    if (n_dest && n_percentiles && (!times_s || !scratch || !out)) return SIM_EINVAL;
    for (uint32_t j = 0; j < n_percentiles; ++j)
        if (percentiles[j] < 1 || percentiles[j] > 100) return SIM_EINVAL;
    if (n_percentiles == 0) return SIM_OK;
    for (uint32_t d = 0; d < n_dest; ++d) {
        /* Sorting only the reachable times is the same as sorting with SIM_UNREACHABLE last:
         * an index at or past their count reads an unreachable time. */
        uint32_t n_reached = 0;
        for (uint32_t i = 0; i < n_departures; ++i) {
            uint32_t v = times_s[(size_t)i * n_dest + d];
            if (v != SIM_UNREACHABLE) scratch[n_reached++] = v;
        }
        sort_u32(scratch, n_reached);
        for (uint32_t j = 0; j < n_percentiles; ++j) {
            uint32_t at = sim_raptor_percentile_index(n_departures, percentiles[j]);
            out[(size_t)d * n_percentiles + j] = at < n_reached ? scratch[at] : SIM_UNREACHABLE;
        }
    }
    return SIM_OK;
}
