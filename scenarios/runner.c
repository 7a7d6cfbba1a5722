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
#include "scenarios/runner_internal.h"
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



double scn__now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void progress(const scn_run_opts *o, const char *stage, size_t done, size_t total) {
    if (o && o->progress) o->progress(o->progress_ud, stage, done, total);
}

void scn__add_input(scn_city *c, const char *path, const char *role) {
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
    free(c->rank_by);
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
    for (int m = 0; m < GEO_MODE_COUNT; ++m) {
        free(c->origin_snap_m[m]);
        geo_mode_graph_destroy(c->mg[m]);
    }
    for (size_t g = 0; g < c->cfg->n_groups; ++g) {
        if (c->eligible) free(c->eligible[g]);
        if (c->group_walk) geo_mode_graph_destroy(c->group_walk[g]);
    }
    free(c->eligible);
    free(c->group_walk);
    scn_transit_destroy(c->transit);
    if (c->transit_mode)
        for (size_t j = 0; j < c->cfg->transit.n_percentiles; ++j) free(c->transit_mode[j]);
    free(c->transit_mode);
    free(c->stop_node);
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

static const char *mode_name(geo_mode m) { return scn_mode_name((scn_mode)m); }

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

/* The OGR SQL filter selecting kind `kind` of service source `e` (its own filter and, for a
 * type field, the kind's value), into buf; NULL when there is none. */
static const char *service_filter(const scn_service *e, const char *kind, char *buf, size_t size) {
    const char *flt = e->layer.filter;
    if (!kind || !e->type_field) return flt;
    /* OGR SQL: the field in double quotes, the value in single quotes (doubled) */
    char val[256];
    size_t w = 0;
    for (const char *p = kind; *p && w + 2 < sizeof val; ++p) {
        if (*p == '\'') val[w++] = '\'';
        val[w++] = *p;
    }
    val[w] = '\0';
    if (flt) snprintf(buf, size, "(%s) AND \"%s\" = '%s'", flt, e->type_field, val);
    else snprintf(buf, size, "\"%s\" = '%s'", e->type_field, val);
    return buf;
}

static int cmp_cstr(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Group g's eligibility for the services [j0, j1) of source e: each kind there with a condition
 * is read again with that condition added, and the services whose ids come back are eligible. */
static sim_status mark_eligible(scn_city *c, size_t g, const scn_service *e, size_t j0, size_t j1,
                                sim_error *err) {
    const scn_group *gr = &c->cfg->groups[g];
    for (size_t k = 0; k < c->n_kinds; ++k) {
        const char *cond = scn_group_eligible(gr, c->kinds[k]);
        int any = 0;
        for (size_t j = j0; j < j1 && !any; ++j) any = c->svc_kind[j] == k;
        if (!any) continue;
        uint8_t *el = c->eligible[g];
        if (!cond) {
            for (size_t j = j0; j < j1; ++j)
                if (c->svc_kind[j] == k) el[j] = 1;
            continue;
        }
        char kf[1024], flt[3200], what[400];
        const char *base = service_filter(e, e->type_field ? c->kinds[k] : NULL, kf, sizeof kf);
        if (base) snprintf(flt, sizeof flt, "(%s) AND (%s)", base, cond);
        else snprintf(flt, sizeof flt, "%s", cond);
        snprintf(what, sizeof what, "group '%s' eligibility for service '%s' (\"%s\", %s:%d)",
                 gr->name, c->kinds[k], cond, c->cfg->path, gr->eligible_mark.line);
        geo_features_source src = {.what = what, .path = e->layer.source, .layer = e->layer.layer,
                                   .id = e->layer.id, .lon = e->layer.lon, .lat = e->layer.lat,
                                   .filter = flt, .allow_empty = 1};
        geo_features *f = NULL;
        sim_warnings quiet = {0}; /* the same rows warned about once already */
        sim_status rc = geo_features_load(&src, c->crs, &f, &quiet, err);
        sim_warnings_clear(&quiet);
        if (rc) return rc;
        qsort(f->id, f->n, sizeof *f->id, cmp_cstr);
        for (size_t j = j0; j < j1; ++j)
            if (c->svc_kind[j] == k)
                el[j] = bsearch(&c->svc_id[j], f->id, f->n, sizeof *f->id, cmp_cstr) != NULL;
        geo_features_destroy(f);
    }
    return SIM_OK;
}

/* Every group's eligibility (after all services are loaded); kinds named in `eligible` must
 * exist. ranges[2s], ranges[2s+1]: the services of source s. */
static sim_status load_eligibility(scn_city *c, const size_t *ranges, sim_warnings *warn,
                                   sim_error *err) {
    const scn_config *cfg = c->cfg;
    size_t ng = cfg->n_groups;
    for (size_t g = 0; g < ng; ++g) {
        const scn_group *gr = &cfg->groups[g];
        for (size_t i = 0; i < gr->n_eligible; ++i) {
            size_t k = 0;
            while (k < c->n_kinds && strcmp(c->kinds[k], gr->eligible_kind[i])) ++k;
            if (k < c->n_kinds) continue;
            char kinds[512] = "";
            for (size_t q = 0; q < c->n_kinds; ++q) {
                size_t len = strlen(kinds);
                snprintf(kinds + len, sizeof kinds - len, "%s%s", q ? ", " : "", c->kinds[q]);
            }
            return sim_error_set(err, SIM_EPARSE,
                                 "%s:%d:%d: group '%s' sets eligibility for service kind '%s', "
                                 "which no service has (kinds: %s)",
                                 cfg->path, gr->eligible_kind_mark[i].line,
                                 gr->eligible_kind_mark[i].col, gr->name, gr->eligible_kind[i],
                                 kinds);
        }
        if (!gr->eligible_all && !gr->n_eligible) continue;
        if (!c->eligible && !(c->eligible = calloc(ng, sizeof *c->eligible)))
            return sim_error_set(err, SIM_ENOMEM, "eligibility");
        if (!(c->eligible[g] = calloc(c->n_svc ? c->n_svc : 1, 1)))
            return sim_error_set(err, SIM_ENOMEM, "eligibility");
        for (size_t s = 0; s < cfg->n_services; ++s) {
            sim_status rc = mark_eligible(c, g, &cfg->services[s], ranges[2 * s],
                                          ranges[2 * s + 1], err);
            if (rc) return rc;
        }
        size_t n_ok = 0;
        for (size_t j = 0; j < c->n_svc; ++j) n_ok += c->eligible[g][j];
        if (n_ok == 0)
            sim_warnings_add(warn, "group may use no service at all (its eligibility conditions "
                                   "match none): it reaches nothing", "%s", gr->name);
    }
    return SIM_OK;
}

static sim_status load_services(scn_city *c, sim_warnings *warn, sim_error *err) {
    const scn_config *cfg = c->cfg;
    size_t *ranges = calloc(2 * (cfg->n_services ? cfg->n_services : 1), sizeof *ranges);
    if (!ranges) return sim_error_set(err, SIM_ENOMEM, "services");
    for (size_t s = 0; s < cfg->n_services; ++s) {
        const scn_service *e = &cfg->services[s];
        char what[160], filter[1024];
        const char *flt = service_filter(e, e->kind, filter, sizeof filter);
        if (e->kind) snprintf(what, sizeof what, "service '%s'", e->kind);
        else snprintf(what, sizeof what, "services");
        const char *fields[1] = {e->capacity};
        geo_features_source src = {
            .what = what, .path = e->layer.source, .layer = e->layer.layer, .id = e->layer.id,
            .lon = e->layer.lon, .lat = e->layer.lat, .filter = flt, .fields = fields,
            .n_fields = e->capacity ? 1 : 0, .type_field = e->type_field};
        geo_features *f = NULL;
        ranges[2 * s] = c->n_svc;
        sim_status rc = geo_features_load(&src, c->crs, &f, warn, err);
        if (!rc) rc = append_services(c, f, e->kind, e->layer.source, e->capacity != NULL, warn, err);
        geo_features_destroy(f);
        ranges[2 * s + 1] = c->n_svc;
        if (rc && keep_going(c, rc, err)) continue;
        if (rc) {
            free(ranges);
            return rc;
        }
        scn__add_input(c, e->layer.source, "services");
    }
    sim_status rc = SIM_OK;
    if (c->n_kinds == 0 && c->n_problems == 0)
        rc = sim_error_set(err, SIM_EPARSE, "%s: no service found", cfg->path);
    else if (c->n_problems == 0)
        rc = load_eligibility(c, ranges, warn, err);
    if (rc && keep_going(c, rc, err)) rc = SIM_OK;
    free(ranges);
    return rc;
}

/*
 * population.allocate: origins from population.source (with the optional weight field), the
 * groups' counts from the areas of allocate.source. Each area's count of each group is shared
 * out to the origins whose point lies in the area, in proportion to their weights (equal shares
 * when there is no weight field or the weights of the area add up to 0). equity.rank_by is an
 * attribute of the areas and is copied to their origins. docs/SCENARIO.md.
 */
static sim_status load_allocated_population(scn_city *c, sim_warnings *warn, sim_error *err) {
    const scn_config *cfg = c->cfg;
    size_t ng = cfg->n_groups;
    geo_features *areas = NULL;
    uint32_t *area_of = NULL;
    double *wsum = NULL, *w = NULL;
    sim_status rc = SIM_OK;
    const char *wf[1] = {cfg->allocate.weight};
    geo_features_source ps = {.what = "population", .path = cfg->population.source,
                              .layer = cfg->population.layer, .id = cfg->population.id,
                              .lon = cfg->population.lon, .lat = cfg->population.lat,
                              .filter = cfg->population.filter, .fields = wf,
                              .n_fields = cfg->allocate.weight ? 1 : 0, .keep_geometry = 1};
    if ((rc = geo_features_load(&ps, c->crs, &c->pop, warn, err))) return rc;
    scn__add_input(c, cfg->population.source, "population");
    const char **gf = malloc((ng + 1) * sizeof *gf);
    if (!gf) return sim_error_set(err, SIM_ENOMEM, "population");
    for (size_t g = 0; g < ng; ++g) gf[g] = cfg->groups[g].field;
    if (cfg->equity.rank_by) gf[ng] = cfg->equity.rank_by;
    const scn_layer *al = &cfg->allocate.layer;
    geo_features_source as = {.what = "population areas (population.allocate)",
                              .path = al->source, .layer = al->layer, .id = al->id,
                              .filter = al->filter, .fields = gf,
                              .n_fields = ng + (cfg->equity.rank_by ? 1 : 0),
                              .keep_geometry = 1};
    rc = geo_features_load(&as, c->crs, &areas, warn, err);
    free(gf);
    if (rc) return rc;
    scn__add_input(c, al->source, "population areas");
    size_t no = c->pop->n, na = areas->n, nf = areas->n_fields;
    if (!areas->polygons) {
        rc = sim_error_set(err, SIM_EPARSE, "%s: population.allocate needs polygons (areas), "
                           "but the layer holds points or lines", al->source);
        goto done;
    }
    area_of = malloc((no ? no : 1) * sizeof *area_of);
    wsum = calloc(na ? na : 1, sizeof *wsum);
    w = malloc((no ? no : 1) * sizeof *w);
    c->pop_cols = calloc((ng ? ng : 1) * (no ? no : 1), sizeof *c->pop_cols);
    if (cfg->equity.rank_by) c->rank_by = malloc((no ? no : 1) * sizeof *c->rank_by);
    if (!area_of || !wsum || !w || !c->pop_cols || (cfg->equity.rank_by && !c->rank_by)) {
        rc = sim_error_set(err, SIM_ENOMEM, "population");
        goto done;
    }
    if ((rc = geo_features_locate(areas, c->pop->lon, c->pop->lat, no, area_of, err))) goto done;
    size_t *count = calloc(na ? na : 1, sizeof *count);
    if (!count) {
        rc = sim_error_set(err, SIM_ENOMEM, "population");
        goto done;
    }
    for (size_t i = 0; i < no; ++i) {
        w[i] = cfg->allocate.weight ? c->pop->values[i] : 1.0;
        if (area_of[i] == SIM_INVALID_ID) {
            sim_warnings_add(warn, "origin outside every area of population.allocate: it gets "
                                   "no population", "%s", c->pop->id[i]);
            continue;
        }
        wsum[area_of[i]] += w[i];
        ++count[area_of[i]];
    }
    for (size_t a = 0; a < na; ++a) {
        if (count[a]) continue;
        double people = 0;
        for (size_t g = 0; g < ng; ++g) people = fmax(people, areas->values[a * nf + g]);
        if (people > 0)
            sim_warnings_add(warn, "area of population.allocate with no origin inside: its "
                                   "people are not counted", "%s (%.0f)", areas->id[a], people);
    }
    for (size_t i = 0; i < no; ++i) {
        uint32_t a = area_of[i];
        if (c->rank_by) c->rank_by[i] = a == SIM_INVALID_ID ? 0.0 : areas->values[a * nf + ng]; /* no people */
        if (a == SIM_INVALID_ID) continue;
        double share = wsum[a] > 0 ? w[i] / wsum[a] : 1.0 / (double)count[a];
        for (size_t g = 0; g < ng; ++g) c->pop_cols[g * no + i] = areas->values[a * nf + g] * share;
    }
    free(count);
done:
    geo_features_destroy(areas);
    free(area_of);
    free(wsum);
    free(w);
    return rc;
}

static sim_status city_load(const scn_config *cfg, const scn_run_opts *opts, int with_network,
                            scn_city **out, sim_warnings *warn, sim_error *err,
                            sim_error *problems, size_t max_problems, size_t *n_problems) {
    sim_status rc = SIM_OK;
    double t0 = scn__now_s();
    geo_snap *snaps[GEO_MODE_COUNT] = {0};
    double *px = NULL, *py = NULL, *plon = NULL, *plat = NULL;
    uint8_t *kind = NULL;
    uint32_t *ref = NULL, *node = NULL;
    *out = NULL;
    scn_city *c = calloc(1, sizeof *c);
    if (!c) return sim_error_set(err, SIM_ENOMEM, "city");
    c->cfg = cfg;
    c->problems = problems;
    c->max_problems = max_problems;
    if (with_network)
        for (int m = 0; m < SCN_MODE_COUNT && m < GEO_MODE_COUNT; ++m)
            if (cfg->network.modes[m]) c->modes[c->n_modes++] = (geo_mode)m;

    if (!with_network) {
        /* Measures from an external matrix: no street network, no snapping. Coordinates only
         * place the features, in the file's CRS or else Web Mercator (metres everywhere). */
        if ((rc = geo_crs_create(cfg->crs ? cfg->crs : "EPSG:3857", &c->crs, err))) goto done;
        goto population;
    }
    progress(opts, "reading the street network", 0, 0);
    geo_table_source ts = {cfg->network.nodes, cfg->network.edges, cfg->network.nodes_layer,
                           cfg->network.edges_layer, cfg->network.node_id, cfg->network.lon,
                           cfg->network.lat, cfg->network.from, cfg->network.to,
                           cfg->network.length, cfg->network.time};
    geo_network_source ns = {cfg->network.source, cfg->network.layer, cfg->crs,
                             cfg->network.join_tolerance_m, cfg->network.nodes ? &ts : NULL,
                             &cfg->profile};
    if ((rc = geo_network_load(&ns, &c->net, &c->crs, warn, err))) goto done;
    if (cfg->network.nodes) {
        scn__add_input(c, cfg->network.nodes, "network nodes");
        scn__add_input(c, cfg->network.edges, "network edges");
    } else {
        scn__add_input(c, cfg->network.source, "network");
    }

population:
    progress(opts, "reading population", 0, 0);
    if (cfg->allocate.set) {
        if ((rc = load_allocated_population(c, warn, err))) {
            if (keep_going(c, rc, err)) {
                rc = SIM_OK;
                if (!(rc = load_services(c, warn, err))) rc = SIM_EPARSE;
            }
            goto done;
        }
    } else {
        const char **gf = malloc((cfg->n_groups + 1) * sizeof *gf);
        if (!gf) {
            rc = sim_error_set(err, SIM_ENOMEM, "population");
            goto done;
        }
        for (size_t g = 0; g < cfg->n_groups; ++g) gf[g] = cfg->groups[g].field;
        /* the equity ranking field is read (strictly numeric) with the groups */
        if (cfg->equity.rank_by) gf[cfg->n_groups] = cfg->equity.rank_by;
        geo_features_source ps = {.what = "population", .path = cfg->population.source,
                                  .layer = cfg->population.layer, .id = cfg->population.id,
                                  .lon = cfg->population.lon, .lat = cfg->population.lat,
                                  .filter = cfg->population.filter, .fields = gf,
                                  .n_fields = cfg->n_groups + (cfg->equity.rank_by ? 1 : 0),
                                  .keep_geometry = 1};
        rc = geo_features_load(&ps, c->crs, &c->pop, warn, err);
        free(gf);
        if (rc && keep_going(c, rc, err)) {
            /* go on to check the services; nothing after them can run without population */
            rc = SIM_OK;
            if (!(rc = load_services(c, warn, err))) rc = SIM_EPARSE;
            goto done;
        }
        if (rc) goto done;
        scn__add_input(c, cfg->population.source, "population");
        size_t no = c->pop->n, ng = cfg->n_groups, nf = c->pop->n_fields;
        c->pop_cols = malloc((ng ? ng : 1) * (no ? no : 1) * sizeof *c->pop_cols);
        if (!c->pop_cols) {
            rc = sim_error_set(err, SIM_ENOMEM, "population");
            goto done;
        }
        for (size_t g = 0; g < ng; ++g)
            for (size_t i = 0; i < no; ++i)
                c->pop_cols[g * no + i] = c->pop->values[i * nf + g];
        if (cfg->equity.rank_by) {
            if (!(c->rank_by = malloc((no ? no : 1) * sizeof *c->rank_by))) {
                rc = sim_error_set(err, SIM_ENOMEM, "population");
                goto done;
            }
            for (size_t i = 0; i < no; ++i) c->rank_by[i] = c->pop->values[i * nf + ng];
        }
    }
    size_t no = c->pop->n;

    progress(opts, "reading services", 0, 0);
    if ((rc = load_services(c, warn, err))) goto done;
    if (c->n_problems) {
        rc = SIM_EPARSE;
        goto done;
    }
    if (!with_network) goto loaded;

    uint32_t n_stops = 0;
    if (cfg->transit.set) {
        progress(opts, "reading transit feeds", 0, 0);
        if ((rc = scn_transit_load(cfg, c->crs, warn, &c->transit, err))) goto done;
        for (size_t f = 0; f < cfg->transit.n_feeds; ++f)
            scn__add_input(c, cfg->transit.feeds[f], "transit feed");
        n_stops = scn_transit_stop_count(c->transit);
        size_t np = cfg->transit.n_percentiles;
        if (!(c->transit_mode = calloc(np, sizeof *c->transit_mode))) {
            rc = sim_error_set(err, SIM_ENOMEM, "transit");
            goto done;
        }
        for (size_t j = 0; j < np; ++j) {
            char name[32];
            snprintf(name, sizeof name, "transit_p%u", (unsigned)cfg->transit.percentiles[j]);
            if (!(c->transit_mode[j] = strdup(name))) {
                rc = sim_error_set(err, SIM_ENOMEM, "transit");
                goto done;
            }
        }
    }

    /* Snap origins, services (and transit stops, for walking only) for every mode onto the
     * network as it was loaded, then attach them all at once (attaching renumbers split
     * segments). Transit needs the walking network even when walk is not one of the modes. */
    progress(opts, "snapping to the network", 0, 0);
    geo_mode snap_modes[GEO_MODE_COUNT];
    size_t n_snap_modes = 0;
    for (size_t mi = 0; mi < c->n_modes; ++mi) snap_modes[n_snap_modes++] = c->modes[mi];
    if (c->transit && !cfg->network.modes[SCN_MODE_WALK]) snap_modes[n_snap_modes++] = GEO_MODE_WALK;
    c->walk_snapped = cfg->network.modes[SCN_MODE_WALK] || c->transit;
    size_t n_pts = no + c->n_svc, n = n_pts + n_stops;
    px = malloc(n * sizeof *px);
    py = malloc(n * sizeof *py);
    plon = malloc(n * sizeof *plon);
    plat = malloc(n * sizeof *plat);
    kind = malloc(n * sizeof *kind);
    ref = malloc(n * sizeof *ref);
    node = malloc(n * sizeof *node);
    if (!px || !py || !plon || !plat || !kind || !ref || !node) {
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
    if (n_stops) {
        const double *sx, *sy, *slon, *slat;
        scn_transit_stop_coords(c->transit, &sx, &sy, &slon, &slat);
        memcpy(px + n_pts, sx, n_stops * sizeof *px);
        memcpy(py + n_pts, sy, n_stops * sizeof *py);
        memcpy(plon + n_pts, slon, n_stops * sizeof *plon);
        memcpy(plat + n_pts, slat, n_stops * sizeof *plat);
        for (uint32_t s = 0; s < n_stops; ++s) {
            kind[n_pts + s] = GEO_NODE_STOP;
            ref[n_pts + s] = s;
        }
    }
    for (size_t mi = 0; mi < n_snap_modes; ++mi) {
        geo_mode m = snap_modes[mi];
        const char *mname = m == GEO_MODE_WALK && !cfg->network.modes[SCN_MODE_WALK]
                                ? "walking (to and from transit)"
                                : scn_mode_name((scn_mode)m);
        geo_snapper *snapper = NULL;
        snaps[m] = malloc(n * sizeof *snaps[m]);
        c->origin_snap_m[m] = malloc((no ? no : 1) * sizeof *c->origin_snap_m[m]);
        if (!snaps[m] || !c->origin_snap_m[m]) {
            rc = sim_error_set(err, SIM_ENOMEM, "snapping");
            goto done;
        }
        if ((rc = geo_snapper_create(c->net, m, &snapper, err))) goto done;
        size_t iseg = 0, nisl = geo_snapper_island_count(snapper, &iseg);
        c->islands[m] = nisl;
        if (nisl) {
            char what[160];
            snprintf(what, sizeof what,
                     "street islands for %s (under 40 nodes, cut off from the main network; "
                     "%zu segments in all) left out of snapping",
                     mname, iseg);
            sim_warnings_add_n(warn, nisl, what, NULL);
        }
        /* stops attach for walking only */
        size_t n_snap = m == GEO_MODE_WALK ? n : n_pts;
        rc = geo_snapper_snap(snapper, px, py, n_snap, cfg->network.snap_distance_m, snaps[m], err);
        geo_snapper_destroy(snapper);
        if (rc) goto done;
        for (size_t i = n_snap; i < n; ++i) snaps[m][i] = (geo_snap){SIM_INVALID_ID, 0, NAN};
        for (size_t j = 0; j < c->n_svc; ++j) {
            const geo_snap *sn = &snaps[m][no + j];
            if (sn->seg != SIM_INVALID_ID) continue;
            rc = sim_error_set(err, SIM_EPARSE,
                               "%s: service '%s' %s at (%.6f, %.6f) lies %.0f m from the nearest "
                               "street usable by %s, beyond network.snap_distance_m (%g m)",
                               c->svc_path[j], c->kinds[c->svc_kind[j]], c->svc_id[j],
                               c->svc_lon[j], c->svc_lat[j], sn->dist_m, mname,
                               cfg->network.snap_distance_m);
            if (keep_going(c, rc, err)) continue;
            goto done;
        }
        for (size_t i = 0; i < no; ++i) {
            const geo_snap *sn = &snaps[m][i];
            c->origin_snap_m[m][i] = sn->seg == SIM_INVALID_ID ? NAN : sn->dist_m;
            if (sn->seg != SIM_INVALID_ID) continue;
            ++c->origins_unsnapped[m];
            char what[160];
            snprintf(what, sizeof what,
                     "origin beyond network.snap_distance_m of any street usable by %s; "
                     "reported unreachable by %s",
                     mname, mname);
            sim_warnings_add(warn, what, "%s (%.0f m)", c->pop->id[i], sn->dist_m);
        }
    }
    if (c->n_problems) {
        rc = SIM_EPARSE;
        goto done;
    }
    if ((rc = geo_network_attach(c->net, c->crs, px, py, plon, plat, n, kind, ref,
                                 (const geo_snap *const *)snaps, cfg->profile.walk_kmh, node,
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
    if (n_stops) {
        if (!(c->stop_node = malloc(n_stops * sizeof *c->stop_node))) {
            rc = sim_error_set(err, SIM_ENOMEM, "snapping");
            goto done;
        }
        memcpy(c->stop_node, node + n_pts, n_stops * sizeof *node);
    }

    for (size_t mi = 0; mi < n_snap_modes; ++mi) {
        geo_mode m = snap_modes[mi];
        progress(opts, "building routing graphs", mi, n_snap_modes);
        if ((rc = geo_mode_graph_build(c->net, m, &c->mg[m], err))) goto done;
    }
    if (c->transit) {
        progress(opts, "linking transit stops to the streets", 0, 0);
        if ((rc = scn_transit_link(c->transit, c->mg[GEO_MODE_WALK],
                                   c->stop_node, warn, err)))
            goto done;
    }
    /* groups walking at their own speed: the walk graph again, every time scaled */
    for (size_t g = 0; g < cfg->n_groups; ++g) {
        const scn_group *gr = &cfg->groups[g];
        if (!(gr->walk_speed_kmh > 0) || !gr->modes[SCN_MODE_WALK] || !c->mg[GEO_MODE_WALK])
            continue;
        if (!c->group_walk && !(c->group_walk = calloc(cfg->n_groups, sizeof *c->group_walk))) {
            rc = sim_error_set(err, SIM_ENOMEM, "routing graph");
            goto done;
        }
        if ((rc = geo_mode_graph_build_scaled(c->net, GEO_MODE_WALK,
                                              cfg->profile.walk_kmh / gr->walk_speed_kmh,
                                              &c->group_walk[g], err)))
            goto done;
    }
loaded:
    c->load_s = scn__now_s() - t0;
    c->problems = NULL;
    *out = c;
    c = NULL;
done:
    if (c && n_problems) *n_problems = c->n_problems;
    for (int m = 0; m < GEO_MODE_COUNT; ++m) free(snaps[m]);
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
    return city_load(cfg, opts, 1, out, warn, err, NULL, 0, NULL);
}

sim_status scn_city_load_without_network(const scn_config *cfg, const scn_run_opts *opts,
                                         scn_city **out, sim_warnings *warn, sim_error *err) {
    return city_load(cfg, opts, 0, out, warn, err, NULL, 0, NULL);
}

sim_status scn_city_check(const scn_config *cfg, const scn_run_opts *opts, scn_city **out,
                          sim_warnings *warn, sim_error *problems, size_t max_problems,
                          size_t *n_problems) {
    sim_error err = {0};
    *n_problems = 0;
    sim_status rc = city_load(cfg, opts, 1, out, warn, &err, problems, max_problems, n_problems);
    if (rc && *n_problems == 0 && max_problems > 0) { /* a problem that stops everything */
        problems[0] = err;
        *n_problems = 1;
    }
    return rc;
}

void scn_city_describe(const scn_city *c, char *buf, size_t size) {
    size_t w = 0;
#define ADD(...)                                                                                   \
    do {                                                                                           \
        if (w < size) {                                                                            \
            int k_ = snprintf(buf + w, size - w, __VA_ARGS__);                                     \
            if (k_ > 0) w += (size_t)k_;                                                           \
        }                                                                                          \
    } while (0)
    ADD("working CRS %s; network: %zu of %zu line features usable (%zu walkable), %u nodes, %u "
        "segments; %zu origins; %zu services of %zu kinds:",
        geo_crs_name(c->crs), c->net->stats.lines_usable, c->net->stats.lines_read,
        c->net->stats.lines_walkable, c->net->n_nodes, c->net->n_segs, c->pop->n, c->n_svc,
        c->n_kinds);
    for (size_t k = 0; k < c->n_kinds; ++k) {
        size_t cnt = 0;
        for (size_t j = 0; j < c->n_svc; ++j) cnt += c->svc_kind[j] == k;
        ADD(" %s %zu", c->kinds[k], cnt);
    }
    for (size_t mi = 0; mi < c->n_modes; ++mi) {
        geo_mode m = c->modes[mi];
        ADD("\n%s: %u nodes, %u edges, %zu origins beyond the snapping distance", mode_name(m),
            c->mg[m]->n_nodes, sim_graph_arc_count(c->mg[m]->fwd), c->origins_unsnapped[m]);
    }
    if (c->transit) {
        char line[512];
        scn_transit_describe(c->transit, line, sizeof line);
        ADD("\n%s", line);
    }
#undef ADD
}

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

void scn__summary_row(FILE *fp, const char *kind, const char *mode, const char *group,
                      const char *measure, double v, int decimals) {
    /* the baseline is the scenario itself: baseline = value, delta = 0; an undefined or
     * unbounded value leaves all three empty */
    if (!isfinite(v)) v = NAN;
    fputs("baseline,", fp);
    scn__csv_str(fp, kind);
    fputc(',', fp);
    scn__csv_str(fp, mode);
    fputc(',', fp);
    scn__csv_str(fp, group);
    fprintf(fp, ",%s,", measure);
    scn__csv_num(fp, v, decimals);
    fputc(',', fp);
    scn__csv_num(fp, v, decimals);
    fputc(',', fp);
    if (!isnan(v)) scn__csv_num(fp, 0.0, decimals);
    fputc('\n', fp);
}

/* Minutes rounded to 0.01, half up, in integer arithmetic (deciseconds / 6 = hundredths of a
 * minute), so that every output that prints a time agrees to the last digit. */
static double ds_to_min(uint32_t t) {
    return t == SIM_UNREACHABLE ? NAN : (double)(((uint64_t)t + 3) / 6) / 100.0;
}

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
                                      pct < 0 ? mode_name(gm) : c->transit_mode[pct], k, -1,
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

static void routes_free(routes *r) {
    for (size_t l = 0; l < r->n_layers; ++l) {
        if (r->time) free(r->time[l]);
        if (r->nearest) free(r->nearest[l]);
        if (r->sources) free(r->sources[l]);
        if (r->otime) free(r->otime[l]);
        if (r->osvc) free(r->osvc[l]);
    }
    for (size_t j = 0; r->pct_ttm && j < r->n_pct; ++j) sim_ttm_release(&r->pct_ttm[j]);
    free(r->pct_ttm);
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
    progress(p->opts, "routing by transit (origins)", done, total);
}

/* Transit layers: percentiles from every origin to every service, then per layer the nearest
 * of its sources (ties: the lowest service index, as the street layers' multi-source search). */
static sim_status route_transit(const scn_city *c, routes *r, const scn_run_opts *opts,
                                sim_error *err) {
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

static sim_status route_all(const scn_city *c, routes *r, const scn_run_opts *opts,
                            sim_error *err) {
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
    if (!rc && c->transit) rc = route_transit(c, r, opts, err);
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
                                   const geo_grid *g, const float *vals, sim_error *err) {
    const scn__layer *d = &r->def[l];
    char path[4200], desc[512], tag[200], how[128];
    const char *kind = c->kinds[d->kind];
    scn__layer_tag(c, r, l, tag, sizeof tag);
    if (snprintf(path, sizeof path, "%s/%s_%s_minutes.tif", dir, kind, tag) >= (int)sizeof path)
        return sim_error_set(err, SIM_EINVAL, "%s: path too long", dir);
    if (d->pct >= 0)
        snprintf(how, sizeof how, "walk + transit, percentile %u of the departure window",
                 (unsigned)c->cfg->transit.percentiles[d->pct]);
    else
        snprintf(how, sizeof how, "%s", d->mode);
    if (d->group < 0)
        snprintf(desc, sizeof desc, "%s_%s_minutes: travel time by %s to the nearest %s (minutes)",
                 kind, tag, how, kind);
    else
        snprintf(desc, sizeof desc, "%s_%s_minutes: travel time by %s to the nearest %s for group "
                 "%s (its walking speed and eligible services; minutes)",
                 kind, tag, how, kind, c->cfg->groups[d->group].name);
    return geo_write_float_tiff(path, g, vals, RASTER_NODATA, c->crs, desc, "min", err);
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
    const geo_network *net = c->net;
    for (size_t mi = 0; mi < c->n_modes; ++mi) {
        geo_mode m = c->modes[mi];
        progress(opts, "snapping raster cells", mi, c->n_modes);
        geo_snapper_destroy(sn);
        sn = NULL;
        if ((rc = geo_snapper_create(net, m, &sn, err))) goto done;
        if ((rc = geo_snapper_snap(sn, cx, cy, nc, c->cfg->network.snap_distance_m, snaps, err)))
            goto done;
        for (size_t l = 0; l < r->n_layers; ++l) {
            const scn__layer *d = &r->def[l];
            if (d->mi != mi) continue;
            progress(opts, "writing rasters", l, r->n_layers);
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
            if ((rc = write_layer_tiff(c, r, l, dir, &g, vals, err))) goto done;
        }
    }
    if (c->transit) {
        /* transit layers: each origin's value over its area (see cell_owners) */
        uint32_t *owner = malloc(nc * sizeof *owner);
        progress(opts, "placing origins on the raster grid", 0, 0);
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
            rc = write_layer_tiff(c, r, l, dir, &g, vals, err);
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
        const char *name = col_name(t, tr ? "transit" : mode_name(c->modes[mi]), NULL, "snap_m");
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
            v[i] = ds_to_min(tm[i]);
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

static sim_status write_summary(const scn_city *c, const routes *r, const scn__measures *mv,
                                const char *dir, scn_headline **heads, size_t *n_heads,
                                sim_error *err) {
    char path[4200];
    size_t no = c->pop->n, ng = c->cfg->n_groups, nl = r->n_layers;
    uint32_t *t = malloc((no ? no : 1) * sizeof *t), *svc = malloc((no ? no : 1) * sizeof *svc);
    size_t n_h = nl * ng, used = 0;
    scn_headline *h = calloc(n_h ? n_h : 1, sizeof *h);
    FILE *fp = NULL;
    sim_status rc = SIM_OK;
    if (!t || !svc || !h) {
        rc = sim_error_set(err, SIM_ENOMEM, "summary");
        goto done;
    }
    if (!(fp = scn__open_out(dir, "summary.csv", path, sizeof path, err))) {
        rc = err ? err->code : SIM_EIO;
        goto done;
    }
    fputs("scenario,service,mode,group,measure,value,baseline,delta\n", fp);
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
    rc = scn__close_file(fp, path, err);
    fp = NULL;
    if (!rc) {
        *heads = h;
        *n_heads = used;
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
                                 const scn_run_opts *opts, double route_s, double write_s,
                                 double total_s, sim_error *err) {
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
                mi ? ", " : "", mode_name(m), c->mg[m]->n_nodes,
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
    fprintf(fp, "],\n  \"threads\": %d,\n", opts && opts->threads > 0 ? opts->threads : omp_get_max_threads());
    fprintf(fp, "  \"timings\": {\"load_s\": %.3f, \"route_s\": %.3f, ", c->load_s, route_s);
    if (c->transit)
        fprintf(fp, "\"transit_links_s\": %.3f, \"transit_query_s\": %.3f, ",
                r->transit_stats.links_s, r->transit_stats.query_s);
    fprintf(fp, "\"write_s\": %.3f, \"total_s\": %.3f}\n}\n", write_s, total_s);
    return scn__close_file(fp, path, err);
fail:
    fclose(fp);
    return rc;
}

sim_status scn_city_run(scn_city *c, const char *dir, const scn_run_opts *opts,
                        const sim_warnings *warn, scn_headline **headlines, size_t *n_headlines,
                        sim_error *err) {
    sim_status rc = SIM_OK;
    routes r = {0};
    scn__measures mv = {0};
    geo_grid grid = {0};
    char sub[4200];
    *headlines = NULL;
    *n_headlines = 0;
    double t0 = scn__now_s();
    progress(opts, "routing", 0, c->n_kinds);
    if ((rc = route_all(c, &r, opts, err))) goto done;
    progress(opts, "computing measures", 0, 0);
    if ((rc = scn__measures_compute(c, &r, &mv, err))) goto done;
    double t1 = scn__now_s();
    if (snprintf(sub, sizeof sub, "%s/baseline", dir) >= (int)sizeof sub) {
        rc = sim_error_set(err, SIM_EINVAL, "%s: path too long", dir);
        goto done;
    }
    if (scn_mkdirs(sub) != 0) {
        rc = sim_error_set(err, SIM_EIO, "%s: cannot create: %s", sub, strerror(errno));
        goto done;
    }
    progress(opts, "writing origins", 0, 0);
    if ((rc = write_origins(c, &r, &mv, sub, err))) goto done;
    if ((rc = write_rasters(c, &r, sub, opts, &grid, err))) goto done;
    if ((rc = write_summary(c, &r, &mv, dir, headlines, n_headlines, err))) goto done;
    double t2 = scn__now_s();
    rc = write_manifest(c, &r, dir, &grid, warn, opts, t1 - t0, t2 - t1, c->load_s + (t2 - t0),
                        err);
done:
    if (rc) {
        free(*headlines);
        *headlines = NULL;
        *n_headlines = 0;
    }
    scn__measures_free(&mv);
    routes_free(&r);
    return rc;
}

/* ---- graph export ------------------------------------------------------------------------ */

sim_status scn_city_export_graph(const scn_city *c, geo_mode mode, const char *group,
                                 const char *dir, sim_error *err) {
    char path[4200];
    sim_status rc = SIM_OK;
    const geo_network *net = c->net;
    const geo_mode_graph *g = c->mg[mode];
    if (!g)
        return sim_error_set(err, SIM_EINVAL, "%s: mode '%s' is not among network.modes",
                             c->cfg->path, mode_name(mode));
    if (group) {
        size_t gi = 0, ng = c->cfg->n_groups;
        while (gi < ng && strcmp(c->cfg->groups[gi].name, group)) ++gi;
        if (gi == ng)
            return sim_error_set(err, SIM_EINVAL, "%s: no group '%s' in population.groups",
                                 c->cfg->path, group);
        if (!c->cfg->groups[gi].modes[mode])
            return sim_error_set(err, SIM_EINVAL, "%s: group '%s' does not use mode '%s'",
                                 c->cfg->path, group, mode_name(mode));
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
        else scn__csv_num(m->fp, ds_to_min(rows[i].time_ds), 2);
        fputc('\n', m->fp);
    }
    return ferror(m->fp) ? SIM_EIO : SIM_OK;
}

sim_status scn_city_matrix(const scn_city *c, geo_mode mode, double cutoff_min, int to_origins,
                           const char *kind, int direction, int seconds, FILE *fp,
                           size_t *n_sources, sim_error *err) {
    const geo_mode_graph *g = c->mg[mode];
    if (!g)
        return sim_error_set(err, SIM_EINVAL, "%s: mode '%s' is not among network.modes",
                             c->cfg->path, mode_name(mode));
    size_t kind_index = SIZE_MAX;
    if (kind && !to_origins) {
        for (size_t k = 0; k < c->n_kinds; ++k)
            if (strcmp(c->kinds[k], kind) == 0) kind_index = k;
        if (kind_index == SIZE_MAX)
            return sim_error_set(err, SIM_EINVAL, "%s: no service kind '%s'", c->cfg->path, kind);
    }
    size_t no = c->pop->n, nd_max = to_origins ? no : c->n_svc;
    uint32_t *src = malloc((no ? no : 1) * sizeof *src), *dst = malloc((nd_max ? nd_max : 1) * sizeof *dst);
    const char **src_id = malloc((no ? no : 1) * sizeof *src_id);
    const char **dst_id = malloc((nd_max ? nd_max : 1) * sizeof *dst_id);
    sim_status rc = SIM_OK;
    if (!src || !dst || !src_id || !dst_id) {
        rc = sim_error_set(err, SIM_ENOMEM, "matrix");
        goto done;
    }
    /* Origins that attached to this mode's network, in input order; likewise destinations. */
    uint32_t ns = 0, nd = 0;
    for (size_t i = 0; i < no; ++i) {
        uint32_t v = c->origin_node[i];
        uint32_t gv = v == SIM_INVALID_ID ? SIM_INVALID_ID : g->graph_of[v];
        if (gv == SIM_INVALID_ID) continue;
        src_id[ns] = c->pop->id[i];
        src[ns++] = gv;
        if (to_origins) {
            dst_id[nd] = c->pop->id[i];
            dst[nd++] = gv;
        }
    }
    if (!to_origins)
        for (size_t j = 0; j < c->n_svc; ++j) {
            if (kind_index != SIZE_MAX && c->svc_kind[j] != kind_index) continue;
            uint32_t gv = g->graph_of[c->svc_node[j]];
            if (gv == SIM_INVALID_ID) continue;
            dst_id[nd] = c->svc_id[j];
            dst[nd++] = gv;
        }
    *n_sources = ns;
    double cut = cutoff_min > 0 ? cutoff_min * 600.0 : (double)(SIM_UNREACHABLE - 1);
    uint32_t cutoff_ds = cut >= (double)(SIM_UNREACHABLE - 1) ? SIM_UNREACHABLE - 1
                                                              : (uint32_t)llround(cut);
    fputs(seconds ? "from_id,to_id,seconds\n" : "from_id,to_id,minutes\n", fp);
    matrix_sink_ctx ctx = {fp, src_id, dst_id, seconds};
    sim_matrix_direction dir = direction > 0   ? SIM_MATRIX_FORWARD
                               : direction < 0 ? SIM_MATRIX_BACKWARD
                                               : SIM_MATRIX_AUTO;
    rc = sim_matrix_run(g->fwd, g->rev, src, ns, dst, nd, cutoff_ds, dir, matrix_sink, &ctx);
    if (rc) rc = sim_error_set(err, rc, "matrix: %s", sim_status_str(rc));
done:
    free(src);
    free(dst);
    free(src_id);
    free(dst_id);
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
            else scn__csv_num(m->fp, ds_to_min(v[j]), 2);
        }
        fputc('\n', m->fp);
    }
    return ferror(m->fp) ? SIM_EIO : SIM_OK;
}

static void transit_matrix_progress(void *ud, size_t done, size_t total) {
    progress(ud, "routing by transit (origins)", done, total);
}

sim_status scn_city_transit_matrix(const scn_city *c, double cutoff_min, int to_origins,
                                   const char *kind, int seconds, FILE *fp,
                                   const scn_run_opts *opts, size_t *n_sources, sim_error *err) {
    if (!c->transit)
        return sim_error_set(err, SIM_EINVAL, "%s: mode 'transit' needs a 'transit:' block",
                             c->cfg->path);
    const geo_mode_graph *g = c->mg[GEO_MODE_WALK];
    size_t kind_index = SIZE_MAX;
    if (kind && !to_origins) {
        for (size_t k = 0; k < c->n_kinds; ++k)
            if (strcmp(c->kinds[k], kind) == 0) kind_index = k;
        if (kind_index == SIZE_MAX)
            return sim_error_set(err, SIM_EINVAL, "%s: no service kind '%s'", c->cfg->path, kind);
    }
    size_t no = c->pop->n, nd_max = to_origins ? no : c->n_svc;
    uint32_t *src = malloc((no ? no : 1) * sizeof *src), *dst = malloc((nd_max ? nd_max : 1) * sizeof *dst);
    const char **src_id = malloc((no ? no : 1) * sizeof *src_id);
    const char **dst_id = malloc((nd_max ? nd_max : 1) * sizeof *dst_id);
    sim_status rc = SIM_OK;
    if (!src || !dst || !src_id || !dst_id) {
        rc = sim_error_set(err, SIM_ENOMEM, "matrix");
        goto done;
    }
    /* origins on the walking network, in input order; likewise destinations */
    uint32_t ns = 0, nd = 0;
    for (size_t i = 0; i < no; ++i) {
        uint32_t v = c->origin_node[i];
        if (v == SIM_INVALID_ID || g->graph_of[v] == SIM_INVALID_ID) continue;
        src_id[ns] = c->pop->id[i];
        src[ns++] = v;
        if (to_origins) {
            dst_id[nd] = c->pop->id[i];
            dst[nd++] = v;
        }
    }
    if (!to_origins)
        for (size_t j = 0; j < c->n_svc; ++j) {
            if (kind_index != SIZE_MAX && c->svc_kind[j] != kind_index) continue;
            if (g->graph_of[c->svc_node[j]] == SIM_INVALID_ID) continue;
            dst_id[nd] = c->svc_id[j];
            dst[nd++] = c->svc_node[j];
        }
    *n_sources = ns;
    size_t np = c->cfg->transit.n_percentiles;
    fputs("from_id,to_id", fp);
    for (size_t j = 0; j < np; ++j)
        fprintf(fp, ",%s_p%u", seconds ? "seconds" : "travel_time",
                (unsigned)c->cfg->transit.percentiles[j]);
    fputc('\n', fp);
    double cut = cutoff_min > 0 ? cutoff_min * 600.0 : (double)(SIM_UNREACHABLE - 1);
    transit_matrix_ctx ctx = {fp, src_id, dst_id, nd, (uint32_t)np,
                              cut >= (double)(SIM_UNREACHABLE - 1) ? SIM_UNREACHABLE - 1
                                                                   : (uint32_t)llround(cut),
                              seconds};
    scn_transit_stats st;
    rc = scn_transit_run(c->transit, g, src, ns, dst, nd, transit_matrix_progress, (void *)opts,
                         transit_matrix_row, &ctx, &st, err);
done:
    free(src);
    free(dst);
    free(src_id);
    free(dst_id);
    return rc;
}
