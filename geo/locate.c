/* Which polygon each point falls in (GEOS prepared geometries behind an STRtree). */
#include <geos_c.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "geo/features.h"
#include "geo/geo_internal.h"

typedef struct {
    char msg[256];
} locate_msg;

static void locate_msg_ctx(const char *message, void *userdata) {
    locate_msg *m = userdata;
    snprintf(m->msg, sizeof m->msg, "%s", message);
}

typedef struct {
    GEOSContextHandle_t ctx;
    const GEOSPreparedGeometry *const *prep;
    const GEOSGeometry *pt;
    uint32_t best; /* lowest area index covering the point so far */
} query;

static void visit(void *item, void *ud) {
    query *q = ud;
    uint32_t a = (uint32_t)(uintptr_t)item - 1;
    if (a >= q->best) return;
    if (GEOSPreparedCovers_r(q->ctx, q->prep[a], q->pt) == 1) q->best = a;
}

sim_status geo_features_locate(const geo_features *areas, const double *lon, const double *lat,
                               size_t n, uint32_t *area_of, sim_error *err) {
    if (!areas || !areas->wkb || (n && (!lon || !lat || !area_of)))
        return sim_error_set(err, SIM_EINVAL, "locating points: areas loaded without geometry");
    sim_status rc = SIM_OK;
    locate_msg m = {""};
    size_t na = areas->n;
    GEOSContextHandle_t ctx = GEOS_init_r();
    if (!ctx) return sim_error_set(err, SIM_EDEP, "cannot create a GEOS context");
    GEOSContext_setErrorMessageHandler_r(ctx, locate_msg_ctx, &m);
    GEOSGeometry **geom = calloc(na ? na : 1, sizeof *geom);
    const GEOSPreparedGeometry **prep = calloc(na ? na : 1, sizeof *prep);
    GEOSWKBReader *rd = GEOSWKBReader_create_r(ctx);
    GEOSSTRtree *tree = GEOSSTRtree_create_r(ctx, 10);
    if (!geom || !prep || !rd || !tree) {
        rc = sim_error_set(err, SIM_ENOMEM, "locating points");
        goto done;
    }
    for (size_t a = 0; a < na; ++a) {
        geom[a] = GEOSWKBReader_read_r(ctx, rd, areas->wkb[a], areas->wkb_len[a]);
        if (!geom[a] || !(prep[a] = GEOSPrepare_r(ctx, geom[a]))) {
            rc = sim_error_set(err, SIM_EDEP, "area '%s': GEOS cannot read its geometry: %s",
                               areas->id[a], m.msg);
            goto done;
        }
        /* items are index + 1, so that no item is a NULL pointer */
        GEOSSTRtree_insert_r(ctx, tree, geom[a], (void *)(uintptr_t)(a + 1));
    }
    for (size_t i = 0; i < n; ++i) {
        GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(ctx, lon[i], lat[i]);
        if (!pt) {
            rc = sim_error_set(err, SIM_EDEP, "locating points: %s", m.msg);
            goto done;
        }
        query q = {ctx, prep, pt, UINT32_MAX};
        GEOSSTRtree_query_r(ctx, tree, pt, visit, &q);
        area_of[i] = q.best == UINT32_MAX ? SIM_INVALID_ID : q.best;
        GEOSGeom_destroy_r(ctx, pt);
    }
done:
    if (tree) GEOSSTRtree_destroy_r(ctx, tree);
    if (rd) GEOSWKBReader_destroy_r(ctx, rd);
    for (size_t a = 0; a < na && prep && geom; ++a) {
        if (prep[a]) GEOSPreparedGeom_destroy_r(ctx, prep[a]);
        if (geom[a]) GEOSGeom_destroy_r(ctx, geom[a]);
    }
    free(prep);
    free(geom);
    GEOS_finish_r(ctx);
    return rc;
}
