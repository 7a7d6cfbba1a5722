/*
 * accessim — a scenario's city: the baseline with a scenario's changes applied, rebuilding only
 * what the changes touch (docs/SCENARIOS.md, "What a change rebuilds").
 *
 *  - services and population: new arrays; the network, graphs and transit are the baseline's;
 *  - speed factors alone: the attached network copied, the graphs copied and re-weighted in
 *    place (same nodes and arcs, new times);
 *  - services added or moved, ways closed, links or stops added: the network as loaded (kept by
 *    the baseline) copied and changed, then snapped, attached and built again exactly as a
 *    baseline made from the changed inputs would be (scn__city_assemble) - never reloaded;
 *  - transit: the loaded feeds cloned and their trips changed; the timetable rebuilt, the street
 *    transfers kept unless stops were added.
 */
#include "scenarios/scenario.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geo/features.h"
#include "geo/modify.h"
#include "geo/network.h"
#include "scenarios/runner_internal.h"
#include "scenarios/transit.h"

/* "FILE:L:C: scenario 'x', change N (kind)" in front of every message about a change. */
typedef struct {
    const scn_city *base;
    const scn_scenario *s;
    size_t ci;
    char where[512];
} ctx;

static void set_where(ctx *x, size_t ci) {
    const scn_change *ch = &x->s->changes[ci];
    x->ci = ci;
    snprintf(x->where, sizeof x->where, "%s:%d:%d: scenario '%s', change %zu (%s)",
             x->base->cfg->path, ch->mark.line, ch->mark.col, x->s->name, ci + 1,
             scn_change_name(ch->kind));
}

static sim_status oom(sim_error *err) {
    return sim_error_set(err, SIM_ENOMEM, "scenario: out of memory");
}

/* ---- services ---------------------------------------------------------------------------- */

/* Grows every service array of `c`, their nodes too, to hold `n`. */
static sim_status svc_reserve(scn_city *c, size_t n, sim_error *err) {
    sim_status rc = scn__svc_reserve(c, n, err);
    if (rc) return rc;
    uint32_t *p = realloc(c->svc_node, (n ? n : 1) * sizeof *p);
    if (!p) return oom(err);
    c->svc_node = p;
    return SIM_OK;
}

static size_t find_kind(const scn_city *c, const char *name) {
    for (size_t k = 0; k < c->n_kinds; ++k)
        if (!strcmp(c->kinds[k], name)) return k;
    return SIZE_MAX;
}

static sim_status unknown_kind(const ctx *x, const char *name, sim_error *err) {
    char list[512] = "";
    for (size_t k = 0; k < x->base->n_kinds; ++k) {
        size_t w = strlen(list);
        snprintf(list + w, sizeof list - w, "%s%s", k ? ", " : "", x->base->kinds[k]);
    }
    return sim_error_set(err, SIM_EPARSE, "%s: there is no service kind '%s' (kinds: %s)",
                         x->where, name, list);
}

/* Where a service of kind k came from in the scenario file (NULL: added by a scenario). */
static const scn_service *kind_source(const scn_config *cfg, const char *kind) {
    for (size_t s = 0; s < cfg->n_services; ++s) {
        const scn_service *e = &cfg->services[s];
        if (e->kind && !strcmp(e->kind, kind)) return e;
        if (!e->kind && e->type_field) return e; /* form B holds every kind */
    }
    return NULL;
}

/* The OGR SQL selecting kind `kind` of source e, AND `extra` (may be NULL), into buf. */
static void kind_filter(const scn_service *e, const char *kind, const char *extra, char *buf,
                        size_t size) {
    size_t w = 0;
    buf[0] = '\0';
    if (e->layer.filter) w += (size_t)snprintf(buf, size, "(%s)", e->layer.filter);
    if (extra && w < size)
        w += (size_t)snprintf(buf + w, size - w, "%s(%s)", w ? " AND " : "", extra);
    if (e->type_field && w < size)
        snprintf(buf + w, size - w, "%s\"%s\" = '%s'", w ? " AND " : "", e->type_field, kind);
}

static sim_status load_area(const ctx *x, const scn_area *a, geo_polygon **out, sim_error *err) {
    if (a->source) return geo_polygon_load(a->source, a->layer, x->base->crs, x->where, out, err);
    return geo_polygon_from_lonlat(a->lon, a->lat, a->n, x->base->crs, x->where, out, err);
}

/* sel[j] = 1 for the services of kind k the change selects (ids, where, within or all). */
static sim_status select_services(const ctx *x, const scn_city *c, const scn_change *ch,
                                  size_t k, uint8_t *sel, sim_error *err) {
    sim_status rc = SIM_OK;
    for (size_t j = 0; j < c->n_svc; ++j) sel[j] = c->svc_kind[j] == k;
    if (ch->n_ids) {
        uint8_t *want = calloc(c->n_svc ? c->n_svc : 1, 1);
        if (!want) return oom(err);
        for (size_t i = 0; i < ch->n_ids && !rc; ++i) {
            size_t j = 0;
            while (j < c->n_svc && !(sel[j] && !strcmp(c->svc_id[j], ch->ids[i]))) ++j;
            if (j < c->n_svc) {
                want[j] = 1;
                continue;
            }
            char list[300] = "";
            size_t shown = 0, total = 0;
            for (size_t q = 0; q < c->n_svc; ++q) {
                if (!sel[q]) continue;
                ++total;
                if (shown < 8) {
                    size_t w = strlen(list);
                    snprintf(list + w, sizeof list - w, "%s%s", shown ? ", " : "", c->svc_id[q]);
                    ++shown;
                }
            }
            rc = sim_error_set(err, SIM_EPARSE, "%s: service '%s' has no id '%s' (%zu ids: %s%s)",
                               x->where, ch->service, ch->ids[i], total, list,
                               total > shown ? ", ..." : "");
        }
        if (!rc) memcpy(sel, want, c->n_svc);
        free(want);
        return rc;
    }
    if (ch->where) {
        const scn_service *e = kind_source(x->base->cfg, ch->service);
        if (!e)
            return sim_error_set(err, SIM_EPARSE, "%s: 'where' needs the service's source layer",
                                 x->where);
        char flt[4096];
        kind_filter(e, ch->service, ch->where, flt, sizeof flt);
        geo_features_source src = {.what = x->where, .path = e->layer.source,
                                   .layer = e->layer.layer, .id = e->layer.id,
                                   .lon = e->layer.lon, .lat = e->layer.lat, .filter = flt,
                                   .allow_empty = 1};
        geo_features *f = NULL;
        sim_warnings quiet = {0};
        rc = geo_features_load(&src, x->base->crs, &f, &quiet, err);
        sim_warnings_clear(&quiet);
        if (rc) return rc;
        for (size_t j = 0; j < c->n_svc; ++j) {
            if (!sel[j]) continue;
            int hit = 0;
            for (size_t i = 0; i < f->n && !hit; ++i) hit = !strcmp(f->id[i], c->svc_id[j]);
            sel[j] = (uint8_t)hit;
        }
        geo_features_destroy(f);
        return SIM_OK;
    }
    if (ch->has_area) {
        geo_polygon *p = NULL;
        uint8_t *in = malloc(c->n_svc ? c->n_svc : 1);
        if (!in) return oom(err);
        if (!(rc = load_area(x, &ch->area, &p, err)) &&
            !(rc = geo_polygon_contains(p, c->svc_x, c->svc_y, c->n_svc, in, err)))
            for (size_t j = 0; j < c->n_svc; ++j) sel[j] = (uint8_t)(sel[j] && in[j]);
        geo_polygon_destroy(p);
        free(in);
    }
    return rc;
}

static size_t count_sel(const uint8_t *sel, size_t n) {
    size_t k = 0;
    for (size_t j = 0; j < n; ++j) k += sel[j];
    return k;
}

/* Drops the selected services (keeping order); base_of follows. */
static void remove_selected(scn_city *c, const uint8_t *sel, uint32_t *base_of) {
    size_t w = 0;
    for (size_t j = 0; j < c->n_svc; ++j) {
        if (sel[j]) {
            free(c->svc_id[j]);
            continue;
        }
        c->svc_kind[w] = c->svc_kind[j];
        c->svc_id[w] = c->svc_id[j];
        c->svc_cap[w] = c->svc_cap[j];
        c->svc_x[w] = c->svc_x[j];
        c->svc_y[w] = c->svc_y[j];
        c->svc_lon[w] = c->svc_lon[j];
        c->svc_lat[w] = c->svc_lat[j];
        c->svc_path[w] = c->svc_path[j];
        c->svc_node[w] = c->svc_node[j];
        base_of[w] = base_of[j];
        ++w;
    }
    c->n_svc = w;
}

/* Appends one service; its node is unknown (it must attach). */
static sim_status append_service(scn_city *c, uint32_t *base_of, size_t k, const char *id,
                                 double x, double y, double lon, double lat, double cap,
                                 const char *path, sim_error *err) {
    size_t j = c->n_svc;
    char *dup = strdup(id);
    if (!dup) return oom(err);
    c->svc_kind[j] = (uint32_t)k;
    c->svc_id[j] = dup;
    c->svc_cap[j] = cap;
    c->svc_x[j] = x;
    c->svc_y[j] = y;
    c->svc_lon[j] = lon;
    c->svc_lat[j] = lat;
    c->svc_path[j] = path;
    c->svc_node[j] = SIM_INVALID_ID;
    base_of[j] = SIM_INVALID_ID;
    c->n_svc = j + 1;
    return SIM_OK;
}

static int id_taken(const scn_city *c, size_t k, const char *id) {
    for (size_t j = 0; j < c->n_svc; ++j)
        if (c->svc_kind[j] == k && !strcmp(c->svc_id[j], id)) return 1;
    return 0;
}

static sim_status add_services(const ctx *x, scn_city *c, uint32_t **base_of, size_t k,
                               const scn_change *ch, sim_warnings *warn, sim_error *err) {
    sim_status rc = SIM_OK;
    geo_features *f = NULL;
    size_t n = ch->n_points;
    if (ch->has_layer) {
        const char *fields[1] = {ch->capacity_field};
        geo_features_source src = {.what = x->where, .path = ch->layer.source,
                                   .layer = ch->layer.layer, .id = ch->layer.id,
                                   .lon = ch->layer.lon, .lat = ch->layer.lat,
                                   .filter = ch->layer.filter, .fields = fields,
                                   .n_fields = ch->capacity_field ? 1 : 0};
        if ((rc = geo_features_load(&src, x->base->crs, &f, warn, err))) return rc;
        n = f->n;
    }
    uint32_t *bo = realloc(*base_of, (c->n_svc + n + 1) * sizeof *bo);
    if (!bo) {
        geo_features_destroy(f);
        return oom(err);
    }
    *base_of = bo;
    if ((rc = svc_reserve(c, c->n_svc + n, err))) goto done;
    for (size_t i = 0; i < n && !rc; ++i) {
        const char *id = f ? f->id[i] : ch->point_id[i];
        if (id_taken(c, k, id)) {
            rc = sim_error_set(err, SIM_EPARSE, "%s: service '%s' already has an id '%s' (ids "
                               "must stay unique within a kind)", x->where, ch->service, id);
            break;
        }
        double px, py, lon, lat, cap;
        if (f) {
            px = f->x[i], py = f->y[i], lon = f->lon[i], lat = f->lat[i];
            cap = ch->capacity_field ? f->values[i] : 1.0;
        } else {
            px = lon = ch->point_lon[i];
            py = lat = ch->point_lat[i];
            cap = ch->point_cap[i];
            if ((rc = geo_crs_forward(x->base->crs, &px, &py, 1, err))) break;
        }
        rc = append_service(c, *base_of, k, id, px, py, lon, lat, cap,
                            f ? ch->layer.source : x->base->cfg->path, err);
    }
done:
    geo_features_destroy(f);
    return rc;
}

/* ---- population ---------------------------------------------------------------------------- */

static sim_status change_population(const ctx *x, scn_city *c, const scn_change *ch,
                                    sim_warnings *warn, sim_error *err) {
    size_t no = c->pop->n, ng = c->cfg->n_groups;
    uint8_t *in = calloc(no ? no : 1, 1);
    sim_status rc = SIM_OK;
    if (!in) return oom(err);
    if (ch->n_origin_ids) {
        for (size_t q = 0; q < ch->n_origin_ids && !rc; ++q) {
            size_t i = 0;
            while (i < no && strcmp(c->pop->id[i], ch->origin_ids[q])) ++i;
            if (i == no)
                rc = sim_error_set(err, SIM_EPARSE, "%s: there is no origin '%s' in the population "
                                   "(%s)", x->where, ch->origin_ids[q], c->cfg->population.source);
            else
                in[i] = 1;
        }
    } else {
        geo_polygon *p = NULL;
        if (!(rc = load_area(x, &ch->area, &p, err)))
            rc = geo_polygon_contains(p, c->pop->x, c->pop->y, no, in, err);
        geo_polygon_destroy(p);
    }
    size_t n_in = count_sel(in, no);
    if (!rc && n_in == 0)
        rc = sim_error_set(err, SIM_EPARSE, "%s: the area holds no origin of the population, so "
                           "there is no one to %s", x->where,
                           ch->kind == SCN_CHANGE_ADD_POPULATION ? "add people to" : "remove");
    if (rc) {
        free(in);
        return rc;
    }
    /* shares: the total group's people there (equal shares when there are none) */
    size_t tg = 0;
    while (tg < ng && strcmp(c->cfg->groups[tg].name, c->cfg->equity.total_group)) ++tg;
    double sum = 0;
    for (size_t i = 0; i < no; ++i)
        if (in[i]) sum += c->pop_cols[tg * no + i];
    size_t short_of = 0;
    for (size_t g = 0; g < ng; ++g) {
        double *col = c->pop_cols + g * no;
        if (ch->kind == SCN_CHANGE_REMOVE_POPULATION && !isnan(ch->share)) {
            for (size_t i = 0; i < no; ++i)
                if (in[i]) col[i] *= 1.0 - ch->share;
            continue;
        }
        double people = ch->group_count[g];
        if (isnan(people)) continue;
        if (ch->kind == SCN_CHANGE_ADD_POPULATION) {
            for (size_t i = 0; i < no; ++i)
                if (in[i]) col[i] += people * (sum > 0 ? c->pop_cols[tg * no + i] / sum
                                                       : 1.0 / (double)n_in);
            continue;
        }
        /* removal: in proportion to the group's own people there, never below 0 */
        double there = 0;
        for (size_t i = 0; i < no; ++i)
            if (in[i]) there += col[i];
        if (people > there + 1e-9) ++short_of;
        double keep = there > 0 ? fmax(0.0, 1.0 - people / there) : 0.0;
        for (size_t i = 0; i < no; ++i)
            if (in[i]) col[i] *= keep;
    }
    if (short_of)
        sim_warnings_add(warn, "remove_population asks to remove more people than live in the "
                         "area: everyone there was removed", "%s", x->where);
    free(in);
    return SIM_OK;
}

/* A group's eligibility for one service, as set_attributes decided it. */
typedef struct {
    size_t j, g; /* the service's index in the baseline, the group */
    uint8_t ok;
} elig_override;

/* set_attributes: the selected services' fields changed; each group with a condition on the
 * kind has it evaluated on the services' features as changed (geo_features_eval). */
static sim_status set_attributes(const ctx *x, const scn_city *c, const scn_change *ch, size_t k,
                                 const uint8_t *sel, const uint32_t *base_of, elig_override **ov,
                                 size_t *n_ov, int *any_condition, sim_error *err) {
    const scn_config *cfg = c->cfg;
    const scn_service *e = kind_source(cfg, ch->service);
    size_t n_sel = 0;
    for (size_t j = 0; j < c->n_svc; ++j) {
        if (!sel[j]) continue;
        if (base_of[j] == SIM_INVALID_ID)
            return sim_error_set(err, SIM_EPARSE, "%s: service '%s' was added by this scenario "
                                 "and has no fields to change (give it in a layer with "
                                 "add_services 'source')", x->where, c->svc_id[j]);
        ++n_sel;
    }
    if (!n_sel)
        return sim_error_set(err, SIM_EPARSE, "%s: selects no service of kind '%s'", x->where,
                             ch->service);
    const char **ids = malloc(n_sel * sizeof *ids);
    size_t *at = malloc(n_sel * sizeof *at);
    uint8_t *ok = malloc(n_sel);
    sim_status rc = SIM_OK;
    if (!ids || !at || !ok) rc = oom(err);
    size_t q = 0;
    for (size_t j = 0; j < c->n_svc && !rc; ++j)
        if (sel[j]) at[q] = j, ids[q++] = c->svc_id[j];
    for (size_t g = 0; g < cfg->n_groups && !rc; ++g) {
        const char *cond = scn_group_eligible(&cfg->groups[g], ch->service);
        if (!cond) continue;
        *any_condition = 1;
        char flt[4096];
        kind_filter(e, ch->service, NULL, flt, sizeof flt);
        geo_features_source src = {.what = x->where, .path = e->layer.source,
                                   .layer = e->layer.layer, .id = e->layer.id,
                                   .lon = e->layer.lon, .lat = e->layer.lat,
                                   .filter = flt[0] ? flt : NULL};
        if ((rc = geo_features_eval(&src, ids, n_sel, (const char *const *)ch->attr_name,
                                    (const char *const *)ch->attr_value, ch->n_attrs, cond, ok,
                                    err)))
            break;
        elig_override *p = realloc(*ov, (*n_ov + n_sel) * sizeof *p);
        if (!p) {
            rc = oom(err);
            break;
        }
        *ov = p;
        for (size_t i = 0; i < n_sel; ++i) /* by baseline index: later removals shift the rest */
            (*ov)[(*n_ov)++] = (elig_override){base_of[at[i]], g, ok[i]};
    }
    (void)k;
    free(ids);
    free(at);
    free(ok);
    return rc;
}

/* ---- eligibility ---------------------------------------------------------------------------- */

/* The groups' eligibility for the scenario's services: the baseline's for services it had;
 * services a scenario added have no attributes, so a group with a condition on their kind may
 * not use them (warned). */
static sim_status eligibility(const ctx *x, scn_city *c, const uint32_t *base_of,
                              sim_warnings *warn, sim_error *err) {
    const scn_city *b = x->base;
    if (!b->eligible) return SIM_OK;
    size_t ng = c->cfg->n_groups;
    if (!(c->eligible = calloc(ng, sizeof *c->eligible))) return oom(err);
    for (size_t g = 0; g < ng; ++g) {
        if (!b->eligible[g]) continue;
        if (!(c->eligible[g] = calloc(c->n_svc ? c->n_svc : 1, 1))) return oom(err);
        for (size_t j = 0; j < c->n_svc; ++j) {
            if (base_of[j] != SIM_INVALID_ID) {
                c->eligible[g][j] = b->eligible[g][base_of[j]];
                continue;
            }
            const char *cond = scn_group_eligible(&c->cfg->groups[g], c->kinds[c->svc_kind[j]]);
            c->eligible[g][j] = cond == NULL;
            if (cond)
                sim_warnings_add(warn, "a service added by a scenario has no attributes for a "
                                 "group's eligibility condition: that group may not use it",
                                 "%s: %s %s, group %s", x->s->name, c->kinds[c->svc_kind[j]],
                                 c->svc_id[j], c->cfg->groups[g].name);
        }
    }
    return SIM_OK;
}

/* ---- network ------------------------------------------------------------------------------ */

typedef struct {
    const ctx *x;
    const scn_scenario *s;
} speed_ud;

static sim_status apply_speed_factors(scn_city *c, const ctx *x0, sim_error *err) {
    ctx x = *x0;
    for (size_t i = 0; i < x.s->n_changes; ++i) {
        const scn_change *ch = &x.s->changes[i];
        if (ch->kind != SCN_CHANGE_SPEED_FACTOR) continue;
        set_where(&x, i);
        geo_polygon *p = NULL;
        size_t n = 0;
        sim_status rc = load_area(&x, &ch->area, &p, err);
        if (!rc) rc = geo_network_speed_factor(c->net, p, ch->modes, ch->factor, &n, err);
        geo_polygon_destroy(p);
        if (rc) return rc;
        if (n == 0)
            return sim_error_set(err, SIM_EPARSE, "%s: no street of the given modes has its "
                                 "middle inside the area", x.where);
    }
    return SIM_OK;
}

static sim_status after_attach(scn_city *c, void *ud, sim_error *err) {
    return apply_speed_factors(c, ud, err);
}

static sim_status apply_network(const ctx *x0, scn_city *c, sim_warnings *warn, sim_error *err) {
    ctx x = *x0;
    sim_status rc = SIM_OK;
    for (size_t i = 0; i < x.s->n_changes && !rc; ++i) {
        const scn_change *ch = &x.s->changes[i];
        set_where(&x, i);
        if (ch->kind == SCN_CHANGE_CLOSE_WAYS) {
            size_t closed = 0, missing = 0;
            int64_t first = 0;
            if (ch->n_ways) {
                rc = geo_network_close_ways(c->net, ch->way_ids, ch->n_ways, ch->modes, &closed,
                                            &missing, &first, err);
                if (!rc && missing)
                    rc = sim_error_set(err, SIM_EPARSE, "%s: way %lld is not in the network "
                                       "(%zu of the %zu ways listed are not)", x.where,
                                       (long long)first, missing, ch->n_ways);
            } else {
                geo_polygon *p = NULL;
                if (!(rc = load_area(&x, &ch->area, &p, err)))
                    rc = geo_network_close_in_polygon(c->net, p, ch->modes, &closed, err);
                geo_polygon_destroy(p);
            }
            if (!rc && closed == 0)
                sim_warnings_add(warn, "close_ways closed no street segment (the ways are not "
                                 "usable by those modes already)", "%s", x.where);
        } else if (ch->kind == SCN_CHANGE_ADD_LINK) {
            double px[2] = {ch->lon, ch->lon2}, py[2] = {ch->lat, ch->lat2};
            float speed[GEO_MODE_COUNT] = {0};
            const geo_profile *pr = &c->cfg->profile;
            /* default: how the profile times a plain street (cars: a residential one) */
            double dflt[GEO_MODE_COUNT] = {pr->walk_kmh, pr->bike_kmh,
                                           pr->car_highway_kmh[GEO_HW_RESIDENTIAL] * pr->car_factor};
            for (int m = 0; m < GEO_MODE_COUNT; ++m)
                speed[m] = (float)(ch->speed_kmh > 0 ? ch->speed_kmh : dflt[m]);
            if (!(rc = geo_crs_forward(c->crs, px, py, 2, err)))
                rc = geo_network_add_link(c->net, px[0], py[0], px[1], py[1], ch->modes, speed,
                                          c->cfg->network.snap_distance_m, x.where, err);
        }
    }
    return rc;
}

/* ---- transit ------------------------------------------------------------------------------ */

static sim_status apply_transit(const ctx *x0, scn_city *c, sim_warnings *warn, sim_error *err) {
    ctx x = *x0;
    sim_status rc = SIM_OK;
    for (size_t i = 0; i < x.s->n_changes && !rc; ++i) {
        const scn_change *ch = &x.s->changes[i];
        set_where(&x, i);
        size_t n = 0;
        switch (ch->kind) {
        case SCN_CHANGE_ADD_ROUTE: {
            scn_route_add ra = {.route_id = ch->route, .route_type = ch->route_type,
                                .n_stops = ch->n_stops,
                                .stop_ids = (const char *const *)ch->stop_ids,
                                .lon = ch->stop_lon, .lat = ch->stop_lat,
                                .headway_s = ch->headway_s, .start_s = ch->start_s,
                                .end_s = ch->end_s, .departures_s = ch->departures_s,
                                .n_departures = ch->n_departures, .speed_kmh = ch->speed_kmh,
                                .hop_s = ch->hop_s, .dwell_s = ch->dwell_s};
            rc = scn_transit_add_route(c->transit, &ra, x.where, err);
            break;
        }
        case SCN_CHANGE_SET_HEADWAY:
            rc = scn_transit_set_headway(c->transit, ch->route, ch->headway_s, ch->start_s,
                                         ch->end_s, &n, x.where, err);
            break;
        case SCN_CHANGE_REMOVE_ROUTE:
            rc = scn_transit_remove_trips(c->transit, ch->route, ch->start_s, ch->end_s, &n,
                                          x.where, err);
            if (!rc && n == 0)
                sim_warnings_add(warn, "remove_route removed no trip (none departs in the span)",
                                 "%s", x.where);
            break;
        default:
            break;
        }
    }
    return rc;
}

/* ---- the scenario's city ---------------------------------------------------------------- */

sim_status scn_city_derive(const scn_city *b, const scn_scenario *s, const scn_run_opts *opts,
                           scn_city **out, scn_touched *t, sim_warnings *warn, sim_error *err) {
    sim_status rc = SIM_OK;
    ctx x = {b, s, 0, ""};
    uint32_t *base_of = NULL;
    uint8_t *sel = NULL;
    elig_override *ov = NULL; /* set_attributes' eligibility decisions */
    size_t n_ov = 0;
    *out = NULL;
    memset(t, 0, sizeof *t);
    scn_city *c = calloc(1, sizeof *c);
    if (!c) return oom(err);
    c->cfg = b->cfg;
    c->crs = b->crs;
    c->pop = b->pop;
    c->kinds = b->kinds;
    c->n_kinds = b->n_kinds;
    c->net0 = b->net0;
    c->net = b->net;
    c->n_modes = b->n_modes;
    memcpy(c->modes, b->modes, sizeof c->modes);
    memcpy(c->mg, b->mg, sizeof c->mg);
    c->group_walk = b->group_walk;
    c->transit = b->transit;
    c->transit_mode = b->transit_mode;
    c->origin_node = b->origin_node;
    c->stop_node = b->stop_node;
    memcpy(c->origin_snap_m, b->origin_snap_m, sizeof c->origin_snap_m);
    memcpy(c->origins_unsnapped, b->origins_unsnapped, sizeof c->origins_unsnapped);
    memcpy(c->islands, b->islands, sizeof c->islands);
    c->borrowed = SCN_BORROW_CRS | SCN_BORROW_POP | SCN_BORROW_KINDS | SCN_BORROW_NET0 |
                  SCN_BORROW_NET | SCN_BORROW_GRAPHS | SCN_BORROW_TRANSIT |
                  SCN_BORROW_TRANSIT_MODE | SCN_BORROW_NODES;
    for (size_t i = 0; i < b->n_inputs; ++i) scn__add_input(c, b->inputs[i], b->input_role[i]);
    c->load_s = 0;

    /* population and services: the scenario's own arrays */
    size_t no = b->pop->n, ng = b->cfg->n_groups;
    c->pop_cols = malloc((ng ? ng : 1) * (no ? no : 1) * sizeof *c->pop_cols);
    if (b->rank_by && !(c->rank_by = malloc((no ? no : 1) * sizeof *c->rank_by))) goto oom;
    if (!c->pop_cols) goto oom;
    memcpy(c->pop_cols, b->pop_cols, ng * no * sizeof *c->pop_cols);
    if (b->rank_by) memcpy(c->rank_by, b->rank_by, no * sizeof *c->rank_by);
    if ((rc = svc_reserve(c, b->n_svc, err))) goto done;
    if (!(base_of = malloc((b->n_svc ? b->n_svc : 1) * sizeof *base_of))) goto oom;
    for (size_t j = 0; j < b->n_svc; ++j) {
        if (!(c->svc_id[j] = strdup(b->svc_id[j]))) goto oom;
        c->n_svc = j + 1;
        c->svc_kind[j] = b->svc_kind[j];
        c->svc_cap[j] = b->svc_cap[j];
        c->svc_x[j] = b->svc_x[j];
        c->svc_y[j] = b->svc_y[j];
        c->svc_lon[j] = b->svc_lon[j];
        c->svc_lat[j] = b->svc_lat[j];
        c->svc_path[j] = b->svc_path[j];
        c->svc_node[j] = b->svc_node[j];
        base_of[j] = (uint32_t)j;
    }
    if (!(t->kind_changed = calloc(b->n_kinds ? b->n_kinds : 1, 1)) ||
        !(t->capacity_changed = calloc(b->n_kinds ? b->n_kinds : 1, 1)))
        goto oom;

    int attach = 0, speeds = 0, transit = 0;
    for (size_t i = 0; i < s->n_changes && !rc; ++i) {
        const scn_change *ch = &s->changes[i];
        set_where(&x, i);
        size_t k = SIZE_MAX;
        if (ch->service && (k = find_kind(c, ch->service)) == SIZE_MAX) {
            rc = unknown_kind(&x, ch->service, err);
            break;
        }
        free(sel);
        if (!(sel = malloc(c->n_svc ? c->n_svc : 1))) goto oom;
        switch (ch->kind) {
        case SCN_CHANGE_ADD_SERVICES:
            if (!(rc = add_services(&x, c, &base_of, k, ch, warn, err))) {
                t->kind_changed[k] = 1;
                attach = 1;
            }
            break;
        case SCN_CHANGE_REMOVE_SERVICES:
            if ((rc = select_services(&x, c, ch, k, sel, err))) break;
            if (!count_sel(sel, c->n_svc)) {
                rc = sim_error_set(err, SIM_EPARSE, "%s: selects no service of kind '%s'",
                                   x.where, ch->service);
                break;
            }
            remove_selected(c, sel, base_of);
            t->kind_changed[k] = 1;
            break;
        case SCN_CHANGE_MOVE_SERVICE: {
            if ((rc = select_services(&x, c, ch, k, sel, err))) break;
            double px = ch->lon, py = ch->lat;
            if ((rc = geo_crs_forward(c->crs, &px, &py, 1, err))) break;
            for (size_t j = 0; j < c->n_svc; ++j) {
                if (!sel[j]) continue;
                c->svc_x[j] = px;
                c->svc_y[j] = py;
                c->svc_lon[j] = ch->lon;
                c->svc_lat[j] = ch->lat;
                c->svc_node[j] = SIM_INVALID_ID;
            }
            t->kind_changed[k] = 1;
            attach = 1;
            break;
        }
        case SCN_CHANGE_SET_CAPACITY:
            if ((rc = select_services(&x, c, ch, k, sel, err))) break;
            if (!count_sel(sel, c->n_svc)) {
                rc = sim_error_set(err, SIM_EPARSE, "%s: selects no service of kind '%s'",
                                   x.where, ch->service);
                break;
            }
            for (size_t j = 0; j < c->n_svc; ++j)
                if (sel[j]) c->svc_cap[j] = isnan(ch->factor) ? ch->capacity
                                                              : c->svc_cap[j] * ch->factor;
            t->capacity_changed[k] = 1;
            break;
        case SCN_CHANGE_SET_ATTRIBUTES: {
            int any = 0;
            if ((rc = select_services(&x, c, ch, k, sel, err))) break;
            rc = set_attributes(&x, c, ch, k, sel, base_of, &ov, &n_ov, &any, err);
            t->kind_changed[k] = 1; /* who may use which of its services changed */
            if (!rc && !any)
                sim_warnings_add(warn, "set_attributes changes nothing: no group's eligibility "
                                 "depends on that service kind's fields", "%s", x.where);
            break;
        }
        case SCN_CHANGE_CLOSE_WAYS:
        case SCN_CHANGE_ADD_LINK:
            attach = 1;
            break;
        case SCN_CHANGE_SPEED_FACTOR:
            speeds = 1;
            break;
        case SCN_CHANGE_ADD_ROUTE:
        case SCN_CHANGE_SET_HEADWAY:
        case SCN_CHANGE_REMOVE_ROUTE:
            transit = 1;
            break;
        case SCN_CHANGE_ADD_POPULATION:
        case SCN_CHANGE_REMOVE_POPULATION:
            rc = change_population(&x, c, ch, warn, err);
            t->pop_changed = 1;
            break;
        case SCN_CHANGE_COUNT:
            break;
        }
    }
    if (rc) goto done;
    if ((rc = eligibility(&x, c, base_of, warn, err))) goto done;
    for (size_t q = 0; q < n_ov && c->eligible; ++q) /* set_attributes, in change order */
        for (size_t j = 0; j < c->n_svc; ++j)
            if (base_of[j] == ov[q].j && c->eligible[ov[q].g]) c->eligible[ov[q].g][j] = ov[q].ok;

    if (transit) {
        scn_transit *tc = NULL;
        if ((rc = scn_transit_clone(b->transit, &tc, err))) goto done;
        c->transit = tc;
        c->borrowed &= ~(unsigned)SCN_BORROW_TRANSIT;
        if ((rc = apply_transit(&x, c, warn, err))) goto done;
        if (scn_transit_added_stop_count(tc)) attach = 1;
        t->transit_changed = 1;
    }
    /* street transfers are walks: new walking speeds with transit relink everything */
    if (speeds && b->transit) {
        for (size_t i = 0; i < s->n_changes; ++i)
            if (s->changes[i].kind == SCN_CHANGE_SPEED_FACTOR &&
                (s->changes[i].modes & (1u << GEO_MODE_WALK)))
                attach = 1;
    }
    if (attach) {
        /* the network as loaded, changed, then everything attached again */
        geo_network *net = NULL;
        if ((rc = geo_network_copy(b->net0, &net, err))) goto done;
        c->net = net;
        c->borrowed &= ~(unsigned)(SCN_BORROW_NET | SCN_BORROW_GRAPHS | SCN_BORROW_NODES);
        memset(c->mg, 0, sizeof c->mg);
        c->group_walk = NULL;
        c->origin_node = NULL;
        c->stop_node = NULL;
        memset(c->origin_snap_m, 0, sizeof c->origin_snap_m);
        memset(c->origins_unsnapped, 0, sizeof c->origins_unsnapped);
        free(c->svc_node);
        c->svc_node = NULL;
        if (b->transit && !transit) { /* linking changes the transit: a copy of its own */
            scn_transit *tc = NULL;
            if ((rc = scn_transit_clone(b->transit, &tc, err))) goto done;
            c->transit = tc;
            c->borrowed &= ~(unsigned)SCN_BORROW_TRANSIT;
        }
        if ((rc = apply_network(&x, c, warn, err))) goto done;
        sim_warnings quiet = {0}; /* the baseline reported the same snapping warnings */
        rc = scn__city_assemble(c, opts, &quiet, speeds ? after_attach : NULL, &x, err);
        sim_warnings_clear(&quiet);
        if (rc) goto done;
        t->rebuilt = 1;
        t->points_only = !speeds && !transit;
        for (size_t i = 0; i < s->n_changes; ++i)
            if (s->changes[i].kind == SCN_CHANGE_CLOSE_WAYS ||
                s->changes[i].kind == SCN_CHANGE_ADD_LINK)
                t->points_only = 0;
    } else {
        if (speeds) {
            /* the attached network with new speeds; the graphs copied and re-weighted */
            geo_network *net = NULL;
            if ((rc = geo_network_copy(b->net, &net, err))) goto done;
            c->net = net;
            c->borrowed &= ~(unsigned)SCN_BORROW_NET;
            if ((rc = apply_speed_factors(c, &x, err))) goto done;
            geo_mode_graph *mg[GEO_MODE_COUNT] = {0};
            geo_mode_graph **gw = NULL;
            for (int m = 0; m < GEO_MODE_COUNT && !rc; ++m)
                if (b->mg[m] && !(rc = geo_mode_graph_copy(b->mg[m], &mg[m], err)))
                    rc = geo_mode_graph_reweight(mg[m], c->net, 1.0, err);
            if (!rc && b->group_walk) {
                if (!(gw = calloc(ng, sizeof *gw))) rc = oom(err);
                for (size_t g = 0; g < ng && !rc; ++g) {
                    if (!b->group_walk[g]) continue;
                    double f = c->cfg->profile.walk_kmh / c->cfg->groups[g].walk_speed_kmh;
                    if (!(rc = geo_mode_graph_copy(b->group_walk[g], &gw[g], err)))
                        rc = geo_mode_graph_reweight(gw[g], c->net, f, err);
                }
            }
            memcpy(c->mg, mg, sizeof c->mg);
            c->group_walk = gw;
            c->borrowed &= ~(unsigned)SCN_BORROW_GRAPHS;
            if (rc) goto done;
            for (size_t i = 0; i < s->n_changes; ++i)
                if (s->changes[i].kind == SCN_CHANGE_SPEED_FACTOR) t->modes_changed |= s->changes[i].modes;
        }
        if (transit && (rc = scn_transit_rebuild_timetable(c->transit, err))) goto done;
    }
    t->base_of = base_of;
    base_of = NULL;
    *out = c;
    c = NULL;
    goto done;
oom:
    rc = oom(err);
done:
    free(ov);
    free(sel);
    free(base_of);
    scn_city_destroy(c);
    if (rc) scn_touched_free(t);
    return rc;
}

void scn_touched_free(scn_touched *t) {
    free(t->kind_changed);
    free(t->capacity_changed);
    free(t->base_of);
    memset(t, 0, sizeof *t);
}
