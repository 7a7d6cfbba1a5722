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

/** Reads cfg->transit's feeds for its date and projects the stops to `crs`. */
sim_status scn_transit_load(const scn_config *cfg, const geo_crs *crs, sim_warnings *warn,
                            scn_transit **out, sim_error *err);

void scn_transit_destroy(scn_transit *t);

/** Trips running on the date (after frequencies are expanded). */
size_t scn_transit_trip_count(const scn_transit *t);

/** Routing stops and their coordinates (working CRS and WGS84), for snapping. */
uint32_t scn_transit_stop_count(const scn_transit *t);
void scn_transit_stop_coords(const scn_transit *t, const double **x, const double **y,
                             const double **lon, const double **lat);
const char *scn_transit_stop_id(const scn_transit *t, uint32_t s);

/**
 * Links the stops to the walking graph `walk`: stop_net_node[s] is stop s's network node (from
 * the attach call; SIM_INVALID_ID where it did not snap: that stop can then only be reached by
 * riding and transfers.txt). Builds the timetable.
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
 * (may be NULL). Deterministic.
 */
sim_status scn_transit_run(const scn_transit *t, const geo_mode_graph *walk,
                           const uint32_t *origin_node, uint32_t n_origins,
                           const uint32_t *dest_node, uint32_t n_dest,
                           void (*progress)(void *ud, size_t done, size_t total), void *progress_ud,
                           scn_transit_sink sink, void *sink_ud, scn_transit_stats *stats,
                           sim_error *err);

/** Writes the manifest's "transit" object (feeds, date ranges, counts, stops linked). */
void scn_transit_json(const scn_transit *t, FILE *fp, void (*json_str)(FILE *, const char *));

/** One line for `validate`. */
void scn_transit_describe(const scn_transit *t, char *buf, size_t size);

/** The timetable (after scn_transit_link) and each stop's node in the walking graph
 *  (SIM_INVALID_ID: not linked), for tests and benchmarks. */
const sim_timetable *scn_transit_timetable(const scn_transit *t);
const uint32_t *scn_transit_stop_graph_nodes(const scn_transit *t);

/** The query parameters the configuration gives (window, step, rides, trip, slack). */
sim_raptor_params scn_transit_params(const scn_transit *t);

#endif
