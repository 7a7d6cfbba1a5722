/*
 * accessim — public-transit travel times over a departure window: range-RAPTOR (Delling, Pajor
 * and Werneck, "Round-Based Public Transit Routing", Transportation Science 49(3), 2015; RAPTOR in
 * section 3, rRAPTOR in section 4) on a sim_timetable.
 *
 * One query = one origin: walk to nearby stops (the access list), ride up to `max_rides`
 * vehicles with at most one walking transfer (a timetable footpath) after each ride, then walk
 * from the last stop to destinations (the egress lists). For every departure minute of the window
 * the query gives the door-to-door travel time to every destination, counting any wait at the
 * origin (as Conveyal R5 does): leaving at t, the time is (earliest arrival) - t, and a journey
 * that leaves later is also available to someone ready at t. A direct walk, when given, is one
 * more option at every departure. Results are pure functions of the inputs.
 *
 * Model, exactly (tests/sim/ref_timeexp.h checks it on random networks):
 *  - leaving the origin at t, access stop s is reached at t + walk_s; no footpath follows access;
 *  - a vehicle may be boarded at a stop reached at time a (by access, ride or footpath) if it
 *    departs there at or after a + board_slack_s and its stop allows pickup;
 *  - riding ends at any later stop of the trip that allows drop-off; from there one footpath of
 *    the timetable may be walked; transfers never chain;
 *  - destinations are reached by egress walks from stops reached by a ride or by the footpath
 *    after a ride (never from a stop reached by access alone: that journey is pure walking, which
 *    the direct-walk times represent);
 *  - at most max_rides vehicles are boarded; travel times above max_trip_s are unreachable.
 *
 * Times of day are seconds as in sim/timetable.h (may be negative or exceed 86400); durations
 * are seconds. Memory: one sim_raptor_ws per thread, created once, reused for every origin.
 */
#ifndef SIM_RAPTOR_H
#define SIM_RAPTOR_H

#include <stdint.h>

#include "sim/status.h"
#include "sim/timetable.h"

#define SIM_UNREACHABLE UINT32_MAX /* same definition as in sim/route.h */

/** Largest max_rides a workspace can be created for. */
#define SIM_RAPTOR_MAX_RIDES 16u

/**
 * Parameters of a query. Departures are window_start_s, window_start_s + step_s, ... while below
 * window_end_s (start inclusive, end exclusive); departure i is window_start_s + i * step_s.
 *
 * board_slack_s is the least time between reaching a stop and boarding there, applied to every
 * boarding including the first one after the access walk. Conveyal R5 (FastRaptorWorker) boards
 * only vehicles departing strictly later than arrival + 60 s, i.e. board_slack_s = 61 here in
 * whole seconds; our default is 0 (boarding a vehicle that departs the second one arrives).
 */
typedef struct {
    int32_t window_start_s, window_end_s; /* times of day, seconds */
    uint32_t step_s;                      /* between departures; > 0 */
    uint32_t max_rides;                   /* vehicles boarded, <= the workspace's max_rides */
    uint32_t max_trip_s;                  /* longer door-to-door times are SIM_UNREACHABLE */
    uint32_t board_slack_s;               /* see above */
} sim_raptor_params;

/**
 * Defaults: empty window (0, 0) to be set by the caller, step 60 s, 4 rides, 7200 s maximum
 * trip, no boarding slack.
 */
sim_raptor_params sim_raptor_params_default(void);

/** Number of departures of `p`'s window (0 if the window is empty or step_s is 0). */
uint32_t sim_raptor_departure_count(const sim_raptor_params *p);

/** One stop reachable on foot from the origin: its id and the walk in seconds. */
typedef struct {
    uint32_t stop;
    uint32_t walk_s;
} sim_raptor_access;

/**
 * Egress walks, CSR from stops to destinations, borrowed from the caller: stop s reaches
 * destination dest[e] after walk_s[e] seconds for e in first[s] .. first[s + 1] - 1. `first` has
 * n_stops + 1 entries with first[0] == 0 and is non-decreasing; every dest[e] < n_dest. Check it
 * once with sim_raptor_egress_validate(); queries only check the sizes.
 */
typedef struct {
    uint32_t n_stops, n_dest;
    const uint32_t *first;
    const uint32_t *dest;
    const uint32_t *walk_s;
} sim_raptor_egress;

/** SIM_OK if `e` is a well-formed egress CSR for `n_stops` stops, else SIM_EINVAL. O(size). */
sim_status sim_raptor_egress_validate(const sim_raptor_egress *e, uint32_t n_stops);

typedef struct sim_raptor_ws sim_raptor_ws;

/**
 * Workspace for queries on `tt` towards `n_dest` destinations with up to `max_rides` rides
 * (<= SIM_RAPTOR_MAX_RIDES); NULL if out of memory or an argument is out of range. About
 * 8 * (max_rides + 5) bytes per stop, 9 per route and 4 per destination. It must not be shared
 * between threads; `tt` must outlive it. Queries never allocate.
 */
sim_raptor_ws *sim_raptor_ws_create(const sim_timetable *tt, uint32_t n_dest, uint32_t max_rides);

/** Frees `ws`; NULL is a no-op. */
void sim_raptor_ws_destroy(sim_raptor_ws *ws);

/**
 * Travel times from one origin for every departure of `params`' window. `access` lists the
 * n_access stops reachable on foot from the origin (repeats allowed: the shortest counts).
 * `direct_walk_s` is NULL or has egress->n_dest entries: the walk from the origin to each
 * destination, UINT32_MAX where there is none. `times_s` is caller-owned with
 * sim_raptor_departure_count(params) * n_dest slots; times_s[i * n_dest + d] becomes the
 * travel time in seconds to destination d leaving at departure i, or SIM_UNREACHABLE when
 * above params->max_trip_s (equal is kept) or not reachable at all.
 * Departures are computed latest first and reuse each other's labels (rRAPTOR), so a query costs
 * little more than one RAPTOR run per departure on what changed since the later one.
 * `ws` must have been created for `tt`, egress->n_dest destinations and at least
 * params->max_rides rides; it is not shared between threads; every other input is only read.
 * Returns SIM_OK, or SIM_EINVAL (NULL argument, step_s 0, an access stop out of range, sizes
 * that do not match `tt`/`ws`) with `times_s` untouched.
 */
sim_status sim_raptor_query(const sim_timetable *tt, const sim_raptor_params *params,
                            const sim_raptor_access *access, uint32_t n_access,
                            const sim_raptor_egress *egress, const uint32_t *direct_walk_s,
                            sim_raptor_ws *ws, uint32_t *times_s);

/**
 * Index into an ascending list of `n` values (n > 0) where Conveyal R5 reads percentile
 * `percentile` (1..100): (int)(ceil(percentile / 100.0 * n) - 1) in IEEE double arithmetic,
 * exactly as TravelTimeReducer.findPercentileIndex() (conveyal/r5,
 * src/main/java/com/conveyal/r5/analyst/TravelTimeReducer.java). It never interpolates; note
 * that rounding makes e.g. percentile 7 of 100 values index 7, not 6, as in R5.
 */
uint32_t sim_raptor_percentile_index(uint32_t n, uint32_t percentile);

/**
 * Percentiles of travel time per destination over the departures, as R5 computes them: the
 * n_departures times of destination d (times_s laid out as sim_raptor_query() fills it) are
 * sorted ascending, SIM_UNREACHABLE counting as infinite, and percentile p is the value at
 * sim_raptor_percentile_index(n_departures, p), so a percentile is SIM_UNREACHABLE when fewer
 * than enough departures reach d. out[d * n_percentiles + j] gets percentile percentiles[j].
 * `scratch` is caller-owned with n_departures slots. R5 accepts percentiles 1..99; 100 (the
 * maximum) is also accepted here.
 * Returns SIM_OK, or SIM_EINVAL (NULL argument, n_departures 0, a percentile outside 1..100).
 */
sim_status sim_raptor_percentiles(const uint32_t *times_s, uint32_t n_departures, uint32_t n_dest,
                                  const uint32_t *percentiles, uint32_t n_percentiles,
                                  uint32_t *scratch, uint32_t *out);

#endif
