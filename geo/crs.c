#include "geo/crs.h"

#include <geodesic.h>
#include <math.h>
#include <proj.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct geo_crs {
    PJ_CONTEXT *ctx;
    PJ *to_work; /* WGS84 lon/lat -> working, normalised to x-first order */
    char *name;
    char *wkt;
    int epsg;
};

int geo_crs_utm_epsg(double lon, double lat) {
    double l = fmod(lon + 180.0, 360.0);
    if (l < 0) l += 360.0;
    int zone = (int)floor(l / 6.0) + 1;
    if (zone > 60) zone = 60;
    /* the grid's exceptions: south-west Norway (32V) and Svalbard (31X, 33X, 35X, 37X) */
    if (lat >= 56.0 && lat < 64.0 && lon >= 3.0 && lon < 12.0) zone = 32;
    if (lat >= 72.0 && lat < 84.0 && lon >= 0.0 && lon < 42.0)
        zone = lon < 9.0 ? 31 : lon < 21.0 ? 33 : lon < 33.0 ? 35 : 37;
    return (lat < 0 ? 32700 : 32600) + zone;
}

void geo_crs_destroy(geo_crs *c) {
    if (!c) return;
    if (c->to_work) proj_destroy(c->to_work);
    if (c->ctx) proj_context_destroy(c->ctx);
    free(c->name);
    free(c->wkt);
    free(c);
}

static sim_status proj_fail(geo_crs *c, sim_error *err, const char *what) {
    int e = proj_context_errno(c->ctx);
    return sim_error_set(err, SIM_EDEP, "%s: %s", what,
                         e ? proj_context_errno_string(c->ctx, e) : "PROJ failed");
}

sim_status geo_crs_create(const char *definition, geo_crs **out, sim_error *err) {
    sim_status rc = SIM_OK;
    PJ *crs = NULL, *raw = NULL, *cs = NULL, *base = NULL;
    *out = NULL;
    geo_crs *c = calloc(1, sizeof *c);
    if (!c) return sim_error_set(err, SIM_ENOMEM, "working CRS");
    c->ctx = proj_context_create();
    if (!c->ctx) {
        rc = sim_error_set(err, SIM_EDEP, "cannot create a PROJ context");
        goto done;
    }
    proj_log_level(c->ctx, PJ_LOG_NONE);
    crs = proj_create(c->ctx, definition);
    if (!crs) {
        rc = sim_error_set(err, SIM_EINVAL, "working CRS '%s' is not understood by PROJ: %s",
                           definition,
                           proj_context_errno_string(c->ctx, proj_context_errno(c->ctx)));
        goto done;
    }
    /* A CRS bound to WGS84 (+towgs84, WKT1 TOWGS84[]) or a compound one (horizontal +
     * vertical) is checked by its horizontal, projected part. */
    for (int unwrap = 0; unwrap < 4; ++unwrap) {
        PJ_TYPE ty = proj_get_type(crs);
        PJ *inner = NULL;
        if (ty == PJ_TYPE_BOUND_CRS) inner = proj_get_source_crs(c->ctx, crs);
        else if (ty == PJ_TYPE_COMPOUND_CRS) inner = proj_crs_get_sub_crs(c->ctx, crs, 0);
        if (!inner) break;
        if (!base) base = crs;
        else proj_destroy(crs);
        crs = inner;
    }
    PJ_TYPE t = proj_get_type(crs);
    if (t != PJ_TYPE_PROJECTED_CRS) {
        rc = sim_error_set(err, SIM_EINVAL,
                           "working CRS '%s' is not a projected CRS; accessim needs metres", definition);
        goto done;
    }
    cs = proj_crs_get_coordinate_system(c->ctx, crs);
    if (cs) {
        double conv = 0;
        const char *unit = NULL;
        if (proj_cs_get_axis_info(c->ctx, cs, 0, NULL, NULL, NULL, &conv, &unit, NULL, NULL) &&
            fabs(conv - 1.0) > 1e-12) {
            rc = sim_error_set(err, SIM_EINVAL,
                               "working CRS '%s' has units of %s; accessim needs metres",
                               definition, unit ? unit : "?");
            goto done;
        }
    }
    raw = proj_create_crs_to_crs(c->ctx, "EPSG:4326", definition, NULL);
    if (!raw) {
        rc = proj_fail(c, err, "cannot transform WGS84 to the working CRS");
        goto done;
    }
    c->to_work = proj_normalize_for_visualization(c->ctx, raw);
    if (!c->to_work) {
        rc = proj_fail(c, err, "cannot normalise axis order");
        goto done;
    }
    const char *auth = proj_get_id_auth_name(crs, 0), *code = proj_get_id_code(crs, 0);
    if (auth && code && strcmp(auth, "EPSG") == 0) c->epsg = atoi(code);
    char buf[64];
    if (c->epsg) snprintf(buf, sizeof buf, "EPSG:%d", c->epsg);
    c->name = strdup(c->epsg ? buf : definition);
    const char *wkt = proj_as_wkt(c->ctx, crs, PJ_WKT2_2019, NULL);
    c->wkt = strdup(wkt ? wkt : "");
    if (!c->name || !c->wkt) {
        rc = sim_error_set(err, SIM_ENOMEM, "working CRS");
        goto done;
    }
    *out = c;
    c = NULL;
done:
    if (cs) proj_destroy(cs);
    if (raw) proj_destroy(raw);
    if (crs) proj_destroy(crs);
    if (base) proj_destroy(base);
    geo_crs_destroy(c);
    return rc;
}

const char *geo_crs_name(const geo_crs *c) { return c->name; }
int geo_crs_epsg(const geo_crs *c) { return c->epsg; }
const char *geo_crs_wkt(const geo_crs *c) { return c->wkt; }

static sim_status trans(const geo_crs *c, PJ_DIRECTION dir, double *x, double *y, size_t n,
                        sim_error *err) {
    if (n == 0) return SIM_OK;
    size_t done = proj_trans_generic(c->to_work, dir, x, sizeof *x, n, y, sizeof *y, n, NULL, 0, 0,
                                     NULL, 0, 0);
    if (done != n) return sim_error_set(err, SIM_EDEP, "PROJ transformed %zu of %zu points", done, n);
    for (size_t i = 0; i < n; ++i)
        if (!isfinite(x[i]) || !isfinite(y[i]))
            return sim_error_set(err, SIM_EDEP,
                                 "PROJ could not transform point %zu to or from %s", i, c->name);
    return SIM_OK;
}

sim_status geo_crs_forward(const geo_crs *c, double *x, double *y, size_t n, sim_error *err) {
    return trans(c, PJ_FWD, x, y, n, err);
}

sim_status geo_crs_inverse(const geo_crs *c, double *x, double *y, size_t n, sim_error *err) {
    return trans(c, PJ_INV, x, y, n, err);
}

double geo_geodesic_m(double lon1, double lat1, double lon2, double lat2) {
    /* geod_init costs a few hundred flops; a local copy keeps this thread-safe */
    struct geod_geodesic wgs84;
    geod_init(&wgs84, 6378137.0, 1.0 / 298.257223563);
    double s12 = 0;
    geod_inverse(&wgs84, lat1, lon1, lat2, lon2, &s12, NULL, NULL);
    return s12;
}
