#include "sim/timetable.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

/*
 * Building the RAPTOR form in five passes, each a pure function of the input order:
 *  1. validate every trip and transfer (nothing is allocated for bad input);
 *  2. group trips by pattern (stop sequence + pickup/dropoff flags) with an open-addressing hash
 *     table, numbering patterns in order of first appearance;
 *  3. sort each pattern's trips (merge sort: stable, and takes a context, unlike qsort);
 *  4. split each pattern greedily into FIFO routes (first route whose last trip the new trip does
 *     not overtake), so that routes of one pattern are numbered consecutively;
 *  5. lay out stop times trip-major per route, then the stop -> (route, position) index and the
 *     transfer CSR by counting sorts.
 */

/* ---- small helpers ------------------------------------------------------------------------ */

static int flag_at(const uint8_t *f, uint32_t i) { return f ? f[i] != 0 : 1; }

static uint8_t stop_flags(const sim_trip *t, uint32_t i) {
    return (uint8_t)((flag_at(t->pickup_ok, i) ? SIM_TT_BOARD : 0u) |
                     (flag_at(t->dropoff_ok, i) ? SIM_TT_ALIGHT : 0u));
}

static int trip_valid(const sim_trip *t, uint32_t n_stops) {
    if (t->n_stops < 2 || !t->stops || !t->arr_s || !t->dep_s) return 0;
    for (uint32_t i = 0; i < t->n_stops; ++i) {
        if (t->stops[i] >= n_stops) return 0;
        if (t->arr_s[i] > t->dep_s[i]) return 0;
        if (i + 1 < t->n_stops && t->dep_s[i] > t->arr_s[i + 1]) return 0;
    }
    return 1;
}

static uint64_t pattern_hash(const sim_trip *t) {
    uint64_t h = 1469598103934665603u ^ t->n_stops; /* FNV-1a over (stop, flags) pairs */
    for (uint32_t i = 0; i < t->n_stops; ++i) {
        h = (h ^ t->stops[i]) * 1099511628211u;
        h = (h ^ stop_flags(t, i)) * 1099511628211u;
    }
    return h ^ (h >> 29);
}

static int same_pattern(const sim_trip *a, const sim_trip *b) {
    if (a->n_stops != b->n_stops) return 0;
    for (uint32_t i = 0; i < a->n_stops; ++i)
        if (a->stops[i] != b->stops[i] || stop_flags(a, i) != stop_flags(b, i)) return 0;
    return 1;
}

static int cmp_i32(int32_t a, int32_t b) { return (a > b) - (a < b); }

/* Order of trips within one pattern: departure at the first stop, then arrival and departure at
 * each later stop in turn, then arrival at the first stop, then input order (a total order). */
static int trip_cmp(const void *ctx, uint32_t ia, uint32_t ib) {
    const sim_trip *a = (const sim_trip *)ctx + ia, *b = (const sim_trip *)ctx + ib;
    int c = cmp_i32(a->dep_s[0], b->dep_s[0]);
    for (uint32_t i = 1; !c && i < a->n_stops; ++i) {
        c = cmp_i32(a->arr_s[i], b->arr_s[i]);
        if (!c) c = cmp_i32(a->dep_s[i], b->dep_s[i]);
    }
    if (!c) c = cmp_i32(a->arr_s[0], b->arr_s[0]);
    return c ? c : (ia > ib) - (ia < ib);
}

/* Transfers by (from, to, walk, input index). */
static int transfer_cmp(const void *ctx, uint32_t ia, uint32_t ib) {
    const sim_transfer *a = (const sim_transfer *)ctx + ia, *b = (const sim_transfer *)ctx + ib;
    if (a->from != b->from) return a->from < b->from ? -1 : 1;
    if (a->to != b->to) return a->to < b->to ? -1 : 1;
    if (a->walk_s != b->walk_s) return a->walk_s < b->walk_s ? -1 : 1;
    return (ia > ib) - (ia < ib);
}

/* Stable bottom-up merge sort of v[0..n-1] by cmp(ctx, ., .); tmp has n slots. */
static void merge_sort(uint32_t *v, uint32_t *tmp, size_t n, const void *ctx,
                       int (*cmp)(const void *, uint32_t, uint32_t)) {
    uint32_t *src = v, *dst = tmp;
    for (size_t w = 1; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) dst[k++] = cmp(ctx, src[j], src[i]) < 0 ? src[j++] : src[i++];
            while (i < mid) dst[k++] = src[i++];
            while (j < hi) dst[k++] = src[j++];
        }
        uint32_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != v) memcpy(v, src, n * sizeof *v);
}

/* Trip b may follow trip a in one route: it never runs ahead of a (equal times allowed). */
static int no_overtake(const sim_trip *a, const sim_trip *b) {
    for (uint32_t i = 0; i < a->n_stops; ++i)
        if (b->arr_s[i] < a->arr_s[i] || b->dep_s[i] < a->dep_s[i]) return 0;
    return 1;
}

void sim_timetable_destroy(sim_timetable *tt) {
    if (!tt) return;
    free(tt->route_n_stops);
    free(tt->route_n_trips);
    free(tt->route_ref);
    free(tt->route_stop_first);
    free(tt->route_time_first);
    free(tt->route_stops);
    free(tt->arr_s);
    free(tt->dep_s);
    free(tt->flags);
    free(tt->stop_route_first);
    free(tt->stop_routes);
    free(tt->stop_route_pos);
    free(tt->transfer_first);
    free(tt->transfer_to);
    free(tt->transfer_walk_s);
    free(tt);
}

static void *alloc_n(size_t n, size_t size) { return malloc((n ? n : 1) * size); }

/* The transfer CSR of `tt` (n_stops already set): self-loops dropped, rows sorted by target,
 * the shortest of duplicate (from, to) pairs kept. Returns SIM_OK or SIM_ENOMEM. */
static sim_status build_transfers(sim_timetable *tt, const sim_transfer *transfers, size_t n) {
    sim_status rc = SIM_ENOMEM;
    uint32_t *idx = alloc_n(n, sizeof *idx), *tmp = alloc_n(n, sizeof *tmp);
    tt->transfer_first = calloc((size_t)tt->n_stops + 1, sizeof *tt->transfer_first);
    tt->transfer_to = alloc_n(n, sizeof *tt->transfer_to);
    tt->transfer_walk_s = alloc_n(n, sizeof *tt->transfer_walk_s);
    if (!idx || !tmp || !tt->transfer_first || !tt->transfer_to || !tt->transfer_walk_s) goto done;
    size_t m = 0;
    for (size_t i = 0; i < n; ++i)
        if (transfers[i].from != transfers[i].to) idx[m++] = (uint32_t)i;
    merge_sort(idx, tmp, m, transfers, transfer_cmp);
    uint32_t kept = 0;
    for (size_t i = 0; i < m; ++i) {
        const sim_transfer *x = &transfers[idx[i]];
        if (i > 0 && transfers[idx[i - 1]].from == x->from && transfers[idx[i - 1]].to == x->to)
            continue; /* sorted by walk within the pair: the first one is the shortest */
        tt->transfer_to[kept] = x->to;
        tt->transfer_walk_s[kept] = x->walk_s;
        ++kept;
        ++tt->transfer_first[x->from + 1];
    }
    for (uint32_t s = 0; s < tt->n_stops; ++s) tt->transfer_first[s + 1] += tt->transfer_first[s];
    assert(tt->transfer_first[tt->n_stops] == kept);
    rc = SIM_OK;
done:
    free(idx);
    free(tmp);
    return rc;
}

/* The stop -> (route, position) index of `tt` (routes already laid out). */
static sim_status build_stop_routes(sim_timetable *tt) {
    uint32_t n_entries = tt->route_stop_first[tt->n_routes];
    tt->stop_route_first = calloc((size_t)tt->n_stops + 2, sizeof *tt->stop_route_first);
    tt->stop_routes = alloc_n(n_entries, sizeof *tt->stop_routes);
    tt->stop_route_pos = alloc_n(n_entries, sizeof *tt->stop_route_pos);
    if (!tt->stop_route_first || !tt->stop_routes || !tt->stop_route_pos) return SIM_ENOMEM;
    /* Counting sort with the counts shifted by two, so that after the prefix sum slot s + 1 is the
     * cursor for stop s and, once every entry is placed, slot s holds the start of stop s. */
    uint32_t *c = tt->stop_route_first;
    for (uint32_t e = 0; e < n_entries; ++e) ++c[tt->route_stops[e] + 2];
    for (uint32_t s = 0; s < tt->n_stops; ++s) c[s + 2] += c[s + 1];
    for (uint32_t r = 0; r < tt->n_routes; ++r)
        for (uint32_t i = 0; i < tt->route_n_stops[r]; ++i) {
            uint32_t at = c[tt->route_stops[tt->route_stop_first[r] + i] + 1]++;
            tt->stop_routes[at] = r;
            tt->stop_route_pos[at] = i;
        }
    assert(c[tt->n_stops] == n_entries);
    return SIM_OK;
}

sim_status sim_timetable_build(uint32_t n_stops, const sim_trip *trips, size_t n_trips,
                               const sim_transfer *transfers, size_t n_transfers,
                               sim_timetable **out) {
    if (!out) return SIM_EINVAL;
    *out = NULL;
    if ((n_trips && !trips) || (n_transfers && !transfers)) return SIM_EINVAL;
    if (n_trips > UINT32_MAX / 4 || n_transfers > UINT32_MAX / 2) return SIM_EINVAL;
    for (size_t j = 0; j < n_trips; ++j)
        if (!trip_valid(&trips[j], n_stops)) return SIM_EINVAL;
    for (size_t i = 0; i < n_transfers; ++i)
        if (transfers[i].from >= n_stops || transfers[i].to >= n_stops) return SIM_EINVAL;

    sim_status rc = SIM_ENOMEM;
    uint32_t nt = (uint32_t)n_trips, n_groups = 0, n_routes = 0;
    size_t hcap = 16;
    while (hcap < 2 * (size_t)nt) hcap *= 2;
    uint32_t *hash = calloc(hcap, sizeof *hash);               /* pattern + 1; 0 = empty */
    uint32_t *group = alloc_n(nt, sizeof *group);              /* trip -> pattern */
    uint32_t *group_first = alloc_n(nt, sizeof *group_first);  /* pattern -> its first trip */
    uint32_t *gstart = calloc((size_t)nt + 2, sizeof *gstart); /* pattern -> slice of order */
    uint32_t *order = alloc_n(nt, sizeof *order), *tmp = alloc_n(nt, sizeof *tmp);
    uint32_t *route_of = alloc_n(nt, sizeof *route_of); /* trip -> route within its pattern */
    uint32_t *last = alloc_n(nt, sizeof *last);         /* route within pattern -> last trip */
    uint32_t *groute = calloc((size_t)nt + 1, sizeof *groute); /* pattern -> first route id */
    uint32_t *placed = NULL;
    sim_timetable *tt = calloc(1, sizeof *tt);
    if (!hash || !group || !group_first || !gstart || !order || !tmp || !route_of || !last ||
        !groute || !tt)
        goto done;

    /* 2. Patterns in order of first appearance. */
    for (uint32_t j = 0; j < nt; ++j) {
        size_t h = (size_t)pattern_hash(&trips[j]) & (hcap - 1);
        while (hash[h] && !same_pattern(&trips[group_first[hash[h] - 1]], &trips[j]))
            h = (h + 1) & (hcap - 1);
        if (!hash[h]) {
            group_first[n_groups] = j;
            hash[h] = ++n_groups;
        }
        group[j] = hash[h] - 1;
    }
    /* 3. Stable counting sort of trips by pattern, then each pattern's slice by trip_cmp. */
    for (uint32_t j = 0; j < nt; ++j) ++gstart[group[j] + 2];
    for (uint32_t g = 0; g < n_groups; ++g) gstart[g + 2] += gstart[g + 1];
    for (uint32_t j = 0; j < nt; ++j) order[gstart[group[j] + 1]++] = j;
    for (uint32_t g = 0; g < n_groups; ++g)
        merge_sort(order + gstart[g], tmp, gstart[g + 1] - gstart[g], trips, trip_cmp);

    /* 4. Greedy FIFO split: each trip goes to the first route of its pattern whose last trip it
     * does not overtake. Trips arrive sorted, so every route stays sorted and FIFO. */
    for (uint32_t g = 0; g < n_groups; ++g) {
        uint32_t nr = 0;
        for (uint32_t x = gstart[g]; x < gstart[g + 1]; ++x) {
            uint32_t j = order[x], r = 0;
            while (r < nr && !no_overtake(&trips[last[r]], &trips[j])) ++r;
            if (r == nr) ++nr;
            last[r] = j;
            route_of[j] = r;
        }
        groute[g] = n_routes;
        n_routes += nr;
    }
    groute[n_groups] = n_routes;

    /* 5. Layout: routes numbered pattern by pattern; a route's trips keep the sorted order. */
    tt->n_stops = n_stops;
    tt->n_routes = n_routes;
    tt->route_n_stops = alloc_n(n_routes, sizeof *tt->route_n_stops);
    tt->route_n_trips = calloc(n_routes ? n_routes : 1, sizeof *tt->route_n_trips);
    tt->route_ref = alloc_n(n_routes, sizeof *tt->route_ref);
    tt->route_stop_first = alloc_n((size_t)n_routes + 1, sizeof *tt->route_stop_first);
    tt->route_time_first = alloc_n((size_t)n_routes + 1, sizeof *tt->route_time_first);
    placed = calloc((size_t)n_routes + 1, sizeof *placed); /* trips of each route placed */
    if (!tt->route_n_stops || !tt->route_n_trips || !tt->route_ref || !tt->route_stop_first ||
        !tt->route_time_first || !placed)
        goto done;
    for (uint32_t j = 0; j < nt; ++j) { /* input order: route_ref of the route's first trip */
        uint32_t r = groute[group[j]] + route_of[j];
        if (tt->route_n_trips[r]++ == 0) tt->route_ref[r] = trips[j].route_ref;
        tt->route_n_stops[r] = trips[j].n_stops;
    }
    uint64_t stop_sum = 0;
    size_t time_sum = 0;
    for (uint32_t r = 0; r < n_routes; ++r) {
        tt->route_stop_first[r] = (uint32_t)stop_sum;
        tt->route_time_first[r] = time_sum;
        stop_sum += tt->route_n_stops[r];
        time_sum += (size_t)tt->route_n_stops[r] * tt->route_n_trips[r];
    }
    if (stop_sum > UINT32_MAX - 1) {
        rc = SIM_EINVAL;
        goto done;
    }
    tt->route_stop_first[n_routes] = (uint32_t)stop_sum;
    tt->route_time_first[n_routes] = time_sum;
    tt->n_stop_times = time_sum;
    tt->route_stops = alloc_n((size_t)stop_sum, sizeof *tt->route_stops);
    tt->arr_s = alloc_n(time_sum, sizeof *tt->arr_s);
    tt->dep_s = alloc_n(time_sum, sizeof *tt->dep_s);
    tt->flags = alloc_n(time_sum, sizeof *tt->flags);
    if (!tt->route_stops || !tt->arr_s || !tt->dep_s || !tt->flags) goto done;
    /* Trips of route r in sorted order: walk the sorted pattern slices, placing by cursor. */
    for (uint32_t x = 0; x < nt; ++x) {
        uint32_t j = order[x], r = groute[group[j]] + route_of[j], t = placed[r]++;
        const sim_trip *trip = &trips[j];
        uint32_t n = trip->n_stops;
        size_t k = tt->route_time_first[r] + (size_t)t * n;
        if (t == 0)
            memcpy(tt->route_stops + tt->route_stop_first[r], trip->stops, n * sizeof *trip->stops);
        for (uint32_t i = 0; i < n; ++i) {
            tt->arr_s[k + i] = trip->arr_s[i];
            tt->dep_s[k + i] = trip->dep_s[i];
            tt->flags[k + i] = stop_flags(trip, i);
        }
    }
    if ((rc = build_stop_routes(tt)) != SIM_OK) goto done;
    rc = build_transfers(tt, transfers, n_transfers);
done:
    free(hash);
    free(group);
    free(group_first);
    free(gstart);
    free(order);
    free(tmp);
    free(route_of);
    free(last);
    free(groute);
    free(placed);
    if (rc == SIM_OK)
        *out = tt;
    else
        sim_timetable_destroy(tt);
    return rc;
}
