/*
 * accessim — loading a scenario's city and computing its outputs.
 *
 * scn_city_load() reads every input of a scenario file (network, population, services), projects
 * it to the working CRS, snaps origins and services onto the walking network and builds the
 * routing graph. scn_city_run() computes walking time to the nearest service of each kind and
 * the population summaries, and writes the output contract of docs/OUTPUTS.md into a folder.
 */
#ifndef SCN_RUNNER_H
#define SCN_RUNNER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "geo/profile.h"
#include "scenarios/config.h"
#include "sim/status.h"
#include "sim/warn.h"

typedef struct scn_city scn_city;

/** Called at each stage of long work; `done` of `total` steps (total 0: unknown). */
typedef void (*scn_progress_fn)(void *ud, const char *stage, size_t done, size_t total);

typedef struct {
    scn_progress_fn progress; /* may be NULL */
    void *progress_ud;
    int threads; /* recorded in the manifest; the caller sets OpenMP's thread count */
    /* Distributed runs (MPI; tools/mpi.c): n_ranks > 1 processes run the same call; rank r
     * runs the scenarios i with i % n_ranks == r (every rank computes the baseline), then
     * share() is called on every rank for each scenario in order: the rank that ran it passes
     * its record (*buf, *len), rank 0 receives it (malloc'ed, in *buf). Only rank 0 writes
     * files other than the scenario folders. n_ranks 0 or 1: one process. */
    int rank, n_ranks;
    sim_status (*share)(void *ud, int owner, char **buf, size_t *len, sim_error *err);
    void *share_ud;
} scn_run_opts;

/**
 * Loads and checks every input of `cfg` (borrowed: it must outlive the city). Problems that do
 * not stop the run are summarised in `warn`. Errors name the file and the field, feature or
 * scenario line. On success *out owns the city.
 */
sim_status scn_city_load(const scn_config *cfg, const scn_run_opts *opts, scn_city **out,
                         sim_warnings *warn, sim_error *err);

/**
 * As scn_city_load(), but input problems that do not prevent checking the rest (a bad
 * population source, a bad service source, services beyond the snapping distance) are
 * collected into `problems` (up to `max_problems`, count in *n_problems) and checking goes on.
 * Returns SIM_OK with *out set when there was no problem.
 */
sim_status scn_city_check(const scn_config *cfg, const scn_run_opts *opts, scn_city **out,
                          sim_warnings *warn, sim_error *problems, size_t max_problems,
                          size_t *n_problems);

/**
 * Loads population and services only (for measures from an external travel-time matrix): no
 * network, no snapping, no routing graphs; coordinates in the scenario's crs, else EPSG:3857.
 */
sim_status scn_city_load_without_network(const scn_config *cfg, const scn_run_opts *opts,
                                         scn_city **out, sim_warnings *warn, sim_error *err);

void scn_city_destroy(scn_city *c);

/** Headline figures of a run, for the CLI's summary on stdout. */
typedef struct {
    const char *service;
    const char *mode;
    const char *group;
    double mean_minutes;   /* NAN if no one reaches a service */
    double share_within[8]; /* per threshold, in the config's order (at most 8 printed) */
} scn_headline;

/**
 * Computes the baseline and writes manifest.json, summary.csv and baseline/ into `dir` (an
 * existing, empty folder). `warn` is copied into the manifest. *headlines (one per mode x service
 * x group the group uses, mode-major then service) is owned by the caller (free()).
 */
sim_status scn_city_run(scn_city *c, const char *dir, const scn_run_opts *opts,
                        const sim_warnings *warn, scn_headline **headlines, size_t *n_headlines,
                        sim_error *err);

/** How one scenario of the file went. */
typedef struct {
    const char *name; /* the config's */
    int failed;       /* its changes were bad input: `error` says why; no folder was written */
    sim_error error;
    int rebuilt;      /* the network was attached again (services added or moved, ways ...) */
    size_t warnings;  /* warnings of its changes (e.g. a span removing no trip) ... */
    char warning[3][320]; /* ... the first kinds of them, "N x what: example" */
    double route_s, total_s;
} scn_scenario_result;

typedef struct {
    scn_headline *headlines; /* the baseline's, as scn_city_run() */
    size_t n_headlines;
    scn_scenario_result *scenarios; /* one per cfg->scenarios */
    size_t n_scenarios, n_failed;
    double baseline_s, scenarios_s;
} scn_run_result;

/**
 * Computes the baseline, then every scenario of the file (scenarios/scenario.h: each rebuilds
 * only what its changes touch), and writes into `dir` (existing, empty): manifest.json,
 * summary.csv (baseline and delta filled for scenarios), baseline/, one folder per scenario
 * with its delta rasters and, when the file has scenarios, comparison.csv and report.html.
 * A scenario whose changes are bad input is reported in res->scenarios (and the manifest) and
 * left out; the others complete. Other errors stop the run.
 */
sim_status scn_city_run_scenarios(scn_city *c, const char *dir, const scn_run_opts *opts,
                                  const sim_warnings *warn, scn_run_result *res, sim_error *err);
void scn_run_result_free(scn_run_result *res);

/** Writes the graph export (nodes.csv, edges.csv, edges.gpkg) of `mode` into `dir`; with
 *  `group` (NULL: none), the graph that group is routed on (its own walking speed). */
sim_status scn_city_export_graph(const scn_city *c, geo_mode mode, const char *group,
                                 const char *dir, sim_error *err);

/**
 * Streams the travel-time matrix of `mode` to `fp` as CSV `from_id,to_id,minutes`: from every
 * origin attached to the mode's network to every service (of `kind`, or all kinds when NULL) or,
 * with `to_origins`, to every origin; only pairs within `cutoff_min` (<= 0: no cutoff). Rows come
 * in origin order, then destination order, whatever the thread count. `direction` > 0 forces
 * forward searches from origins, < 0 backward searches from destinations, 0 chooses (same
 * output). With `seconds`, the last column is `seconds`: the exact routed time (0.1 s steps)
 * instead of minutes rounded to 0.01. *n_sources receives the number of origins searched from.
 */
sim_status scn_city_matrix(const scn_city *c, geo_mode mode, double cutoff_min, int to_origins,
                           const char *kind, int direction, int seconds, FILE *fp,
                           size_t *n_sources, sim_error *err);

/**
 * The transit matrix (walk + public transit over the departure window): CSV
 * `from_id,to_id,travel_time_p<P>...` (minutes rounded to 0.01; with `seconds`, `seconds_p<P>`,
 * 0.1 s steps), one column per configured percentile, empty where that percentile is not
 * reached within transit.max_trip_min. From every origin on the walking network to every service
 * (of `kind`, or all) or, with `to_origins`, to every origin; only pairs whose smallest
 * percentile is within `cutoff_min` (<= 0: no cutoff). Rows in origin, then destination order,
 * whatever the thread count. Progress through opts.
 */
sim_status scn_city_transit_matrix(const scn_city *c, double cutoff_min, int to_origins,
                                   const char *kind, int seconds, FILE *fp,
                                   const scn_run_opts *opts, size_t *n_sources, sim_error *err);

/**
 * Measures from an external travel-time matrix (r5r's travel_time_matrix and the like): reads
 * `path`, a CSV with from_id, to_id and a time in minutes (`time_col`, or the first of
 * travel_time_p50, travel_time, minutes, travel_time_minutes, time), joins from_id to the
 * origins and to_id to the services by id, and writes manifest.json, summary.csv and
 * baseline/origins.csv + areas.geojson into `dir` with the mode "matrix": the nearest service,
 * every measure of the scenario file and the equity rows. Empty or NA times are unreachable
 * pairs; rows whose ids match nothing are counted in warnings. `c` comes from
 * scn_city_load_without_network(). *heads as scn_city_run().
 */
sim_status scn_city_measure_matrix(scn_city *c, const char *path, const char *time_col,
                                   const char *dir, const sim_warnings *warn,
                                   scn_headline **heads, size_t *n_heads, sim_error *err);

/** A one-paragraph description of the loaded city (counts, CRS) for `validate`. */
void scn_city_describe(const scn_city *c, char *buf, size_t size);

/** Number of service kinds and their names (valid while the city lives). */
size_t scn_city_kind_count(const scn_city *c);
const char *scn_city_kind_name(const scn_city *c, size_t k);

#endif
