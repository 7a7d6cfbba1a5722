/*
 * accessim — exports from a loaded city: the routing graph, and travel-time matrices by street
 * mode or by transit (runner.h).
 */
#include <errno.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "geo/features.h"
#include "geo/network.h"
#include "geo/write.h"
#include "scenarios/outdir.h"
#include "scenarios/runner_internal.h"
#include "sim/access.h"
#include "sim/equity.h"
#include "sim/graph.h"
#include "sim/matrix.h"
#include "sim/route.h"

/* ---- graph export ------------------------------------------------------------------------ */

sim_status scn_city_export_graph(const scn_city *c, geo_mode mode, const char *group,
                                 const char *dir, sim_error *err) {
    char path[4200];
    sim_status rc = SIM_OK;
    const geo_network *net = c->net;
    const geo_mode_graph *g = c->mg[mode];
    if (!g)
        return sim_error_set(err, SIM_EINVAL, "%s: mode '%s' is not among network.modes",
                             c->cfg->path, scn__mode_name(mode));
    if (group) {
        size_t gi = 0, ng = c->cfg->n_groups;
        while (gi < ng && strcmp(c->cfg->groups[gi].name, group)) ++gi;
        if (gi == ng)
            return sim_error_set(err, SIM_EINVAL, "%s: no group '%s' in population.groups",
                                 c->cfg->path, group);
        if (!c->cfg->groups[gi].modes[mode])
            return sim_error_set(err, SIM_EINVAL, "%s: group '%s' does not use mode '%s'",
                                 c->cfg->path, group, scn__mode_name(mode));
        if (mode == GEO_MODE_WALK && c->group_walk && c->group_walk[gi]) g = c->group_walk[gi];
    }
    uint32_t nn = g->n_nodes, na = sim_graph_arc_count(g->fwd);
    const uint32_t *first = sim_graph_first_out(g->fwd), *head = sim_graph_head(g->fwd),
                   *tds = sim_graph_time_ds(g->fwd);
    uint32_t *from = malloc((na ? na : 1) * sizeof *from);
    double *lon = malloc((nn ? nn : 1) * sizeof *lon), *lat = malloc((nn ? nn : 1) * sizeof *lat);
    uint8_t *conn = malloc(na ? na : 1);
    FILE *fp = NULL;
    if (!from || !lon || !lat || !conn) {
        rc = sim_error_set(err, SIM_ENOMEM, "graph export");
        goto done;
    }
    if (!(fp = scn__open_out(dir, "nodes.csv", path, sizeof path, err))) {
        rc = err ? err->code : SIM_EIO;
        goto done;
    }
    fputs("node_id,lon,lat,kind,ref\n", fp);
    for (uint32_t gv = 0; gv < nn; ++gv) {
        uint32_t v = g->node_of[gv];
        lon[gv] = net->lon[v];
        lat[gv] = net->lat[v];
        fprintf(fp, "%u,%.7f,%.7f,", gv, net->lon[v], net->lat[v]);
        if (net->kind[v] == GEO_NODE_ORIGIN) {
            fputs("origin,", fp);
            scn__csv_str(fp, c->pop->id[net->ref[v]]);
        } else if (net->kind[v] == GEO_NODE_SERVICE) {
            fprintf(fp, "service:%s,", c->kinds[c->svc_kind[net->ref[v]]]);
            scn__csv_str(fp, c->svc_id[net->ref[v]]);
        } else if (net->kind[v] == GEO_NODE_STOP && c->transit) {
            fputs("stop,", fp);
            scn__csv_str(fp, scn_transit_stop_id(c->transit, net->ref[v]));
        } else {
            fputs("street,", fp);
        }
        fputc('\n', fp);
    }
    rc = scn__close_file(fp, path, err);
    fp = NULL;
    if (rc) goto done;
    /* Arcs exactly as routed, in the graph's CSR order. */
    for (uint32_t gv = 0; gv < nn; ++gv)
        for (uint32_t a = first[gv]; a < first[gv + 1]; ++a) from[a] = gv;
    for (uint32_t a = 0; a < na; ++a) conn[a] = net->seg_connector[g->arc_seg[a]];
    if (!(fp = scn__open_out(dir, "edges.csv", path, sizeof path, err))) {
        rc = err ? err->code : SIM_EIO;
        goto done;
    }
    fputs("from,to,seconds\n", fp);
    for (uint32_t a = 0; a < na; ++a)
        fprintf(fp, "%u,%u,%u.%u\n", from[a], head[a], tds[a] / 10, tds[a] % 10);
    rc = scn__close_file(fp, path, err);
    fp = NULL;
    if (!rc && snprintf(path, sizeof path, "%s/edges.gpkg", dir) < (int)sizeof path)
        rc = geo_write_edges_gpkg(path, lon, lat, from, head, tds, conn, na, err);
done:
    if (fp) fclose(fp);
    free(from);
    free(lon);
    free(lat);
    free(conn);
    return rc;
}

/* ---- travel-time matrix ------------------------------------------------------------------- */

typedef struct {
    FILE *fp;
    const char *const *from_id, *const *to_id;
    int seconds; /* print exact seconds (0.1 s) instead of minutes rounded to 0.01 */
} matrix_sink_ctx;

static sim_status matrix_sink(void *ud, const sim_od *rows, size_t n) {
    matrix_sink_ctx *m = ud;
    for (size_t i = 0; i < n; ++i) {
        scn__csv_str(m->fp, m->from_id[rows[i].from]);
        fputc(',', m->fp);
        scn__csv_str(m->fp, m->to_id[rows[i].to]);
        fputc(',', m->fp);
        if (m->seconds) fprintf(m->fp, "%u.%u", rows[i].time_ds / 10, rows[i].time_ds % 10);
        else scn__csv_num(m->fp, scn__ds_to_min(rows[i].time_ds), 2);
        fputc('\n', m->fp);
    }
    return ferror(m->fp) ? SIM_EIO : SIM_OK;
}

/* The rows and columns of a matrix: origins on graph `g` in input order, and destinations (the
 * origins with `to_origins`, else the services, of `kind` when given) likewise. Node numbers are
 * g's own (graph_nodes) or the network's. */
typedef struct {
    uint32_t *src, *dst;
    const char **src_id, **dst_id;
    uint32_t ns, nd;
} endpoints;

static void endpoints_free(endpoints *e) {
    free(e->src);
    free(e->dst);
    free(e->src_id);
    free(e->dst_id);
}

static sim_status endpoints_build(const scn_city *c, const geo_mode_graph *g, int to_origins,
                                  const char *kind, int graph_nodes, endpoints *e,
                                  sim_error *err) {
    memset(e, 0, sizeof *e);
    size_t kind_index = SIZE_MAX;
    if (kind && !to_origins) {
        for (size_t k = 0; k < c->n_kinds; ++k)
            if (strcmp(c->kinds[k], kind) == 0) kind_index = k;
        if (kind_index == SIZE_MAX)
            return sim_error_set(err, SIM_EINVAL, "%s: no service kind '%s'", c->cfg->path, kind);
    }
    size_t no = c->pop->n, nd_max = to_origins ? no : c->n_svc;
    e->src = malloc((no ? no : 1) * sizeof *e->src);
    e->dst = malloc((nd_max ? nd_max : 1) * sizeof *e->dst);
    e->src_id = malloc((no ? no : 1) * sizeof *e->src_id);
    e->dst_id = malloc((nd_max ? nd_max : 1) * sizeof *e->dst_id);
    if (!e->src || !e->dst || !e->src_id || !e->dst_id) {
        endpoints_free(e);
        return sim_error_set(err, SIM_ENOMEM, "matrix");
    }
    for (size_t i = 0; i < no; ++i) {
        uint32_t v = c->origin_node[i];
        uint32_t gv = v == SIM_INVALID_ID ? SIM_INVALID_ID : g->graph_of[v];
        if (gv == SIM_INVALID_ID) continue;
        e->src_id[e->ns] = c->pop->id[i];
        e->src[e->ns++] = graph_nodes ? gv : v;
        if (to_origins) {
            e->dst_id[e->nd] = c->pop->id[i];
            e->dst[e->nd++] = graph_nodes ? gv : v;
        }
    }
    if (!to_origins)
        for (size_t j = 0; j < c->n_svc; ++j) {
            if (kind_index != SIZE_MAX && c->svc_kind[j] != kind_index) continue;
            uint32_t gv = g->graph_of[c->svc_node[j]];
            if (gv == SIM_INVALID_ID) continue;
            e->dst_id[e->nd] = c->svc_id[j];
            e->dst[e->nd++] = graph_nodes ? gv : c->svc_node[j];
        }
    return SIM_OK;
}

/* A --cutoff in minutes as deciseconds (<= 0: no cutoff). */
static uint32_t cutoff_ds(double cutoff_min) {
    double cut = cutoff_min > 0 ? cutoff_min * 600.0 : (double)(SIM_UNREACHABLE - 1);
    return cut >= (double)(SIM_UNREACHABLE - 1) ? SIM_UNREACHABLE - 1 : (uint32_t)llround(cut);
}

sim_status scn_city_matrix(const scn_city *c, geo_mode mode, double cutoff_min, int to_origins,
                           const char *kind, int direction, int seconds, FILE *fp,
                           size_t *n_sources, sim_error *err) {
    const geo_mode_graph *g = c->mg[mode];
    if (!g)
        return sim_error_set(err, SIM_EINVAL, "%s: mode '%s' is not among network.modes",
                             c->cfg->path, scn__mode_name(mode));
    endpoints e;
    sim_status rc = endpoints_build(c, g, to_origins, kind, 1, &e, err);
    if (rc) return rc;
    *n_sources = e.ns;
    fputs(seconds ? "from_id,to_id,seconds\n" : "from_id,to_id,minutes\n", fp);
    matrix_sink_ctx ctx = {fp, e.src_id, e.dst_id, seconds};
    sim_matrix_direction dir = direction > 0   ? SIM_MATRIX_FORWARD
                               : direction < 0 ? SIM_MATRIX_BACKWARD
                                               : SIM_MATRIX_AUTO;
    rc = sim_matrix_run(g->fwd, g->rev, e.src, e.ns, e.dst, e.nd, cutoff_ds(cutoff_min), dir,
                        matrix_sink, &ctx);
    if (rc) rc = sim_error_set(err, rc, "matrix: %s", sim_status_str(rc));
    endpoints_free(&e);
    return rc;
}

/* ---- transit matrix ---------------------------------------------------------------------- */

typedef struct {
    FILE *fp;
    const char **from_id, **to_id;
    uint32_t n_dest, np;
    uint32_t cutoff_ds;
    int seconds;
} transit_matrix_ctx;

static sim_status transit_matrix_row(void *ud, uint32_t origin, const uint32_t *pct_ds) {
    transit_matrix_ctx *m = ud;
    for (uint32_t d = 0; d < m->n_dest; ++d) {
        const uint32_t *v = pct_ds + (size_t)d * m->np;
        /* percentiles ascend, so the first is the smallest: the row is kept when it is within
         * the cutoff */
        if (v[0] == SIM_UNREACHABLE || v[0] > m->cutoff_ds) continue;
        scn__csv_str(m->fp, m->from_id[origin]);
        fputc(',', m->fp);
        scn__csv_str(m->fp, m->to_id[d]);
        for (uint32_t j = 0; j < m->np; ++j) {
            fputc(',', m->fp);
            if (v[j] == SIM_UNREACHABLE) continue;
            if (m->seconds) fprintf(m->fp, "%u.%u", v[j] / 10, v[j] % 10);
            else scn__csv_num(m->fp, scn__ds_to_min(v[j]), 2);
        }
        fputc('\n', m->fp);
    }
    return ferror(m->fp) ? SIM_EIO : SIM_OK;
}

static void transit_matrix_progress(void *ud, size_t done, size_t total) {
    scn__progress(ud, "routing by transit (origins)", done, total);
}

sim_status scn_city_transit_matrix(const scn_city *c, double cutoff_min, int to_origins,
                                   const char *kind, int seconds, FILE *fp,
                                   const scn_run_opts *opts, size_t *n_sources, sim_error *err) {
    if (!c->transit)
        return sim_error_set(err, SIM_EINVAL, "%s: mode 'transit' needs a 'transit:' block",
                             c->cfg->path);
    const geo_mode_graph *g = c->mg[GEO_MODE_WALK];
    endpoints e; /* on the walking network; scn_transit_run takes network nodes */
    sim_status rc = endpoints_build(c, g, to_origins, kind, 0, &e, err);
    if (rc) return rc;
    *n_sources = e.ns;
    size_t np = c->cfg->transit.n_percentiles;
    fputs("from_id,to_id", fp);
    for (size_t j = 0; j < np; ++j)
        fprintf(fp, ",%s_p%u", seconds ? "seconds" : "travel_time",
                (unsigned)c->cfg->transit.percentiles[j]);
    fputc('\n', fp);
    transit_matrix_ctx ctx = {fp, e.src_id, e.dst_id, e.nd, (uint32_t)np, cutoff_ds(cutoff_min),
                              seconds};
    scn_transit_stats st;
    rc = scn_transit_run(c->transit, g, e.src, e.ns, e.dst, e.nd, transit_matrix_progress,
                         (void *)opts, transit_matrix_row, &ctx, &st, err);
    endpoints_free(&e);
    return rc;
}
