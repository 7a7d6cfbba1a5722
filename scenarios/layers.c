/*
 * accessim — the run's routing layers: one per mode (each transit percentile a mode of its own)
 * x service kind, plus groups' own variants; times to the nearest service (runner_internal.h).
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
#include "scenarios/scenario.h"
#include "sim/access.h"
#include "sim/equity.h"
#include "sim/graph.h"
#include "sim/matrix.h"
#include "sim/route.h"

/* ---- the run ----------------------------------------------------------------------------- */



/* The scn_mode of layer definition d. */
static scn_mode layer_scn_mode(const scn_city *c, const scn__layer *d) {
    return d->pct >= 0 ? SCN_MODE_TRANSIT : (scn_mode)c->modes[d->mi];
}

/* Does group g have its own variant of (mode m, kind k)? Transit variants come only from
 * service eligibility: a group's own walking speed applies to its walk layers (docs/TRANSIT.md). */
static int group_has_variant(const scn_city *c, size_t g, scn_mode m, size_t k) {
    const scn_group *gr = &c->cfg->groups[g];
    if (!gr->modes[m]) return 0;
    if (m == SCN_MODE_WALK && c->group_walk && c->group_walk[g]) return 1;
    return c->eligible && c->eligible[g] && scn_group_eligible(gr, c->kinds[k]) != NULL;
}

sim_status scn__layers_plan(const scn_city *c, routes *r, sim_error *err) {
    size_t nk = c->n_kinds, ng = c->cfg->n_groups;
    size_t np = c->transit ? c->cfg->transit.n_percentiles : 0;
    size_t cap = (c->n_modes + np) * nk * (1 + ng);
    r->def = calloc(cap ? cap : 1, sizeof *r->def);
    if (!r->def) return sim_error_set(err, SIM_ENOMEM, "routing");
    size_t n = 0;
    double walk_ds_per_m = 36.0 / c->cfg->profile.walk_kmh; /* 10 ds/s / (kmh / 3.6) */
    for (size_t mi = 0; mi < c->n_modes + np; ++mi)
        for (size_t k = 0; k < nk; ++k) {
            size_t base = n;
            int pct = mi < c->n_modes ? -1 : (int)(mi - c->n_modes);
            geo_mode gm = pct < 0 ? c->modes[mi] : GEO_MODE_WALK;
            r->def[n++] = (scn__layer){pct < 0 ? mi : SIZE_MAX, pct,
                                      pct < 0 ? scn__mode_name(gm) : c->transit_mode[pct], k, -1,
                                      base, c->mg[gm], walk_ds_per_m, 1.0};
            scn_mode sm = layer_scn_mode(c, &r->def[base]);
            for (size_t g = 0; g < ng; ++g) {
                if (!group_has_variant(c, g, sm, k)) continue;
                scn__layer *d = &r->def[n++];
                *d = r->def[base];
                d->group = (int)g;
                if (sm == SCN_MODE_WALK && c->group_walk && c->group_walk[g]) {
                    double f = c->cfg->profile.walk_kmh / c->cfg->groups[g].walk_speed_kmh;
                    d->mg = c->group_walk[g];
                    d->time_factor = f;
                    d->walk_ds_per_m = walk_ds_per_m * f;
                }
            }
        }
    r->n_layers = n;
    return SIM_OK;
}

int scn__layer_serves(const scn_city *c, const routes *r, size_t l, size_t g) {
    const scn__layer *d = &r->def[l];
    scn_mode m = layer_scn_mode(c, d);
    if (!c->cfg->groups[g].modes[m]) return 0;
    if (d->group >= 0) return (size_t)d->group == g;
    return !group_has_variant(c, g, m, d->kind);
}

void scn__layer_tag(const scn_city *c, const routes *r, size_t l, char *buf, size_t size) {
    const scn__layer *d = &r->def[l];
    if (d->group < 0) snprintf(buf, size, "%s", d->mode);
    else snprintf(buf, size, "%s_%s", d->mode, c->cfg->groups[d->group].name);
}

void scn__routes_free(routes *r) {
    for (size_t l = 0; l < r->n_layers; ++l) {
        if (r->time) free(r->time[l]);
        if (r->nearest) free(r->nearest[l]);
        if (r->sources) free(r->sources[l]);
        if (r->otime) free(r->otime[l]);
        if (r->osvc) free(r->osvc[l]);
    }
    if (!r->pct_borrowed) {
        for (size_t j = 0; r->pct_ttm && j < r->n_pct; ++j) sim_ttm_release(&r->pct_ttm[j]);
        free(r->pct_ttm);
    }
    free(r->otime);
    free(r->osvc);
    free(r->def);
    free(r->time);
    free(r->nearest);
    free(r->sources);
    free(r->n_sources);
}

/* The transit run's sink: each percentile's row of the origin into its matrix builder. */
typedef struct {
    sim_ttm_builder **b;
    size_t np;
    uint32_t n_svc;
    sim_od *rows;
} transit_rows;

static sim_status transit_row(void *ud, uint32_t origin, const uint32_t *pct_ds) {
    transit_rows *tr = ud;
    for (size_t j = 0; j < tr->np; ++j) {
        size_t n = 0;
        for (uint32_t d = 0; d < tr->n_svc; ++d) {
            uint32_t ds = pct_ds[(size_t)d * tr->np + j];
            if (ds != SIM_UNREACHABLE) tr->rows[n++] = (sim_od){origin, d, ds};
        }
        sim_status rc = sim_ttm_builder_add(tr->b[j], tr->rows, n);
        if (rc) return rc;
    }
    return SIM_OK;
}

typedef struct {
    const scn_run_opts *opts;
} transit_progress_ctx;

static void transit_progress(void *ud, size_t done, size_t total) {
    transit_progress_ctx *p = ud;
    scn__progress(p->opts, "routing by transit (origins)", done, total);
}

/* Transit layers: percentiles from every origin to every service, then per layer the nearest
 * of its sources (ties: the lowest service index, as the street layers' multi-source search). */
static sim_status route_transit(const scn_city *c, routes *r, const routes *reuse,
                                const scn_run_opts *opts, sim_error *err) {
    size_t np = c->cfg->transit.n_percentiles, no = c->pop->n, nl = r->n_layers;
    sim_status rc = SIM_OK;
    transit_rows tr = {calloc(np, sizeof *tr.b), np, (uint32_t)c->n_svc,
                       malloc((c->n_svc ? c->n_svc : 1) * sizeof *tr.rows)};
    r->n_pct = np;
    r->pct_ttm = calloc(np, sizeof *r->pct_ttm);
    r->otime = calloc(nl ? nl : 1, sizeof *r->otime);
    r->osvc = calloc(nl ? nl : 1, sizeof *r->osvc);
    if (!tr.b || !tr.rows || !r->pct_ttm || !r->otime || !r->osvc) {
        rc = sim_error_set(err, SIM_ENOMEM, "transit routing");
        goto done;
    }
    if (reuse) { /* the same services, stops and timetable: the baseline's matrices */
        free(r->pct_ttm);
        r->pct_ttm = reuse->pct_ttm;
        r->pct_borrowed = 1;
        r->transit_stats = (scn_transit_stats){0, 0, 0};
        goto nearest;
    }
    for (size_t j = 0; j < np && !rc; ++j)
        rc = sim_ttm_builder_create((uint32_t)no, (uint32_t)c->n_svc, &tr.b[j]);
    if (rc) {
        rc = sim_error_set(err, rc, "transit routing: %s", sim_status_str(rc));
        goto done;
    }
    transit_progress_ctx pc = {opts};
    if ((rc = scn_transit_run(c->transit, c->mg[GEO_MODE_WALK], c->origin_node, (uint32_t)no,
                              c->svc_node, (uint32_t)c->n_svc, transit_progress, &pc, transit_row,
                              &tr, &r->transit_stats, err)))
        goto done;
    for (size_t j = 0; j < np && !rc; ++j)
        if ((rc = sim_ttm_builder_finish(tr.b[j], &r->pct_ttm[j])))
            rc = sim_error_set(err, rc, "transit routing: %s", sim_status_str(rc));
nearest:;
    uint8_t *in = malloc(c->n_svc ? c->n_svc : 1);
    for (size_t l = 0; l < nl && !rc; ++l) {
        const scn__layer *d = &r->def[l];
        if (d->pct < 0) continue;
        r->otime[l] = malloc((no ? no : 1) * sizeof **r->otime);
        r->osvc[l] = malloc((no ? no : 1) * sizeof **r->osvc);
        if (!in || !r->otime[l] || !r->osvc[l]) {
            rc = sim_error_set(err, SIM_ENOMEM, "transit routing");
            break;
        }
        memset(in, 0, c->n_svc);
        for (uint32_t k = 0; k < r->n_sources[l]; ++k) in[r->sources[l][k]] = 1;
        const sim_ttm *m = &r->pct_ttm[d->pct];
        for (size_t i = 0; i < no; ++i) {
            uint32_t best = SIM_UNREACHABLE, bj = SIM_INVALID_ID;
            for (uint64_t e = m->first[i]; e < m->first[i + 1]; ++e) {
                if (!in[m->to[e]]) continue;
                uint32_t ds = (uint32_t)llround(m->minutes[e] * 600.0);
                if (ds < best) {
                    best = ds;
                    bj = m->to[e];
                }
            }
            r->otime[l][i] = best;
            r->osvc[l][i] = bj;
        }
    }
    free(in);
done:
    for (size_t j = 0; tr.b && j < np; ++j) sim_ttm_builder_destroy(tr.b[j]);
    free(tr.b);
    free(tr.rows);
    return rc;
}

sim_status scn__route_all(const scn_city *c, routes *r, const scn_run_opts *opts,
                            sim_error *err) {
    return scn__route_reusing(c, r, NULL, NULL, opts, err);
}

/* A street layer keeps the baseline's times when its graph and its services did not change. */
static int street_layer_same(const scn_city *c, const routes *r, size_t l, const scn_touched *t) {
    const scn__layer *d = &r->def[l];
    if (t->rebuilt || t->kind_changed[d->kind]) return 0;
    return !(t->modes_changed & (1u << c->modes[d->mi]));
}

static int transit_same(const scn_city *c, const scn_touched *t) {
    if (t->rebuilt || t->transit_changed || (t->modes_changed & (1u << GEO_MODE_WALK))) return 0;
    for (size_t k = 0; k < c->n_kinds; ++k)
        if (t->kind_changed[k]) return 0;
    return 1;
}

sim_status scn__route_reusing(const scn_city *c, routes *r, const routes *base,
                              const scn_touched *t, const scn_run_opts *opts, sim_error *err) {
    sim_status rc = scn__layers_plan(c, r, err);
    if (rc) return rc;
    size_t nl = r->n_layers;
    r->time = calloc(nl ? nl : 1, sizeof *r->time);
    r->nearest = calloc(nl ? nl : 1, sizeof *r->nearest);
    r->sources = calloc(nl ? nl : 1, sizeof *r->sources);
    r->n_sources = calloc(nl ? nl : 1, sizeof *r->n_sources);
    if (!r->time || !r->nearest || !r->sources || !r->n_sources)
        return sim_error_set(err, SIM_ENOMEM, "routing");
    uint32_t max_nodes = 0;
    for (size_t l = 0; l < nl; ++l) {
        const scn__layer *d = &r->def[l];
        const uint8_t *el = d->group >= 0 && c->eligible ? c->eligible[d->group] : NULL;
        r->sources[l] = malloc((c->n_svc ? c->n_svc : 1) * sizeof **r->sources);
        if (!r->sources[l]) return sim_error_set(err, SIM_ENOMEM, "routing");
        for (size_t j = 0; j < c->n_svc; ++j)
            if (c->svc_kind[j] == d->kind && (!el || el[j]))
                r->sources[l][r->n_sources[l]++] = (uint32_t)j;
        if (d->pct >= 0) continue; /* transit: per origin, below */
        const geo_mode_graph *g = d->mg;
        if (base && street_layer_same(c, r, l, t)) {
            size_t bytes = (g->n_nodes ? g->n_nodes : 1) * sizeof **r->time;
            r->time[l] = malloc(bytes);
            r->nearest[l] = malloc(bytes);
            if (!r->time[l] || !r->nearest[l]) return sim_error_set(err, SIM_ENOMEM, "routing");
            memcpy(r->time[l], base->time[l], bytes);
            memcpy(r->nearest[l], base->nearest[l], bytes);
            continue;
        }
        if (g->n_nodes > max_nodes) max_nodes = g->n_nodes;
        r->time[l] = malloc((g->n_nodes ? g->n_nodes : 1) * sizeof **r->time);
        r->nearest[l] = malloc((g->n_nodes ? g->n_nodes : 1) * sizeof **r->nearest);
        if (!r->time[l] || !r->nearest[l]) return sim_error_set(err, SIM_ENOMEM, "routing");
    }
    sim_status *st = calloc(nl ? nl : 1, sizeof *st);
    if (!st) return sim_error_set(err, SIM_ENOMEM, "routing");
#pragma omp parallel
    {
        sim_scratch *s = sim_scratch_create(max_nodes);
        uint32_t *src = malloc((c->n_svc ? c->n_svc : 1) * sizeof *src);
#pragma omp for schedule(dynamic, 1)
        for (int64_t l = 0; l < (int64_t)nl; ++l) {
            const geo_mode_graph *g = r->def[l].mg;
            if (r->def[l].pct >= 0) continue;
            if (base && street_layer_same(c, r, (size_t)l, t)) continue;
            if (!s || !src) {
                st[l] = SIM_ENOMEM;
                continue;
            }
            uint32_t ns = 0;
            for (uint32_t i = 0; i < r->n_sources[l]; ++i)
                src[ns++] = g->graph_of[c->svc_node[r->sources[l][i]]];
            /* Times *to* services: search the reverse graph from every service at once. */
            st[l] = sim_route_multi(g->rev, src, NULL, ns, SIM_UNREACHABLE - 1, s, r->time[l],
                                    r->nearest[l]);
        }
        free(src);
        sim_scratch_destroy(s);
    }
    for (size_t l = 0; l < nl && !rc; ++l)
        if (st[l]) {
            char tag[200];
            scn__layer_tag(c, r, l, tag, sizeof tag);
            rc = sim_error_set(err, st[l], "routing to '%s' (%s): %s", c->kinds[r->def[l].kind],
                               tag, sim_status_str(st[l]));
        }
    free(st);
    if (!rc && c->transit)
        rc = route_transit(c, r, base && transit_same(c, t) ? base : NULL, opts, err);
    return rc;
}

/* Time (deciseconds) from each origin to the nearest service of layer l, and that service. */
void scn__origin_times(const scn_city *c, const routes *r, size_t l, uint32_t *t, uint32_t *svc) {
    if (r->def[l].pct >= 0) {
        memcpy(t, r->otime[l], c->pop->n * sizeof *t);
        memcpy(svc, r->osvc[l], c->pop->n * sizeof *svc);
        return;
    }
    const geo_mode_graph *g = r->def[l].mg;
    for (size_t i = 0; i < c->pop->n; ++i) {
        uint32_t v = c->origin_node[i];
        uint32_t gv = v == SIM_INVALID_ID ? SIM_INVALID_ID : g->graph_of[v];
        t[i] = gv == SIM_INVALID_ID ? SIM_UNREACHABLE : r->time[l][gv];
        svc[i] = t[i] == SIM_UNREACHABLE ? SIM_INVALID_ID : r->sources[l][r->nearest[l][gv]];
    }
}


void scn__layers_unchanged(const scn_city *c, const routes *r, const scn_touched *t,
                           uint8_t *reuse) {
    for (size_t l = 0; l < r->n_layers; ++l) {
        size_t k = r->def[l].kind;
        int same = !t->pop_changed && !t->capacity_changed[k];
        if (same && t->rebuilt && t->points_only) /* re-routed, to the same times */
            same = !t->kind_changed[k];
        else if (same && r->def[l].pct >= 0)
            same = transit_same(c, t);
        else if (same)
            same = street_layer_same(c, r, l, t);
        /* otherwise a street layer whose travel times are the baseline's (its services,
         * capacities or people changed) keeps the baseline's matrix, plus columns for new
         * sources: no street changed, or only points attached (time-neutral splits) */
        int times_same = r->def[l].pct < 0 && (!t->rebuilt || t->points_only) &&
                         !(t->modes_changed & (1u << c->modes[r->def[l].mi]));
        reuse[l] = same ? SCN_MEASURE_COPY : times_same ? SCN_MEASURE_MATRIX : SCN_MEASURE_FRESH;
    }
}
