#include "scenarios/runner.h"

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
#include "sim/access.h"
#include "sim/graph.h"
#include "sim/route.h"

#ifndef ACCESSIM_VERSION
#define ACCESSIM_VERSION "unknown"
#endif

#define MAX_INPUTS 64
#define RASTER_NODATA -9999.0f
#define MAX_GRID_CELLS 200000000ull

struct scn_city {
    const scn_config *cfg;
    geo_crs *crs;
    geo_network *net;
    geo_features *pop;
    double *pop_cols; /* n_groups x n_origins, group-major */

    size_t n_kinds;
    char **kinds;
    size_t n_svc;
    uint32_t *svc_kind;
    char **svc_id;
    double *svc_cap;
    double *svc_x, *svc_y, *svc_lon, *svc_lat;
    const char **svc_path; /* source file per service, for messages */

    uint32_t *origin_node, *svc_node;
    double *origin_snap_m;
    size_t origins_unsnapped;
    size_t islands;
    double speed_mps;
    sim_graph *graph, *rgraph;

    /* validate's collector: input problems recorded here instead of stopping at the first */
    sim_error *problems;
    size_t max_problems, n_problems;

    const char *inputs[MAX_INPUTS]; /* distinct input files, in first-use order */
    const char *input_role[MAX_INPUTS];
    size_t n_inputs;
    double load_s;
};

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void progress(const scn_run_opts *o, const char *stage, size_t done, size_t total) {
    if (o && o->progress) o->progress(o->progress_ud, stage, done, total);
}

static void add_input(scn_city *c, const char *path, const char *role) {
    for (size_t i = 0; i < c->n_inputs; ++i)
        if (strcmp(c->inputs[i], path) == 0) return;
    if (c->n_inputs < MAX_INPUTS) {
        c->input_role[c->n_inputs] = role;
        c->inputs[c->n_inputs++] = path;
    }
}

void scn_city_destroy(scn_city *c) {
    if (!c) return;
    geo_crs_destroy(c->crs);
    geo_network_destroy(c->net);
    geo_features_destroy(c->pop);
    free(c->pop_cols);
    for (size_t k = 0; k < c->n_kinds; ++k) free(c->kinds[k]);
    free(c->kinds);
    for (size_t i = 0; i < c->n_svc; ++i) free(c->svc_id[i]);
    free(c->svc_id);
    free(c->svc_kind);
    free(c->svc_cap);
    free(c->svc_x);
    free(c->svc_y);
    free(c->svc_lon);
    free(c->svc_lat);
    free(c->svc_path);
    free(c->origin_node);
    free(c->svc_node);
    free(c->origin_snap_m);
    sim_graph_destroy(c->graph);
    sim_graph_destroy(c->rgraph);
    free(c);
}

size_t scn_city_kind_count(const scn_city *c) { return c->n_kinds; }
const char *scn_city_kind_name(const scn_city *c, size_t k) { return c->kinds[k]; }

/* With a collector, records an input problem in `err` and clears it: returns 1 to go on. */
static int keep_going(scn_city *c, sim_status rc, sim_error *err) {
    if (!c->problems || !sim_status_is_input_error(rc) || c->n_problems >= c->max_problems)
        return 0;
    if (err) {
        c->problems[c->n_problems++] = *err;
        *err = (sim_error){0};
    } else {
        c->problems[c->n_problems++] = (sim_error){.code = rc};
    }
    return 1;
}

static int safe_name(const char *s) {
    if (!*s) return 0;
    for (; *s; ++s)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '-'))
            return 0;
    return 1;
}

static size_t kind_index(scn_city *c, const char *name, int *oom) {
    for (size_t k = 0; k < c->n_kinds; ++k)
        if (strcmp(c->kinds[k], name) == 0) return k;
    char **p = realloc(c->kinds, (c->n_kinds + 1) * sizeof *p);
    char *s = strdup(name);
    if (!p || !s) {
        if (p) c->kinds = p;
        free(s);
        *oom = 1;
        return 0;
    }
    c->kinds = p;
    c->kinds[c->n_kinds] = s;
    return c->n_kinds++;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Appends the features of one loaded service source to the flat service arrays. */
static sim_status append_services(scn_city *c, const geo_features *f, const char *fixed_kind,
                                  const char *path, int has_capacity, sim_warnings *warn,
                                  sim_error *err) {
    size_t n = c->n_svc + f->n;
#define GROW(field)                                                                                \
    do {                                                                                           \
        void *p_ = realloc(c->field, n * sizeof *c->field);                                        \
        if (!p_) return sim_error_set(err, SIM_ENOMEM, "services");                                \
        c->field = p_;                                                                             \
    } while (0)
    GROW(svc_kind);
    GROW(svc_id);
    GROW(svc_cap);
    GROW(svc_x);
    GROW(svc_y);
    GROW(svc_lon);
    GROW(svc_lat);
    GROW(svc_path);
#undef GROW
    /* Kinds found in a type field are registered in sorted order (deterministic ids). */
    if (!fixed_kind) {
        const char **names = malloc((f->n ? f->n : 1) * sizeof *names);
        if (!names) return sim_error_set(err, SIM_ENOMEM, "services");
        for (size_t i = 0; i < f->n; ++i) names[i] = f->type[i];
        qsort(names, f->n, sizeof *names, cmp_str);
        int oom = 0;
        for (size_t i = 0; i < f->n; ++i) {
            if (i && strcmp(names[i], names[i - 1]) == 0) continue;
            if (!*names[i]) continue;
            if (!safe_name(names[i])) {
                sim_status rc = sim_error_set(err, SIM_EPARSE,
                                              "%s: service kind '%s' (from the type field) may "
                                              "only use letters, digits, '_' and '-', since it "
                                              "names output files",
                                              path, names[i]);
                free(names);
                return rc;
            }
            kind_index(c, names[i], &oom);
        }
        free(names);
        if (oom) return sim_error_set(err, SIM_ENOMEM, "services");
    }
    for (size_t i = 0; i < f->n; ++i) {
        const char *kind = fixed_kind ? fixed_kind : f->type[i];
        if (!*kind) {
            sim_warnings_add(warn, "service with an empty type field skipped", "%s", f->id[i]);
            continue;
        }
        int oom = 0;
        size_t k = kind_index(c, kind, &oom);
        char *id = strdup(f->id[i]);
        if (oom || !id) {
            free(id);
            return sim_error_set(err, SIM_ENOMEM, "services");
        }
        size_t j = c->n_svc++;
        c->svc_kind[j] = (uint32_t)k;
        c->svc_id[j] = id;
        c->svc_cap[j] = has_capacity ? f->values[i] : 1.0;
        c->svc_x[j] = f->x[i];
        c->svc_y[j] = f->y[i];
        c->svc_lon[j] = f->lon[i];
        c->svc_lat[j] = f->lat[i];
        c->svc_path[j] = path;
    }
    return SIM_OK;
}

static sim_status load_services(scn_city *c, sim_warnings *warn, sim_error *err) {
    const scn_config *cfg = c->cfg;
    for (size_t s = 0; s < cfg->n_services; ++s) {
        const scn_service *e = &cfg->services[s];
        char what[160], filter[1024];
        const char *flt = e->layer.filter;
        if (e->kind && e->type_field) {
            /* OGR SQL: the field in double quotes, the value in single quotes (doubled) */
            char val[256];
            size_t w = 0;
            for (const char *p = e->kind; *p && w + 2 < sizeof val; ++p) {
                if (*p == '\'') val[w++] = '\'';
                val[w++] = *p;
            }
            val[w] = '\0';
            if (flt)
                snprintf(filter, sizeof filter, "(%s) AND \"%s\" = '%s'", flt, e->type_field, val);
            else
                snprintf(filter, sizeof filter, "\"%s\" = '%s'", e->type_field, val);
            flt = filter;
        }
        if (e->kind) snprintf(what, sizeof what, "service '%s'", e->kind);
        else snprintf(what, sizeof what, "services");
        const char *fields[1] = {e->capacity};
        geo_features_source src = {
            .what = what, .path = e->layer.source, .layer = e->layer.layer, .id = e->layer.id,
            .lon = e->layer.lon, .lat = e->layer.lat, .filter = flt, .fields = fields,
            .n_fields = e->capacity ? 1 : 0, .type_field = e->type_field};
        geo_features *f = NULL;
        sim_status rc = geo_features_load(&src, c->crs, &f, warn, err);
        if (!rc) rc = append_services(c, f, e->kind, e->layer.source, e->capacity != NULL, warn, err);
        geo_features_destroy(f);
        if (rc && keep_going(c, rc, err)) continue;
        if (rc) return rc;
        add_input(c, e->layer.source, "services");
    }
    if (c->n_kinds == 0 && c->n_problems == 0)
        return sim_error_set(err, SIM_EPARSE, "%s: no service found", cfg->path);
    return SIM_OK;
}

static sim_status city_load(const scn_config *cfg, const scn_run_opts *opts, scn_city **out,
                            sim_warnings *warn, sim_error *err, sim_error *problems,
                            size_t max_problems, size_t *n_problems) {
    sim_status rc = SIM_OK;
    double t0 = now_s();
    geo_snapper *snapper = NULL;
    geo_snap *snaps = NULL;
    double *px = NULL, *py = NULL, *plon = NULL, *plat = NULL;
    uint8_t *kind = NULL;
    uint32_t *ref = NULL, *node = NULL;
    *out = NULL;
    scn_city *c = calloc(1, sizeof *c);
    if (!c) return sim_error_set(err, SIM_ENOMEM, "city");
    c->cfg = cfg;
    c->problems = problems;
    c->max_problems = max_problems;
    c->speed_mps = cfg->network.walk_speed_kmh / 3.6;

    progress(opts, "reading the street network", 0, 0);
    geo_network_source ns = {cfg->network.source, cfg->network.layer, cfg->crs,
                             cfg->network.join_tolerance_m};
    if ((rc = geo_network_load(&ns, &c->net, &c->crs, warn, err))) goto done;
    add_input(c, cfg->network.source, "network");

    progress(opts, "reading population", 0, 0);
    const char **gf = malloc((cfg->n_groups ? cfg->n_groups : 1) * sizeof *gf);
    if (!gf) {
        rc = sim_error_set(err, SIM_ENOMEM, "population");
        goto done;
    }
    for (size_t g = 0; g < cfg->n_groups; ++g) gf[g] = cfg->groups[g].field;
    geo_features_source ps = {.what = "population", .path = cfg->population.source,
                              .layer = cfg->population.layer, .id = cfg->population.id,
                              .lon = cfg->population.lon, .lat = cfg->population.lat,
                              .filter = cfg->population.filter, .fields = gf,
                              .n_fields = cfg->n_groups, .keep_geometry = 1};
    rc = geo_features_load(&ps, c->crs, &c->pop, warn, err);
    free(gf);
    if (rc && keep_going(c, rc, err)) {
        /* go on to check the services; nothing after them can run without population */
        rc = SIM_OK;
        if (!(rc = load_services(c, warn, err))) rc = SIM_EPARSE;
        goto done;
    }
    if (rc) goto done;
    add_input(c, cfg->population.source, "population");
    size_t no = c->pop->n, ng = cfg->n_groups;
    c->pop_cols = malloc(ng * no * sizeof *c->pop_cols);
    if (!c->pop_cols) {
        rc = sim_error_set(err, SIM_ENOMEM, "population");
        goto done;
    }
    for (size_t g = 0; g < ng; ++g)
        for (size_t i = 0; i < no; ++i) c->pop_cols[g * no + i] = c->pop->values[i * ng + g];

    progress(opts, "reading services", 0, 0);
    if ((rc = load_services(c, warn, err))) goto done;
    if (c->n_problems) {
        rc = SIM_EPARSE;
        goto done;
    }

    /* Snap origins and services to the network as it was loaded, then attach them at once. */
    progress(opts, "snapping to the network", 0, 0);
    size_t n = no + c->n_svc;
    snaps = malloc(n * sizeof *snaps);
    px = malloc(n * sizeof *px);
    py = malloc(n * sizeof *py);
    plon = malloc(n * sizeof *plon);
    plat = malloc(n * sizeof *plat);
    kind = malloc(n * sizeof *kind);
    ref = malloc(n * sizeof *ref);
    node = malloc(n * sizeof *node);
    c->origin_snap_m = malloc((no ? no : 1) * sizeof *c->origin_snap_m);
    if (!snaps || !px || !py || !plon || !plat || !kind || !ref || !node || !c->origin_snap_m) {
        rc = sim_error_set(err, SIM_ENOMEM, "snapping");
        goto done;
    }
    for (size_t i = 0; i < no; ++i) {
        px[i] = c->pop->x[i];
        py[i] = c->pop->y[i];
        plon[i] = c->pop->lon[i];
        plat[i] = c->pop->lat[i];
        kind[i] = GEO_NODE_ORIGIN;
        ref[i] = (uint32_t)i;
    }
    for (size_t j = 0; j < c->n_svc; ++j) {
        px[no + j] = c->svc_x[j];
        py[no + j] = c->svc_y[j];
        plon[no + j] = c->svc_lon[j];
        plat[no + j] = c->svc_lat[j];
        kind[no + j] = GEO_NODE_SERVICE;
        ref[no + j] = (uint32_t)j;
    }
    if ((rc = geo_snapper_create(c->net, &snapper, err))) goto done;
    {
        size_t iseg = 0, nisl = geo_snapper_island_count(snapper, &iseg);
        c->islands = nisl;
        if (nisl)
            sim_warnings_add_n(warn, nisl,
                               "street islands (under 40 nodes, cut off from the main network) "
                               "left out of snapping",
                               "%zu segments in all", iseg);
    }
    if ((rc = geo_snapper_snap(snapper, px, py, n, cfg->network.snap_distance_m, snaps, err)))
        goto done;
    for (size_t j = 0; j < c->n_svc; ++j) {
        const geo_snap *s = &snaps[no + j];
        if (s->seg == SIM_INVALID_ID) {
            rc = sim_error_set(err, SIM_EPARSE,
                               "%s: service '%s' %s at (%.6f, %.6f) lies %.0f m from the nearest "
                               "walkable street, beyond network.snap_distance_m (%g m)",
                               c->svc_path[j], c->kinds[c->svc_kind[j]], c->svc_id[j],
                               c->svc_lon[j], c->svc_lat[j], s->dist_m,
                               cfg->network.snap_distance_m);
            if (keep_going(c, rc, err)) continue;
            goto done;
        }
    }
    if (c->n_problems) {
        rc = SIM_EPARSE;
        goto done;
    }
    for (size_t i = 0; i < no; ++i) {
        c->origin_snap_m[i] = snaps[i].seg == SIM_INVALID_ID ? NAN : snaps[i].dist_m;
        if (snaps[i].seg == SIM_INVALID_ID) {
            ++c->origins_unsnapped;
            sim_warnings_add(warn,
                             "origin beyond network.snap_distance_m of any walkable street; "
                             "reported unreachable",
                             "%s (%.0f m)", c->pop->id[i], snaps[i].dist_m);
        }
    }
    if ((rc = geo_network_attach(c->net, c->crs, px, py, plon, plat, n, kind, ref, snaps, node,
                                 err)))
        goto done;
    c->origin_node = malloc((no ? no : 1) * sizeof *c->origin_node);
    c->svc_node = malloc((c->n_svc ? c->n_svc : 1) * sizeof *c->svc_node);
    if (!c->origin_node || !c->svc_node) {
        rc = sim_error_set(err, SIM_ENOMEM, "snapping");
        goto done;
    }
    memcpy(c->origin_node, node, no * sizeof *node);
    memcpy(c->svc_node, node + no, c->n_svc * sizeof *node);

    progress(opts, "building the walking graph", 0, 0);
    if ((rc = geo_network_graph(c->net, c->speed_mps, &c->graph, err))) goto done;
    if ((rc = sim_graph_reverse(c->graph, &c->rgraph))) {
        rc = sim_error_set(err, rc, "reverse graph: %s", sim_status_str(rc));
        goto done;
    }
    c->load_s = now_s() - t0;
    c->problems = NULL;
    *out = c;
    c = NULL;
done:
    if (c && n_problems) *n_problems = c->n_problems;
    geo_snapper_destroy(snapper);
    free(snaps);
    free(px);
    free(py);
    free(plon);
    free(plat);
    free(kind);
    free(ref);
    free(node);
    scn_city_destroy(c);
    return rc;
}

sim_status scn_city_load(const scn_config *cfg, const scn_run_opts *opts, scn_city **out,
                         sim_warnings *warn, sim_error *err) {
    return city_load(cfg, opts, out, warn, err, NULL, 0, NULL);
}

sim_status scn_city_check(const scn_config *cfg, const scn_run_opts *opts, scn_city **out,
                          sim_warnings *warn, sim_error *problems, size_t max_problems,
                          size_t *n_problems) {
    sim_error err = {0};
    *n_problems = 0;
    sim_status rc = city_load(cfg, opts, out, warn, &err, problems, max_problems, n_problems);
    if (rc && *n_problems == 0 && max_problems > 0) { /* a problem that stops everything */
        problems[0] = err;
        *n_problems = 1;
    }
    return rc;
}

void scn_city_describe(const scn_city *c, char *buf, size_t size) {
    int w = snprintf(buf, size,
                     "working CRS %s; network: %zu of %zu line features walkable, %u nodes, %u "
                     "segments; %zu origins (%zu beyond the snapping distance); %zu services of "
                     "%zu kinds:",
                     geo_crs_name(c->crs), c->net->stats.lines_walkable, c->net->stats.lines_read,
                     c->net->n_nodes, c->net->n_segs, c->pop->n, c->origins_unsnapped, c->n_svc,
                     c->n_kinds);
    for (size_t k = 0; k < c->n_kinds && w > 0 && (size_t)w < size; ++k) {
        size_t cnt = 0;
        for (size_t j = 0; j < c->n_svc; ++j) cnt += c->svc_kind[j] == k;
        w += snprintf(buf + w, size - (size_t)w, " %s %zu", c->kinds[k], cnt);
    }
}

/* ---- output helpers ---------------------------------------------------------------------- */

static void json_str(FILE *fp, const char *s) {
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
static void csv_str(FILE *fp, const char *s) {
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

static void csv_num(FILE *fp, double v, int decimals) {
    if (isnan(v)) return;
    fprintf(fp, "%.*f", decimals, v == 0 ? 0.0 : v); /* no "-0.00" */
}

static void csv_count(FILE *fp, double v) { fprintf(fp, "%.15g", v); }

static sim_status close_file(FILE *fp, const char *path, sim_error *err) {
    int bad = ferror(fp);
    if (fclose(fp) != 0 || bad)
        return sim_error_set(err, SIM_EIO, "%s: cannot write: %s", path, strerror(errno));
    return SIM_OK;
}

static FILE *open_out(const char *dir, const char *name, char *path, size_t size, sim_error *err) {
    if (snprintf(path, size, "%s/%s", dir, name) >= (int)size) {
        sim_error_set(err, SIM_EINVAL, "%s/%s: path too long", dir, name);
        return NULL;
    }
    FILE *fp = fopen(path, "w");
    if (!fp) sim_error_set(err, SIM_EIO, "%s: cannot create: %s", path, strerror(errno));
    return fp;
}

/* Minutes rounded to 0.01, half up, in integer arithmetic (deciseconds / 6 = hundredths of a
 * minute), so that every output that prints a time agrees to the last digit. */
static double ds_to_min(uint32_t t) {
    return t == SIM_UNREACHABLE ? NAN : (double)(((uint64_t)t + 3) / 6) / 100.0;
}

/* ---- the run ----------------------------------------------------------------------------- */

typedef struct {
    uint32_t **time;    /* per kind: n_nodes times to the nearest service of that kind */
    uint32_t **nearest; /* per kind: index into that kind's sources */
    uint32_t **sources; /* per kind: service indexes (global) */
    uint32_t *n_sources;
} routes;

static void routes_free(routes *r, size_t n_kinds) {
    for (size_t k = 0; k < n_kinds; ++k) {
        if (r->time) free(r->time[k]);
        if (r->nearest) free(r->nearest[k]);
        if (r->sources) free(r->sources[k]);
    }
    free(r->time);
    free(r->nearest);
    free(r->sources);
    free(r->n_sources);
}

static sim_status route_all(const scn_city *c, routes *r, sim_error *err) {
    size_t nk = c->n_kinds;
    uint32_t nn = sim_graph_node_count(c->rgraph);
    r->time = calloc(nk, sizeof *r->time);
    r->nearest = calloc(nk, sizeof *r->nearest);
    r->sources = calloc(nk, sizeof *r->sources);
    r->n_sources = calloc(nk, sizeof *r->n_sources);
    if (!r->time || !r->nearest || !r->sources || !r->n_sources)
        return sim_error_set(err, SIM_ENOMEM, "routing");
    for (size_t k = 0; k < nk; ++k) {
        r->time[k] = malloc((nn ? nn : 1) * sizeof **r->time);
        r->nearest[k] = malloc((nn ? nn : 1) * sizeof **r->nearest);
        r->sources[k] = malloc((c->n_svc ? c->n_svc : 1) * sizeof **r->sources);
        if (!r->time[k] || !r->nearest[k] || !r->sources[k])
            return sim_error_set(err, SIM_ENOMEM, "routing");
        for (size_t j = 0; j < c->n_svc; ++j)
            if (c->svc_kind[j] == k) r->sources[k][r->n_sources[k]++] = (uint32_t)j;
    }
    sim_status *st = calloc(nk ? nk : 1, sizeof *st);
    if (!st) return sim_error_set(err, SIM_ENOMEM, "routing");
#pragma omp parallel
    {
        sim_scratch *s = sim_scratch_create(nn);
        uint32_t *src = malloc((c->n_svc ? c->n_svc : 1) * sizeof *src);
#pragma omp for schedule(dynamic, 1)
        for (int64_t k = 0; k < (int64_t)nk; ++k) {
            if (!s || !src) {
                st[k] = SIM_ENOMEM;
                continue;
            }
            for (uint32_t i = 0; i < r->n_sources[k]; ++i) src[i] = c->svc_node[r->sources[k][i]];
            /* Times *to* services: search the reverse graph from every service at once. */
            st[k] = sim_route_multi(c->rgraph, src, NULL, r->n_sources[k], SIM_UNREACHABLE - 1, s,
                                    r->time[k], r->nearest[k]);
        }
        free(src);
        sim_scratch_destroy(s);
    }
    sim_status rc = SIM_OK;
    for (size_t k = 0; k < nk && !rc; ++k)
        if (st[k]) rc = sim_error_set(err, st[k], "routing to '%s': %s", c->kinds[k],
                                      sim_status_str(st[k]));
    free(st);
    return rc;
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

static sim_status write_rasters(const scn_city *c, const routes *r, const char *dir,
                                const scn_run_opts *opts, geo_grid *grid_out, sim_error *err) {
    sim_status rc = SIM_OK;
    geo_grid g;
    geo_snapper *sn = NULL;
    double *cx = NULL, *cy = NULL;
    geo_snap *snaps = NULL;
    float *vals = NULL;
    if ((rc = make_grid(c, &g, err))) return rc;
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
    progress(opts, "snapping raster cells", 0, 0);
    if ((rc = geo_snapper_create(c->net, &sn, err))) goto done;
    if ((rc = geo_snapper_snap(sn, cx, cy, nc, c->cfg->network.snap_distance_m, snaps, err)))
        goto done;
    const geo_network *net = c->net;
    double ds_per_m = 10.0 / c->speed_mps;
    for (size_t k = 0; k < c->n_kinds; ++k) {
        progress(opts, "writing rasters", k, c->n_kinds);
        const uint32_t *t = r->time[k];
#pragma omp parallel for schedule(static)
        for (int64_t i = 0; i < (int64_t)nc; ++i) {
            const geo_snap *s = &snaps[i];
            float v = RASTER_NODATA;
            if (s->seg != SIM_INVALID_ID) {
                uint32_t u = net->seg_u[s->seg], w = net->seg_v[s->seg];
                double len = net->seg_len_m[s->seg] * ds_per_m, best = INFINITY;
                if (t[u] != SIM_UNREACHABLE) best = fmin(best, s->f * len + t[u]);
                if (t[w] != SIM_UNREACHABLE) best = fmin(best, (1.0 - s->f) * len + t[w]);
                if (isfinite(best)) v = (float)((best + s->dist_m * ds_per_m) / 600.0);
            }
            vals[i] = v;
        }
        char name[300], path[4200], desc[300];
        snprintf(name, sizeof name, "%s_walk_minutes.tif", c->kinds[k]);
        if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path) {
            rc = sim_error_set(err, SIM_EINVAL, "%s: path too long", dir);
            goto done;
        }
        snprintf(desc, sizeof desc, "%s_walk_minutes: walking time to the nearest %s (minutes)",
                 c->kinds[k], c->kinds[k]);
        if ((rc = geo_write_float_tiff(path, &g, vals, RASTER_NODATA, c->crs, desc, "min", err)))
            goto done;
    }
done:
    geo_snapper_destroy(sn);
    free(cx);
    free(cy);
    free(snaps);
    free(vals);
    return rc;
}

/* Origin x kind time (deciseconds) and nearest service index. */
static void origin_times(const scn_city *c, const routes *r, size_t k, uint32_t *t,
                         uint32_t *svc) {
    for (size_t i = 0; i < c->pop->n; ++i) {
        uint32_t v = c->origin_node[i];
        t[i] = v == SIM_INVALID_ID ? SIM_UNREACHABLE : r->time[k][v];
        svc[i] = (v == SIM_INVALID_ID || t[i] == SIM_UNREACHABLE)
                     ? SIM_INVALID_ID
                     : r->sources[k][r->nearest[k][v]];
    }
}

static sim_status write_origins(const scn_city *c, const routes *r, const char *dir,
                                sim_error *err) {
    char path[4200];
    size_t no = c->pop->n, ng = c->cfg->n_groups, nk = c->n_kinds;
    uint32_t *t = malloc(nk * (no ? no : 1) * sizeof *t);
    uint32_t *svc = malloc(nk * (no ? no : 1) * sizeof *svc);
    if (!t || !svc) {
        free(t);
        free(svc);
        return sim_error_set(err, SIM_ENOMEM, "origins");
    }
    for (size_t k = 0; k < nk; ++k) origin_times(c, r, k, t + k * no, svc + k * no);
    sim_status rc = SIM_OK;
    FILE *fp = open_out(dir, "origins.csv", path, sizeof path, err);
    if (!fp) {
        rc = err ? err->code : SIM_EIO;
        goto geojson;
    }
    fputs("origin_id", fp);
    for (size_t g = 0; g < ng; ++g) fprintf(fp, ",%s", c->cfg->groups[g].name);
    fputs(",snap_m", fp);
    for (size_t k = 0; k < nk; ++k)
        fprintf(fp, ",%s_walk_minutes,%s_walk_nearest_id", c->kinds[k], c->kinds[k]);
    fputc('\n', fp);
    for (size_t i = 0; i < no; ++i) {
        csv_str(fp, c->pop->id[i]);
        for (size_t g = 0; g < ng; ++g) {
            fputc(',', fp);
            csv_count(fp, c->pop_cols[g * no + i]);
        }
        fputc(',', fp);
        csv_num(fp, c->origin_snap_m[i], 1);
        for (size_t k = 0; k < nk; ++k) {
            fputc(',', fp);
            csv_num(fp, ds_to_min(t[k * no + i]), 2);
            fputc(',', fp);
            if (svc[k * no + i] != SIM_INVALID_ID) csv_str(fp, c->svc_id[svc[k * no + i]]);
        }
        fputc('\n', fp);
    }
    if ((rc = close_file(fp, path, err))) goto done;
geojson:
    if (rc) goto done;
    {
        /* areas.geojson: the same columns */
        size_t ncol = 1 + ng + 1 + 2 * nk;
        geo_column *cols = calloc(ncol, sizeof *cols);
        double *num = malloc((ng + 1 + nk) * (no ? no : 1) * sizeof *num);
        const char **txt = malloc((nk + 1) * (no ? no : 1) * sizeof *txt);
        char **names = calloc(2 * nk, sizeof *names);
        if (!cols || !num || !txt || !names) {
            rc = sim_error_set(err, SIM_ENOMEM, "areas");
        } else {
            size_t ci = 0;
            for (size_t i = 0; i < no; ++i) txt[i] = c->pop->id[i];
            cols[ci++] = (geo_column){.name = "origin_id", .is_text = 1, .text = txt};
            for (size_t g = 0; g < ng; ++g)
                cols[ci++] = (geo_column){.name = c->cfg->groups[g].name, .real = c->pop_cols + g * no,
                                          .decimals = 6};
            memcpy(num, c->origin_snap_m, no * sizeof *num);
            cols[ci++] = (geo_column){.name = "snap_m", .real = num, .decimals = 1};
            for (size_t k = 0; k < nk && !rc; ++k) {
                double *m = num + (1 + k) * no;
                const char **ids = txt + (1 + k) * no;
                for (size_t i = 0; i < no; ++i) {
                    m[i] = ds_to_min(t[k * no + i]);
                    ids[i] = svc[k * no + i] == SIM_INVALID_ID ? NULL : c->svc_id[svc[k * no + i]];
                }
                size_t len = strlen(c->kinds[k]) + 32;
                names[2 * k] = malloc(len);
                names[2 * k + 1] = malloc(len);
                if (!names[2 * k] || !names[2 * k + 1]) {
                    rc = sim_error_set(err, SIM_ENOMEM, "areas");
                    break;
                }
                snprintf(names[2 * k], len, "%s_walk_minutes", c->kinds[k]);
                snprintf(names[2 * k + 1], len, "%s_walk_nearest_id", c->kinds[k]);
                cols[ci++] = (geo_column){.name = names[2 * k], .real = m, .decimals = 2};
                cols[ci++] = (geo_column){.name = names[2 * k + 1], .is_text = 1, .text = ids};
            }
            if (!rc && snprintf(path, sizeof path, "%s/areas.geojson", dir) < (int)sizeof path)
                rc = geo_write_areas(path, (const unsigned char *const *)c->pop->wkb,
                                     c->pop->wkb_len, no, cols, ncol, err);
        }
        if (names)
            for (size_t k = 0; k < 2 * nk; ++k) free(names[k]);
        free(names);
        free(cols);
        free(num);
        free(txt);
    }
done:
    free(t);
    free(svc);
    return rc;
}

static sim_status write_summary(const scn_city *c, const routes *r, const char *dir,
                                scn_headline **heads, size_t *n_heads, sim_error *err) {
    char path[4200];
    size_t no = c->pop->n, ng = c->cfg->n_groups, nk = c->n_kinds;
    uint32_t *t = malloc((no ? no : 1) * sizeof *t), *svc = malloc((no ? no : 1) * sizeof *svc);
    size_t n_h = nk * ng;
    scn_headline *h = calloc(n_h ? n_h : 1, sizeof *h);
    FILE *fp = NULL;
    sim_status rc = SIM_OK;
    if (!t || !svc || !h) {
        rc = sim_error_set(err, SIM_ENOMEM, "summary");
        goto done;
    }
    if (!(fp = open_out(dir, "summary.csv", path, sizeof path, err))) {
        rc = err ? err->code : SIM_EIO;
        goto done;
    }
    fputs("scenario,service,mode,group,measure,value,baseline,delta\n", fp);
    for (size_t k = 0; k < nk; ++k) {
        origin_times(c, r, k, t, svc);
        for (size_t g = 0; g < ng; ++g) {
            const double *pop = c->pop_cols + g * no;
            scn_headline *hl = &h[k * ng + g];
            hl->service = c->kinds[k];
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
            for (size_t q = 0; q < nm; ++q) {
                fputs("baseline,", fp);
                csv_str(fp, c->kinds[k]);
                fputs(",walk,", fp);
                csv_str(fp, c->cfg->groups[g].name);
                fprintf(fp, ",%s,", m[q].name);
                csv_num(fp, m[q].v, m[q].dec);
                fputc(',', fp);
                csv_num(fp, m[q].v, m[q].dec);
                fputc(',', fp);
                if (!isnan(m[q].v)) csv_num(fp, 0.0, m[q].dec);
                fputc('\n', fp);
            }
        }
    }
    rc = close_file(fp, path, err);
    fp = NULL;
    if (!rc) {
        *heads = h;
        *n_heads = nk * ng;
        h = NULL;
    }
done:
    if (fp) fclose(fp);
    free(t);
    free(svc);
    free(h);
    return rc;
}

static void json_config(FILE *fp, const scn_config *cfg) {
    fputs("{\"name\": ", fp);
    json_str(fp, cfg->name);
    fputs(", \"crs\": ", fp);
    if (cfg->crs) json_str(fp, cfg->crs);
    else fputs("null", fp);
    fputs(",\n    \"network\": {\"source\": ", fp);
    json_str(fp, cfg->network.source);
    fputs(", \"layer\": ", fp);
    if (cfg->network.layer) json_str(fp, cfg->network.layer);
    else fputs("null", fp);
    fputs(", \"modes\": [", fp);
    int first = 1;
    for (int m = 0; m < SCN_MODE_COUNT; ++m)
        if (cfg->network.modes[m]) {
            fputs(first ? "" : ", ", fp);
            json_str(fp, scn_mode_name((scn_mode)m));
            first = 0;
        }
    fprintf(fp, "], \"walk_speed_kmh\": %.17g, \"snap_distance_m\": %.17g, "
                "\"join_tolerance_m\": %.17g},\n",
            cfg->network.walk_speed_kmh, cfg->network.snap_distance_m,
            cfg->network.join_tolerance_m);
    fputs("    \"population\": {\"source\": ", fp);
    json_str(fp, cfg->population.source);
    fputs(", \"groups\": {", fp);
    for (size_t g = 0; g < cfg->n_groups; ++g) {
        fputs(g ? ", " : "", fp);
        json_str(fp, cfg->groups[g].name);
        fputs(": ", fp);
        json_str(fp, cfg->groups[g].field);
    }
    fputs("}},\n    \"services\": [", fp);
    for (size_t s = 0; s < cfg->n_services; ++s) {
        const scn_service *e = &cfg->services[s];
        fputs(s ? ", " : "", fp);
        fputs("{\"kind\": ", fp);
        if (e->kind) json_str(fp, e->kind);
        else fputs("null", fp);
        fputs(", \"source\": ", fp);
        json_str(fp, e->layer.source);
        fputs(", \"filter\": ", fp);
        if (e->layer.filter) json_str(fp, e->layer.filter);
        else fputs("null", fp);
        fputs(", \"capacity\": ", fp);
        if (e->capacity) json_str(fp, e->capacity);
        else fputs("null", fp);
        fputs("}", fp);
    }
    fprintf(fp, "],\n    \"output\": {\"grid_m\": %.17g, \"thresholds_min\": [", cfg->grid_m);
    for (size_t q = 0; q < cfg->n_thresholds; ++q)
        fprintf(fp, "%s%u", q ? ", " : "", (unsigned)cfg->thresholds_min[q]);
    fputs("]}}", fp);
}

static sim_status write_manifest(const scn_city *c, const char *dir, const geo_grid *grid,
                                 const sim_warnings *warn, const scn_run_opts *opts,
                                 double route_s, double write_s, double total_s, sim_error *err) {
    char path[4200], hex[65];
    uint64_t size = 0;
    sim_status rc;
    FILE *fp = open_out(dir, "manifest.json", path, sizeof path, err);
    if (!fp) return err ? err->code : SIM_EIO;
    fputs("{\n  \"tool\": \"accessim\",\n  \"version\": \"" ACCESSIM_VERSION "\",\n", fp);
    fputs("  \"scenario\": {\"path\": ", fp);
    json_str(fp, c->cfg->path);
    if ((rc = geo_sha256_file(c->cfg->path, hex, &size, err))) goto fail;
    fprintf(fp, ", \"size\": %llu, \"sha256\": \"%s\",\n    \"resolved\": ",
            (unsigned long long)size, hex);
    json_config(fp, c->cfg);
    fputs("},\n  \"inputs\": [\n", fp);
    for (size_t i = 0; i < c->n_inputs; ++i) {
        if ((rc = geo_sha256_file(c->inputs[i], hex, &size, err))) goto fail;
        fputs("    {\"role\": ", fp);
        json_str(fp, c->input_role[i]);
        fputs(", \"path\": ", fp);
        json_str(fp, c->inputs[i]);
        fprintf(fp, ", \"size\": %llu, \"sha256\": \"%s\"}%s\n", (unsigned long long)size, hex,
                i + 1 < c->n_inputs ? "," : "");
    }
    fputs("  ],\n  \"crs\": {\"name\": ", fp);
    json_str(fp, geo_crs_name(c->crs));
    fprintf(fp, ", \"epsg\": %d},\n", geo_crs_epsg(c->crs));
    fprintf(fp, "  \"grid\": {\"cell_m\": %.17g, \"x0\": %.17g, \"y0\": %.17g, \"nx\": %u, "
                "\"ny\": %u},\n",
            grid->cell_m, grid->x0, grid->y0, grid->nx, grid->ny);
    fprintf(fp, "  \"counts\": {\"network_lines\": %zu, \"walkable_lines\": %zu, "
                "\"ways_truncated\": %zu, \"highway_lines\": %zu, \"osm_highway_ways\": %zu, "
                "\"osm_highway_ways_dropped\": %zu, \"islands_not_snapped\": %zu, \"nodes\": %u, \"edges\": %u, \"origins\": %zu, "
                "\"origins_unsnapped\": %zu, \"services\": %zu, \"stops\": 0, \"trips\": 0,\n"
                "    \"services_by_kind\": {",
            c->net->stats.lines_read, c->net->stats.lines_walkable, c->net->stats.ways_truncated,
            c->net->stats.highway_lines, c->net->stats.osm_highway_ways,
            c->net->stats.osm_highway_dropped, c->islands, sim_graph_node_count(c->graph), sim_graph_arc_count(c->graph), c->pop->n,
            c->origins_unsnapped, c->n_svc);
    for (size_t k = 0; k < c->n_kinds; ++k) {
        size_t cnt = 0;
        for (size_t j = 0; j < c->n_svc; ++j) cnt += c->svc_kind[j] == k;
        fputs(k ? ", " : "", fp);
        json_str(fp, c->kinds[k]);
        fprintf(fp, ": %zu", cnt);
    }
    fputs("}},\n  \"warnings\": [", fp);
    for (size_t w = 0; warn && w < warn->n; ++w) {
        const sim_warning *it = &warn->items[w];
        fputs(w ? ",\n    " : "\n    ", fp);
        fputs("{\"what\": ", fp);
        json_str(fp, it->what);
        fprintf(fp, ", \"count\": %zu, \"examples\": [", it->count);
        for (size_t e = 0; e < it->n_examples; ++e) {
            fputs(e ? ", " : "", fp);
            json_str(fp, it->examples[e]);
        }
        fputs("]}", fp);
    }
    fprintf(fp, "],\n  \"threads\": %d,\n", opts && opts->threads > 0 ? opts->threads : omp_get_max_threads());
    fprintf(fp, "  \"timings\": {\"load_s\": %.3f, \"route_s\": %.3f, \"write_s\": %.3f, "
                "\"total_s\": %.3f}\n}\n",
            c->load_s, route_s, write_s, total_s);
    return close_file(fp, path, err);
fail:
    fclose(fp);
    return rc;
}

sim_status scn_city_run(scn_city *c, const char *dir, const scn_run_opts *opts,
                        const sim_warnings *warn, scn_headline **headlines, size_t *n_headlines,
                        sim_error *err) {
    sim_status rc = SIM_OK;
    routes r = {0};
    geo_grid grid = {0};
    char sub[4200];
    *headlines = NULL;
    *n_headlines = 0;
    double t0 = now_s();
    progress(opts, "routing", 0, c->n_kinds);
    if ((rc = route_all(c, &r, err))) goto done;
    double t1 = now_s();
    if (snprintf(sub, sizeof sub, "%s/baseline", dir) >= (int)sizeof sub) {
        rc = sim_error_set(err, SIM_EINVAL, "%s: path too long", dir);
        goto done;
    }
    if (scn_mkdirs(sub) != 0) {
        rc = sim_error_set(err, SIM_EIO, "%s: cannot create: %s", sub, strerror(errno));
        goto done;
    }
    progress(opts, "writing origins", 0, 0);
    if ((rc = write_origins(c, &r, sub, err))) goto done;
    if ((rc = write_rasters(c, &r, sub, opts, &grid, err))) goto done;
    if ((rc = write_summary(c, &r, dir, headlines, n_headlines, err))) goto done;
    double t2 = now_s();
    rc = write_manifest(c, dir, &grid, warn, opts, t1 - t0, t2 - t1, c->load_s + (t2 - t0), err);
done:
    if (rc) {
        free(*headlines);
        *headlines = NULL;
        *n_headlines = 0;
    }
    routes_free(&r, c->n_kinds);
    return rc;
}

/* ---- graph export ------------------------------------------------------------------------ */

sim_status scn_city_export_graph(const scn_city *c, const char *dir, sim_error *err) {
    char path[4200];
    sim_status rc = SIM_OK;
    const geo_network *net = c->net;
    FILE *fp = open_out(dir, "nodes.csv", path, sizeof path, err);
    if (!fp) return err ? err->code : SIM_EIO;
    fputs("node_id,lon,lat,kind,ref\n", fp);
    for (uint32_t v = 0; v < net->n_nodes; ++v) {
        fprintf(fp, "%u,%.7f,%.7f,", v, net->lon[v], net->lat[v]);
        if (net->kind[v] == GEO_NODE_ORIGIN) {
            fputs("origin,", fp);
            csv_str(fp, c->pop->id[net->ref[v]]);
        } else if (net->kind[v] == GEO_NODE_SERVICE) {
            fprintf(fp, "service:%s,", c->kinds[c->svc_kind[net->ref[v]]]);
            csv_str(fp, c->svc_id[net->ref[v]]);
        } else {
            fputs("street,", fp);
        }
        fputc('\n', fp);
    }
    if ((rc = close_file(fp, path, err))) return rc;

    /* Arcs exactly as routed: the graph's CSR order; the segment of each arc for the GPKG. */
    uint32_t na = sim_graph_arc_count(c->graph);
    const uint32_t *first = sim_graph_first_out(c->graph), *head = sim_graph_head(c->graph),
                   *tds = sim_graph_time_ds(c->graph);
    uint32_t *from = malloc((na ? na : 1) * sizeof *from), *seg = malloc((na ? na : 1) * sizeof *seg);
    if (!from || !seg) {
        free(from);
        free(seg);
        return sim_error_set(err, SIM_ENOMEM, "graph export");
    }
    for (uint32_t v = 0; v < net->n_nodes; ++v)
        for (uint32_t a = first[v]; a < first[v + 1]; ++a) from[a] = v;
    /* geo_network_graph emits segment s as arcs 2s (u->v) and 2s+1 (v->u), stably bucketed by
     * tail; recover each arc's segment by replaying that order. */
    uint32_t *fill = malloc(((size_t)net->n_nodes + 1) * sizeof *fill);
    if (!fill) {
        free(from);
        free(seg);
        return sim_error_set(err, SIM_ENOMEM, "graph export");
    }
    memcpy(fill, first, ((size_t)net->n_nodes + 1) * sizeof *fill);
    for (uint32_t s = 0; s < net->n_segs; ++s) {
        seg[fill[net->seg_u[s]]++] = s;
        seg[fill[net->seg_v[s]]++] = s;
    }
    free(fill);
    fp = open_out(dir, "edges.csv", path, sizeof path, err);
    if (!fp) {
        rc = err ? err->code : SIM_EIO;
    } else {
        fputs("from,to,seconds\n", fp);
        for (uint32_t a = 0; a < na; ++a)
            fprintf(fp, "%u,%u,%u.%u\n", from[a], head[a], tds[a] / 10, tds[a] % 10);
        rc = close_file(fp, path, err);
    }
    if (!rc && snprintf(path, sizeof path, "%s/edges.gpkg", dir) < (int)sizeof path)
        rc = geo_write_edges_gpkg(path, net, from, head, tds, seg, na, err);
    free(from);
    free(seg);
    return rc;
}
