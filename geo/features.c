#include "geo/features.h"

#include <cpl_string.h>
#include <ctype.h>
#include <gdal.h>
#include <math.h>
#include <ogr_srs_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "geo/geo_internal.h"

void geo_features_destroy(geo_features *f) {
    if (!f) return;
    for (size_t i = 0; i < f->n; ++i) {
        if (f->id) free(f->id[i]);
        if (f->type) free(f->type[i]);
        if (f->wkb) free(f->wkb[i]);
    }
    free(f->id);
    free(f->type);
    free(f->wkb);
    free(f->wkb_len);
    free(f->x);
    free(f->y);
    free(f->lon);
    free(f->lat);
    free(f->values);
    free(f);
}


static sim_status field_index(const geo_features_source *src, OGRLayerH lyr, const char *name,
                              int *idx, sim_error *err) {
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr);
    *idx = OGR_FD_GetFieldIndex(defn, name);
    if (*idx >= 0) return SIM_OK;
    char fields[200];
    geo__list_fields(defn, fields, sizeof fields);
    return sim_error_set(err, SIM_EPARSE, "%s: %s: layer '%s' has no field '%s' (fields: %s)",
                         src->path, src->what, OGR_L_GetName(lyr), name, fields);
}

typedef struct {
    geo_features *f;
    size_t cap;
} grow_state;

static int features_reserve(grow_state *g, size_t need, int with_type, int with_wkb) {
    if (need <= g->cap) return 1;
    size_t cap = g->cap ? g->cap * 2 : 256;
    geo_features *f = g->f;
#define GROW(field, count)                                                                         \
    do {                                                                                           \
        void *p_ = realloc(f->field, (count) * sizeof *f->field);                                  \
        if (!p_) return 0;                                                                         \
        f->field = p_;                                                                             \
    } while (0)
    GROW(id, cap);
    GROW(x, cap);
    GROW(y, cap);
    GROW(lon, cap);
    GROW(lat, cap);
    GROW(values, cap * (f->n_fields ? f->n_fields : 1));
    if (with_type) GROW(type, cap);
    if (with_wkb) {
        GROW(wkb, cap);
        GROW(wkb_len, cap);
    }
#undef GROW
    g->cap = cap;
    return 1;
}

/* Opens src's data set and layer (CSV: coordinate columns detected, types guessed). */
static sim_status open_layer(const geo_features_source *src, GDALDatasetH *ds_out,
                             OGRLayerH *lyr_out, sim_error *err) {
    char **opts = NULL;
    if (geo__ends_with_ci(src->path, ".csv")) {
        char xn[128], yn[128];
        snprintf(xn, sizeof xn, "X_POSSIBLE_NAMES=%s",
                 src->lon ? src->lon : "lon,lng,long,longitude,x");
        snprintf(yn, sizeof yn, "Y_POSSIBLE_NAMES=%s", src->lat ? src->lat : "lat,latitude,y");
        opts = CSLAddString(opts, xn);
        opts = CSLAddString(opts, yn);
        opts = CSLAddString(opts, "KEEP_GEOM_COLUMNS=YES");
        opts = CSLAddString(opts, "AUTODETECT_TYPE=YES");
    }
    GDALDatasetH ds = GDALOpenEx(src->path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL,
                                 (const char *const *)opts, NULL);
    CSLDestroy(opts);
    *ds_out = ds;
    if (!ds)
        return sim_error_set(err, SIM_EIO, "%s: cannot open as a vector data set: %s", src->path,
                             geo__gdal_msg());
    OGRLayerH lyr = src->layer ? GDALDatasetGetLayerByName(ds, src->layer)
                               : (GDALDatasetGetLayerCount(ds) > 0 ? GDALDatasetGetLayer(ds, 0)
                                                                   : NULL);
    *lyr_out = lyr;
    if (!lyr)
        return src->layer ? sim_error_set(err, SIM_EPARSE, "%s: %s: no layer named '%s'",
                                          src->path, src->what, src->layer)
                          : sim_error_set(err, SIM_EPARSE, "%s: %s: the file has no layer",
                                          src->path, src->what);
    return SIM_OK;
}

/* The id geo_features_load gives a feature: the id field's text, else the FID. */
static void feature_id(OGRFeatureH feat, int id_idx, char *buf, size_t size) {
    if (id_idx >= 0) snprintf(buf, size, "%s", OGR_F_GetFieldAsString(feat, id_idx));
    else snprintf(buf, size, "%lld", (long long)OGR_F_GetFID(feat));
}

sim_status geo_features_eval(const geo_features_source *src, const char *const *ids, size_t n_ids,
                             const char *const *names, const char *const *values, size_t n_values,
                             const char *where, uint8_t *ok, sim_error *err) {
    GDALDatasetH ds = NULL, mem = NULL;
    OGRLayerH lyr = NULL;
    int *vidx = NULL;
    uint8_t *seen = NULL;
    sim_status rc = geo__check_readable(src->path, err);
    if (!rc) rc = open_layer(src, &ds, &lyr, err);
    if (rc) goto done;
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr);
    int id_idx = -1, nf = OGR_FD_GetFieldCount(defn);
    if (src->id && (rc = field_index(src, lyr, src->id, &id_idx, err))) goto done;
    vidx = malloc((n_values ? n_values : 1) * sizeof *vidx);
    seen = calloc(n_ids ? n_ids : 1, 1);
    if (!vidx || !seen) {
        rc = sim_error_set(err, SIM_ENOMEM, "%s", src->path);
        goto done;
    }
    for (size_t k = 0; k < n_values; ++k)
        if ((rc = field_index(src, lyr, names[k], &vidx[k], err))) goto done;
    GDALDriverH md = GDALGetDriverByName("Memory");
    mem = md ? GDALCreate(md, "eval", 0, 0, 0, GDT_Unknown, NULL) : NULL;
    OGRLayerH ml = mem ? GDALDatasetCreateLayer(mem, "features", NULL, wkbNone, NULL) : NULL;
    if (!ml) {
        rc = sim_error_set(err, SIM_EDEP, "%s: no GDAL in-memory layer: %s", src->path,
                           geo__gdal_msg());
        goto done;
    }
    for (int i = 0; i < nf; ++i)
        if (OGR_L_CreateField(ml, OGR_FD_GetFieldDefn(defn, i), TRUE) != OGRERR_NONE) {
            rc = sim_error_set(err, SIM_EDEP, "%s: copying the fields: %s", src->path,
                               geo__gdal_msg());
            goto done;
        }
    if (src->filter && OGR_L_SetAttributeFilter(lyr, src->filter) != OGRERR_NONE) {
        rc = sim_error_set(err, SIM_EPARSE, "%s: %s: invalid filter \"%s\": %s", src->path,
                           src->what, src->filter, geo__gdal_msg());
        goto done;
    }
    OGR_L_ResetReading(lyr);
    OGRFeatureH feat;
    while (!rc && (feat = OGR_L_GetNextFeature(lyr)) != NULL) {
        char id[256];
        feature_id(feat, id_idx, id, sizeof id);
        for (size_t i = 0; i < n_ids && !rc; ++i) {
            if (seen[i] || strcmp(ids[i], id)) continue;
            seen[i] = 1;
            OGRFeatureH mf = OGR_F_Create(OGR_L_GetLayerDefn(ml));
            for (int q = 0; q < nf; ++q)
                if (OGR_F_IsFieldSetAndNotNull(feat, q))
                    OGR_F_SetFieldString(mf, q, OGR_F_GetFieldAsString(feat, q));
            for (size_t k = 0; k < n_values; ++k) OGR_F_SetFieldString(mf, vidx[k], values[k]);
            OGR_F_SetFID(mf, (GIntBig)i);
            if (OGR_L_CreateFeature(ml, mf) != OGRERR_NONE)
                rc = sim_error_set(err, SIM_EDEP, "%s: %s", src->path, geo__gdal_msg());
            OGR_F_Destroy(mf);
        }
        OGR_F_Destroy(feat);
    }
    for (size_t i = 0; i < n_ids && !rc; ++i)
        if (!seen[i])
            rc = sim_error_set(err, SIM_EPARSE, "%s: %s: no feature with id '%s'", src->path,
                               src->what, ids[i]);
    if (rc) goto done;
    CPLErrorReset();
    if (OGR_L_SetAttributeFilter(ml, where) != OGRERR_NONE) {
        rc = sim_error_set(err, SIM_EPARSE, "%s: %s: invalid condition \"%s\": %s", src->path,
                           src->what, where, geo__gdal_msg());
        goto done;
    }
    memset(ok, 0, n_ids);
    OGR_L_ResetReading(ml);
    while ((feat = OGR_L_GetNextFeature(ml)) != NULL) {
        GIntBig i = OGR_F_GetFID(feat);
        if (i >= 0 && (size_t)i < n_ids) ok[i] = 1;
        OGR_F_Destroy(feat);
    }
done:
    if (mem) GDALClose(mem);
    if (ds) GDALClose(ds);
    free(vidx);
    free(seen);
    return rc;
}

sim_status geo_features_load(const geo_features_source *src, const geo_crs *crs,
                             geo_features **out, sim_warnings *warn, sim_error *err) {
    sim_status rc = SIM_OK;
    GDALDatasetH ds = NULL;
    OGRSpatialReferenceH wgs84 = NULL, work = NULL, csv_srs = NULL;
    OGRCoordinateTransformationH to_wgs84 = NULL, to_work = NULL;
    OGRFeatureH feat = NULL;
    OGRGeometryH cent = NULL, gw = NULL;
    int *vidx = NULL;
    *out = NULL;
    geo_features *f = calloc(1, sizeof *f);
    if (!f) return sim_error_set(err, SIM_ENOMEM, "%s", src->path);
    f->n_fields = src->n_fields;
    f->env[0] = f->env[1] = INFINITY;
    f->env[2] = f->env[3] = -INFINITY;
    grow_state gs = {f, 0};
    int slot_open = 0;
    if ((rc = geo__check_readable(src->path, err))) goto done;

    int is_csv = geo__ends_with_ci(src->path, ".csv");
    OGRLayerH lyr = NULL;
    if ((rc = open_layer(src, &ds, &lyr, err))) goto done;
    const char *lname = OGR_L_GetName(lyr);
    OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(lyr);
    if (is_csv && OGR_L_GetGeomType(lyr) == wkbNone) {
        rc = sim_error_set(err, SIM_EPARSE,
                           "%s: %s: no longitude/latitude columns found (name them with "
                           "'lon:' and 'lat:')",
                           src->path, src->what);
        goto done;
    }
    if (!srs && is_csv) {
        csv_srs = OSRNewSpatialReference(NULL);
        OSRImportFromEPSG(csv_srs, 4326);
        srs = csv_srs;
    }
    if (!srs) {
        rc = sim_error_set(err, SIM_EPARSE,
                           "%s: %s: layer '%s' has no CRS; assign one (e.g. ogr2ogr -a_srs "
                           "EPSG:4326) so it can be placed on the network",
                           src->path, src->what, lname);
        goto done;
    }
    if ((rc = geo__to_wgs84(srs, &to_wgs84, src->path, err))) goto done;
    work = OSRNewSpatialReference(NULL);
    if (!work || OSRImportFromWkt(work, (char **)&(const char *){geo_crs_wkt(crs)}) != OGRERR_NONE) {
        rc = sim_error_set(err, SIM_EDEP, "cannot set up the working CRS: %s", geo__gdal_msg());
        goto done;
    }
    OSRSetAxisMappingStrategy(work, OAMS_TRADITIONAL_GIS_ORDER);
    {
        OGRSpatialReferenceH s2 = OSRClone(srs);
        OSRSetAxisMappingStrategy(s2, OAMS_TRADITIONAL_GIS_ORDER);
        to_work = OCTNewCoordinateTransformation(s2, work);
        OSRDestroySpatialReference(s2);
    }
    if (!to_work) {
        rc = sim_error_set(err, SIM_EDEP, "%s: cannot transform to the working CRS: %s",
                           src->path, geo__gdal_msg());
        goto done;
    }
    int id_idx = -1, type_idx = -1;
    if (src->id && (rc = field_index(src, lyr, src->id, &id_idx, err))) goto done;
    if (src->type_field && (rc = field_index(src, lyr, src->type_field, &type_idx, err))) goto done;
    vidx = malloc((src->n_fields ? src->n_fields : 1) * sizeof *vidx);
    if (!vidx) {
        rc = sim_error_set(err, SIM_ENOMEM, "%s", src->path);
        goto done;
    }
    for (size_t k = 0; k < src->n_fields; ++k)
        if ((rc = field_index(src, lyr, src->fields[k], &vidx[k], err))) goto done;
    if (src->filter && OGR_L_SetAttributeFilter(lyr, src->filter) != OGRERR_NONE) {
        rc = sim_error_set(err, SIM_EPARSE, "%s: %s: invalid filter \"%s\": %s", src->path,
                           src->what, src->filter, geo__gdal_msg());
        goto done;
    }
    OGR_L_ResetReading(lyr);
    CPLErrorReset(); /* a reading error (e.g. a filter on a missing field, found by the driver
                        only when it runs the query) shows up after the loop */
    size_t ordinal = 0;
    while ((feat = OGR_L_GetNextFeature(lyr)) != NULL) {
        ++ordinal;
        OGRGeometryH g = OGR_F_GetGeometryRef(feat);
        char idbuf[64];
        const char *id = id_idx >= 0 ? OGR_F_GetFieldAsString(feat, id_idx) : NULL;
        if (!id) {
            /* the source's own feature id, so that a filter does not renumber features */
            GIntBig fid = OGR_F_GetFID(feat);
            if (fid != OGRNullFID) snprintf(idbuf, sizeof idbuf, "%lld", (long long)fid);
            else snprintf(idbuf, sizeof idbuf, "%zu", ordinal);
            id = idbuf;
        }
        if (!g || OGR_G_IsEmpty(g)) {
            sim_warnings_add(warn, "feature without geometry skipped", "%s %s", src->what, id);
            OGR_F_Destroy(feat);
            feat = NULL;
            continue;
        }
        if (!features_reserve(&gs, f->n + 1, type_idx >= 0, src->keep_geometry)) {
            rc = sim_error_set(err, SIM_ENOMEM, "%s", src->path);
            goto done;
        }
        size_t i = f->n;
        /* the slot being filled is freed at `done` if this feature fails half-way */
        f->id[i] = NULL;
        if (f->type) f->type[i] = NULL;
        if (f->wkb) f->wkb[i] = NULL;
        slot_open = 1;
        /* representative point, in the source CRS, then to both targets */
        OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(g));
        if (t == wkbPolygon || t == wkbMultiPolygon) f->polygons = 1;
        double px, py;
        if (t == wkbPoint) {
            px = OGR_G_GetX(g, 0);
            py = OGR_G_GetY(g, 0);
        } else {
            cent = OGR_G_CreateGeometry(wkbPoint);
            if (!cent || OGR_G_Centroid(g, cent) != OGRERR_NONE || OGR_G_IsEmpty(cent)) {
                rc = sim_error_set(err, SIM_EPARSE, "%s: %s: feature %s: cannot compute a centroid",
                                   src->path, src->what, id);
                goto done;
            }
            px = OGR_G_GetX(cent, 0);
            py = OGR_G_GetY(cent, 0);
            OGR_G_DestroyGeometry(cent);
            cent = NULL;
        }
        double lx = px, ly = py, wx = px, wy = py;
        if (!OCTTransform(to_wgs84, 1, &lx, &ly, NULL) || !OCTTransform(to_work, 1, &wx, &wy, NULL) ||
            !isfinite(wx) || !isfinite(wy) || fabs(ly) > 90) {
            rc = sim_error_set(err, SIM_EPARSE, "%s: %s: feature %s: coordinates (%g, %g) cannot "
                               "be transformed (check the CRS, or lon/lat order)",
                               src->path, src->what, id, px, py);
            goto done;
        }
        f->x[i] = wx;
        f->y[i] = wy;
        f->lon[i] = lx;
        f->lat[i] = ly;
        /* envelope in the working CRS */
        gw = OGR_G_Clone(g);
        if (gw && OGR_G_Transform(gw, to_work) == OGRERR_NONE) {
            OGREnvelope e;
            OGR_G_GetEnvelope(gw, &e);
            f->env[0] = fmin(f->env[0], e.MinX);
            f->env[1] = fmin(f->env[1], e.MinY);
            f->env[2] = fmax(f->env[2], e.MaxX);
            f->env[3] = fmax(f->env[3], e.MaxY);
        }
        if (gw) OGR_G_DestroyGeometry(gw);
        gw = NULL;
        if (src->keep_geometry) {
            gw = OGR_G_Clone(g);
            if (!gw || OGR_G_Transform(gw, to_wgs84) != OGRERR_NONE) {
                rc = sim_error_set(err, SIM_EPARSE, "%s: %s: feature %s: cannot transform to WGS84",
                                   src->path, src->what, id);
                goto done;
            }
            size_t len = (size_t)OGR_G_WkbSize(gw);
            f->wkb[i] = malloc(len);
            f->wkb_len[i] = len;
            if (!f->wkb[i]) {
                rc = sim_error_set(err, SIM_ENOMEM, "%s", src->path);
                goto done;
            }
            OGR_G_ExportToWkb(gw, wkbNDR, f->wkb[i]);
            OGR_G_DestroyGeometry(gw);
            gw = NULL;
        }
        for (size_t k = 0; k < src->n_fields; ++k) {
            double v = 0;
            int fi = vidx[k];
            if (!OGR_F_IsFieldSetAndNotNull(feat, fi)) {
                sim_warnings_add(warn, "empty value counted as 0", "%s feature %s field '%s'",
                                 src->what, id, src->fields[k]);
            } else {
                OGRFieldType ft = OGR_Fld_GetType(OGR_F_GetFieldDefnRef(feat, fi));
                if (ft == OFTInteger || ft == OFTInteger64 || ft == OFTReal) {
                    v = OGR_F_GetFieldAsDouble(feat, fi);
                } else {
                    const char *s = OGR_F_GetFieldAsString(feat, fi);
                    int blank = 1;
                    for (const char *c = s; *c; ++c)
                        if (!isspace((unsigned char)*c)) blank = 0;
                    if (blank) {
                        sim_warnings_add(warn, "empty value counted as 0",
                                         "%s feature %s field '%s'", src->what, id, src->fields[k]);
                    } else if (!geo__parse_number(s, &v)) {
                        rc = sim_error_set(err, SIM_EPARSE,
                                           "%s: %s: feature %s: field '%s' is not a number: '%s'",
                                           src->path, src->what, id, src->fields[k], s);
                        goto done;
                    }
                }
            }
            if (!(v >= 0) || !isfinite(v)) {
                rc = sim_error_set(err, SIM_EPARSE, "%s: %s: feature %s: field '%s' is negative or "
                                   "not finite (%g)", src->path, src->what, id, src->fields[k], v);
                goto done;
            }
            f->values[i * (f->n_fields ? f->n_fields : 1) + k] = v;
        }
        if (type_idx >= 0) {
            f->type[i] = strdup(OGR_F_IsFieldSetAndNotNull(feat, type_idx)
                                    ? OGR_F_GetFieldAsString(feat, type_idx) : "");
            if (!f->type[i]) {
                rc = sim_error_set(err, SIM_ENOMEM, "%s", src->path);
                goto done;
            }
        }
        f->id[i] = strdup(id);
        if (!f->id[i]) {
            rc = sim_error_set(err, SIM_ENOMEM, "%s", src->path);
            goto done;
        }
        f->n++;
        slot_open = 0;
        OGR_F_Destroy(feat);
        feat = NULL;
    }
    if (CPLGetLastErrorType() >= CE_Failure) {
        rc = src->filter ? sim_error_set(err, SIM_EPARSE, "%s: %s: reading with filter \"%s\" "
                                         "failed: %s",
                                         src->path, src->what, src->filter, geo__gdal_msg())
                         : sim_error_set(err, SIM_EPARSE, "%s: %s: reading layer '%s' failed: %s",
                                         src->path, src->what, lname, geo__gdal_msg());
        goto done;
    }
    if (f->n == 0 && !src->allow_empty) {
        rc = src->filter ? sim_error_set(err, SIM_EPARSE, "%s: %s: filter \"%s\" selects no feature "
                                         "with a geometry in layer '%s'",
                                         src->path, src->what, src->filter, lname)
                         : sim_error_set(err, SIM_EPARSE, "%s: %s: layer '%s' is empty", src->path,
                                         src->what, lname);
        goto done;
    }
    /* an empty result still has its arrays, so that callers may sort or search them */
    if (!features_reserve(&gs, 1, type_idx >= 0, src->keep_geometry)) {
        rc = sim_error_set(err, SIM_ENOMEM, "%s", src->path);
        goto done;
    }
    *out = f;
    f = NULL;
done:
    if (f && slot_open) {
        free(f->id[f->n]);
        if (f->type) free(f->type[f->n]);
        if (f->wkb) free(f->wkb[f->n]);
    }
    if (feat) OGR_F_Destroy(feat);
    if (cent) OGR_G_DestroyGeometry(cent);
    if (gw) OGR_G_DestroyGeometry(gw);
    if (to_wgs84) OCTDestroyCoordinateTransformation(to_wgs84);
    if (to_work) OCTDestroyCoordinateTransformation(to_work);
    if (work) OSRDestroySpatialReference(work);
    if (wgs84) OSRDestroySpatialReference(wgs84);
    if (csv_srs) OSRDestroySpatialReference(csv_srs);
    free(vidx);
    if (ds) GDALClose(ds);
    geo_features_destroy(f);
    return rc;
}
