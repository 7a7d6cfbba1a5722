/*
 * Brute-force reference for sim/raptor: earliest arrivals on a time-expanded graph, built straight
 * from the raw sim_trip array (no routes, no sorting of trips, no FIFO assumption), so that a bug
 * in sim/timetable.c or sim/raptor.c cannot hide in both.
 *
 * Nodes, all with a fixed time of day:
 *   D(e)  departure event e = (trip j, position i), at dep_s[i];
 *   A(e)  arrival event e, at arr_s[i];
 *   W(w)  waiting node: one per departure event that allows pickup, chained per stop in order of
 *         time (ties by event id).
 * Arcs, with a cost of 1 for boarding and 0 otherwise:
 *   D(j,i) -> A(j,i+1)   ride to the next stop;       A(j,i) -> D(j,i)   stay on board;
 *   W(w) -> W(w+1)       wait at the stop;            W(w) -> D(e)       board (cost 1);
 *   A(j,i), i >= 1 with drop-off allowed at stop s:
 *        -> W(first at s departing >= arr + slack)             alight and wait;
 *        -> W(first at q departing >= arr + walk + slack)      for every transfer s -> q.
 * Leaving the origin at t, access stop s (walk w) enters W(first at s departing >= t + w + slack).
 * Since node times are fixed, the search only has to find, for every node, the fewest boardings
 * that reach it (a 0-1 breadth-first search, level by level of ride count); every node reachable
 * with at most max_rides boardings is a possible event. The arrival at a stop is the earliest
 * reachable alighting there, or walking one transfer from a reachable alighting elsewhere.
 *
 * Header-only (static functions) so tests can include it; plain, slow and allocation-happy.
 */
#ifndef ACCESSIM_TESTS_SIM_REF_TIMEEXP_H
#define ACCESSIM_TESTS_SIM_REF_TIMEEXP_H

#include <stdint.h>
#include <stdlib.h>

#include "sim/raptor.h"
#include "sim/timetable.h"

#define REF_TE_NONE INT64_MAX

typedef struct {
    uint32_t n_stops, n_ev, n_wait;
    int64_t slack;
    /* events: trip stop times in input order */
    uint32_t *ev_stop;
    int64_t *ev_arr, *ev_dep;
    uint8_t *ev_pick, *ev_drop, *ev_pos0, *ev_last;
    /* waiting nodes per stop: w_ev[w_first[s] .. w_first[s + 1] - 1], sorted by departure */
    uint32_t *w_first, *w_ev;
    /* raw transfers grouped by origin stop (duplicates and self-loops kept) */
    uint32_t *x_first, *x_to, *x_walk;
    /* search scratch */
    uint32_t *dist, *stack, *next;
} ref_te;

static inline void ref_te_free(ref_te *r) {
    if (!r) return;
    free(r->ev_stop);
    free(r->ev_arr);
    free(r->ev_dep);
    free(r->ev_pick);
    free(r->ev_drop);
    free(r->ev_pos0);
    free(r->ev_last);
    free(r->w_first);
    free(r->w_ev);
    free(r->x_first);
    free(r->x_to);
    free(r->x_walk);
    free(r->dist);
    free(r->stack);
    free(r->next);
    free(r);
}

typedef struct {
    int64_t dep;
    uint32_t ev;
} ref_te_pair;

static inline int ref_te_pair_cmp(const void *a, const void *b) {
    const ref_te_pair *x = a, *y = b;
    if (x->dep != y->dep) return x->dep < y->dep ? -1 : 1;
    return (x->ev > y->ev) - (x->ev < y->ev);
}

/* Builds the graph; trips must be valid (as sim_timetable_build() requires). NULL on failure. */
static inline ref_te *ref_te_build(const sim_trip *trips, size_t n_trips,
                                   const sim_transfer *transfers, size_t n_transfers,
                                   uint32_t n_stops, uint32_t slack_s) {
    ref_te *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->n_stops = n_stops;
    r->slack = slack_s;
    size_t n_ev = 0;
    for (size_t j = 0; j < n_trips; ++j) n_ev += trips[j].n_stops;
    r->n_ev = (uint32_t)n_ev;
    size_t ne = n_ev ? n_ev : 1;
    r->ev_stop = malloc(ne * sizeof *r->ev_stop);
    r->ev_arr = malloc(ne * sizeof *r->ev_arr);
    r->ev_dep = malloc(ne * sizeof *r->ev_dep);
    r->ev_pick = malloc(ne);
    r->ev_drop = malloc(ne);
    r->ev_pos0 = malloc(ne);
    r->ev_last = malloc(ne);
    r->w_first = calloc((size_t)n_stops + 1, sizeof *r->w_first);
    r->w_ev = malloc(ne * sizeof *r->w_ev);
    r->x_first = calloc((size_t)n_stops + 1, sizeof *r->x_first);
    r->x_to = malloc((n_transfers ? n_transfers : 1) * sizeof *r->x_to);
    r->x_walk = malloc((n_transfers ? n_transfers : 1) * sizeof *r->x_walk);
    size_t n_nodes = 3 * ne;
    r->dist = malloc(n_nodes * sizeof *r->dist);
    r->stack = malloc(n_nodes * sizeof *r->stack);
    r->next = malloc(n_nodes * sizeof *r->next);
    if (!r->ev_stop || !r->ev_arr || !r->ev_dep || !r->ev_pick || !r->ev_drop || !r->ev_pos0 ||
        !r->ev_last || !r->w_first || !r->w_ev || !r->x_first || !r->x_to || !r->x_walk ||
        !r->dist || !r->stack || !r->next) {
        ref_te_free(r);
        return NULL;
    }
    size_t e = 0;
    for (size_t j = 0; j < n_trips; ++j)
        for (uint32_t i = 0; i < trips[j].n_stops; ++i, ++e) {
            r->ev_stop[e] = trips[j].stops[i];
            r->ev_arr[e] = trips[j].arr_s[i];
            r->ev_dep[e] = trips[j].dep_s[i];
            r->ev_pick[e] = !trips[j].pickup_ok || trips[j].pickup_ok[i];
            r->ev_drop[e] = !trips[j].dropoff_ok || trips[j].dropoff_ok[i];
            r->ev_pos0[e] = i == 0;
            r->ev_last[e] = i + 1 == trips[j].n_stops;
        }
    /* waiting nodes: pickup events grouped by stop (count, prefix, fill), then sorted */
    uint32_t *cur = calloc((size_t)n_stops + 1, sizeof *cur);
    if (!cur) {
        ref_te_free(r);
        return NULL;
    }
    for (e = 0; e < n_ev; ++e)
        if (r->ev_pick[e]) ++r->w_first[r->ev_stop[e] + 1];
    for (uint32_t s = 0; s < n_stops; ++s) r->w_first[s + 1] += r->w_first[s];
    for (uint32_t s = 0; s < n_stops; ++s) cur[s] = r->w_first[s];
    for (e = 0; e < n_ev; ++e)
        if (r->ev_pick[e]) r->w_ev[cur[r->ev_stop[e]]++] = (uint32_t)e;
    r->n_wait = r->w_first[n_stops];
    ref_te_pair *pairs = malloc((r->n_wait ? r->n_wait : 1) * sizeof *pairs);
    if (!pairs) {
        free(cur);
        ref_te_free(r);
        return NULL;
    }
    for (uint32_t w = 0; w < r->n_wait; ++w)
        pairs[w] = (ref_te_pair){r->ev_dep[r->w_ev[w]], r->w_ev[w]};
    for (uint32_t s = 0; s < n_stops; ++s) /* by (departure, event id) within each stop */
        qsort(pairs + r->w_first[s], r->w_first[s + 1] - r->w_first[s], sizeof *pairs,
              ref_te_pair_cmp);
    for (uint32_t w = 0; w < r->n_wait; ++w) r->w_ev[w] = pairs[w].ev;
    free(pairs);
    /* transfers by origin */
    for (size_t x = 0; x < n_transfers; ++x) ++r->x_first[transfers[x].from + 1];
    for (uint32_t s = 0; s < n_stops; ++s) r->x_first[s + 1] += r->x_first[s];
    for (uint32_t s = 0; s < n_stops; ++s) cur[s] = r->x_first[s];
    for (size_t x = 0; x < n_transfers; ++x) {
        uint32_t at = cur[transfers[x].from]++;
        r->x_to[at] = transfers[x].to;
        r->x_walk[at] = transfers[x].walk_s;
    }
    free(cur);
    return r;
}

/* Node ids: D(e) = e, A(e) = n_ev + e, W(w) = 2 n_ev + w. */

/* The waiting node of the first pickup at stop s at or after time x, or UINT32_MAX. */
static inline uint32_t ref_te_wait_from(const ref_te *r, uint32_t s, int64_t x) {
    uint32_t lo = r->w_first[s], hi = r->w_first[s + 1];
    while (lo < hi) { /* departures are sorted within the stop */
        uint32_t mid = lo + (hi - lo) / 2;
        if (r->ev_dep[r->w_ev[mid]] >= x)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo < r->w_first[s + 1] ? 2 * r->n_ev + lo : UINT32_MAX;
}

/* Reaches node v with `rides` boardings (onto the current level's stack or the next level). */
static inline void ref_te_reach(ref_te *r, uint32_t v, uint32_t rides, uint32_t level,
                                uint32_t *n_stack, uint32_t *n_next) {
    if (v == UINT32_MAX || r->dist[v] <= rides) return;
    r->dist[v] = rides;
    if (rides == level)
        r->stack[(*n_stack)++] = v;
    else
        r->next[(*n_next)++] = v;
}

/*
 * Earliest arrival at every stop leaving the origin at departure_s: arrival_s[s] (n_stops slots)
 * is the earliest time s is reached by alighting there or by one transfer walked after alighting,
 * with at most max_rides boardings, or REF_TE_NONE. Access alone does not count as reaching a
 * stop. `r` holds the search scratch: not for concurrent use.
 */
static inline void ref_te_earliest(ref_te *r, const sim_raptor_access *access, uint32_t n_access,
                                   int64_t departure_s, uint32_t max_rides, int64_t *arrival_s) {
    const uint32_t n_nodes = 2 * r->n_ev + r->n_wait;
    for (uint32_t v = 0; v < n_nodes; ++v) r->dist[v] = UINT32_MAX;
    uint32_t n_stack = 0, n_next = 0;
    for (uint32_t a = 0; a < n_access; ++a)
        ref_te_reach(r,
                     ref_te_wait_from(r, access[a].stop, departure_s + access[a].walk_s + r->slack),
                     0, 0, &n_stack, &n_next);
    for (uint32_t level = 0; level <= max_rides; ++level) {
        if (level > 0) { /* the next level's list becomes the stack */
            for (uint32_t x = 0; x < n_next; ++x)
                if (r->dist[r->next[x]] == level) r->stack[n_stack++] = r->next[x];
            n_next = 0;
        }
        while (n_stack > 0) {
            uint32_t v = r->stack[--n_stack];
            if (v < r->n_ev) { /* D(e): ride on */
                if (!r->ev_last[v])
                    ref_te_reach(r, r->n_ev + v + 1, level, level, &n_stack, &n_next);
            } else if (v < 2 * r->n_ev) { /* A(e): stay on, or alight and wait or walk */
                uint32_t e = v - r->n_ev, s = r->ev_stop[e];
                if (!r->ev_last[e]) ref_te_reach(r, e, level, level, &n_stack, &n_next);
                if (r->ev_pos0[e] || !r->ev_drop[e]) continue;
                ref_te_reach(r, ref_te_wait_from(r, s, r->ev_arr[e] + r->slack), level, level,
                             &n_stack, &n_next);
                for (uint32_t x = r->x_first[s]; x < r->x_first[s + 1]; ++x)
                    ref_te_reach(
                        r, ref_te_wait_from(r, r->x_to[x], r->ev_arr[e] + r->x_walk[x] + r->slack),
                        level, level, &n_stack, &n_next);
            } else { /* W(w): wait for the next pickup at this stop, or board */
                uint32_t w = v - 2 * r->n_ev, e = r->w_ev[w];
                if (w + 1 < r->w_first[r->ev_stop[e] + 1])
                    ref_te_reach(r, v + 1, level, level, &n_stack, &n_next);
                if (level + 1 <= max_rides) ref_te_reach(r, e, level + 1, level, &n_stack, &n_next);
            }
        }
    }
    for (uint32_t s = 0; s < r->n_stops; ++s) arrival_s[s] = REF_TE_NONE;
    for (uint32_t e = 0; e < r->n_ev; ++e) {
        if (r->dist[r->n_ev + e] > max_rides || r->ev_pos0[e] || !r->ev_drop[e]) continue;
        uint32_t s = r->ev_stop[e];
        if (r->ev_arr[e] < arrival_s[s]) arrival_s[s] = r->ev_arr[e];
        for (uint32_t x = r->x_first[s]; x < r->x_first[s + 1]; ++x)
            if (r->ev_arr[e] + r->x_walk[x] < arrival_s[r->x_to[x]])
                arrival_s[r->x_to[x]] = r->ev_arr[e] + r->x_walk[x];
    }
}

#endif
