/*
 * accessim — writing a run: rasters, origins.csv and areas.geojson, summary.csv, manifest.json,
 * and scn_city_run() that routes, measures and writes (docs/OUTPUTS.md).
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
#include "geo/report.h"
#include "sim/access.h"
#include "sim/equity.h"
#include "sim/graph.h"
#include "sim/matrix.h"
#include "sim/route.h"

#ifndef ACCESSIM_VERSION
#define ACCESSIM_VERSION "unknown"
#endif

#define RASTER_NODATA -9999.0f
#define MAX_GRID_CELLS 200000000ull

/* ---- output helpers ---------------------------------------------------------------------- */

void scn__json_str(FILE *fp, const char *s) {
    fputc('"', fp);
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; ++p) {
        if (*p == '"' || *p == '\\') fprintf(fp, "\\%c", *p);
        else if (*p == '\n') fputs("\\n", fp);
        else if (*p < 0x20) fprintf(fp, "\\u%04x", *p);
        else fputc(*p, fp);
    }
    fputc('"', fp);
}

/* CSV field: quoted only when needed (RFC 4180). */
void scn__csv_str(FILE *fp, const char *s) {
    if (strpbrk(s, ",\"\r\n")) {
        fputc('"', fp);
        for (; *s; ++s) {
            if (*s == '"') fputc('"', fp);
            fputc(*s, fp);
        }
        fputc('"', fp);
    } else {
        fputs(s, fp);
    }
}

void scn__csv_num(FILE *fp, double v, int decimals) {
    if (!isfinite(v)) return; /* undefined (and FCA's +Inf: supply nobody demands) */
    if (decimals < 0) { /* values of any magnitude (FCA ratios are ~1e-4): 15 significant digits */
        fprintf(fp, "%.15g", v == 0 ? 0.0 : v);
        return;
    }
    fprintf(fp, "%.*f", decimals, v == 0 ? 0.0 : v); /* no "-0.00" */
}


sim_status scn__close_file(FILE *fp, const char *path, sim_error *err) {
    int bad = ferror(fp);
    if (fclose(fp) != 0 || bad)
        return sim_error_set(err, SIM_EIO, "%s: cannot write: %s", path, strerror(errno));
    return SIM_OK;
}

FILE *scn__open_out(const char *dir, const char *name, char *path, size_t size, sim_error *err) {
    if (snprintf(path, size, "%s/%s", dir, name) >= (int)size) {
        sim_error_set(err, SIM_EINVAL, "%s/%s: path too long", dir, name);
        return NULL;
    }
    FILE *fp = fopen(path, "w");
    if (!fp) sim_error_set(err, SIM_EIO, "%s: cannot create: %s", path, strerror(errno));
    return fp;
}

/* While a scenario's rows are written: its name, and the baseline's values in row order. */
typedef struct {
    const char *scenario;
    const double *base; /* NULL: this is the baseline */
    size_t n_base;
    double *vals; /* the rows' values, recorded */
    size_t n, cap;
    int oom;
} summary_rec;

static summary_rec *g_rec; /* set by write_summary_rows (summaries are written serially) */

void scn__summary_row(FILE *fp, const char *kind, const char *mode, const char *group,
                      const char *measure, double v, int decimals) {
    /* the baseline is the scenario itself: baseline = value, delta = 0; an undefined or
     * unbounded value leaves all three empty */
    if (!isfinite(v)) v = NAN;
    double b = v;
    const char *name = "baseline";
    if (g_rec) {
        name = g_rec->scenario;
        if (g_rec->base) b = g_rec->n < g_rec->n_base ? g_rec->base[g_rec->n] : NAN;
        if (g_rec->n == g_rec->cap) {
            size_t nc = g_rec->cap ? 2 * g_rec->cap : 256;
            double *p = realloc(g_rec->vals, nc * sizeof *p);
            if (p) g_rec->vals = p, g_rec->cap = nc;
            else g_rec->oom = 1;
        }
        if (g_rec->n < g_rec->cap) g_rec->vals[g_rec->n] = v;
        g_rec->n++;
    }
    scn__csv_str(fp, name);
    fputc(',', fp);
    scn__csv_str(fp, kind);
    fputc(',', fp);
    scn__csv_str(fp, mode);
    fputc(',', fp);
    scn__csv_str(fp, group);
    fprintf(fp, ",%s,", measure);
    scn__csv_num(fp, v, decimals);
    fputc(',', fp);
    scn__csv_num(fp, b, decimals);
    fputc(',', fp);
    if (!isnan(v) && !isnan(b)) scn__csv_num(fp, v - b, decimals);
    fputc('\n', fp);
}

/* Minutes rounded to 0.01, half up, in integer arithmetic (deciseconds / 6 = hundredths of a
 * minute), so that every output that prints a time agrees to the last digit. */
double scn__ds_to_min(uint32_t t) {
    return t == SIM_UNREACHABLE ? NAN : (double)(((uint64_t)t + 3) / 6) / 100.0;
}

/* The output grid: the population and service extent, outward to whole cells. */
static sim_status make_grid(const scn_city *c, geo_grid *g, sim_error *err) {
    double cell = c->cfg->grid_m;
    double xmin = c->pop->env[0], ymin = c->pop->env[1], xmax = c->pop->env[2],
           ymax = c->pop->env[3];
    for (size_t j = 0; j < c->n_svc; ++j) {
        xmin = fmin(xmin, c->svc_x[j]);
        xmax = fmax(xmax, c->svc_x[j]);
        ymin = fmin(ymin, c->svc_y[j]);
        ymax = fmax(ymax, c->svc_y[j]);
    }
    double x0 = floor(xmin / cell) * cell, x1 = ceil(xmax / cell) * cell;
    double y0 = floor(ymin / cell) * cell, y1 = ceil(ymax / cell) * cell;
    if (x1 <= x0) x1 = x0 + cell;
    if (y1 <= y0) y1 = y0 + cell;
    double nx = round((x1 - x0) / cell), ny = round((y1 - y0) / cell);
    if (nx * ny > (double)MAX_GRID_CELLS)
        return sim_error_set(err, SIM_EINVAL,
                             "%s: output.grid_m = %g m gives a %.0f x %.0f grid; choose a larger "
                             "cell size",
                             c->cfg->path, cell, nx, ny);
    *g = (geo_grid){x0, y1, cell, (uint32_t)nx, (uint32_t)ny};
    return SIM_OK;
}

/* Transit rasters show each origin's value over the area it stands for (docs/OUTPUTS.md): a
 * cell takes the origin whose polygon holds its centre or, for point origins, the nearest origin
 * within the median distance between neighbouring origins (so a regular grid of points is
 * covered without gaps and nothing is painted far beyond it). owner[i] = origin or
 * SIM_INVALID_ID. */
static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static sim_status cell_owners(const scn_city *c, const double *cx, const double *cy, size_t nc,
                              uint32_t *owner, sim_error *err) {
    const geo_features *p = c->pop;
    size_t no = p->n;
    sim_status rc = SIM_OK;
    if (p->polygons) {
        double *lon = malloc((nc ? nc : 1) * sizeof *lon), *lat = malloc((nc ? nc : 1) * sizeof *lat);
        if (!lon || !lat) rc = sim_error_set(err, SIM_ENOMEM, "transit rasters");
        if (!rc) {
            memcpy(lon, cx, nc * sizeof *lon);
            memcpy(lat, cy, nc * sizeof *lat);
            rc = geo_crs_inverse(c->crs, lon, lat, nc, err);
        }
        if (!rc) rc = geo_features_locate(p, lon, lat, nc, owner, err);
        free(lon);
        free(lat);
        return rc;
    }
    for (size_t i = 0; i < nc; ++i) owner[i] = SIM_INVALID_ID;
    if (no == 0) return SIM_OK;
    /* median nearest-neighbour distance, over at most 2000 origins (evenly spaced indexes) */
    size_t ns = no < 2000 ? no : 2000;
    double *nn = malloc(ns * sizeof *nn);
    if (!nn) return sim_error_set(err, SIM_ENOMEM, "transit rasters");
    for (size_t a = 0; a < ns; ++a) {
        size_t i = a * no / ns;
        double best = INFINITY;
        for (size_t j = 0; j < no; ++j) {
            if (j == i) continue;
            double dx = p->x[j] - p->x[i], dy = p->y[j] - p->y[i], d2 = dx * dx + dy * dy;
            if (d2 > 0 && d2 < best) best = d2;
        }
        nn[a] = sqrt(best);
    }
    qsort(nn, ns, sizeof *nn, cmp_double);
    double radius = nn[ns / 2];
    free(nn);
    if (!isfinite(radius)) radius = c->cfg->grid_m; /* one origin, or all at one place */
    /* bucket grid of side `radius` over the origins */
    double x0 = p->env[0], y0 = p->env[1];
    size_t bx = (size_t)((p->env[2] - x0) / radius) + 1, by = (size_t)((p->env[3] - y0) / radius) + 1;
    if (bx * by > 4 * no + 16) { /* degenerate spread: fall back to a coarser grid */
        double f = sqrt((double)(bx * by) / (double)(4 * no + 16));
        bx = (size_t)(bx / f) + 1;
        by = (size_t)(by / f) + 1;
    }
    double sx = (p->env[2] - x0) / (double)bx + 1e-9, sy = (p->env[3] - y0) / (double)by + 1e-9;
    uint32_t *first = calloc(bx * by + 1, sizeof *first), *item = malloc(no * sizeof *item);
    if (!first || !item) {
        free(first);
        free(item);
        return sim_error_set(err, SIM_ENOMEM, "transit rasters");
    }
#define BUCKET(x, y) ((size_t)fmin(fmax(floor(((y) - y0) / sy), 0), (double)(by - 1)) * bx + \
                      (size_t)fmin(fmax(floor(((x) - x0) / sx), 0), (double)(bx - 1)))
    for (size_t i = 0; i < no; ++i) ++first[BUCKET(p->x[i], p->y[i]) + 1];
    for (size_t b = 0; b < bx * by; ++b) first[b + 1] += first[b];
    uint32_t *fill = malloc((bx * by + 1) * sizeof *fill);
    if (!fill) {
        free(first);
        free(item);
        return sim_error_set(err, SIM_ENOMEM, "transit rasters");
    }
    memcpy(fill, first, (bx * by + 1) * sizeof *fill);
    for (size_t i = 0; i < no; ++i) item[fill[BUCKET(p->x[i], p->y[i])]++] = (uint32_t)i;
    free(fill);
    long rx = (long)ceil(radius / sx), ry = (long)ceil(radius / sy);
#pragma omp parallel for schedule(static)
    for (int64_t q = 0; q < (int64_t)nc; ++q) {
        double x = cx[q], y = cy[q], best = radius * radius;
        long gx = (long)floor((x - x0) / sx), gy = (long)floor((y - y0) / sy);
        uint32_t who = SIM_INVALID_ID;
        for (long yy = gy - ry; yy <= gy + ry; ++yy) {
            if (yy < 0 || yy >= (long)by) continue;
            for (long xx = gx - rx; xx <= gx + rx; ++xx) {
                if (xx < 0 || xx >= (long)bx) continue;
                size_t b = (size_t)yy * bx + (size_t)xx;
                for (uint32_t e = first[b]; e < first[b + 1]; ++e) {
                    uint32_t i = item[e];
                    double dx = p->x[i] - x, dy = p->y[i] - y, d2 = dx * dx + dy * dy;
                    if (d2 < best || (d2 == best && who != SIM_INVALID_ID && i < who)) {
                        best = d2;
                        who = i;
                    }
                }
            }
        }
        owner[q] = who;
    }
#undef BUCKET
    free(first);
    free(item);
    return rc;
}

/* Writes layer l's raster <kind>_<tag>_minutes.tif with its band description. */
static sim_status write_layer_tiff(const scn_city *c, const routes *r, size_t l, const char *dir,
                                   const geo_grid *g, const float *vals, int delta,
                                   sim_error *err) {
    const scn__layer *d = &r->def[l];
    char path[4200], desc[600], tag[200], how[128];
    const char *kind = c->kinds[d->kind];
    const char *suffix = delta ? "delta_minutes" : "minutes";
    scn__layer_tag(c, r, l, tag, sizeof tag);
    if (snprintf(path, sizeof path, "%s/%s_%s_%s.tif", dir, kind, tag, suffix) >= (int)sizeof path)
        return sim_error_set(err, SIM_EINVAL, "%s: path too long", dir);
    if (d->pct >= 0)
        snprintf(how, sizeof how, "walk + transit, percentile %u of the departure window",
                 (unsigned)c->cfg->transit.percentiles[d->pct]);
    else
        snprintf(how, sizeof how, "%s", d->mode);
    const char *what = delta ? "change in travel time (scenario minus baseline; negative: "
                               "faster)"
                             : "travel time";
    if (d->group < 0)
        snprintf(desc, sizeof desc, "%s_%s_%s: %s by %s to the nearest %s (minutes)", kind, tag,
                 suffix, what, how, kind);
    else
        snprintf(desc, sizeof desc, "%s_%s_%s: %s by %s to the nearest %s for group %s (its "
                 "walking speed and eligible services; minutes)",
                 kind, tag, suffix, what, how, kind, c->cfg->groups[d->group].name);
    return geo_write_float_tiff(path, g, vals, RASTER_NODATA, c->crs, desc, "min", err);
}

/* Writes layer l's raster; keeps a copy of its values in keep[l] (keep may be NULL) and, with
 * the baseline's values base[l], its delta raster (nodata where either is nodata). */
static sim_status emit_layer(const scn_city *c, const routes *r, size_t l, const char *dir,
                             const geo_grid *g, float *vals, size_t nc, float **keep,
                             float *const *base, sim_error *err) {
    sim_status rc = dir ? write_layer_tiff(c, r, l, dir, g, vals, 0, err) : SIM_OK;
    if (rc) return rc;
    if (keep) {
        if (!(keep[l] = malloc(nc * sizeof *vals))) return sim_error_set(err, SIM_ENOMEM, "rasters");
        memcpy(keep[l], vals, nc * sizeof *vals);
    }
    if (!dir || !base || !base[l]) return SIM_OK;
    for (size_t i = 0; i < nc; ++i)
        vals[i] = vals[i] == RASTER_NODATA || base[l][i] == RASTER_NODATA
                      ? RASTER_NODATA
                      : vals[i] - base[l][i];
    return write_layer_tiff(c, r, l, dir, g, vals, 1, err);
}

/* The raster cells' snaps per mode on one network: the baseline fills it, scenarios on the
 * same network (no street changed, nothing attached again) read it instead of snapping. */
typedef struct {
    const geo_network *net;
    geo_snap *snaps[GEO_MODE_COUNT];
} cell_snaps;

static void cell_snaps_free(cell_snaps *cs) {
    for (int m = 0; m < GEO_MODE_COUNT; ++m) free(cs->snaps[m]);
    memset(cs, 0, sizeof *cs);
}

static sim_status write_rasters(const scn_city *c, const routes *r, const char *dir,
                                const scn_run_opts *opts, const geo_grid *fixed,
                                geo_grid *grid_out, float **keep, float *const *base,
                                cell_snaps *cache, sim_error *err) {
    sim_status rc = SIM_OK;
    geo_grid g;
    geo_snapper *sn = NULL;
    double *cx = NULL, *cy = NULL;
    geo_snap *snaps = NULL;
    float *vals = NULL;
    if (fixed) g = *fixed; /* a scenario: the baseline's grid, so that deltas line up */
    else if ((rc = make_grid(c, &g, err))) return rc;
    *grid_out = g;
    size_t nc = (size_t)g.nx * g.ny;
    cx = malloc(nc * sizeof *cx);
    cy = malloc(nc * sizeof *cy);
    snaps = malloc(nc * sizeof *snaps);
    vals = malloc(nc * sizeof *vals);
    if (!cx || !cy || !snaps || !vals) {
        rc = sim_error_set(err, SIM_ENOMEM, "output grid (%zu cells)", nc);
        goto done;
    }
    for (uint32_t row = 0; row < g.ny; ++row)
        for (uint32_t col = 0; col < g.nx; ++col) {
            size_t i = (size_t)row * g.nx + col;
            cx[i] = g.x0 + (col + 0.5) * g.cell_m;
            cy[i] = g.y0 - (row + 0.5) * g.cell_m;
        }
    const geo_network *net = c->net;
    for (size_t mi = 0; mi < c->n_modes; ++mi) {
        geo_mode m = c->modes[mi];
        scn__progress(opts, "snapping raster cells", mi, c->n_modes);
        if (cache && cache->net == net && cache->snaps[m]) {
            memcpy(snaps, cache->snaps[m], nc * sizeof *snaps);
        } else {
            geo_snapper_destroy(sn);
            sn = NULL;
            if ((rc = geo_snapper_create(net, m, &sn, err))) goto done;
            if ((rc = geo_snapper_snap(sn, cx, cy, nc, c->cfg->network.snap_distance_m, snaps,
                                       err)))
                goto done;
            if (cache && (!cache->net || cache->net == net)) { /* the first network fills it */
                cache->net = net;
                if (!(cache->snaps[m] = malloc(nc * sizeof *snaps))) {
                    rc = sim_error_set(err, SIM_ENOMEM, "output grid (%zu cells)", nc);
                    goto done;
                }
                memcpy(cache->snaps[m], snaps, nc * sizeof *snaps);
            }
        }
        for (size_t l = 0; l < r->n_layers; ++l) {
            const scn__layer *d = &r->def[l];
            if (d->mi != mi) continue;
            scn__progress(opts, "writing rasters", l, r->n_layers);
            const uint32_t *t = r->time[l];
            const geo_mode_graph *mg = d->mg;
            double walk_ds_per_m = d->walk_ds_per_m, factor = d->time_factor;
#pragma omp parallel for schedule(static)
            for (int64_t i = 0; i < (int64_t)nc; ++i) {
                vals[i] = RASTER_NODATA;
                const geo_snap *sp = &snaps[i];
                if (sp->seg == SIM_INVALID_ID) continue;
                /* from the cell centre: walk to the street, then along the segment to one of
                 * its ends in a direction the mode may travel, then on */
                uint32_t seg = sp->seg, u = mg->graph_of[net->seg_u[seg]],
                         w = mg->graph_of[net->seg_v[seg]];
                double len = geo_seg_time_ds(net, seg, m) * factor, best = INFINITY;
                uint8_t acc = net->seg_access[seg];
                if ((acc & GEO_ACCESS_BWD(m)) && u != SIM_INVALID_ID && t[u] != SIM_UNREACHABLE)
                    best = fmin(best, sp->f * len + t[u]);
                if ((acc & GEO_ACCESS_FWD(m)) && w != SIM_INVALID_ID && t[w] != SIM_UNREACHABLE)
                    best = fmin(best, (1.0 - sp->f) * len + t[w]);
                if (isfinite(best))
                    vals[i] = (float)((best + sp->dist_m * walk_ds_per_m) / 600.0);
            }
            if ((rc = emit_layer(c, r, l, dir, &g, vals, nc, keep, base, err))) goto done;
        }
    }
    if (c->transit) {
        /* transit layers: each origin's value over its area (see cell_owners) */
        uint32_t *owner = malloc(nc * sizeof *owner);
        scn__progress(opts, "placing origins on the raster grid", 0, 0);
        if (!owner) rc = sim_error_set(err, SIM_ENOMEM, "transit rasters");
        if (rc || (rc = cell_owners(c, cx, cy, nc, owner, err))) {
            free(owner);
            goto done;
        }
        uint32_t *ot = malloc((c->pop->n ? c->pop->n : 1) * sizeof *ot);
        uint32_t *os = malloc((c->pop->n ? c->pop->n : 1) * sizeof *os);
        for (size_t l = 0; l < r->n_layers && !rc; ++l) {
            if (r->def[l].pct < 0) continue;
            if (!ot || !os) {
                rc = sim_error_set(err, SIM_ENOMEM, "transit rasters");
                break;
            }
            scn__origin_times(c, r, l, ot, os);
            for (size_t i = 0; i < nc; ++i)
                vals[i] = owner[i] == SIM_INVALID_ID || ot[owner[i]] == SIM_UNREACHABLE
                              ? RASTER_NODATA
                              : (float)(ot[owner[i]] / 600.0);
            rc = emit_layer(c, r, l, dir, &g, vals, nc, keep, base, err);
        }
        free(ot);
        free(os);
        free(owner);
    }
done:
    geo_snapper_destroy(sn);
    free(cx);
    free(cy);
    free(snaps);
    free(vals);
    return rc;
}

/* The per-origin table, shared by origins.csv and areas.geojson. */
typedef struct {
    geo_column *cols;
    size_t n_cols;
    double *num;       /* numeric column storage */
    const char **txt;  /* text column storage */
    char **names;      /* owned column names */
    size_t n_names;
} origin_table;

static void origin_table_free(origin_table *t) {
    for (size_t i = 0; i < t->n_names; ++i) free(t->names[i]);
    free(t->names);
    free(t->cols);
    free(t->num);
    free(t->txt);
}

static char *col_name(origin_table *t, const char *a, const char *b, const char *suffix) {
    size_t len = strlen(a) + (b ? strlen(b) : 0) + strlen(suffix) + 3;
    char *s = malloc(len);
    if (!s) return NULL;
    if (b) snprintf(s, len, "%s_%s_%s", a, b, suffix);
    else snprintf(s, len, "%s_%s", a, suffix);
    t->names[t->n_names++] = s;
    return s;
}

/* Columns: origin_id, each group's population, <mode>_snap_m per mode, then per mode and kind
 * <kind>_<mode>_minutes and <kind>_<mode>_nearest_id. */
static sim_status origin_table_build(const scn_city *c, const routes *r,
                                     const scn__measures *mv, origin_table *t, sim_error *err) {
    size_t no = c->pop->n, ng = c->cfg->n_groups, nl = r->n_layers;
    size_t nm = c->n_modes + (c->transit ? 1 : 0); /* <mode>_snap_m columns */
    size_t nmeas = mv->n_measures, n1 = no ? no : 1;
    memset(t, 0, sizeof *t);
    t->cols = calloc(1 + ng + nm + (2 + nmeas) * nl, sizeof *t->cols);
    t->num = malloc((nm + nl) * n1 * sizeof *t->num);
    t->txt = malloc((1 + nl) * n1 * sizeof *t->txt);
    t->names = calloc(nm + (2 + nmeas) * nl + 1, sizeof *t->names);
    uint32_t *tm = malloc(n1 * sizeof *tm), *svc = malloc(n1 * sizeof *svc);
    sim_status rc = SIM_OK;
    if (!t->cols || !t->num || !t->txt || !t->names || !tm || !svc) goto oom;
    for (size_t i = 0; i < no; ++i) t->txt[i] = c->pop->id[i];
    t->cols[t->n_cols++] = (geo_column){.name = "origin_id", .is_text = 1, .text = t->txt};
    for (size_t g = 0; g < ng; ++g)
        t->cols[t->n_cols++] = (geo_column){.name = c->cfg->groups[g].name,
                                            .real = c->pop_cols + g * no, .decimals = -1};
    for (size_t mi = 0; mi < nm; ++mi) {
        double *v = t->num + mi * n1;
        int tr = mi == c->n_modes; /* transit: where the origin joins the walking network */
        memcpy(v, c->origin_snap_m[tr ? GEO_MODE_WALK : c->modes[mi]], no * sizeof *v);
        const char *name = col_name(t, tr ? "transit" : scn__mode_name(c->modes[mi]), NULL, "snap_m");
        if (!name) goto oom;
        t->cols[t->n_cols++] = (geo_column){.name = name, .real = v, .decimals = 1};
    }
    for (size_t l = 0; l < nl; ++l) {
        const char *kind = c->kinds[r->def[l].kind];
        char mode[200]; /* "<mode>" or "<mode>_<group>" */
        scn__layer_tag(c, r, l, mode, sizeof mode);
        double *v = t->num + (nm + l) * n1;
        const char **ids = t->txt + (1 + l) * n1;
        scn__origin_times(c, r, l, tm, svc);
        for (size_t i = 0; i < no; ++i) {
            v[i] = scn__ds_to_min(tm[i]);
            ids[i] = svc[i] == SIM_INVALID_ID ? NULL : c->svc_id[svc[i]];
        }
        const char *mn = col_name(t, kind, mode, "minutes"), *in = col_name(t, kind, mode,
                                                                             "nearest_id");
        if (!mn || !in) goto oom;
        t->cols[t->n_cols++] = (geo_column){.name = mn, .real = v, .decimals = 2};
        t->cols[t->n_cols++] = (geo_column){.name = in, .is_text = 1, .text = ids};
        /* the scenario's measures (plain nearest is the minutes column above) */
        for (size_t m = 0; m < nmeas; ++m) {
            const scn_measure *ms = &c->cfg->measures[m];
            if (ms->kind == SCN_MEASURE_NEAREST && ms->k <= 1) continue;
            const char *name = col_name(t, kind, mode, ms->name);
            if (!name) goto oom;
            t->cols[t->n_cols++] = (geo_column){.name = name, .real = mv->values[l * nmeas + m],
                                                .decimals = ms->kind == SCN_MEASURE_NEAREST ? 2 : -1};
        }
    }
    goto done;
oom:
    rc = sim_error_set(err, SIM_ENOMEM, "origins table");
done:
    free(tm);
    free(svc);
    return rc;
}

static sim_status write_origins(const scn_city *c, const routes *r, const scn__measures *mv,
                                const char *dir, sim_error *err) {
    char path[4200];
    origin_table t;
    sim_status rc = origin_table_build(c, r, mv, &t, err);
    if (rc) {
        origin_table_free(&t);
        return rc;
    }
    FILE *fp = scn__open_out(dir, "origins.csv", path, sizeof path, err);
    if (!fp) {
        origin_table_free(&t);
        return err ? err->code : SIM_EIO;
    }
    for (size_t j = 0; j < t.n_cols; ++j) {
        if (j) fputc(',', fp);
        scn__csv_str(fp, t.cols[j].name);
    }
    fputc('\n', fp);
    for (size_t i = 0; i < c->pop->n; ++i) {
        for (size_t j = 0; j < t.n_cols; ++j) {
            const geo_column *col = &t.cols[j];
            if (j) fputc(',', fp);
            if (col->is_text) {
                if (col->text[i]) scn__csv_str(fp, col->text[i]);
            } else {
                scn__csv_num(fp, col->real[i], col->decimals);
            }
        }
        fputc('\n', fp);
    }
    rc = scn__close_file(fp, path, err);
    if (!rc && snprintf(path, sizeof path, "%s/areas.geojson", dir) < (int)sizeof path)
        rc = geo_write_areas(path, (const unsigned char *const *)c->pop->wkb, c->pop->wkb_len,
                             c->pop->n, t.cols, t.n_cols, err);
    origin_table_free(&t);
    return rc;
}

/* The rows of summary.csv for one city (the baseline or a scenario, see summary_rec) into fp. */
static sim_status write_summary_rows(FILE *fp, const scn_city *c, const routes *r,
                                     const scn__measures *mv, summary_rec *rec,
                                     scn_headline **heads, size_t *n_heads, sim_error *err) {
    size_t no = c->pop->n, ng = c->cfg->n_groups, nl = r->n_layers;
    uint32_t *t = malloc((no ? no : 1) * sizeof *t), *svc = malloc((no ? no : 1) * sizeof *svc);
    size_t n_h = nl * ng, used = 0;
    scn_headline *h = calloc(n_h ? n_h : 1, sizeof *h);
    sim_status rc = SIM_OK;
    g_rec = rec;
    if (!t || !svc || !h) {
        rc = sim_error_set(err, SIM_ENOMEM, "summary");
        goto done;
    }
    for (size_t l = 0; l < nl; ++l) {
        size_t k = r->def[l].kind;
        const char *mode = r->def[l].mode;
        scn__origin_times(c, r, l, t, svc);
        for (size_t g = 0; g < ng; ++g) {
            if (!scn__layer_serves(c, r, l, g)) continue; /* another layer, or not this mode */
            const double *pop = c->pop_cols + g * no;
            scn_headline *hl = &h[used++];
            hl->service = c->kinds[k];
            hl->mode = mode;
            hl->group = c->cfg->groups[g].name;
            double mean = sim_access_mean(t, pop, no), med = sim_access_median(t, pop, no);
            hl->mean_minutes = isnan(mean) ? NAN : mean / 600.0;
            struct {
                char name[48];
                double v;
                int dec;
            } m[3 + 8];
            size_t nm = 0;
            snprintf(m[nm].name, sizeof m[nm].name, "mean_minutes");
            m[nm].v = hl->mean_minutes;
            m[nm++].dec = 4;
            snprintf(m[nm].name, sizeof m[nm].name, "median_minutes");
            m[nm].v = isnan(med) ? NAN : med / 600.0;
            m[nm++].dec = 4;
            for (size_t q = 0; q < c->cfg->n_thresholds && q < 8; ++q) {
                uint32_t th = c->cfg->thresholds_min[q];
                double sh = sim_access_share_within(t, pop, no, th * 600u);
                hl->share_within[q] = sh;
                snprintf(m[nm].name, sizeof m[nm].name, "share_within_%u", (unsigned)th);
                m[nm].v = sh;
                m[nm++].dec = 6;
            }
            snprintf(m[nm].name, sizeof m[nm].name, "unreachable_share");
            m[nm].v = sim_access_unreachable_share(t, pop, no);
            m[nm++].dec = 6;
            for (size_t q = 0; q < nm; ++q)
                scn__summary_row(fp, c->kinds[k], mode, c->cfg->groups[g].name,
                                 m[q].name, m[q].v, m[q].dec);
        }
    }
    if ((rc = scn__equity_rows(fp, c, r, mv, err))) goto done;
    if (rec->oom) rc = sim_error_set(err, SIM_ENOMEM, "summary");
    if (!rc && rec->base && rec->n != rec->n_base)
        rc = sim_error_set(err, SIM_EINTERNAL, "summary: %zu rows for the scenario against %zu "
                           "for the baseline", rec->n, rec->n_base);
    if (!rc) {
        *heads = h;
        *n_heads = used;
        h = NULL;
    }
done:
    g_rec = NULL;
    free(t);
    free(svc);
    free(h);
    return rc;
}

static void json_config(FILE *fp, const scn_config *cfg) {
    fputs("{\"name\": ", fp);
    scn__json_str(fp, cfg->name);
    fputs(", \"crs\": ", fp);
    if (cfg->crs) scn__json_str(fp, cfg->crs);
    else fputs("null", fp);
    fputs(",\n    \"network\": {\"source\": ", fp);
    scn__json_str(fp, cfg->network.source);
    fputs(", \"layer\": ", fp);
    if (cfg->network.layer) scn__json_str(fp, cfg->network.layer);
    else fputs("null", fp);
    fputs(", \"modes\": [", fp);
    int first = 1;
    for (int m = 0; m < SCN_MODE_COUNT; ++m)
        if (cfg->network.modes[m]) {
            fputs(first ? "" : ", ", fp);
            scn__json_str(fp, scn_mode_name((scn_mode)m));
            first = 0;
        }
    fprintf(fp, "], \"snap_distance_m\": %.17g, \"join_tolerance_m\": %.17g},\n",
            cfg->network.snap_distance_m, cfg->network.join_tolerance_m);
    const geo_profile *p = &cfg->profile;
    fprintf(fp, "    \"profiles\": {\"walk\": {\"speed_kmh\": %.17g}, \"bike\": {\"speed_kmh\": "
                "%.17g}, \"car\": {\"speed_factor\": %.17g, \"use_maxspeed\": %s, "
                "\"maxspeed_factor\": %.17g, \"highway_kmh\": {",
            p->walk_kmh, p->bike_kmh, p->car_factor, p->use_maxspeed ? "true" : "false",
            p->car_maxspeed_factor);
    for (int h = 0; h < GEO_HW_COUNT; ++h)
        fprintf(fp, "%s\"%s\": %.17g", h ? ", " : "", geo_highway_name((geo_highway)h),
                p->car_highway_kmh[h]);
    fputs("}}},\n", fp);
    fputs("    \"population\": {\"source\": ", fp);
    scn__json_str(fp, cfg->population.source);
    fputs(", \"groups\": {", fp);
    for (size_t g = 0; g < cfg->n_groups; ++g) {
        fputs(g ? ", " : "", fp);
        scn__json_str(fp, cfg->groups[g].name);
        fputs(": ", fp);
        scn__json_str(fp, cfg->groups[g].field);
    }
    fputs("}},\n    \"services\": [", fp);
    for (size_t s = 0; s < cfg->n_services; ++s) {
        const scn_service *e = &cfg->services[s];
        fputs(s ? ", " : "", fp);
        fputs("{\"kind\": ", fp);
        if (e->kind) scn__json_str(fp, e->kind);
        else fputs("null", fp);
        fputs(", \"source\": ", fp);
        scn__json_str(fp, e->layer.source);
        fputs(", \"filter\": ", fp);
        if (e->layer.filter) scn__json_str(fp, e->layer.filter);
        else fputs("null", fp);
        fputs(", \"capacity\": ", fp);
        if (e->capacity) scn__json_str(fp, e->capacity);
        else fputs("null", fp);
        fputs("}", fp);
    }
    fputs("]", fp);
    if (cfg->transit.set) {
        fputs(",\n    \"transit\": {\"feeds\": [", fp);
        for (size_t f = 0; f < cfg->transit.n_feeds; ++f) {
            fputs(f ? ", " : "", fp);
            scn__json_str(fp, cfg->transit.feeds[f]);
        }
        fputs("], \"date\": ", fp);
        scn__json_str(fp, cfg->transit.date);
        fprintf(fp, ", \"window_s\": [%d, %d], \"step_s\": %u, \"percentiles\": [",
                cfg->transit.window_start_s, cfg->transit.window_end_s, cfg->transit.step_s);
        for (size_t j = 0; j < cfg->transit.n_percentiles; ++j)
            fprintf(fp, "%s%u", j ? ", " : "", cfg->transit.percentiles[j]);
        fprintf(fp, "], \"max_walk_min\": {\"access\": %.17g, \"egress\": %.17g, "
                    "\"transfer\": %.17g}, \"max_rides\": %u, \"max_trip_min\": %.17g, "
                    "\"board_slack_s\": %u}",
                cfg->transit.max_access_min, cfg->transit.max_egress_min,
                cfg->transit.max_transfer_min, cfg->transit.max_rides, cfg->transit.max_trip_min,
                cfg->transit.board_slack_s);
    }
    fprintf(fp, ",\n    \"output\": {\"grid_m\": %.17g, \"thresholds_min\": [", cfg->grid_m);
    for (size_t q = 0; q < cfg->n_thresholds; ++q)
        fprintf(fp, "%s%u", q ? ", " : "", (unsigned)cfg->thresholds_min[q]);
    fputs("]}}", fp);
}

static sim_status write_manifest(const scn_city *c, const routes *r, const char *dir,
                                 const geo_grid *grid, const sim_warnings *warn,
                                 const scn_run_opts *opts, const scn_run_result *res,
                                 double route_s, double write_s, double total_s, sim_error *err) {
    char path[4200], hex[65];
    uint64_t size = 0;
    sim_status rc;
    FILE *fp = scn__open_out(dir, "manifest.json", path, sizeof path, err);
    if (!fp) return err ? err->code : SIM_EIO;
    fputs("{\n  \"tool\": \"accessim\",\n  \"version\": \"" ACCESSIM_VERSION "\",\n", fp);
    fputs("  \"scenario\": {\"path\": ", fp);
    scn__json_str(fp, c->cfg->path);
    if ((rc = geo_sha256_file(c->cfg->path, hex, &size, err))) goto fail;
    fprintf(fp, ", \"size\": %llu, \"sha256\": \"%s\",\n    \"resolved\": ",
            (unsigned long long)size, hex);
    json_config(fp, c->cfg);
    fputs("},\n  \"inputs\": [\n", fp);
    for (size_t i = 0; i < c->n_inputs; ++i) {
        if ((rc = geo_sha256_file(c->inputs[i], hex, &size, err))) goto fail;
        fputs("    {\"role\": ", fp);
        scn__json_str(fp, c->input_role[i]);
        fputs(", \"path\": ", fp);
        scn__json_str(fp, c->inputs[i]);
        fprintf(fp, ", \"size\": %llu, \"sha256\": \"%s\"}%s\n", (unsigned long long)size, hex,
                i + 1 < c->n_inputs ? "," : "");
    }
    fputs("  ],\n  \"crs\": {\"name\": ", fp);
    scn__json_str(fp, geo_crs_name(c->crs));
    fprintf(fp, ", \"epsg\": %d},\n", geo_crs_epsg(c->crs));
    fprintf(fp, "  \"grid\": {\"cell_m\": %.17g, \"x0\": %.17g, \"y0\": %.17g, \"nx\": %u, "
                "\"ny\": %u},\n",
            grid->cell_m, grid->x0, grid->y0, grid->nx, grid->ny);
    fprintf(fp, "  \"counts\": {\"network_lines\": %zu, \"usable_lines\": %zu, "
                "\"walkable_lines\": %zu, \"ways_truncated\": %zu, \"highway_lines\": %zu, "
                "\"osm_highway_ways\": %zu, \"osm_highway_ways_dropped\": %zu, "
                "\"network_nodes\": %u, \"network_segments\": %u, \"origins\": %zu, "
                "\"services\": %zu, \"stops\": %u, \"trips\": %zu,\n    \"modes\": {",
            c->net->stats.lines_read, c->net->stats.lines_usable, c->net->stats.lines_walkable,
            c->net->stats.ways_truncated, c->net->stats.highway_lines,
            c->net->stats.osm_highway_ways, c->net->stats.osm_highway_dropped, c->net->n_nodes,
            c->net->n_segs, c->pop->n, c->n_svc,
            c->transit ? scn_transit_stop_count(c->transit) : 0,
            c->transit ? scn_transit_trip_count(c->transit) : (size_t)0);
    for (size_t mi = 0; mi < c->n_modes; ++mi) {
        geo_mode m = c->modes[mi];
        fprintf(fp, "%s\"%s\": {\"nodes\": %u, \"edges\": %u, \"islands_not_snapped\": %zu, "
                    "\"origins_unsnapped\": %zu}",
                mi ? ", " : "", scn__mode_name(m), c->mg[m]->n_nodes,
                sim_graph_arc_count(c->mg[m]->fwd), c->islands[m], c->origins_unsnapped[m]);
    }
    fputs("},\n    \"services_by_kind\": {", fp);
    for (size_t k = 0; k < c->n_kinds; ++k) {
        size_t cnt = 0;
        for (size_t j = 0; j < c->n_svc; ++j) cnt += c->svc_kind[j] == k;
        fputs(k ? ", " : "", fp);
        scn__json_str(fp, c->kinds[k]);
        fprintf(fp, ": %zu", cnt);
    }
    fputs("}},\n", fp);
    if (c->transit) {
        fputs("  \"transit\": ", fp);
        scn_transit_json(c->transit, fp, scn__json_str);
        fputs(",\n", fp);
    }
    fputs("  \"warnings\": [", fp);
    for (size_t w = 0; warn && w < warn->n; ++w) {
        const sim_warning *it = &warn->items[w];
        fputs(w ? ",\n    " : "\n    ", fp);
        fputs("{\"what\": ", fp);
        scn__json_str(fp, it->what);
        fprintf(fp, ", \"count\": %zu, \"examples\": [", it->count);
        for (size_t e = 0; e < it->n_examples; ++e) {
            fputs(e ? ", " : "", fp);
            scn__json_str(fp, it->examples[e]);
        }
        fputs("]}", fp);
    }
    fputs("],\n  \"scenarios\": [", fp);
    for (size_t i = 0; res && i < res->n_scenarios; ++i) {
        const scn_scenario *s = &c->cfg->scenarios[i];
        const scn_scenario_result *sr = &res->scenarios[i];
        fputs(i ? ",\n    " : "\n    ", fp);
        fputs("{\"name\": ", fp);
        scn__json_str(fp, s->name);
        fputs(", \"description\": ", fp);
        if (s->description) scn__json_str(fp, s->description);
        else fputs("null", fp);
        fprintf(fp, ", \"changes\": [");
        for (size_t j = 0; j < s->n_changes; ++j)
            fprintf(fp, "%s\"%s\"", j ? ", " : "", scn_change_name(s->changes[j].kind));
        fprintf(fp, "], \"status\": \"%s\"", sr->failed ? "failed" : "ok");
        if (sr->failed) {
            fputs(", \"error\": ", fp);
            scn__json_str(fp, sr->error.msg);
        } else {
            fprintf(fp, ", \"rebuilt_network\": %s, \"warnings\": %zu, \"timings\": "
                        "{\"route_s\": %.3f, \"total_s\": %.3f}",
                    sr->rebuilt ? "true" : "false", sr->warnings, sr->route_s, sr->total_s);
            fputs(", \"warning_kinds\": [", fp);
            for (int w = 0; w < 3 && sr->warning[w][0]; ++w) {
                fputs(w ? ", " : "", fp);
                scn__json_str(fp, sr->warning[w]);
            }
            fputs("]", fp);
        }
        fputs("}", fp);
    }
    fprintf(fp, "],\n  \"threads\": %d,\n", opts && opts->threads > 0 ? opts->threads : omp_get_max_threads());
    fprintf(fp, "  \"timings\": {\"load_s\": %.3f, \"route_s\": %.3f, ", c->load_s, route_s);
    if (c->transit)
        fprintf(fp, "\"transit_links_s\": %.3f, \"transit_query_s\": %.3f, ",
                r->transit_stats.links_s, r->transit_stats.query_s);
    if (res && res->n_scenarios) fprintf(fp, "\"scenarios_s\": %.3f, ", res->scenarios_s);
    if (res && res->n_scenarios) fprintf(fp, "\"scenarios_s\": %.3f, ", res->scenarios_s);
    fprintf(fp, "\"write_s\": %.3f, \"total_s\": %.3f}\n}\n", write_s, total_s);
    return scn__close_file(fp, path, err);
fail:
    fclose(fp);
    return rc;
}

/* ---- scenarios: comparison.csv and the run ------------------------------------------------ */

/* comparison.csv's thresholds for gaining and losing access (minutes). */
static const uint32_t GAIN_MIN[2] = {15, 30};

static void comparison_header(FILE *fp, const scn_config *cfg) {
    fputs("scenario,service,mode,group,mean_minutes,mean_minutes_delta", fp);
    for (size_t q = 0; q < cfg->n_thresholds; ++q)
        fprintf(fp, ",within_%u_share,within_%u_share_delta", (unsigned)cfg->thresholds_min[q],
                (unsigned)cfg->thresholds_min[q]);
    fprintf(fp, ",gain_%u,lose_%u,gain_%u,lose_%u,gap_minutes,gap_minutes_delta\n",
            (unsigned)GAIN_MIN[0], (unsigned)GAIN_MIN[0], (unsigned)GAIN_MIN[1],
            (unsigned)GAIN_MIN[1]);
}

static void csv_delta(FILE *fp, double v, double b, int decimals) {
    fputc(',', fp);
    scn__csv_num(fp, v, decimals);
    fputc(',', fp);
    if (isfinite(v) && isfinite(b)) scn__csv_num(fp, v - b, decimals);
}

/* Mean minutes of group g minus the rest of the total group (NAN for the total group). */
static double gap_minutes(const scn_city *c, const uint32_t *t, size_t g, double *rest) {
    const scn_config *cfg = c->cfg;
    size_t no = c->pop->n, tg = 0;
    while (tg < cfg->n_groups && strcmp(cfg->groups[tg].name, cfg->equity.total_group)) ++tg;
    if (tg == cfg->n_groups || tg == g) return NAN;
    for (size_t i = 0; i < no; ++i)
        rest[i] = fmax(0.0, c->pop_cols[tg * no + i] - c->pop_cols[g * no + i]);
    double a = sim_access_mean(t, c->pop_cols + g * no, no), b = sim_access_mean(t, rest, no);
    return isnan(a) || isnan(b) ? NAN : (a - b) / 600.0;
}

/* The comparison rows of one city (`sc`, routes `sr`, name `name`) against the baseline
 * (`c`, `br`); the baseline against itself gives deltas 0. */
static sim_status comparison_rows(FILE *fp, const char *name, const scn_city *sc,
                                  const routes *sr, const scn_city *c, const routes *br,
                                  sim_error *err) {
    size_t no = c->pop->n, ng = c->cfg->n_groups;
    uint32_t *t = malloc((no ? no : 1) * sizeof *t), *bt = malloc((no ? no : 1) * sizeof *bt);
    uint32_t *svc = malloc((no ? no : 1) * sizeof *svc);
    double *rest = malloc((no ? no : 1) * sizeof *rest);
    if (!t || !bt || !svc || !rest) {
        free(t), free(bt), free(svc), free(rest);
        return sim_error_set(err, SIM_ENOMEM, "comparison");
    }
    for (size_t l = 0; l < sr->n_layers; ++l) {
        scn__origin_times(sc, sr, l, t, svc);
        scn__origin_times(c, br, l, bt, svc);
        for (size_t g = 0; g < ng; ++g) {
            if (!scn__layer_serves(sc, sr, l, g)) continue;
            const double *pop = sc->pop_cols + g * no, *bpop = c->pop_cols + g * no;
            scn__csv_str(fp, name);
            fputc(',', fp);
            scn__csv_str(fp, sc->kinds[sr->def[l].kind]);
            fputc(',', fp);
            scn__csv_str(fp, sr->def[l].mode);
            fputc(',', fp);
            scn__csv_str(fp, c->cfg->groups[g].name);
            double m = sim_access_mean(t, pop, no), bm = sim_access_mean(bt, bpop, no);
            csv_delta(fp, isnan(m) ? NAN : m / 600.0, isnan(bm) ? NAN : bm / 600.0, 4);
            for (size_t q = 0; q < c->cfg->n_thresholds; ++q) {
                uint32_t th = c->cfg->thresholds_min[q] * 600u;
                csv_delta(fp, sim_access_share_within(t, pop, no, th),
                          sim_access_share_within(bt, bpop, no, th), 6);
            }
            for (int q = 0; q < 2; ++q) {
                uint32_t th = GAIN_MIN[q] * 600u;
                double gain = 0, lose = 0;
                for (size_t i = 0; i < no; ++i) {
                    int now = t[i] <= th, before = bt[i] <= th;
                    if (now && !before) gain += pop[i];
                    if (!now && before) lose += pop[i];
                }
                fputc(',', fp);
                scn__csv_num(fp, gain, 2);
                fputc(',', fp);
                scn__csv_num(fp, lose, 2);
            }
            double gap = gap_minutes(sc, t, g, rest), bgap = gap_minutes(c, bt, g, rest);
            csv_delta(fp, gap, bgap, 4);
            fputc('\n', fp);
        }
    }
    free(t), free(bt), free(svc), free(rest);
    return SIM_OK;
}

/* One scenario: its city, routes, measures and folder; its summary rows into `sum`, its
 * comparison rows into `cmp`. */
static sim_status run_scenario(scn_city *c, const routes *br, const scn__measures *bmv,
                               const summary_rec *brec, const scn_scenario *s, const char *dir,
                               const scn_run_opts *opts, const geo_grid *grid,
                               float *const *bvals, cell_snaps *cells, FILE *sum, FILE *cmp,
                               scn_scenario_result *res, sim_error *err) {
    scn_city *sc = NULL;
    scn_touched t = {0};
    routes r = {0};
    scn__measures mv = {0};
    scn_headline *heads = NULL;
    size_t n_heads = 0;
    summary_rec rec = {s->name, brec->vals, brec->n, NULL, 0, 0, 0};
    char sub[4200];
    geo_grid g;
    sim_warnings warn = {0};
    double t0 = scn__now_s();
    sim_status rc = scn_city_derive(c, s, opts, &sc, &t, &warn, err);
    if (!rc) rc = scn__route_reusing(sc, &r, br, &t, opts, err);
    uint8_t *reuse = NULL;
    if (!rc && !(reuse = calloc(r.n_layers ? r.n_layers : 1, 1)))
        rc = sim_error_set(err, SIM_ENOMEM, "measures");
    if (!rc) {
        scn__layers_unchanged(sc, &r, &t, reuse);
        scn__reuse ru = {bmv, br, t.base_of, c->n_svc, reuse};
        rc = scn__measures_reusing(sc, &r, &ru, &mv, err);
    }
    free(reuse);
    res->rebuilt = t.rebuilt;
    res->route_s = scn__now_s() - t0;
    if (!rc && snprintf(sub, sizeof sub, "%s/%s", dir, s->name) >= (int)sizeof sub)
        rc = sim_error_set(err, SIM_EINVAL, "%s: path too long", dir);
    if (!rc && scn_mkdirs(sub) != 0)
        rc = sim_error_set(err, SIM_EIO, "%s: cannot create: %s", sub, strerror(errno));
    if (!rc) rc = write_origins(sc, &r, &mv, sub, err);
    if (!rc) rc = write_rasters(sc, &r, sub, opts, grid, &g, NULL, bvals, cells, err);
    if (!rc) rc = write_summary_rows(sum, sc, &r, &mv, &rec, &heads, &n_heads, err);
    if (!rc) rc = comparison_rows(cmp, s->name, sc, &r, c, br, err);
    res->warnings = 0;
    for (size_t w = 0; w < warn.n; ++w) {
        const sim_warning *it = &warn.items[w];
        res->warnings += it->count;
        if (w < 3)
            snprintf(res->warning[w], sizeof res->warning[w], "%zu x %.150s%s%.140s", it->count, it->what,
                     it->n_examples ? ": " : "", it->n_examples ? it->examples[0] : "");
    }
    res->total_s = scn__now_s() - t0;
    free(heads);
    free(rec.vals);
    scn__measures_free(&mv);
    scn__routes_free(&r);
    scn_touched_free(&t);
    scn_city_destroy(sc);
    sim_warnings_clear(&warn);
    return rc;
}

static sim_status copy_stream(FILE *to, const char *buf, size_t len, const char *path,
                              sim_error *err) {
    if (len && fwrite(buf, 1, len, to) != len)
        return sim_error_set(err, SIM_EIO, "%s: write failed", path);
    return SIM_OK;
}

/* A scenario's record: its result, then its summary and comparison rows (what rank 0 needs
 * from the rank that ran it). Same machine and build on every rank: plain bytes. */
typedef struct {
    int failed, code, rebuilt;
    size_t warnings, sum_len, cmp_len;
    char warning[3][320];
    double route_s, total_s;
    char msg[SIM_ERROR_MSG_LEN];
} record_head;

static sim_status record_make(const scn_scenario_result *sr, const char *sum, size_t sl,
                              const char *cmp, size_t cl, char **out, size_t *len,
                              sim_error *err) {
    record_head h;
    memset(&h, 0, sizeof h);
    h.failed = sr->failed;
    h.code = (int)sr->error.code;
    h.rebuilt = sr->rebuilt;
    h.warnings = sr->warnings;
    memcpy(h.warning, sr->warning, sizeof h.warning);
    h.sum_len = sl;
    h.cmp_len = cl;
    h.route_s = sr->route_s;
    h.total_s = sr->total_s;
    memcpy(h.msg, sr->error.msg, sizeof h.msg);
    *len = sizeof h + sl + cl;
    if (!(*out = malloc(*len))) return sim_error_set(err, SIM_ENOMEM, "run");
    memcpy(*out, &h, sizeof h);
    if (sl) memcpy(*out + sizeof h, sum, sl);
    if (cl) memcpy(*out + sizeof h + sl, cmp, cl);
    return SIM_OK;
}

static sim_status record_read(const char *rec, size_t len, scn_scenario_result *sr,
                              const char **sum, size_t *sl, const char **cmp, size_t *cl,
                              sim_error *err) {
    record_head h;
    if (!rec || len < sizeof h) return sim_error_set(err, SIM_EINTERNAL, "run: scenario record");
    memcpy(&h, rec, sizeof h);
    if (len != sizeof h + h.sum_len + h.cmp_len)
        return sim_error_set(err, SIM_EINTERNAL, "run: scenario record of %zu bytes", len);
    sr->failed = h.failed;
    sr->error.code = (sim_status)h.code;
    memcpy(sr->error.msg, h.msg, sizeof h.msg);
    sr->error.msg[sizeof sr->error.msg - 1] = '\0';
    sr->rebuilt = h.rebuilt;
    sr->warnings = h.warnings;
    memcpy(sr->warning, h.warning, sizeof sr->warning);
    sr->route_s = h.route_s;
    sr->total_s = h.total_s;
    *sum = rec + sizeof h;
    *sl = h.sum_len;
    *cmp = rec + sizeof h + h.sum_len;
    *cl = h.cmp_len;
    return SIM_OK;
}

sim_status scn_city_run_scenarios(scn_city *c, const char *dir, const scn_run_opts *opts,
                                  const sim_warnings *warn, scn_run_result *res, sim_error *err) {
    sim_status rc = SIM_OK;
    routes r = {0};
    scn__measures mv = {0};
    geo_grid grid = {0};
    char sub[4200], path[4200];
    const scn_config *cfg = c->cfg;
    size_t ns = cfg->n_scenarios, nl = 0;
    summary_rec brec = {"baseline", NULL, 0, NULL, 0, 0, 0};
    char *sum_buf = NULL, *cmp_buf = NULL;
    size_t sum_len = 0, cmp_len = 0;
    FILE *sum = open_memstream(&sum_buf, &sum_len), *cmp = open_memstream(&cmp_buf, &cmp_len);
    float **bvals = NULL;
    cell_snaps cells = {0}; /* the baseline's raster-cell snaps, for scenarios on its network */
    char **recs = NULL;
    size_t *rec_len = NULL;
    int n_ranks = opts && opts->n_ranks > 1 && opts->share ? opts->n_ranks : 1;
    int rank = n_ranks > 1 ? opts->rank : 0, lead = rank == 0;
    memset(res, 0, sizeof *res);
    if (!sum || !cmp || !(res->scenarios = calloc(ns ? ns : 1, sizeof *res->scenarios))) {
        rc = sim_error_set(err, SIM_ENOMEM, "run");
        goto done;
    }
    res->n_scenarios = ns;
    double t0 = scn__now_s();
    scn__progress(opts, "routing", 0, c->n_kinds);
    if ((rc = scn__route_all(c, &r, opts, err))) goto done;
    scn__progress(opts, "computing measures", 0, 0);
    mv.keep_ttm = ns > 0; /* scenarios start from the baseline's matrices */
    if ((rc = scn__measures_reusing(c, &r, NULL, &mv, err))) goto done;
    double t1 = scn__now_s();
    if (snprintf(sub, sizeof sub, "%s/baseline", dir) >= (int)sizeof sub) {
        rc = sim_error_set(err, SIM_EINVAL, "%s: path too long", dir);
        goto done;
    }
    if (lead && scn_mkdirs(sub) != 0) {
        rc = sim_error_set(err, SIM_EIO, "%s: cannot create: %s", sub, strerror(errno));
        goto done;
    }
    nl = r.n_layers;
    if (ns && !(bvals = calloc(nl ? nl : 1, sizeof *bvals))) {
        rc = sim_error_set(err, SIM_ENOMEM, "run");
        goto done;
    }
    scn__progress(opts, "writing origins", 0, 0);
    if (lead && (rc = write_origins(c, &r, &mv, sub, err))) goto done;
    if ((rc = write_rasters(c, &r, lead ? sub : NULL, opts, NULL, &grid, bvals, NULL,
                            ns ? &cells : NULL, err)))
        goto done;
    if ((rc = write_summary_rows(sum, c, &r, &mv, &brec, &res->headlines, &res->n_headlines,
                                 err)))
        goto done;
    if (ns && (rc = comparison_rows(cmp, "baseline", c, &r, c, &r, err))) goto done;
    double t2 = scn__now_s();
    res->baseline_s = c->load_s + (t2 - t0);
    /* Scenarios: each one's rows and result into a record; with several ranks (MPI), rank r
     * runs the scenarios i with i % n_ranks == r and rank 0 gathers the records in order, so
     * every file is the same as in one process. */
    if (!(recs = calloc(ns ? ns : 1, sizeof *recs)) ||
        !(rec_len = calloc(ns ? ns : 1, sizeof *rec_len))) {
        rc = sim_error_set(err, SIM_ENOMEM, "run");
        goto done;
    }
    for (size_t i = 0; i < ns; ++i) {
        if ((size_t)n_ranks > 1 && i % (size_t)n_ranks != (size_t)rank) continue;
        const scn_scenario *s = &cfg->scenarios[i];
        char what[160];
        snprintf(what, sizeof what, "scenario %zu/%zu: %s", i + 1, ns, s->name);
        scn__progress(opts, what, i, ns);
        char *sb = NULL, *cb = NULL;
        size_t sl = 0, cl = 0;
        FILE *ss = open_memstream(&sb, &sl), *cs = open_memstream(&cb, &cl);
        scn_scenario_result one = {0};
        sim_error serr = {0};
        sim_status src = ss && cs ? run_scenario(c, &r, &mv, &brec, s, dir, opts, &grid, bvals,
                                                 &cells, ss, cs, &one, &serr)
                                  : sim_error_set(&serr, SIM_ENOMEM, "run");
        if (ss) fclose(ss);
        if (cs) fclose(cs);
        if (src && !sim_status_is_input_error(src)) { /* not the scenario's fault: stop */
            free(sb);
            free(cb);
            *err = serr;
            rc = src;
            goto done;
        }
        if (src) { /* the scenario's bad input: report it, drop its partial outputs, go on */
            one.failed = 1;
            one.error = serr;
            sl = cl = 0;
            snprintf(path, sizeof path, "%s/%s", dir, s->name);
            scn_remove_tree(path); /* its partial outputs */
        }
        rc = record_make(&one, sb, sl, cb, cl, &recs[i], &rec_len[i], err);
        free(sb);
        free(cb);
        if (rc) goto done;
    }
    for (size_t i = 0; i < ns && n_ranks > 1 && !rc; ++i)
        rc = opts->share(opts->share_ud, (int)(i % (size_t)n_ranks), &recs[i], &rec_len[i], err);
    if (rc) goto done;
    double t2b = scn__now_s();
    if (!lead) goto done; /* rank 0 writes the rest */
    for (size_t i = 0; i < ns; ++i) {
        scn_scenario_result *sr = &res->scenarios[i];
        const char *st = NULL, *ct = NULL;
        size_t sl = 0, cl = 0;
        if ((rc = record_read(recs[i], rec_len[i], sr, &st, &sl, &ct, &cl, err))) goto done;
        sr->name = cfg->scenarios[i].name;
        res->n_failed += (size_t)sr->failed;
        if ((sl && fwrite(st, 1, sl, sum) != sl) || (cl && fwrite(ct, 1, cl, cmp) != cl)) {
            rc = sim_error_set(err, SIM_ENOMEM, "run");
            goto done;
        }
    }
    long sum_end = ftell(sum), cmp_end = ftell(cmp);
    if (fclose(sum) || fclose(cmp)) {
        sum = cmp = NULL;
        rc = sim_error_set(err, SIM_ENOMEM, "run");
        goto done;
    }
    sum = cmp = NULL;
    FILE *fp = scn__open_out(dir, "summary.csv", path, sizeof path, err);
    if (!fp) {
        rc = err->code;
        goto done;
    }
    fputs("scenario,service,mode,group,measure,value,baseline,delta\n", fp);
    rc = copy_stream(fp, sum_buf, (size_t)sum_end, path, err);
    if (rc) fclose(fp);
    else if ((rc = scn__close_file(fp, path, err))) goto done;
    if (rc) goto done;
    if (ns) {
        if (!(fp = scn__open_out(dir, "comparison.csv", path, sizeof path, err))) {
            rc = err->code;
            goto done;
        }
        comparison_header(fp, cfg);
        rc = copy_stream(fp, cmp_buf, (size_t)cmp_end, path, err);
        if (rc) fclose(fp);
        else if ((rc = scn__close_file(fp, path, err))) goto done;
        if (rc) goto done;
        scn__progress(opts, "writing report.html", 0, 0);
        if ((rc = geo_report_write(dir, cfg->name, err))) goto done;
    }
    double t3 = scn__now_s();
    res->scenarios_s = t2b - t2;
    rc = write_manifest(c, &r, dir, &grid, warn, opts, res, t1 - t0,
                        (t2 - t1) + (t3 - t2b), c->load_s + (t3 - t0), err);
done:
    if (sum) fclose(sum);
    if (cmp) fclose(cmp);
    free(sum_buf);
    free(cmp_buf);
    free(brec.vals);
    for (size_t i = 0; recs && i < ns; ++i) free(recs[i]);
    free(recs);
    free(rec_len);
    cell_snaps_free(&cells);
    for (size_t l = 0; bvals && l < nl; ++l) free(bvals[l]);
    free(bvals);
    if (rc) scn_run_result_free(res);
    scn__measures_free(&mv);
    scn__routes_free(&r);
    return rc;
}

void scn_run_result_free(scn_run_result *res) {
    free(res->headlines);
    free(res->scenarios);
    memset(res, 0, sizeof *res);
}

sim_status scn_city_run(scn_city *c, const char *dir, const scn_run_opts *opts,
                        const sim_warnings *warn, scn_headline **headlines, size_t *n_headlines,
                        sim_error *err) {
    scn_run_result res;
    sim_status rc = scn_city_run_scenarios(c, dir, opts, warn, &res, err);
    *headlines = NULL;
    *n_headlines = 0;
    if (rc) return rc;
    *headlines = res.headlines;
    *n_headlines = res.n_headlines;
    res.headlines = NULL;
    scn_run_result_free(&res);
    return SIM_OK;
}

