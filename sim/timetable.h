/*
 * accessim — a public-transit timetable for one service day, in the form RAPTOR scans.
 *
 * The contract between geo/gtfs (which reads feeds, resolves calendars, expands frequencies,
 * interpolates times and namespaces ids) and sim/raptor (which routes). Nothing here knows about
 * files: geo/ hands in plain trips, sim_timetable_build() groups them into RAPTOR routes.
 *
 * Units: times of day are integer seconds after midnight of the service date (GTFS "noon minus
 * 12h"); they may exceed 86400 (a trip running past midnight) and a trip of the previous service
 * day still running after midnight is handed in with its times minus 86400 (so only its stop
 * times >= 0 matter). Durations are integer seconds. Stops are dense 0-based uint32_t ids.
 */
#ifndef SIM_TIMETABLE_H
#define SIM_TIMETABLE_H

#include <stddef.h>
#include <stdint.h>

#include "sim/status.h"

/**
 * One trip as handed to sim_timetable_build(): it visits stops[0..n_stops-1] in order,
 * arriving at arr_s[i] and departing at dep_s[i] (seconds, see above; arr_s[i] <= dep_s[i] and
 * dep_s[i] <= arr_s[i+1]). `route_ref` is an opaque caller number (e.g. the feed's route index)
 * kept for reporting; trips are grouped by their exact stop sequence and pickup/drop-off
 * pattern, not by route_ref. `pickup_ok`/`dropoff_ok` may be NULL (all allowed); otherwise one
 * flag per stop (0 = GTFS pickup_type/drop_off_type 1, "not available").
 */
typedef struct {
    const uint32_t *stops;
    const int32_t *arr_s;
    const int32_t *dep_s;
    const uint8_t *pickup_ok;
    const uint8_t *dropoff_ok;
    uint32_t n_stops;
    uint32_t route_ref;
} sim_trip;

/** A directed walking transfer between two stops, e.g. from the street network or transfers.txt. */
typedef struct {
    uint32_t from, to;
    uint32_t walk_s;
} sim_transfer;

/**
 * The RAPTOR form (Delling, Pajor, Werneck 2012, section 3.1), read-only once built. Fields are
 * public so that sim/raptor and tests can scan them; build only with sim_timetable_build().
 *
 * A route is a set of trips with the same stop sequence and the same pickup/drop-off flags at
 * every stop. Routes are numbered in order of first appearance of their pattern in the input;
 * a pattern whose trips would overtake each other is split into several consecutive routes.
 * Route r has route_n_stops[r] stops, listed at route_stops[route_stop_first[r] + i], and
 * route_n_trips[r] trips sorted by departure at the first stop (ties: arrival then departure at
 * each later stop in turn, then arrival at the first stop, then input order), such that no trip
 * overtakes another: for trips t < u of one route every stop time of t is <= that of u (equal
 * times allowed), so departures at any one position are sorted. The split is greedy: each trip,
 * in that order, joins the first route of its pattern whose last trip it does not overtake.
 * route_ref[r] is the route_ref of the route's first trip in input order.
 * The stop times of trip t at stop i are at
 *   k = route_time_first[r] + t * route_n_stops[r] + i:  arr_s[k], dep_s[k], flags[k].
 * flags bit 0 (SIM_TT_BOARD): boarding allowed, bit 1 (SIM_TT_ALIGHT): alighting allowed; equal
 * for all trips of a route.
 * Stop s is served by routes stop_routes[stop_route_first[s] .. stop_route_first[s+1]-1],
 * with the position of s in that route at stop_route_pos[...], ordered by (route, position) (a
 * stop visited twice by one route appears twice).
 * Transfers leaving stop s: transfer_to/transfer_walk_s[transfer_first[s] ..
 * transfer_first[s+1]-1], sorted by target stop; at most one per (from, to) pair (the shortest
 * given); transfers from a stop to itself are dropped.
 */
typedef struct {
    uint32_t n_stops, n_routes;
    size_t n_stop_times;

    uint32_t *route_n_stops, *route_n_trips, *route_ref;
    uint32_t *route_stop_first; /* n_routes + 1 */
    size_t *route_time_first;   /* n_routes + 1 */
    uint32_t *route_stops;
    int32_t *arr_s, *dep_s;
    uint8_t *flags;

    uint32_t *stop_route_first; /* n_stops + 1 */
    uint32_t *stop_routes, *stop_route_pos;

    uint32_t *transfer_first; /* n_stops + 1 */
    uint32_t *transfer_to, *transfer_walk_s;
} sim_timetable;

#define SIM_TT_BOARD 1u
#define SIM_TT_ALIGHT 2u

/**
 * Builds the RAPTOR form from `n_trips` trips over `n_stops` stops plus `n_transfers` walking
 * transfers. Trips with fewer than two stops, a stop id >= n_stops, a NULL array, or times that
 * go backwards (arr_s[i] > dep_s[i] or dep_s[i] > arr_s[i+1]), and transfers naming a stop
 * >= n_stops are rejected with SIM_EINVAL (geo/ filters and reports them first). The input is
 * copied: the caller's arrays may be freed once this returns. The result is a pure function of
 * the input (routes numbered in order of first appearance of their pattern). On success *out owns
 * a new timetable (free with sim_timetable_destroy); on failure *out is NULL.
 * Returns SIM_OK, SIM_EINVAL (stop id out of range, bad trip) or SIM_ENOMEM.
 */
sim_status sim_timetable_build(uint32_t n_stops, const sim_trip *trips, size_t n_trips,
                               const sim_transfer *transfers, size_t n_transfers,
                               sim_timetable **out);

/** Frees `tt`; NULL is a no-op. */
void sim_timetable_destroy(sim_timetable *tt);

#endif
