/* accessim — the runner's shared internals (scenarios/city.c, layers.c, outputs.c, exports.c,
 * evaluate.c, measure_matrix.c). */
#ifndef SCN_RUNNER_INTERNAL_H
#define SCN_RUNNER_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "geo/crs.h"
#include "geo/features.h"
#include "geo/network.h"
#include "scenarios/config.h"
#include "scenarios/runner.h"
#include "scenarios/scenario.h"
#include "scenarios/transit.h"
#include "sim/measures.h"
#include "sim/status.h"

#define MAX_INPUTS 64

/* What a scenario's city borrows from its baseline (scn_city_destroy leaves it alone). */
enum {
    SCN_BORROW_CRS = 1u << 0,
    SCN_BORROW_POP = 1u << 1,    /* pop features (pop_cols and rank_by are always its own) */
    SCN_BORROW_KINDS = 1u << 2,
    SCN_BORROW_NET0 = 1u << 3,
    SCN_BORROW_NET = 1u << 4,    /* the attached network */
    SCN_BORROW_GRAPHS = 1u << 5, /* mg[] and group_walk[] */
    SCN_BORROW_TRANSIT = 1u << 6,
    SCN_BORROW_TRANSIT_MODE = 1u << 7,
    SCN_BORROW_NODES = 1u << 8,  /* origin_node, origin_snap_m, stop_node */
};

struct scn_city {
    const scn_config *cfg;
    geo_crs *crs;
    geo_network *net;
    geo_network *net0; /* the network as loaded, before anything attached (scenarios copy it) */
    unsigned borrowed; /* SCN_BORROW_* */
    geo_features *pop;
    double *pop_cols; /* n_groups x n_origins, group-major */
    double *rank_by;  /* equity.rank_by per origin, or NULL */

    size_t n_kinds;
    char **kinds;
    size_t n_svc;
    uint32_t *svc_kind;
    char **svc_id;
    double *svc_cap;
    double *svc_x, *svc_y, *svc_lon, *svc_lat;
    const char **svc_path; /* source file per service, for messages */

    /* enabled modes, in scn_mode order; per mode its graph and where origins attached */
    size_t n_modes;
    geo_mode modes[GEO_MODE_COUNT];
    geo_mode_graph *mg[GEO_MODE_COUNT];
    double *origin_snap_m[GEO_MODE_COUNT]; /* NAN where the origin did not attach */
    size_t origins_unsnapped[GEO_MODE_COUNT];
    size_t islands[GEO_MODE_COUNT];
    uint32_t *origin_node, *svc_node; /* network nodes, shared by every mode */

    /* per group (cfg->n_groups): which services it may use (1/0 per service; NULL: all), and
     * its walk graph when it walks at its own speed (NULL: the profile's walk graph) */
    uint8_t **eligible;
    geo_mode_graph **group_walk;

    /* public transit (cfg->transit.set): the feeds and their links to the walking graph, which
     * is built (mg[GEO_MODE_WALK]) even when walk is not one of the modes; transit_mode[j] is
     * the mode name of percentile j, "transit_p50" */
    scn_transit *transit;
    char **transit_mode;
    uint32_t *stop_node; /* network node per stop, SIM_INVALID_ID where it did not snap */

    /* validate's collector: input problems recorded here instead of stopping at the first */
    sim_error *problems;
    size_t max_problems, n_problems;

    const char *inputs[MAX_INPUTS]; /* distinct input files, in first-use order */
    const char *input_role[MAX_INPUTS];
    size_t n_inputs;
    double load_s;
};

/* One routing layer: a mode and a service kind, for every group (group < 0) or for one group
 * that walks at its own speed or may use only some services (its own "variant" of the layer).
 * Transit layers (pct >= 0) are one per percentile: their times come per origin from the
 * transit run (routes.otime), not per node of a street graph (mg is the walking graph). */
typedef struct {
    size_t mi;   /* index into c->modes; street layers only */
    int pct;     /* -1: street mode; else the transit percentile's index */
    const char *mode; /* "walk", "car", "transit_p50" ... */
    size_t kind; /* service kind */
    int group;   /* -1: every group without a variant of its own; else that group */
    size_t base; /* the group < 0 layer of the same mode and kind (itself when group < 0) */
    const geo_mode_graph *mg;
    double walk_ds_per_m; /* walking to the street (rasters), at the layer's walking speed */
    double time_factor;   /* the layer's arc times / the mode graph's (1 but for own speeds) */
} scn__layer;

/* Results per layer (see scn__layer); layers are ordered by mode, then kind, the shared layer
 * before the groups' own. */
typedef struct {
    size_t n_layers;
    scn__layer *def;
    uint32_t **time;    /* per layer: times to the nearest service, per node of the mode graph */
    uint32_t **nearest; /* per layer: index into the layer's source list */
    uint32_t **sources; /* per layer: service indexes (global) */
    uint32_t *n_sources;
    /* transit layers: per origin, the time (deciseconds) to the nearest service and that
     * service (global index, SIM_INVALID_ID if none); per percentile, the origin x service
     * matrix (all services) */
    uint32_t **otime, **osvc;
    sim_ttm *pct_ttm;
    size_t n_pct;
    int pct_borrowed; /* pct_ttm is another run's (the baseline's): not freed here */
    scn_transit_stats transit_stats;
} routes;

/** Grows c's service arrays (not svc_node) to hold n services (city.c). */
sim_status scn__svc_reserve(scn_city *c, size_t n, sim_error *err);

/** Called by scn__city_assemble() between attaching and building the graphs. */
typedef sim_status (*scn__after_attach_fn)(scn_city *c, void *ud, sim_error *err);

/** Snaps and attaches origins, services and stops to c->net, builds the routing graphs and links
 *  transit (city.c). */
sim_status scn__city_assemble(scn_city *c, const scn_run_opts *opts, sim_warnings *warn,
                              scn__after_attach_fn after_attach, void *after_ud, sim_error *err);

/** Builds the layer list of `c` into r->def / r->n_layers (nothing routed yet). */
sim_status scn__layers_plan(const scn_city *c, routes *r, sim_error *err);

/** 1 if layer l gives group g's values (the group uses the mode, and l is its own variant or the
 *  shared layer when it has none). */
int scn__layer_serves(const scn_city *c, const routes *r, size_t l, size_t g);

/** The layer's name part after the kind: "<mode>" or "<mode>_<group>". */
void scn__layer_tag(const scn_city *c, const routes *r, size_t l, char *buf, size_t size);

/** Layer l's service kind index. */
#define LAYER_KIND(r, l) ((r)->def[l].kind)

/** Time (deciseconds) from each origin to the nearest service of layer l, and that service. */
void scn__origin_times(const scn_city *c, const routes *r, size_t l, uint32_t *t, uint32_t *svc);

/** Per layer and measure of the scenario file, one value per origin (NAN: undefined). */
typedef struct {
    size_t n_layers, n_measures;
    double **values; /* [l * n_measures + m][origin] */
    sim_ttm *ttm;    /* per street layer, its origin x source matrix, when kept (the baseline's,
                        for scenarios: keep_ttm); NULL otherwise */
    int keep_ttm;
} scn__measures;

/* How a scenario's layer gets its measures (scn__layers_unchanged). */
enum {
    SCN_MEASURE_FRESH = 0,  /* matrix and measures computed */
    SCN_MEASURE_COPY = 1,   /* the baseline's values (same times, sources, capacities, people) */
    SCN_MEASURE_MATRIX = 2, /* the baseline's matrix (same travel times) with columns for the
                               sources it did not have computed; measures computed */
};

/* What scn__measures_reusing() needs of the baseline. */
typedef struct {
    const scn__measures *mv;  /* its measures, with ttm kept */
    const routes *r;          /* its routes (the layers' source lists) */
    const uint32_t *base_of;  /* per service of the scenario: its baseline index, or invalid */
    size_t n_base_svc;
    const uint8_t *how;       /* per layer: SCN_MEASURE_* */
} scn__reuse;

/** Computes every measure of c->cfg->measures for every layer. */
sim_status scn__measures_compute(const scn_city *c, const routes *r, scn__measures *mv,
                                 sim_error *err);
void scn__measures_free(scn__measures *mv);

/** As scn__measures_compute(), copying base's values for the layers with reuse[l] != 0 (their
 *  travel times, capacities and population are the baseline's). */
sim_status scn__measures_reusing(const scn_city *c, const routes *r, const scn__reuse *reuse,
                                 scn__measures *mv, sim_error *err);

/** how[l] (SCN_MEASURE_*) for each layer of a scenario's routes `r` (layers.c). */
void scn__layers_unchanged(const scn_city *c, const routes *r, const scn_touched *t,
                           uint8_t *reuse);

/** Appends the equity rows of summary.csv (see docs/MEASURES.md) for every layer. */
sim_status scn__equity_rows(FILE *fp, const scn_city *c, const routes *r, const scn__measures *mv,
                            sim_error *err);

/** One measure of the file on one matrix (cap: the services' capacities, ones: 1 each). */
sim_status scn__measure_one(const scn_city *c, const scn_measure *ms, const sim_ttm *ttm,
                            const double *cap, const double *ones, double *out);

/** The equity rows of one layer: `nearest` minutes per origin (+INFINITY unreachable; used as
 *  scratch), vals[m] per measure of the file (NULL: none), for the groups with serves[g] != 0
 *  (serves NULL: every group). Gaps compare a group with the rest of the total group; the rest's
 *  values are nearest_rest / vals_rest (the shared layer, when this is a group's own variant)
 *  or, when those are NULL, the same values. */
sim_status scn__layer_equity_rows(FILE *fp, const scn_city *c, const char *kind,
                                  const char *mode_name, const uint8_t *serves, double *nearest,
                                  double *const *vals, const double *nearest_rest,
                                  double *const *vals_rest, const double *rank_by,
                                  sim_error *err);

/** What ranks origins for Palma and the concentration index (docs/MEASURES.md); *owned is set
 *  when the array was made here (free it), NULL otherwise. NULL when there is nothing. */
const double *scn__rank_by(const scn_city *c, double **owned);

/** Routes every layer of `c` into `r` (street layers by multi-source search from the services,
 *  transit layers per origin); free with scn__routes_free. */
sim_status scn__route_all(const scn_city *c, routes *r, const scn_run_opts *opts, sim_error *err);
void scn__routes_free(routes *r);

/** As scn__route_all() for a scenario's city: layers whose graph and services `t` says did not
 *  change copy the baseline's results (`base`, routed on the baseline city). */
sim_status scn__route_reusing(const scn_city *c, routes *r, const routes *base,
                              const scn_touched *t, const scn_run_opts *opts, sim_error *err);

/** Progress report through opts (may be NULL). */
void scn__progress(const scn_run_opts *o, const char *stage, size_t done, size_t total);

/** "walk", "bike", "car". */
const char *scn__mode_name(geo_mode m);

/** Minutes rounded to 0.01, half up, from deciseconds; NAN for SIM_UNREACHABLE. */
double scn__ds_to_min(uint32_t t);

/** Shared by the writers (city.c, outputs.c, exports.c, measure_matrix.c). */
double scn__now_s(void);
void scn__add_input(scn_city *c, const char *path, const char *role);
void scn__json_str(FILE *fp, const char *s);
sim_status scn__close_file(FILE *fp, const char *path, sim_error *err);
FILE *scn__open_out(const char *dir, const char *name, char *path, size_t size, sim_error *err);

/** One summary.csv row of the baseline: value, baseline = value, delta = 0; all three empty when
 *  v is not finite (undefined, or unbounded such as FGT1 with unreachable people). */
void scn__summary_row(FILE *fp, const char *kind, const char *mode, const char *group,
                      const char *measure, double v, int decimals);

/** CSV helpers shared by the writers. */
void scn__csv_str(FILE *fp, const char *s);
void scn__csv_num(FILE *fp, double v, int decimals);

#endif
