/*
 * accessim — accessibility measures per origin and their equity summaries (issue 5).
 *
 * For every layer (mode x service kind) the measures of the scenario file are computed from an
 * origin x service travel-time matrix of that layer (sim_matrix_run, bounded by the largest
 * cutoff the measures need), then summarised per population group in summary.csv with the
 * equity statistics of sim/equity.h. docs/MEASURES.md gives the formulas and the row names.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenarios/runner_internal.h"
#include "sim/equity.h"
#include "sim/matrix.h"
#include "sim/measures.h"
#include "sim/route.h"

/* Decays without a natural end (exponential, power, logistic, gaussian, stepped) are evaluated
 * on destinations within this many minutes: beyond two hours their weights are negligible for
 * the parameters in use (exp(-0.05 * 120) = 0.0025) and the matrices stay small. */
#define SCN_MEASURE_HORIZON_MIN 120.0

static int is_time_measure(const scn_measure *m) { return m->kind == SCN_MEASURE_NEAREST; }

/* The largest travel time a measure looks at, in minutes. */
static double horizon_min(const scn_measure *m) {
    switch (m->kind) {
    case SCN_MEASURE_NEAREST:
        return SCN_MEASURE_HORIZON_MIN;
    case SCN_MEASURE_CUMULATIVE:
        return m->cutoff_min;
    case SCN_MEASURE_CUMULATIVE_INTERVAL:
        return m->to_min;
    default:
        if (m->decay.kind == SIM_DECAY_BINARY || m->decay.kind == SIM_DECAY_LINEAR)
            return m->decay.cutoff_min;
        return SCN_MEASURE_HORIZON_MIN;
    }
}

/* Index of the group holding everyone (equity.total_group, default the first). */
static size_t total_group(const scn_config *cfg) {
    for (size_t g = 0; cfg->equity.total_group && g < cfg->n_groups; ++g)
        if (strcmp(cfg->groups[g].name, cfg->equity.total_group) == 0) return g;
    return 0;
}

static size_t group_index(const scn_config *cfg, const char *name) {
    for (size_t g = 0; name && g < cfg->n_groups; ++g)
        if (strcmp(cfg->groups[g].name, name) == 0) return g;
    return total_group(cfg);
}

void scn__measures_free(scn__measures *mv) {
    for (size_t l = 0; mv->ttm && l < mv->n_layers; ++l) sim_ttm_release(&mv->ttm[l]);
    free(mv->ttm);
    mv->ttm = NULL;
    if (!mv->values) return;
    for (size_t i = 0; i < mv->n_layers * mv->n_measures; ++i) free(mv->values[i]);
    free(mv->values);
    mv->values = NULL;
}

/* Rows of the matrix arrive with `from` = index into the layer's attached origins; this sink
 * maps them to origin indexes (monotone, so the order is kept) for the ttm builder. */
typedef struct {
    sim_ttm_builder *b;
    const uint32_t *origin_of;
    sim_od buf[4096];
} remap_sink;

static sim_status remap_rows(void *ud, const sim_od *rows, size_t n) {
    remap_sink *s = ud;
    for (size_t i = 0; i < n;) {
        size_t k = 0;
        for (; k < sizeof s->buf / sizeof s->buf[0] && i < n; ++k, ++i) {
            s->buf[k] = rows[i];
            s->buf[k].from = s->origin_of[rows[i].from];
        }
        sim_status rc = sim_ttm_builder_add(s->b, s->buf, k);
        if (rc) return rc;
    }
    return SIM_OK;
}

/* The layer's origin x service matrix within `cutoff_min` (services of the layer's kind, in
 * their order among that kind's sources). */
/* Layer l's origin x source matrix within cutoff_min; with `cols` (n_cols of them), only those
 * columns (indexes into the layer's sources), numbered 0..n_cols-1. */
static sim_status layer_matrix(const scn_city *c, const routes *r, size_t l, double cutoff_min,
                               const uint32_t *cols, uint32_t n_cols, sim_ttm *out,
                               sim_error *err) {
    const geo_mode_graph *g = r->def[l].mg;
    size_t no = c->pop->n;
    uint32_t ns = 0, nd = cols ? n_cols : r->n_sources[l];
    uint32_t *src = malloc((no ? no : 1) * sizeof *src), *origin_of = malloc((no ? no : 1) * sizeof *origin_of);
    uint32_t *dst = malloc((nd ? nd : 1) * sizeof *dst);
    sim_ttm_builder *b = NULL;
    sim_status rc = SIM_OK;
    remap_sink *sink = malloc(sizeof *sink);
    if (!src || !origin_of || !dst || !sink) {
        rc = SIM_ENOMEM;
        goto done;
    }
    for (size_t i = 0; i < no; ++i) {
        uint32_t v = c->origin_node[i];
        uint32_t gv = v == SIM_INVALID_ID ? SIM_INVALID_ID : g->graph_of[v];
        if (gv == SIM_INVALID_ID) continue;
        origin_of[ns] = (uint32_t)i;
        src[ns++] = gv;
    }
    for (uint32_t j = 0; j < nd; ++j)
        dst[j] = g->graph_of[c->svc_node[r->sources[l][cols ? cols[j] : j]]];
    if ((rc = sim_ttm_builder_create((uint32_t)no, nd, &b))) goto done;
    *sink = (remap_sink){.b = b, .origin_of = origin_of};
    uint32_t cutoff_ds = (uint32_t)llround(fmin(cutoff_min, 1e6) * 600.0);
    if ((rc = sim_matrix_run(g->fwd, g->rev, src, ns, dst, nd, cutoff_ds, SIM_MATRIX_AUTO,
                             remap_rows, sink)))
        goto done;
    rc = sim_ttm_builder_finish(b, out);
done:
    sim_ttm_builder_destroy(b);
    free(src);
    free(origin_of);
    free(dst);
    free(sink);
    if (rc) {
        char tag[200];
        scn__layer_tag(c, r, l, tag, sizeof tag);
        return sim_error_set(err, rc, "travel-time matrix for %s (%s): %s",
                             c->kinds[LAYER_KIND(r, l)], tag, sim_status_str(rc));
    }
    return SIM_OK;
}

/* A transit layer's origin x service matrix within `cutoff_min`: the rows of its percentile's
 * matrix (every service) restricted to the layer's sources, renumbered in their order. */
static sim_status transit_layer_matrix(const scn_city *c, const routes *r, size_t l,
                                       double cutoff_min, sim_ttm *out, sim_error *err) {
    const sim_ttm *all = &r->pct_ttm[r->def[l].pct];
    uint32_t nd = r->n_sources[l];
    uint32_t *col = malloc((c->n_svc ? c->n_svc : 1) * sizeof *col);
    sim_ttm_builder *b = NULL;
    sim_status rc = col ? sim_ttm_builder_create(all->n_from, nd, &b) : SIM_ENOMEM;
    if (!rc) {
        memset(col, 0xff, c->n_svc * sizeof *col);
        for (uint32_t j = 0; j < nd; ++j) col[r->sources[l][j]] = j;
        uint32_t cutoff_ds = (uint32_t)llround(fmin(cutoff_min, 1e6) * 600.0);
        sim_od buf[1024];
        size_t n = 0;
        /* sources are in ascending service order, so renumbered columns stay ascending */
        for (uint32_t i = 0; i < all->n_from && !rc; ++i)
            for (uint64_t e = all->first[i]; e < all->first[i + 1] && !rc; ++e) {
                uint32_t j = col[all->to[e]];
                uint32_t ds = (uint32_t)llround(all->minutes[e] * 600.0);
                if (j == SIM_INVALID_ID || ds > cutoff_ds) continue;
                buf[n++] = (sim_od){i, j, ds};
                if (n == sizeof buf / sizeof buf[0]) {
                    rc = sim_ttm_builder_add(b, buf, n);
                    n = 0;
                }
            }
        if (!rc && n) rc = sim_ttm_builder_add(b, buf, n);
        if (!rc) rc = sim_ttm_builder_finish(b, out);
    }
    sim_ttm_builder_destroy(b);
    free(col);
    if (rc)
        return sim_error_set(err, rc, "travel-time matrix for %s (%s): %s",
                             c->kinds[LAYER_KIND(r, l)], r->def[l].mode, sim_status_str(rc));
    return SIM_OK;
}

sim_status scn__measure_one(const scn_city *c, const scn_measure *ms, const sim_ttm *ttm,
                            const double *cap, const double *ones, double *out) {
    const scn_config *cfg = c->cfg;
    size_t no = c->pop->n;
    const double *demand = c->pop_cols + group_index(cfg, ms->demand_group) * no;
    const double *opp = ms->use_capacity ? cap : ones;
    switch (ms->kind) {
    case SCN_MEASURE_NEAREST:
        return sim_measure_cost_to_closest(ttm, ones, (double)(ms->k ? ms->k : 1), out);
    case SCN_MEASURE_CUMULATIVE:
        return sim_measure_cumulative_cutoff(ttm, opp, ms->cutoff_min, out);
    case SCN_MEASURE_CUMULATIVE_INTERVAL:
        return sim_measure_cumulative_interval(ttm, opp, ms->from_min, ms->to_min, 1.0,
                                               SIM_SUMMARY_MEDIAN, out);
    case SCN_MEASURE_GRAVITY:
        return sim_measure_gravity(ttm, opp, &ms->decay, out);
    case SCN_MEASURE_FCA2:
    case SCN_MEASURE_E2SFCA:
    case SCN_MEASURE_BFCA: {
        sim_fca_method method = ms->kind == SCN_MEASURE_FCA2     ? SIM_FCA_2SFCA
                                : ms->kind == SCN_MEASURE_E2SFCA ? SIM_FCA_E2SFCA
                                                                 : SIM_FCA_BFCA;
        return sim_measure_fca(ttm, method, cap, demand, &ms->decay, out, NULL);
    }
    case SCN_MEASURE_SPATIAL_AVAILABILITY:
        return sim_measure_spatial_availability(ttm, cap, demand, &ms->decay, ms->alpha, out);
    default:
        return SIM_EINVAL;
    }
}

sim_status scn__measures_compute(const scn_city *c, const routes *r, scn__measures *mv,
                                 sim_error *err) {
    memset(mv, 0, sizeof *mv);
    return scn__measures_reusing(c, r, NULL, mv, err);
}

static int cmp_od_to(const void *a, const void *b) {
    uint32_t x = ((const sim_od *)a)->to, y = ((const sim_od *)b)->to;
    return (x > y) - (x < y);
}

/* Layer l's matrix from the baseline's (same travel times): the columns of sources the
 * baseline's layer had are copied, the others computed (layer_matrix on those columns only),
 * then merged row by row in column order. */
static sim_status layer_matrix_from(const scn_city *c, const routes *r, size_t l, double need,
                                    const scn__reuse *ru, sim_ttm *out, sim_error *err) {
    const sim_ttm *bm = &ru->mv->ttm[l];
    const routes *br = ru->r;
    uint32_t nd = r->n_sources[l], nb = br->n_sources[l], n_new = 0;
    size_t no = c->pop->n;
    sim_status rc = SIM_OK;
    uint32_t *pos_in_base = malloc((ru->n_base_svc ? ru->n_base_svc : 1) * sizeof *pos_in_base);
    uint32_t *new_of_base = malloc((nb ? nb : 1) * sizeof *new_of_base);
    uint32_t *fresh = malloc((nd ? nd : 1) * sizeof *fresh);
    sim_od *row = malloc(((size_t)nd + 1) * sizeof *row);
    sim_ttm part = {0};
    sim_ttm_builder *b = NULL;
    if (!pos_in_base || !new_of_base || !fresh || !row) {
        rc = sim_error_set(err, SIM_ENOMEM, "measures");
        goto done;
    }
    for (size_t j = 0; j < ru->n_base_svc; ++j) pos_in_base[j] = SIM_INVALID_ID;
    for (uint32_t q = 0; q < nb; ++q) pos_in_base[br->sources[l][q]] = q;
    for (uint32_t q = 0; q < nb; ++q) new_of_base[q] = SIM_INVALID_ID;
    for (uint32_t q = 0; q < nd; ++q) {
        uint32_t b0 = ru->base_of[r->sources[l][q]];
        uint32_t p = b0 == SIM_INVALID_ID ? SIM_INVALID_ID : pos_in_base[b0];
        if (p == SIM_INVALID_ID) fresh[n_new++] = q; /* added, moved, newly eligible */
        else new_of_base[p] = q;
    }
    if (n_new && (rc = layer_matrix(c, r, l, need, fresh, n_new, &part, err))) goto done;
    if ((rc = sim_ttm_builder_create((uint32_t)no, nd, &b))) {
        rc = sim_error_set(err, rc, "measures: %s", sim_status_str(rc));
        goto done;
    }
    for (size_t i = 0; i < no && !rc; ++i) {
        size_t n = 0;
        for (uint64_t e = bm->first[i]; e < bm->first[i + 1]; ++e)
            if (new_of_base[bm->to[e]] != SIM_INVALID_ID)
                row[n++] = (sim_od){(uint32_t)i, new_of_base[bm->to[e]],
                                    (uint32_t)llround(bm->minutes[e] * 600.0)};
        for (uint64_t e = n_new ? part.first[i] : 0; n_new && e < part.first[i + 1]; ++e)
            row[n++] = (sim_od){(uint32_t)i, fresh[part.to[e]],
                                (uint32_t)llround(part.minutes[e] * 600.0)};
        qsort(row, n, sizeof *row, cmp_od_to);
        rc = sim_ttm_builder_add(b, row, n);
    }
    if (!rc) rc = sim_ttm_builder_finish(b, out);
    if (rc) rc = sim_error_set(err, rc, "measures: %s", sim_status_str(rc));
done:
    sim_ttm_builder_destroy(b);
    if (n_new) sim_ttm_release(&part);
    free(pos_in_base);
    free(new_of_base);
    free(fresh);
    free(row);
    return rc;
}

sim_status scn__measures_reusing(const scn_city *c, const routes *r, const scn__reuse *ru,
                                 scn__measures *mv, sim_error *err) {
    const scn_config *cfg = c->cfg;
    size_t nm = cfg->n_measures, nl = r->n_layers, no = c->pop->n;
    sim_status rc = SIM_OK;
    int keep = mv->keep_ttm;
    memset(mv, 0, sizeof *mv);
    mv->n_layers = nl;
    mv->n_measures = nm;
    mv->keep_ttm = keep;
    if (!nm) return SIM_OK;
    mv->values = calloc(nl * nm, sizeof *mv->values);
    if (keep && !(mv->ttm = calloc(nl ? nl : 1, sizeof *mv->ttm)))
        return sim_error_set(err, SIM_ENOMEM, "measures");
    uint32_t *t = malloc((no ? no : 1) * sizeof *t), *svc = malloc((no ? no : 1) * sizeof *svc);
    double *cap = malloc((c->n_svc ? c->n_svc : 1) * sizeof *cap);
    double *ones = malloc((c->n_svc ? c->n_svc : 1) * sizeof *ones);
    if (!mv->values || !t || !svc || !cap || !ones) {
        rc = sim_error_set(err, SIM_ENOMEM, "measures");
        goto done;
    }
    double need = 0;
    int need_matrix = 0;
    for (size_t m = 0; m < nm; ++m) {
        const scn_measure *ms = &cfg->measures[m];
        if (ms->kind == SCN_MEASURE_NEAREST && ms->k <= 1) continue; /* from the routes */
        need_matrix = 1;
        need = fmax(need, horizon_min(ms));
    }
    for (size_t j = 0; j < c->n_svc; ++j) ones[j] = 1.0;
    for (size_t l = 0; l < nl && !rc; ++l) {
        size_t k = LAYER_KIND(r, l);
        for (size_t m = 0; m < nm; ++m)
            if (!(mv->values[l * nm + m] = malloc((no ? no : 1) * sizeof(double)))) {
                rc = sim_error_set(err, SIM_ENOMEM, "measures");
                goto done;
            }
        uint8_t how = ru ? ru->how[l] : SCN_MEASURE_FRESH;
        if (how == SCN_MEASURE_COPY) { /* same times, capacities and people: same values */
            for (size_t m = 0; m < nm; ++m)
                memcpy(mv->values[l * nm + m], ru->mv->values[l * nm + m], no * sizeof(double));
            continue;
        }
        if (how == SCN_MEASURE_MATRIX && (!ru->mv->ttm || !ru->mv->ttm[l].first))
            how = SCN_MEASURE_FRESH; /* the baseline kept no matrix for it */
        sim_ttm ttm = {0};
        if (need_matrix && (rc = r->def[l].pct >= 0 ? transit_layer_matrix(c, r, l, need, &ttm, err)
                                 : how == SCN_MEASURE_MATRIX
                                     ? layer_matrix_from(c, r, l, need, ru, &ttm, err)
                                     : layer_matrix(c, r, l, need, NULL, 0, &ttm, err)))
            goto done;
        for (uint32_t j = 0; j < r->n_sources[l]; ++j) cap[j] = c->svc_cap[r->sources[l][j]];
        scn__origin_times(c, r, l, t, svc);
        for (size_t m = 0; m < nm && !rc; ++m) {
            const scn_measure *ms = &cfg->measures[m];
            double *out = mv->values[l * nm + m];
            sim_status st = SIM_OK;
            if (ms->kind == SCN_MEASURE_NEAREST && ms->k <= 1) {
                for (size_t i = 0; i < no; ++i)
                    out[i] = t[i] == SIM_UNREACHABLE ? NAN : t[i] / 600.0;
            } else {
                st = scn__measure_one(c, ms, &ttm, cap, ones, out);
            }
            if (!st && ms->kind == SCN_MEASURE_NEAREST)
                for (size_t i = 0; i < no; ++i) /* minutes as every output rounds them */
                    if (isfinite(out[i]))
                        out[i] = (double)((llround(out[i] * 600.0) + 3) / 6) / 100.0;
            if (st) {
                char tag[200];
                scn__layer_tag(c, r, l, tag, sizeof tag);
                rc = sim_error_set(err, st, "measure %s for %s (%s): %s", ms->name, c->kinds[k],
                                   tag, sim_status_str(st));
            }
        }
        if (keep && r->def[l].pct < 0) mv->ttm[l] = ttm; /* kept for the scenarios */
        else sim_ttm_release(&ttm);
    }
done:
    free(t);
    free(svc);
    free(cap);
    free(ones);
    if (rc) scn__measures_free(mv);
    return rc;
}

/* ---- equity rows ----------------------------------------------------------------------------- */

typedef struct {
    FILE *fp;
    const char *kind, *mode, *group;
} row_ctx;

static void row(const row_ctx *rc, const char *measure, double v, int decimals) {
    scn__summary_row(rc->fp, rc->kind, rc->mode, rc->group, measure, v, decimals);
}

/* The statistics of one series x (per origin) for group g, with gaps against the rest of the
 * total group. Time series (lower is better) use +INFINITY for unreachable. */
static sim_status series_rows(const row_ctx *rcx, const scn_city *c, const double *x,
                              const double *x_rest, const char *name, int time_like, size_t g,
                              const double *rank_by, double fgt_line, sim_error *err) {
    const scn_config *cfg = c->cfg;
    size_t no = c->pop->n, tg = total_group(cfg);
    const double *w = c->pop_cols + g * no, *wt = c->pop_cols + tg * no;
    char m[160];
    double v;
    sim_status st = SIM_OK;
    /* Gaps against the rest of the total group. When the rest has other values (this group's
     * own layer against the shared one), the series is doubled: the group's values weighted by
     * the group, then the rest's values weighted by the rest. */
    size_t ngap = no;
    const double *xg = x, *wg = w, *wtg = wt;
    double *dbl = NULL;
    if (x_rest && g != tg) {
        if (!(dbl = malloc(3 * 2 * (no ? no : 1) * sizeof *dbl))) {
            st = SIM_ENOMEM;
            goto fail;
        }
        double *xx = dbl, *ww = dbl + 2 * no, *wwt = dbl + 4 * no;
        for (size_t i = 0; i < no; ++i) {
            xx[i] = x[i];
            xx[no + i] = x_rest[i];
            ww[i] = w[i];
            ww[no + i] = 0.0;
            wwt[i] = w[i];
            wwt[no + i] = fmax(0.0, wt[i] - w[i]);
        }
        xg = xx;
        wg = ww;
        wtg = wwt;
        ngap = 2 * no;
    }
#define STAT(call, label, dec)                                                                     \
    do {                                                                                           \
        if ((st = (call))) goto fail;                                                              \
        row(rcx, label, v, dec);                                                                   \
    } while (0)
    if (time_like) {
        /* nearest-type series; the plain nearest has its rows in write_summary already */
        if (strcmp(name, "nearest") != 0) {
            snprintf(m, sizeof m, "%s_mean_minutes", name);
            if ((st = sim_equity_mean(x, w, no, &v))) goto fail;
            row(rcx, m, v, 4);
            snprintf(m, sizeof m, "%s_median_minutes", name);
            if ((st = sim_equity_median(x, w, no, &v))) goto fail;
            row(rcx, m, v, 4);
        }
        const char *pre = strcmp(name, "nearest") == 0 ? "" : name;
        const char *sep = *pre ? "_" : "";
        for (int a = 0; a <= 2 && cfg->equity.poverty_line_min > 0; ++a) {
            char lab[160];
            snprintf(lab, sizeof lab, "%s%sfgt%d_time_%g", pre, sep, a, cfg->equity.poverty_line_min);
            STAT(sim_equity_fgt(x, w, no, cfg->equity.poverty_line_min, a,
                                SIM_EQUITY_LOWER_IS_BETTER, &v),
                 lab, 6);
        }
        if (g != tg) {
            sim_equity_gap_result gap;
            char lab[160];
            if ((st = sim_equity_gap(xg, wg, wtg, ngap, SIM_EQUITY_STAT_MEAN, 0, &gap))) goto fail;
            snprintf(lab, sizeof lab, "%s%sgap_mean_minutes_difference", pre, sep);
            row(rcx, lab, gap.difference, 4);
            snprintf(lab, sizeof lab, "%s%sgap_mean_minutes_ratio", pre, sep);
            row(rcx, lab, gap.ratio, 6);
            for (size_t q = 0; q < cfg->n_thresholds; ++q) {
                double th = cfg->thresholds_min[q];
                if ((st = sim_equity_gap(xg, wg, wtg, ngap, SIM_EQUITY_STAT_SHARE_AT_MOST, th, &gap)))
                    goto fail;
                snprintf(lab, sizeof lab, "%s%sgap_share_within_%g_difference", pre, sep, th);
                row(rcx, lab, gap.difference, 6);
                snprintf(lab, sizeof lab, "%s%sgap_share_within_%g_ratio", pre, sep, th);
                row(rcx, lab, gap.ratio, 6);
            }
        }
        free(dbl);
        return SIM_OK;
    }
    snprintf(m, sizeof m, "%s_mean", name);
    STAT(sim_equity_mean(x, w, no, &v), m, -1);
    snprintf(m, sizeof m, "%s_median", name);
    STAT(sim_equity_median(x, w, no, &v), m, -1);
    char lab[160];
    snprintf(lab, sizeof lab, "%s_gini", name);
    STAT(sim_equity_gini(x, w, no, &v), lab, -1);
    snprintf(lab, sizeof lab, "%s_theil_t", name);
    {
        double tot, between, within;
        if ((st = sim_equity_theil_t(x, w, NULL, 0, no, &tot, &between, &within))) goto fail;
        row(rcx, lab, tot, -1);
    }
    if (rank_by) {
        snprintf(lab, sizeof lab, "%s_palma", name);
        STAT(sim_equity_palma(x, w, rank_by, no, &v), lab, -1);
        snprintf(lab, sizeof lab, "%s_concentration_index", name);
        STAT(sim_equity_concentration_index(x, w, rank_by, no, SIM_EQUITY_CI_STANDARD, &v), lab,
             6);
        snprintf(lab, sizeof lab, "%s_concentration_index_corrected", name);
        STAT(sim_equity_concentration_index(x, w, rank_by, no, SIM_EQUITY_CI_CORRECTED, &v), lab,
             6);
    }
    for (int a = 0; a <= 2; ++a) {
        snprintf(lab, sizeof lab, "%s_fgt%d", name, a);
        if (!(fgt_line > 0)) {
            row(rcx, lab, NAN, -1);
            continue;
        }
        STAT(sim_equity_fgt(x, w, no, fgt_line, a, SIM_EQUITY_HIGHER_IS_BETTER, &v), lab, -1);
    }
    if (g != tg) {
        sim_equity_gap_result gap;
        if ((st = sim_equity_gap(xg, wg, wtg, ngap, SIM_EQUITY_STAT_MEAN, 0, &gap))) goto fail;
        snprintf(lab, sizeof lab, "%s_gap_mean_difference", name);
        row(rcx, lab, gap.difference, -1);
        snprintf(lab, sizeof lab, "%s_gap_mean_ratio", name);
        row(rcx, lab, gap.ratio, -1);
        /* Theil T of the total population split into this group and the rest: each origin
         * counts twice, once per part, with the same accessibility */
        double *x2 = malloc(2 * (no ? no : 1) * sizeof *x2), *w2 = malloc(2 * (no ? no : 1) * sizeof *w2);
        uint32_t *g2 = malloc(2 * (no ? no : 1) * sizeof *g2);
        double tot = NAN, between = NAN, within = NAN;
        if (!x2 || !w2 || !g2) {
            st = SIM_ENOMEM;
        } else {
            for (size_t i = 0; i < no; ++i) {
                x2[2 * i] = x[i];
                x2[2 * i + 1] = x_rest ? x_rest[i] : x[i];
                w2[2 * i] = w[i];
                w2[2 * i + 1] = fmax(0.0, wt[i] - w[i]);
                g2[2 * i] = 0;
                g2[2 * i + 1] = 1;
            }
            st = sim_equity_theil_t(x2, w2, g2, 2, 2 * no, &tot, &between, &within);
        }
        free(x2);
        free(w2);
        free(g2);
        if (st) goto fail;
        snprintf(lab, sizeof lab, "%s_theil_t_between_vs_rest", name);
        row(rcx, lab, between, -1);
        snprintf(lab, sizeof lab, "%s_theil_t_within_vs_rest", name);
        row(rcx, lab, within, -1);
    }
    free(dbl);
    return SIM_OK;
#undef STAT
fail:
    free(dbl);
    return sim_error_set(err, st, "equity statistics of %s: %s", name, sim_status_str(st));
}

/* The rows of one layer (see runner_internal.h). */
sim_status scn__layer_equity_rows(FILE *fp, const scn_city *c, const char *kind,
                                  const char *mode_name, const uint8_t *serves, double *nearest,
                                  double *const *vals, const double *nearest_rest,
                                  double *const *vals_rest, const double *rank_by,
                                  sim_error *err) {
    const scn_config *cfg = c->cfg;
    size_t no = c->pop->n, ng = cfg->n_groups, tg = total_group(cfg);
    sim_status rc = SIM_OK;
    row_ctx rcx = {fp, kind, mode_name, NULL};
    double *x = nearest, *xr = NULL;
    if (vals_rest && !(xr = malloc((no ? no : 1) * sizeof *xr)))
        return sim_error_set(err, SIM_ENOMEM, "equity");
    for (size_t g = 0; g < ng && !rc; ++g) {
        if (serves && !serves[g]) continue;
        rcx.group = cfg->groups[g].name;
        rc = series_rows(&rcx, c, x, nearest_rest, "nearest", 1, g, rank_by, 0, err);
    }
    for (size_t m = 0; vals && m < cfg->n_measures && !rc; ++m) {
        const scn_measure *ms = &cfg->measures[m];
        if (ms->kind == SCN_MEASURE_NEAREST && ms->k <= 1) continue;
        const double *v = vals[m];
        int time_like = is_time_measure(ms);
        for (size_t i = 0; i < no; ++i) x[i] = isnan(v[i]) && time_like ? INFINITY : v[i];
        if (xr)
            for (size_t i = 0; i < no; ++i)
                xr[i] = isnan(vals_rest[m][i]) && time_like ? INFINITY : vals_rest[m][i];
        /* accessibility poverty line: a share of the total group's mean (on the shared layer) */
        double line = NAN;
        if (!time_like) {
            double mean;
            if (sim_equity_mean(xr ? xr : x, c->pop_cols + tg * no, no, &mean) == SIM_OK)
                line = cfg->equity.poverty_share * mean;
        }
        for (size_t g = 0; g < ng && !rc; ++g) {
            if (serves && !serves[g]) continue;
            rcx.group = cfg->groups[g].name;
            rc = series_rows(&rcx, c, x, xr, ms->name, time_like, g, rank_by, line, err);
        }
    }
    free(xr);
    return rc;
}

const double *scn__rank_by(const scn_city *c, double **owned) {
    const scn_config *cfg = c->cfg;
    size_t no = c->pop->n, ng = cfg->n_groups, tg = total_group(cfg);
    *owned = NULL;
    if (c->rank_by) return c->rank_by;
    if (ng < 2) return NULL;
    size_t og = tg == 0 ? 1 : 0;
    double *share = malloc((no ? no : 1) * sizeof *share);
    if (!share) return NULL;
    for (size_t i = 0; i < no; ++i) {
        double tot = c->pop_cols[tg * no + i], grp = c->pop_cols[og * no + i];
        share[i] = tot > 0 ? 1.0 - fmin(1.0, grp / tot) : 0.0;
    }
    *owned = share;
    return share;
}

sim_status scn__equity_rows(FILE *fp, const scn_city *c, const routes *r, const scn__measures *mv,
                            sim_error *err) {
    size_t no = c->pop->n, nm = mv->n_measures, ng = c->cfg->n_groups;
    sim_status rc = SIM_OK;
    double *x = malloc((no ? no : 1) * sizeof *x), *xr = malloc((no ? no : 1) * sizeof *xr);
    double *share = NULL;
    uint32_t *t = malloc((no ? no : 1) * sizeof *t), *svc = malloc((no ? no : 1) * sizeof *svc);
    uint8_t *serves = malloc(ng ? ng : 1);
    if (!x || !xr || !t || !svc || !serves) {
        rc = sim_error_set(err, SIM_ENOMEM, "equity");
        goto done;
    }
    /* What ranks origins from worse off to better off for Palma and the concentration index:
     * the equity.rank_by field, else the share of the total population outside the first other
     * group (e.g. 1 - migrant share: higher = fewer migrants), else nothing. */
    const double *rank_by = scn__rank_by(c, &share);
    for (size_t l = 0; l < r->n_layers && !rc; ++l) {
        const scn__layer *d = &r->def[l];
        for (size_t g = 0; g < ng; ++g) serves[g] = (uint8_t)scn__layer_serves(c, r, l, g);
        scn__origin_times(c, r, l, t, svc);
        for (size_t i = 0; i < no; ++i) x[i] = t[i] == SIM_UNREACHABLE ? INFINITY : t[i] / 600.0;
        int own = d->group >= 0;
        if (own) { /* the rest of the population: the shared layer */
            scn__origin_times(c, r, d->base, t, svc);
            for (size_t i = 0; i < no; ++i)
                xr[i] = t[i] == SIM_UNREACHABLE ? INFINITY : t[i] / 600.0;
        }
        rc = scn__layer_equity_rows(fp, c, c->kinds[d->kind], d->mode,
                                    serves, x, mv->values ? mv->values + l * nm : NULL,
                                    own ? xr : NULL,
                                    own && mv->values ? mv->values + d->base * nm : NULL, rank_by,
                                    err);
    }
done:
    free(x);
    free(xr);
    free(share);
    free(t);
    free(svc);
    free(serves);
    return rc;
}
