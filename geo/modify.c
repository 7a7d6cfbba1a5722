/* Scenario modifications of the street network: closures, speed factors, added links, and the
 * polygons (GEOS prepared geometries) that select where they apply. */
#include "geo/modify.h"

#include <errno.h>
#include <gdal.h>
#include <geos_c.h>
#include <math.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "geo/geo_internal.h"

struct geo_polygon {
    GEOSContextHandle_t ctx;
    GEOSGeometry *geom;               /* working CRS */
    const GEOSPreparedGeometry *prep; /* of geom */
    double xmin, ymin, xmax, ymax;    /* envelope of geom: a cheap test before GEOS */
    char msg[256];                    /* GEOS's last error message */
};

static const char *MODE_NAMES[GEO_MODE_COUNT] = {"walk", "bike", "car"};

#define ALL_MODES ((1u << GEO_MODE_COUNT) - 1u)

static void polygon_msg(const char *message, void *userdata) {
    geo_polygon *p = userdata;
    snprintf(p->msg, sizeof p->msg, "%s", message);
}

void geo_polygon_destroy(geo_polygon *p) {
    if (!p) return;
    if (p->prep) GEOSPreparedGeom_destroy_r(p->ctx, p->prep);
    if (p->geom) GEOSGeom_destroy_r(p->ctx, p->geom);
    if (p->ctx) GEOS_finish_r(p->ctx);
    free(p);
}

/* A polygon with its own GEOS context and no geometry yet. */
static sim_status polygon_new(const char *what, geo_polygon **out, sim_error *err) {
    geo_polygon *p = *out = calloc(1, sizeof *p);
    if (!p) return sim_error_set(err, SIM_ENOMEM, "%s", what);
    p->ctx = GEOS_init_r();
    if (!p->ctx) {
        free(p);
        *out = NULL;
        return sim_error_set(err, SIM_EDEP, "%s: cannot create a GEOS context", what);
    }
    GEOSContext_setErrorMessageHandler_r(p->ctx, polygon_msg, p);
    return SIM_OK;
}

/* Takes ownership of `g` (working CRS) and prepares it. */
static sim_status polygon_set(geo_polygon *p, GEOSGeometry *g, const char *what, sim_error *err) {
    p->geom = g;
    if (!(p->prep = GEOSPrepare_r(p->ctx, g)) || !GEOSGeom_getXMin_r(p->ctx, g, &p->xmin) ||
        !GEOSGeom_getYMin_r(p->ctx, g, &p->ymin) || !GEOSGeom_getXMax_r(p->ctx, g, &p->xmax) ||
        !GEOSGeom_getYMax_r(p->ctx, g, &p->ymax))
        return sim_error_set(err, SIM_EDEP, "%s: GEOS cannot prepare the polygon: %s", what,
                             p->msg);
    return SIM_OK;
}

/* SIM_OK if `g` is valid; else SIM_EPARSE "<prefix>invalid polygon: <GEOS's reason>". */
static sim_status check_valid(geo_polygon *p, const GEOSGeometry *g, const char *what,
                              const char *where, sim_error *err) {
    char v = GEOSisValid_r(p->ctx, g);
    if (v == 1) return SIM_OK;
    if (v != 0)
        return sim_error_set(err, SIM_EDEP, "%s: %sGEOS cannot check the polygon: %s", what,
                             where, p->msg);
    char *reason = GEOSisValidReason_r(p->ctx, g);
    sim_status rc = sim_error_set(err, SIM_EPARSE, "%s: %sinvalid polygon: %s", what, where,
                                  reason ? reason : p->msg);
    if (reason) GEOSFree_r(p->ctx, reason);
    return rc;
}

/* A polygon from one closed ring of n points. NULL (p->msg says why) on failure. */
static GEOSGeometry *ring_polygon(geo_polygon *p, const double *x, const double *y, size_t n) {
    GEOSCoordSequence *cs = GEOSCoordSeq_create_r(p->ctx, (unsigned)n, 2);
    if (!cs) return NULL;
    for (size_t i = 0; i < n; ++i)
        if (!GEOSCoordSeq_setXY_r(p->ctx, cs, (unsigned)i, x[i], y[i])) {
            GEOSCoordSeq_destroy_r(p->ctx, cs);
            return NULL;
        }
    GEOSGeometry *ring = GEOSGeom_createLinearRing_r(p->ctx, cs); /* takes cs */
    if (!ring) return NULL;
    return GEOSGeom_createPolygon_r(p->ctx, ring, NULL, 0); /* takes ring */
}

sim_status geo_polygon_from_lonlat(const double *lon, const double *lat, size_t n,
                                   const geo_crs *crs, const char *what, geo_polygon **out,
                                   sim_error *err) {
    sim_status rc = SIM_OK;
    double *x = NULL, *y = NULL;
    GEOSGeometry *g = NULL;
    geo_polygon *p = NULL;
    if (!what) what = "polygon";
    *out = NULL;
    if (n < 3 || !lon || !lat)
        return sim_error_set(err, SIM_EPARSE, "%s: a polygon needs at least 3 points, got %zu",
                             what, n);
    if (n > UINT32_MAX - 2)
        return sim_error_set(err, SIM_EPARSE, "%s: too many points (%zu)", what, n);
    for (size_t i = 0; i < n; ++i)
        if (!isfinite(lon[i]) || !isfinite(lat[i]) || fabs(lat[i]) > 90.0)
            return sim_error_set(err, SIM_EPARSE,
                                 "%s: point %zu (%g, %g) is not a longitude/latitude", what,
                                 i + 1, lon[i], lat[i]);
    /* three distinct points at least: the first, one other, and one differing from both */
    size_t second = 1;
    while (second < n && lon[second] == lon[0] && lat[second] == lat[0]) ++second;
    size_t third = second + 1;
    while (third < n && ((lon[third] == lon[0] && lat[third] == lat[0]) ||
                         (lon[third] == lon[second] && lat[third] == lat[second])))
        ++third;
    if (third >= n)
        return sim_error_set(err, SIM_EPARSE,
                             "%s: a polygon needs at least 3 distinct points, got %d", what,
                             second >= n ? 1 : 2);
    int closed = lon[n - 1] == lon[0] && lat[n - 1] == lat[0];
    size_t m = closed ? n : n + 1;
    x = malloc(m * sizeof *x);
    y = malloc(m * sizeof *y);
    if (!x || !y) {
        rc = sim_error_set(err, SIM_ENOMEM, "%s", what);
        goto done;
    }
    memcpy(x, lon, n * sizeof *x);
    memcpy(y, lat, n * sizeof *y);
    x[m - 1] = lon[0];
    y[m - 1] = lat[0];
    if ((rc = polygon_new(what, &p, err))) goto done;
    /* Checked in lon/lat first, so that GEOS's reason points where the user drew the ring. */
    if (!(g = ring_polygon(p, x, y, m))) {
        rc = sim_error_set(err, SIM_EPARSE, "%s: not a polygon ring: %s", what, p->msg);
        goto done;
    }
    if ((rc = check_valid(p, g, what, "", err))) goto done;
    double area = 0;
    if (!GEOSArea_r(p->ctx, g, &area) || !(area > 0)) {
        rc = sim_error_set(err, SIM_EPARSE, "%s: the polygon has zero area", what);
        goto done;
    }
    GEOSGeom_destroy_r(p->ctx, g);
    g = NULL;
    {
        sim_error perr = {0};
        if ((rc = geo_crs_forward(crs, x, y, m, &perr))) {
            rc = sim_error_set(err, rc, "%s: %s", what, perr.msg);
            goto done;
        }
    }
    for (size_t i = 0; i < m; ++i)
        if (!isfinite(x[i]) || !isfinite(y[i])) {
            rc = sim_error_set(err, SIM_EPARSE,
                               "%s: point %zu cannot be placed in the working CRS %s", what,
                               i + 1, geo_crs_name(crs));
            goto done;
        }
    if (!(g = ring_polygon(p, x, y, m))) {
        rc = sim_error_set(err, SIM_EDEP, "%s: GEOS: %s", what, p->msg);
        goto done;
    }
    if ((rc = check_valid(p, g, what, "in the working CRS: ", err))) goto done;
    rc = polygon_set(p, g, what, err);
    g = NULL; /* p owns it now */
    if (rc) goto done;
    *out = p;
    p = NULL;
done:
    if (g) GEOSGeom_destroy_r(p->ctx, g);
    geo_polygon_destroy(p);
    free(x);
    free(y);
    return rc;
}

/* Reads an OGR geometry into GEOS (through WKB). NULL on failure. */
static GEOSGeometry *ogr_to_geos(geo_polygon *p, GEOSWKBReader *rd, OGRGeometryH g) {
    int size = OGR_G_WkbSize(g);
    if (size <= 0) return NULL;
    unsigned char *buf = malloc((size_t)size);
    if (!buf) return NULL;
    GEOSGeometry *r = NULL;
    if (OGR_G_ExportToWkb(g, wkbNDR, buf) == OGRERR_NONE)
        r = GEOSWKBReader_read_r(p->ctx, rd, buf, (size_t)size);
    free(buf);
    return r;
}

/* 1 if `srs` places nothing: none at all, or a placeholder such as the "Undefined geographic
 * SRS" (srs_id 0) and "Undefined Cartesian SRS" (srs_id -1) that GDAL's GeoPackage driver reports
 * for a layer written without one, or a local engineering CRS. */
static int srs_undefined(OGRSpatialReferenceH srs) {
    if (!srs || OSRIsLocal(srs)) return 1;
    const char *name = OSRGetName(srs);
    return name && strncmp(name, "Undefined ", 10) == 0;
}

sim_status geo_polygon_load(const char *path, const char *layer, const geo_crs *crs,
                            const char *what, geo_polygon **out, sim_error *err) {
    sim_status rc = SIM_OK;
    GDALDatasetH ds = NULL;
    OGRSpatialReferenceH work = NULL, src_srs = NULL;
    OGRCoordinateTransformationH to_work = NULL;
    OGRFeatureH feat = NULL;
    OGRGeometryH clone = NULL;
    GEOSWKBReader *rd = NULL;
    GEOSGeometry **parts = NULL, *g = NULL;
    size_t n_parts = 0, cap_parts = 0;
    geo_polygon *p = NULL;
    if (!what) what = "polygon";
    *out = NULL;
    if (!path || !*path) return sim_error_set(err, SIM_EINVAL, "%s: no polygon file given", what);
    if (access(path, R_OK) != 0)
        return sim_error_set(err, SIM_EIO, "%s: %s: cannot read: %s", what, path,
                             strerror(errno));
    if ((rc = polygon_new(what, &p, err))) return rc;
    ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    if (!ds) {
        rc = sim_error_set(err, SIM_EIO, "%s: %s: cannot open as a vector data set: %s", what,
                           path, geo__gdal_msg());
        goto done;
    }
    OGRLayerH lyr = layer ? GDALDatasetGetLayerByName(ds, layer)
                          : (GDALDatasetGetLayerCount(ds) > 0 ? GDALDatasetGetLayer(ds, 0) : NULL);
    if (!lyr) {
        rc = layer ? sim_error_set(err, SIM_EPARSE, "%s: %s: no layer named '%s'", what, path,
                                   layer)
                   : sim_error_set(err, SIM_EPARSE, "%s: %s: the file has no layer", what, path);
        goto done;
    }
    const char *lname = OGR_L_GetName(lyr);
    OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(lyr);
    if (srs_undefined(srs)) {
        rc = sim_error_set(err, SIM_EPARSE,
                           "%s: %s: layer '%s' has no CRS; assign one (e.g. ogr2ogr -a_srs "
                           "EPSG:4326) so that the polygon can be placed on the network",
                           what, path, lname);
        goto done;
    }
    work = OSRNewSpatialReference(NULL);
    if (!work || OSRImportFromWkt(work, (char **)&(const char *){geo_crs_wkt(crs)}) != OGRERR_NONE) {
        rc = sim_error_set(err, SIM_EDEP, "%s: cannot set up the working CRS: %s", what,
                           geo__gdal_msg());
        goto done;
    }
    OSRSetAxisMappingStrategy(work, OAMS_TRADITIONAL_GIS_ORDER);
    src_srs = OSRClone(srs);
    if (src_srs) OSRSetAxisMappingStrategy(src_srs, OAMS_TRADITIONAL_GIS_ORDER);
    if (!src_srs || !(to_work = OCTNewCoordinateTransformation(src_srs, work))) {
        rc = sim_error_set(err, SIM_EDEP, "%s: %s: cannot transform layer '%s' to the working "
                           "CRS: %s", what, path, lname, geo__gdal_msg());
        goto done;
    }
    if (!(rd = GEOSWKBReader_create_r(p->ctx))) {
        rc = sim_error_set(err, SIM_ENOMEM, "%s", what);
        goto done;
    }
    OGR_L_ResetReading(lyr);
    while ((feat = OGR_L_GetNextFeature(lyr)) != NULL) {
        long long fid = (long long)OGR_F_GetFID(feat);
        OGRGeometryH fg = OGR_F_GetGeometryRef(feat);
        if (!fg || OGR_G_IsEmpty(fg)) {
            rc = sim_error_set(err, SIM_EPARSE, "%s: %s: layer '%s', feature %lld has no geometry",
                               what, path, lname, fid);
            goto done;
        }
        OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(fg));
        if (t != wkbPolygon && t != wkbMultiPolygon) {
            rc = sim_error_set(err, SIM_EPARSE,
                               "%s: %s: layer '%s', feature %lld is a %s, not a polygon", what,
                               path, lname, fid, OGRGeometryTypeToName(t));
            goto done;
        }
        if (!(clone = OGR_G_Clone(fg))) {
            rc = sim_error_set(err, SIM_ENOMEM, "%s", what);
            goto done;
        }
        OGR_G_FlattenTo2D(clone);
        /* validity in the layer's own coordinates, so the reason's position can be found */
        if (!(g = ogr_to_geos(p, rd, clone))) {
            rc = sim_error_set(err, SIM_EDEP, "%s: %s: feature %lld: GEOS cannot read it: %s",
                               what, path, fid, p->msg);
            goto done;
        }
        char where[1024];
        snprintf(where, sizeof where, "%s: layer '%s', feature %lld: ", path, lname, fid);
        if ((rc = check_valid(p, g, what, where, err))) goto done;
        GEOSGeom_destroy_r(p->ctx, g);
        g = NULL;
        if (OGR_G_Transform(clone, to_work) != OGRERR_NONE) {
            rc = sim_error_set(err, SIM_EDEP, "%s: %scannot transform to the working CRS: %s",
                               what, where, geo__gdal_msg());
            goto done;
        }
        if (!(g = ogr_to_geos(p, rd, clone))) {
            rc = sim_error_set(err, SIM_EDEP, "%s: %sGEOS cannot read it: %s", what, where,
                               p->msg);
            goto done;
        }
        OGR_G_DestroyGeometry(clone);
        clone = NULL;
        OGR_F_Destroy(feat);
        feat = NULL;
        if (n_parts == cap_parts) {
            size_t cap = cap_parts ? 2 * cap_parts : 16;
            GEOSGeometry **np = realloc(parts, cap * sizeof *np);
            if (!np) {
                rc = sim_error_set(err, SIM_ENOMEM, "%s", what);
                goto done;
            }
            parts = np;
            cap_parts = cap;
        }
        parts[n_parts++] = g;
        g = NULL;
    }
    if (n_parts == 0) {
        rc = sim_error_set(err, SIM_EPARSE, "%s: %s: layer '%s' has no feature", what, path,
                           lname);
        goto done;
    }
    {
        /* the collection takes the parts; its union is the polygon */
        GEOSGeometry *coll =
            GEOSGeom_createCollection_r(p->ctx, GEOS_GEOMETRYCOLLECTION, parts, (unsigned)n_parts);
        if (!coll) {
            rc = sim_error_set(err, SIM_EDEP, "%s: %s: GEOS: %s", what, path, p->msg);
            goto done;
        }
        n_parts = 0;
        g = GEOSUnaryUnion_r(p->ctx, coll);
        GEOSGeom_destroy_r(p->ctx, coll);
        if (!g) {
            rc = sim_error_set(err, SIM_EDEP, "%s: %s: GEOS cannot union the polygons: %s", what,
                               path, p->msg);
            goto done;
        }
    }
    rc = polygon_set(p, g, what, err);
    g = NULL;
    if (rc) goto done;
    GEOSWKBReader_destroy_r(p->ctx, rd);
    rd = NULL;
    *out = p;
    p = NULL;
done:
    if (p) { /* failed: what p's context still holds */
        if (g) GEOSGeom_destroy_r(p->ctx, g);
        for (size_t i = 0; i < n_parts; ++i) GEOSGeom_destroy_r(p->ctx, parts[i]);
        if (rd) GEOSWKBReader_destroy_r(p->ctx, rd);
    }
    free(parts);
    if (clone) OGR_G_DestroyGeometry(clone);
    if (feat) OGR_F_Destroy(feat);
    if (to_work) OCTDestroyCoordinateTransformation(to_work);
    if (src_srs) OSRDestroySpatialReference(src_srs);
    if (work) OSRDestroySpatialReference(work);
    if (ds) GDALClose(ds);
    geo_polygon_destroy(p);
    return rc;
}

/* 1 if point (x, y) intersects the polygon, 0 if not, -1 on a GEOS failure. */
static int point_in(const geo_polygon *p, double x, double y) {
    if (!isfinite(x) || !isfinite(y)) return 0;
    if (x < p->xmin || x > p->xmax || y < p->ymin || y > p->ymax) return 0;
    GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(p->ctx, x, y);
    if (!pt) return -1;
    char r = GEOSPreparedIntersects_r(p->ctx, p->prep, pt);
    GEOSGeom_destroy_r(p->ctx, pt);
    return r == 2 ? -1 : r;
}

sim_status geo_polygon_contains(const geo_polygon *p, const double *x, const double *y, size_t n,
                                uint8_t *inside, sim_error *err) {
    for (size_t i = 0; i < n; ++i) {
        int r = point_in(p, x[i], y[i]);
        if (r < 0) return sim_error_set(err, SIM_EDEP, "point in polygon: GEOS: %s", p->msg);
        inside[i] = (uint8_t)r;
    }
    return SIM_OK;
}

/* 1 if the straight segment (ax, ay)-(bx, by) intersects the polygon, 0 if not, -1 on failure. */
static int segment_in(const geo_polygon *p, double ax, double ay, double bx, double by) {
    if (fmax(ax, bx) < p->xmin || fmin(ax, bx) > p->xmax || fmax(ay, by) < p->ymin ||
        fmin(ay, by) > p->ymax)
        return 0;
    if (ax == bx && ay == by) return point_in(p, ax, ay);
    GEOSCoordSequence *cs = GEOSCoordSeq_create_r(p->ctx, 2, 2);
    if (!cs) return -1;
    GEOSCoordSeq_setXY_r(p->ctx, cs, 0, ax, ay);
    GEOSCoordSeq_setXY_r(p->ctx, cs, 1, bx, by);
    GEOSGeometry *line = GEOSGeom_createLineString_r(p->ctx, cs); /* takes cs */
    if (!line) return -1;
    char r = GEOSPreparedIntersects_r(p->ctx, p->prep, line);
    GEOSGeom_destroy_r(p->ctx, line);
    return r == 2 ? -1 : r;
}

/* ---- closing ---------------------------------------------------------------------------- */

static int mask_ok(unsigned mode_mask) {
    return mode_mask != 0 && (mode_mask & ~ALL_MODES) == 0;
}

static sim_status bad_mask(sim_error *err, const char *fn, unsigned mode_mask) {
    return sim_error_set(err, SIM_EINVAL, "%s: mode mask 0x%x names no mode or an unknown one",
                         fn, mode_mask);
}

/* The GEO_ACCESS bits of every mode in the mask. */
static uint8_t access_bits(unsigned mode_mask) {
    uint8_t bits = 0;
    for (int m = 0; m < GEO_MODE_COUNT; ++m)
        if (mode_mask & (1u << m)) bits |= GEO_ACCESS_ANY(m);
    return bits;
}

/* Clears the masked modes' bits of segment s; 1 if one of them could use it before. */
static int close_seg(geo_network *net, uint32_t s, uint8_t bits) {
    int was = (net->seg_access[s] & bits) != 0;
    net->seg_access[s] = (uint8_t)(net->seg_access[s] & ~bits);
    return was;
}

typedef struct {
    int64_t id;
    size_t pos; /* index in the caller's way_ids */
    int found;
} way_key;

static int cmp_way_key(const void *a, const void *b) {
    const way_key *p = a, *q = b;
    if (p->id != q->id) return p->id < q->id ? -1 : 1;
    return (p->pos > q->pos) - (p->pos < q->pos);
}

sim_status geo_network_close_ways(geo_network *net, const int64_t *way_ids, size_t n,
                                  unsigned mode_mask, size_t *n_closed, size_t *n_missing,
                                  int64_t *first_missing, sim_error *err) {
    if (n_closed) *n_closed = 0;
    if (n_missing) *n_missing = 0;
    if (first_missing) *first_missing = 0;
    if (!mask_ok(mode_mask)) return bad_mask(err, "closing ways", mode_mask);
    if (n == 0) return SIM_OK;
    way_key *keys = malloc(n * sizeof *keys);
    if (!keys) return sim_error_set(err, SIM_ENOMEM, "closing ways");
    for (size_t i = 0; i < n; ++i) keys[i] = (way_key){way_ids[i], i, 0};
    qsort(keys, n, sizeof *keys, cmp_way_key);
    uint8_t bits = access_bits(mode_mask);
    size_t closed = 0;
    for (uint32_t s = 0; s < net->n_segs; ++s) {
        if (net->seg_connector[s]) continue;
        int64_t w = net->seg_way[s];
        size_t lo = 0, hi = n; /* first key with id >= w */
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (keys[mid].id < w) lo = mid + 1;
            else hi = mid;
        }
        if (lo == n || keys[lo].id != w) continue;
        keys[lo].found = 1; /* the first of equal ids stands for them all */
        closed += (size_t)close_seg(net, s, bits);
    }
    size_t missing = 0, first_pos = SIZE_MAX;
    for (size_t i = 0; i < n; ++i) {
        if (i > 0 && keys[i].id == keys[i - 1].id) continue;
        if (keys[i].found) continue;
        ++missing;
        if (keys[i].pos < first_pos) first_pos = keys[i].pos;
    }
    if (n_closed) *n_closed = closed;
    if (n_missing) *n_missing = missing;
    if (first_missing && missing) *first_missing = way_ids[first_pos];
    free(keys);
    return SIM_OK;
}

sim_status geo_network_close_in_polygon(geo_network *net, const geo_polygon *p,
                                        unsigned mode_mask, size_t *n_closed, sim_error *err) {
    if (n_closed) *n_closed = 0;
    if (!mask_ok(mode_mask)) return bad_mask(err, "closing streets in a polygon", mode_mask);
    uint8_t bits = access_bits(mode_mask);
    /* decide every segment first, so that a GEOS failure leaves the network untouched */
    uint8_t *hit = calloc(net->n_segs ? net->n_segs : 1, 1);
    if (!hit) return sim_error_set(err, SIM_ENOMEM, "closing streets in a polygon");
    for (uint32_t s = 0; s < net->n_segs; ++s) {
        if (net->seg_connector[s] || !(net->seg_access[s] & bits)) continue;
        uint32_t u = net->seg_u[s], v = net->seg_v[s];
        int r = segment_in(p, net->x[u], net->y[u], net->x[v], net->y[v]);
        if (r < 0) {
            free(hit);
            return sim_error_set(err, SIM_EDEP, "closing streets in a polygon: GEOS: %s", p->msg);
        }
        hit[s] = (uint8_t)r;
    }
    size_t closed = 0;
    for (uint32_t s = 0; s < net->n_segs; ++s)
        if (hit[s]) closed += (size_t)close_seg(net, s, bits);
    free(hit);
    if (n_closed) *n_closed = closed;
    return SIM_OK;
}

/* ---- speeds ----------------------------------------------------------------------------- */

sim_status geo_network_speed_factor(geo_network *net, const geo_polygon *p, unsigned mode_mask,
                                    double factor, size_t *n_changed, sim_error *err) {
    static const char *FN = "speed factor";
    if (n_changed) *n_changed = 0;
    if (!mask_ok(mode_mask)) return bad_mask(err, FN, mode_mask);
    if (!(factor > 0) || !isfinite(factor))
        return sim_error_set(err, SIM_EINVAL, "%s: %g is not a positive number", FN, factor);
    uint8_t bits = access_bits(mode_mask), others = (uint8_t)(access_bits(ALL_MODES) & ~bits);
    uint8_t *hit = calloc(net->n_segs ? net->n_segs : 1, 1);
    if (!hit) return sim_error_set(err, SIM_ENOMEM, "%s", FN);
    sim_status rc = SIM_OK;
    /* first pass: which segments, and whether every change is possible */
    for (uint32_t s = 0; s < net->n_segs && !rc; ++s) {
        if (net->seg_connector[s]) continue;
        uint32_t u = net->seg_u[s], v = net->seg_v[s];
        int r = point_in(p, 0.5 * (net->x[u] + net->x[v]), 0.5 * (net->y[u] + net->y[v]));
        if (r < 0) {
            rc = sim_error_set(err, SIM_EDEP, "%s: GEOS: %s", FN, p->msg);
            break;
        }
        if (!r) continue;
        float t = net->seg_time_s[s];
        /* a fixed time is every mode's: change it only for the masked modes' own segments */
        if (isfinite(t) && !(net->seg_access[s] & bits)) continue;
        hit[s] = 1;
        if (isfinite(t)) {
            if (net->seg_access[s] & others)
                rc = sim_error_set(err, SIM_EINVAL,
                                   "%s: a segment of way %lld inside the polygon has one fixed "
                                   "time for every mode (the edge table's time column); apply "
                                   "the factor to every mode that uses it",
                                   FN, (long long)net->seg_way[s]);
            else if (t > 0 && !((float)(t / factor) > 0 && isfinite((float)(t / factor))))
                rc = sim_error_set(err, SIM_EINVAL, "%s: %g takes a time of way %lld out of range",
                                   FN, factor, (long long)net->seg_way[s]);
            continue;
        }
        for (int m = 0; m < GEO_MODE_COUNT && !rc; ++m) {
            if (!(mode_mask & (1u << m))) continue;
            float kmh = net->seg_speed_kmh[(size_t)s * GEO_MODE_COUNT + (size_t)m];
            float nk = (float)((double)kmh * factor);
            if (kmh > 0 && !(nk > 0 && isfinite(nk)))
                rc = sim_error_set(err, SIM_EINVAL,
                                   "%s: %g takes the %s speed of way %lld out of range", FN,
                                   factor, MODE_NAMES[m], (long long)net->seg_way[s]);
        }
    }
    size_t changed = 0;
    for (uint32_t s = 0; s < net->n_segs && !rc; ++s) {
        if (!hit[s]) continue;
        changed += (net->seg_access[s] & bits) != 0;
        float t = net->seg_time_s[s];
        if (isfinite(t)) {
            net->seg_time_s[s] = (float)(t / factor);
            net->seg_piece[s].full_time_s = (float)(net->seg_piece[s].full_time_s / factor);
            continue;
        }
        for (int m = 0; m < GEO_MODE_COUNT; ++m) {
            if (!(mode_mask & (1u << m))) continue;
            float *kmh = &net->seg_speed_kmh[(size_t)s * GEO_MODE_COUNT + (size_t)m];
            *kmh = (float)((double)*kmh * factor);
        }
    }
    free(hit);
    if (!rc && n_changed) *n_changed = changed;
    return rc;
}

/* ---- links ------------------------------------------------------------------------------ */

/* Nearest candidate node to (x, y), ties to the lower id; SIM_INVALID_ID if none. */
static uint32_t nearest_node(const geo_network *net, const uint8_t *cand, double x, double y,
                             double *dist) {
    uint32_t best = SIM_INVALID_ID;
    double best_d2 = INFINITY;
    for (uint32_t v = 0; v < net->n_nodes; ++v) {
        if (!cand[v]) continue;
        double dx = net->x[v] - x, dy = net->y[v] - y, d2 = dx * dx + dy * dy;
        if (d2 < best_d2) {
            best_d2 = d2;
            best = v;
        }
    }
    *dist = sqrt(best_d2);
    return best;
}

/* "walk, bike" for the masked modes into buf. */
static const char *mode_list(unsigned mode_mask, char *buf, size_t size) {
    size_t used = 0;
    buf[0] = '\0';
    for (int m = 0; m < GEO_MODE_COUNT; ++m) {
        if (!(mode_mask & (1u << m))) continue;
        int w = snprintf(buf + used, size - used, "%s%s", used ? ", " : "", MODE_NAMES[m]);
        if (w < 0 || (size_t)w >= size - used) break;
        used += (size_t)w;
    }
    return buf;
}

sim_status geo_network_add_link(geo_network *net, double x1, double y1, double x2, double y2,
                                unsigned mode_mask, const float *speed_kmh, double max_snap_m,
                                const char *what, sim_error *err) {
    if (!what) what = "link";
    if (!mask_ok(mode_mask)) return bad_mask(err, what, mode_mask);
    if (!speed_kmh) return sim_error_set(err, SIM_EINVAL, "%s: no speeds given", what);
    float speed[GEO_MODE_COUNT];
    for (int m = 0; m < GEO_MODE_COUNT; ++m) {
        speed[m] = 0.0f;
        if (!(mode_mask & (1u << m))) continue;
        if (!(speed_kmh[m] > 0) || !isfinite(speed_kmh[m]))
            return sim_error_set(err, SIM_EINVAL, "%s: %s speed %g km/h is not positive", what,
                                 MODE_NAMES[m], (double)speed_kmh[m]);
        speed[m] = speed_kmh[m];
    }
    if (!(max_snap_m >= 0))
        return sim_error_set(err, SIM_EINVAL, "%s: snapping distance %g m", what, max_snap_m);
    if (!isfinite(x1) || !isfinite(y1) || !isfinite(x2) || !isfinite(y2))
        return sim_error_set(err, SIM_EINVAL, "%s: an end of the link is not a finite point",
                             what);
    uint8_t bits = access_bits(mode_mask);
    uint8_t *cand = calloc(net->n_nodes ? net->n_nodes : 1, 1);
    if (!cand) return sim_error_set(err, SIM_ENOMEM, "%s", what);
    for (uint32_t s = 0; s < net->n_segs; ++s) {
        if (net->seg_connector[s] || !(net->seg_access[s] & bits)) continue;
        uint32_t u = net->seg_u[s], v = net->seg_v[s];
        if (net->kind[u] == GEO_NODE_STREET) cand[u] = 1;
        if (net->kind[v] == GEO_NODE_STREET) cand[v] = 1;
    }
    sim_status rc = SIM_OK;
    char modes[64];
    const double ex[2] = {x1, x2}, ey[2] = {y1, y2};
    uint32_t node[2];
    for (int e = 0; e < 2 && !rc; ++e) {
        double d;
        node[e] = nearest_node(net, cand, ex[e], ey[e], &d);
        if (node[e] == SIM_INVALID_ID)
            rc = sim_error_set(err, SIM_EPARSE, "%s: no street node that %s may use", what,
                               mode_list(mode_mask, modes, sizeof modes));
        else if (!(d <= max_snap_m))
            rc = sim_error_set(err, SIM_EPARSE,
                               "%s: end %d (%.1f, %.1f): the nearest street node that %s may use "
                               "is %.1f m away, more than %g m",
                               what, e + 1, ex[e], ey[e], mode_list(mode_mask, modes, sizeof modes),
                               d, max_snap_m);
    }
    free(cand);
    if (rc) return rc;
    if (node[0] == node[1])
        return sim_error_set(err, SIM_EPARSE,
                             "%s: both ends snap to the same street node (%.1f, %.1f); a link "
                             "needs two different places",
                             what, net->x[node[0]], net->y[node[0]]);
    uint32_t a = node[0], b = node[1];
    double len = geo_geodesic_m(net->lon[a], net->lat[a], net->lon[b], net->lat[b]);
    if (geo__network_add_seg(net, a, b, len, -2, 0, bits, speed, NAN) == SIM_INVALID_ID)
        return sim_error_set(err, SIM_ENOMEM, "%s", what);
    return SIM_OK;
}
