/* accessim — the runner's shared internals (scenarios/runner.c, scenarios/evaluate.c). */
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
#include "sim/measures.h"
#include "sim/status.h"

#define MAX_INPUTS 64

struct scn_city {
    const scn_config *cfg;
    geo_crs *crs;
    geo_network *net;
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

    /* validate's collector: input problems recorded here instead of stopping at the first */
    sim_error *problems;
    size_t max_problems, n_problems;

    const char *inputs[MAX_INPUTS]; /* distinct input files, in first-use order */
    const char *input_role[MAX_INPUTS];
    size_t n_inputs;
    double load_s;
};

/* Results per layer: layer L = mi * n_kinds + k is (mode c->modes[mi], service kind k). */
typedef struct {
    size_t n_layers;
    uint32_t **time;    /* per layer: times to the nearest service, per node of the mode graph */
    uint32_t **nearest; /* per layer: index into the kind's source list */
    uint32_t **sources; /* per kind: service indexes (global) */
    uint32_t *n_sources;
} routes;

/** Layer l's mode and service kind index. */
#define LAYER_MODE(c, l) ((c)->modes[(l) / (c)->n_kinds])
#define LAYER_KIND(c, l) ((l) % (c)->n_kinds)

/** Time (deciseconds) from each origin to the nearest service of layer l, and that service. */
void scn__origin_times(const scn_city *c, const routes *r, size_t l, uint32_t *t, uint32_t *svc);

/** Per layer and measure of the scenario file, one value per origin (NAN: undefined). */
typedef struct {
    size_t n_layers, n_measures;
    double **values; /* [l * n_measures + m][origin] */
} scn__measures;

/** Computes every measure of c->cfg->measures for every layer. */
sim_status scn__measures_compute(const scn_city *c, const routes *r, scn__measures *mv,
                                 sim_error *err);
void scn__measures_free(scn__measures *mv);

/** Appends the equity rows of summary.csv (see docs/MEASURES.md) for every layer. */
sim_status scn__equity_rows(FILE *fp, const scn_city *c, const routes *r, const scn__measures *mv,
                            sim_error *err);

/** One measure of the file on one matrix (cap: the services' capacities, ones: 1 each). */
sim_status scn__measure_one(const scn_city *c, const scn_measure *ms, const sim_ttm *ttm,
                            const double *cap, const double *ones, double *out);

/** The equity rows of one layer: `nearest` minutes per origin (+INFINITY unreachable; used as
 *  scratch), vals[m] per measure of the file (NULL: none); mode < 0: every group. */
sim_status scn__layer_equity_rows(FILE *fp, const scn_city *c, const char *kind,
                                  const char *mode_name, int mode, double *nearest,
                                  double *const *vals, const double *rank_by, sim_error *err);

/** What ranks origins for Palma and the concentration index (docs/MEASURES.md); *owned is set
 *  when the array was made here (free it), NULL otherwise. NULL when there is nothing. */
const double *scn__rank_by(const scn_city *c, double **owned);

/** Shared by the writers of runner.c and measure_matrix.c. */
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
