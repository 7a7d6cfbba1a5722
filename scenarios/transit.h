/*
 * accessim — public transit in a scenario: the feeds of the `transit:` block, their stops on the
 * walking network, the timetable with street-network transfers, and door-to-door travel-time
 * percentiles from origins to destinations over the departure window (docs/TRANSIT.md).
 *
 * Three steps, driven by the runner:
 *  1. scn_transit_load(): reads the feeds for the service date; the stops' working coordinates
 *     are then available for snapping with the origins and services (one attach call).
 *  2. scn_transit_link(): once the walking graph exists, walks between stops on the streets
 *     (within max_walk_min.transfer), merged with transfers.txt, and builds the timetable.
 *  3. scn_transit_run(): for each origin, the access walks and direct walks on the streets,
 *     range-RAPTOR over the window, and the requested percentiles per destination, handed to a
 *     sink in origin order (whatever the thread count).
 */
#ifndef SCN_TRANSIT_H
#define SCN_TRANSIT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "geo/crs.h"
#include "geo/network.h"
#include "scenarios/config.h"
#include "sim/raptor.h"
#include "sim/status.h"
#include "sim/timetable.h"
#include "sim/warn.h"

typedef struct scn_transit scn_transit;

/** Reads cfg->transit's feeds for its date and projects the stops to `crs`. `cfg` and `crs` are
 *  borrowed: they must outlive `*out` and its clones (scn_transit_add_route projects new stops
 *  with `crs`). */
sim_status scn_transit_load(const scn_config *cfg, const geo_crs *crs, sim_warnings *warn,
                            scn_transit **out, sim_error *err);

void scn_transit_destroy(scn_transit *t);

/** Trips running on the date (after frequencies are expanded). */
size_t scn_transit_trip_count(const scn_transit *t);

/** Routing stops and their coordinates (working CRS and WGS84), for snapping: the feeds' stops,
 *  then the stops scn_transit_add_route() added, in the order they were added. The arrays are
 *  owned by `t` and stay valid until the next scn_transit_add_route() or destroy. Added stops
 *  have ids "<route_id>:<position>" (1-based position in that route's stop list). */
uint32_t scn_transit_stop_count(const scn_transit *t);
void scn_transit_stop_coords(const scn_transit *t, const double **x, const double **y,
                             const double **lon, const double **lat);
const char *scn_transit_stop_id(const scn_transit *t, uint32_t s);

/**
 * Links the stops to the walking graph `walk`: stop_net_node[s] is stop s's network node (from
 * the attach call; SIM_INVALID_ID where it did not snap: that stop can then only be reached by
 * riding and transfers.txt), one per stop of scn_transit_stop_count(). Builds the timetable.
 * May be called again (after stops were added, or on another walking graph): the previous links
 * and timetable are replaced.
 */
sim_status scn_transit_link(scn_transit *t, const geo_mode_graph *walk,
                            const uint32_t *stop_net_node, sim_warnings *warn, sim_error *err);

/** Timing of a run, seconds of wall time, for the manifest and the benchmark. */
typedef struct {
    double links_s;  /* egress tables */
    double query_s;  /* access walks, RAPTOR and percentiles (parallel part) */
    size_t origins;  /* origins routed */
} scn_transit_stats;

/**
 * Receives one origin's result: pct_ds[d * n_pct + j] = percentile j of the travel time to
 * destination d in deciseconds (SIM_UNREACHABLE above max_trip_min or never reached). Journeys
 * that ride are timed in whole seconds (the timetable's resolution); walking all the way keeps
 * the walk mode's exact time, so transit is never slower than walking. Called serially, in
 * origin order, from the calling thread; return non-SIM_OK to stop.
 */
typedef sim_status (*scn_transit_sink)(void *ud, uint32_t origin, const uint32_t *pct_ds);

/**
 * Travel times from `n_origins` origins (network nodes origin_node[], SIM_INVALID_ID: reaches
 * nothing) to `n_dest` destinations (network nodes dest_node[]). Progress through `progress`
 * (may be NULL). Deterministic. SIM_EINVAL if `t` is not linked, or its trips or stops changed
 * since its timetable was built (scn_transit_rebuild_timetable / scn_transit_link first).
 */
sim_status scn_transit_run(const scn_transit *t, const geo_mode_graph *walk,
                           const uint32_t *origin_node, uint32_t n_origins,
                           const uint32_t *dest_node, uint32_t n_dest,
                           void (*progress)(void *ud, size_t done, size_t total), void *progress_ud,
                           scn_transit_sink sink, void *sink_ud, scn_transit_stats *stats,
                           sim_error *err);

/** Writes the manifest's "transit" object (feeds, date ranges, counts, stops linked). Trip,
 *  stop-time, frequency and previous-day counts are those of `t`'s trips as they are now (after
 *  any modification; an added route's trips count in the totals, not in any feed); "stops" counts
 *  added stops too, a feed's "stops" and "routes" are its own. */
void scn_transit_json(const scn_transit *t, FILE *fp, void (*json_str)(FILE *, const char *));

/** One line for `validate`. */
void scn_transit_describe(const scn_transit *t, char *buf, size_t size);

/** The timetable (after scn_transit_link) and each stop's node in the walking graph
 *  (SIM_INVALID_ID: not linked), for tests and benchmarks. */
const sim_timetable *scn_transit_timetable(const scn_transit *t);
const uint32_t *scn_transit_stop_graph_nodes(const scn_transit *t);

/** The query parameters the configuration gives (window, step, rides, trip, slack). */
sim_raptor_params scn_transit_params(const scn_transit *t);

/* ---- modifications (scenarios: docs/RUNNER-DESIGN.md) ----------------------------------------
 *
 * A scenario modifies a clone of the baseline's transit: its trips (add a route, change a
 * route's headway, remove trips) and, for an added route, its stops. Then, if no stop was added,
 * scn_transit_rebuild_timetable() (the street transfers stay); otherwise the caller snaps every
 * stop (scn_transit_stop_coords: the added ones come last) and calls scn_transit_link() again.
 * Until then scn_transit_run() refuses the transit (SIM_EINVAL).
 *
 * Routes are named by their GTFS route_id; with several feeds a route_id found in more than one
 * feed must be written "feedname:route_id" (feed names as in the manifest: the file or folder
 * name, "gtfs", "gtfs_2" ...), which is always accepted. Routes added by scn_transit_add_route()
 * are named by their own id. Stops likewise (GTFS stop_id, "feedname:stop_id", or an added stop's
 * "<route_id>:<position>").
 *
 * Every function below fails with SIM_EPARSE and a message starting with `what` (e.g.
 * "demo.yaml:40:7: scenario 'bus-3-every-10', modification 1 (set_headway)"; NULL: "transit")
 * for a bad request (unknown or ambiguous route or stop, clashing route id, bad times), leaving
 * `t` unchanged; SIM_ENOMEM (t unchanged) or SIM_EDEP (PROJ) otherwise. They modify `t` only: a
 * transit and its clones may be modified in different threads, one transit by one thread at a
 * time.
 */

/** Deep copy of a loaded (and possibly linked) transit: trips, stops, street transfers, so that
 *  the copy can be modified and relinked while the original stays usable. The feeds as read are
 *  shared, read-only (reference-counted): the original is unaffected by anything done to the
 *  copy, and either may be destroyed first. A linked `t` whose stops did not change since its
 *  link gives a linked copy whose timetable is built from the copy's trips (ready for
 *  scn_transit_run); otherwise the copy needs scn_transit_link(). On failure *out is NULL. */
sim_status scn_transit_clone(const scn_transit *t, scn_transit **out, sim_error *err);

/** A route to add. Stops: stop_ids[i] an existing stop id (GTFS stop_id; with several feeds
 *  "feedname:stop_id" also accepted), or NULL for a new stop at lon[i]/lat[i] (WGS84; projected
 *  with the transit's CRS). stop_ids may be NULL (every stop new); lon/lat may be NULL when every
 *  stop has an id. Times: either headway_s > 0 with trips departing the first stop at start_s,
 *  start_s + headway_s, ... while < end_s (seconds after midnight of the service date, 0 <=
 *  start_s < end_s), or n_departures explicit first-stop departure times (departures_s,
 *  ascending, >= 0). Run times: hop_s[n_stops-1] seconds per hop, or speed_kmh > 0 (hop =
 *  straight-line (WGS84 geodesic) distance / speed, rounded to whole seconds, at least 1 s);
 *  dwell_s at each intermediate stop (arrival + dwell_s = departure there). Giving both forms of
 *  times, or of run times, is an error. */
typedef struct {
    const char *route_id; /* must not clash with an existing route id */
    int route_type;       /* GTFS route_type (3 bus by default; negative: 3) */
    size_t n_stops;       /* >= 2 */
    const char *const *stop_ids;
    const double *lon, *lat;
    uint32_t headway_s;
    int32_t start_s, end_s;
    const int32_t *departures_s;
    size_t n_departures;
    double speed_kmh;
    const uint32_t *hop_s;
    uint32_t dwell_s;
} scn_route_add;

/** Adds route `r` (its trips after the existing ones; new stops after the existing stops). The
 *  trips are not from any feed: the manifest counts them in the totals only. */
sim_status scn_transit_add_route(scn_transit *t, const scn_route_add *r, const char *what,
                                 sim_error *err);

/**
 * Replaces the trips of GTFS route `route_id` on the date: for each direction, its most common
 * stop pattern (stop sequence and pickup/drop-off flags; ties: first in trip order) with the
 * hop/dwell times of its first trip (the earliest departure with that pattern), departing every
 * headway_s from the direction's first departure while <= its last departure (or within
 * [start_s, end_s) when start_s >= 0). `*n_trips_out` (may be NULL) gets the route's trips after
 * the change.
 *
 * Directions: geo/gtfs.h does not expose direction_id, so they are inferred from the patterns,
 * most common first: a pattern belongs to the first direction whose main pattern visits more of
 * their common stops in the same order than in the opposite order; otherwise it starts a
 * direction (a route in two directions whose stops are on opposite sides of the street has no
 * common stop: two directions). The previous date's trips still running after midnight (times
 * shifted by -86400) are handled alike, as their own group: the span shifted by a day, and only
 * the generated trips still running at midnight kept.
 *
 * Unknown route -> SIM_EPARSE "<what>: route 'X' is not in the feeds (routes: a, b, c ...)"
 * listing up to ~10 ids, or the closest match ("did you mean"); a route_id in several feeds ->
 * SIM_EPARSE asking for "feedname:route_id". A route with no trip on the date, headway_s 0, or
 * end_s <= start_s (start_s >= 0) -> SIM_EPARSE.
 */
sim_status scn_transit_set_headway(scn_transit *t, const char *route_id, uint32_t headway_s,
                                   int32_t start_s, int32_t end_s, size_t *n_trips_out,
                                   const char *what, sim_error *err);

/** Removes the trips of route `route_id` departing their first stop in [from_s, to_s) (from_s <
 *  0: every trip of the route, the previous date's included). Unknown route -> as above; to_s <=
 *  from_s (from_s >= 0) -> SIM_EPARSE. `*n_removed` (may be NULL) = trips removed (0 with a span
 *  is not an error: the caller may warn). */
sim_status scn_transit_remove_trips(scn_transit *t, const char *route_id, int32_t from_s,
                                    int32_t to_s, size_t *n_removed, const char *what,
                                    sim_error *err);

/** Stops added by scn_transit_add_route since load (a clone keeps its original's count); they come
 *  after the loaded stops in scn_transit_stop_coords. */
uint32_t scn_transit_added_stop_count(const scn_transit *t);

/** After modifying trips of an already linked transit whose stops did not change: rebuilds the
 *  timetable only, keeping the street transfers (and transfers.txt) as linked. Equivalent to
 *  scn_transit_link on the same walk graph, but without redoing the street walks. SIM_EINVAL if
 *  `t` was never linked or stops were added since its link (then scn_transit_link); SIM_ENOMEM.
 *  On failure the previous timetable stays. */
sim_status scn_transit_rebuild_timetable(scn_transit *t, sim_error *err);

#endif
