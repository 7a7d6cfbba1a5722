/*
 * accessim — loading a scenario's city: network, population (or allocated population),
 * services and eligibility, transit feeds, snapping and attaching, routing graphs (runner.h).
 */
#include "scenarios/runner.h"

#include <errno.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "geo/features.h"
#include "geo/modify.h"
#include "geo/network.h"
#include "geo/write.h"
#include "scenarios/outdir.h"
#include "scenarios/runner_internal.h"
#include "sim/access.h"
#include "sim/equity.h"
#include "sim/graph.h"
#include "sim/matrix.h"
#include "sim/route.h"



double scn__now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void scn__progress(const scn_run_opts *o, const char *stage, size_t done, size_t total) {
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
    unsigned b = c->borrowed;
    if (!(b & SCN_BORROW_CRS)) geo_crs_destroy(c->crs);
    if (!(b & SCN_BORROW_NET)) geo_network_destroy(c->net);
    if (!(b & SCN_BORROW_NET0)) geo_network_destroy(c->net0);
    if (!(b & SCN_BORROW_POP)) geo_features_destroy(c->pop);
    free(c->pop_cols);
    free(c->rank_by);
    if (!(b & SCN_BORROW_KINDS)) {
        for (size_t k = 0; k < c->n_kinds; ++k) free(c->kinds[k]);
        free(c->kinds);
    }
    for (size_t i = 0; i < c->n_svc; ++i) free(c->svc_id[i]);
    free(c->svc_id);
    free(c->svc_kind);
    free(c->svc_cap);
    free(c->svc_x);
    free(c->svc_y);
    free(c->svc_lon);
    free(c->svc_lat);
    free(c->svc_path);
    free(c->svc_node);
    if (!(b & SCN_BORROW_NODES)) {
        free(c->origin_node);
        for (int m = 0; m < GEO_MODE_COUNT; ++m) free(c->origin_snap_m[m]);
        free(c->stop_node);
    }
    if (!(b & SCN_BORROW_GRAPHS)) {
        for (int m = 0; m < GEO_MODE_COUNT; ++m) geo_mode_graph_destroy(c->mg[m]);
        for (size_t g = 0; c->group_walk && g < c->cfg->n_groups; ++g)
            geo_mode_graph_destroy(c->group_walk[g]);
        free(c->group_walk);
    }
    for (size_t g = 0; c->eligible && g < c->cfg->n_groups; ++g) free(c->eligible[g]);
    free(c->eligible);
    if (!(b & SCN_BORROW_TRANSIT)) scn_transit_destroy(c->transit);
    if (c->transit_mode && !(b & SCN_BORROW_TRANSIT_MODE))
        for (size_t j = 0; j < c->cfg->transit.n_percentiles; ++j) free(c->transit_mode[j]);
    if (!(b & SCN_BORROW_TRANSIT_MODE)) free(c->transit_mode);
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

const char *scn__mode_name(geo_mode m) { return scn_mode_name((scn_mode)m); }

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

sim_status scn__svc_reserve(scn_city *c, size_t n, sim_error *err) {
#define GROW(field)                                                                                \
    do {                                                                                           \
        void *p_ = realloc(c->field, (n ? n : 1) * sizeof *c->field);                              \
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
    return SIM_OK;
}

/* Appends the features of one loaded service source to the flat service arrays. */
static sim_status append_services(scn_city *c, const geo_features *f, const char *fixed_kind,
                                  const char *path, int has_capacity, sim_warnings *warn,
                                  sim_error *err) {
    sim_status grow = scn__svc_reserve(c, c->n_svc + f->n, err);
    if (grow) return grow;
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

/*
 * Snaps origins, services (and transit stops, for walking only) for every mode onto c->net,
 * attaches them all at once, then (after_attach, e.g. a scenario's speed changes) builds the
 * routing graphs, links transit and builds the groups' own walk graphs. The baseline and every
 * scenario that changes where things attach go through here, so a scenario equals a baseline
 * made from the changed inputs.
 */
sim_status scn__city_assemble(scn_city *c, const scn_run_opts *opts, sim_warnings *warn,
                              scn__after_attach_fn after_attach, void *after_ud, sim_error *err) {
    const scn_config *cfg = c->cfg;
    sim_status rc = SIM_OK;
    geo_snap *snaps[GEO_MODE_COUNT] = {0};
    double *px = NULL, *py = NULL, *plon = NULL, *plat = NULL;
    uint8_t *kind = NULL;
    uint32_t *ref = NULL, *node = NULL;
    size_t no = c->pop->n;
    uint32_t n_stops = c->transit ? scn_transit_stop_count(c->transit) : 0;
    /* Snap origins, services (and transit stops, for walking only) for every mode onto the
     * network as it was loaded, then attach them all at once (attaching renumbers split
     * segments). Transit needs the walking network even when walk is not one of the modes. */
    scn__progress(opts, "snapping to the network", 0, 0);
    geo_mode snap_modes[GEO_MODE_COUNT];
    size_t n_snap_modes = 0;
    for (size_t mi = 0; mi < c->n_modes; ++mi) snap_modes[n_snap_modes++] = c->modes[mi];
    if (c->transit && !cfg->network.modes[SCN_MODE_WALK]) snap_modes[n_snap_modes++] = GEO_MODE_WALK;
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

    if (after_attach && (rc = after_attach(c, after_ud, err))) goto done;
    for (size_t mi = 0; mi < n_snap_modes; ++mi) {
        geo_mode m = snap_modes[mi];
        scn__progress(opts, "building routing graphs", mi, n_snap_modes);
        if ((rc = geo_mode_graph_build(c->net, m, &c->mg[m], err))) goto done;
    }
    if (c->transit) {
        scn__progress(opts, "linking transit stops to the streets", 0, 0);
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
done:
    for (int m = 0; m < GEO_MODE_COUNT; ++m) free(snaps[m]);
    free(px);
    free(py);
    free(plon);
    free(plat);
    free(kind);
    free(ref);
    free(node);
    return rc;
}

static sim_status city_load(const scn_config *cfg, const scn_run_opts *opts, int with_network,
                            scn_city **out, sim_warnings *warn, sim_error *err,
                            sim_error *problems, size_t max_problems, size_t *n_problems) {
    sim_status rc = SIM_OK;
    double t0 = scn__now_s();
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
    scn__progress(opts, "reading the street network", 0, 0);
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
    scn__progress(opts, "reading population", 0, 0);
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

    scn__progress(opts, "reading services", 0, 0);
    if ((rc = load_services(c, warn, err))) goto done;
    if (c->n_problems) {
        rc = SIM_EPARSE;
        goto done;
    }
    if (!with_network) goto loaded;

    if (cfg->transit.set) {
        scn__progress(opts, "reading transit feeds", 0, 0);
        if ((rc = scn_transit_load(cfg, c->crs, warn, &c->transit, err))) goto done;
        for (size_t f = 0; f < cfg->transit.n_feeds; ++f)
            scn__add_input(c, cfg->transit.feeds[f], "transit feed");
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

    if ((rc = geo_network_copy(c->net, &c->net0, err))) goto done;
    if ((rc = scn__city_assemble(c, opts, warn, NULL, NULL, err))) goto done;
loaded:
    c->load_s = scn__now_s() - t0;
    c->problems = NULL;
    *out = c;
    c = NULL;
done:
    if (c && n_problems) *n_problems = c->n_problems;
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
        ADD("\n%s: %u nodes, %u edges, %zu origins beyond the snapping distance", scn__mode_name(m),
            c->mg[m]->n_nodes, sim_graph_arc_count(c->mg[m]->fwd), c->origins_unsnapped[m]);
    }
    if (c->transit) {
        char line[512];
        scn_transit_describe(c->transit, line, sizeof line);
        ADD("\n%s", line);
    }
#undef ADD
}

