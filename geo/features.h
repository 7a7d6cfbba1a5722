/*
 * accessim — population areas and service locations from any OGR source.
 *
 * Points, polygons (their centroid is the origin) or lines (centroid) from GPKG, Shapefile,
 * GeoJSON, ..., or CSV with longitude/latitude columns (taken as WGS84). Numeric fields are read
 * strictly: text that is not a number is an error naming the file, feature and field.
 */
#ifndef GEO_FEATURES_H
#define GEO_FEATURES_H

#include <stddef.h>

#include "geo/crs.h"
#include "sim/status.h"
#include "sim/warn.h"

typedef struct {
    const char *what;   /* "population", "service 'clinic'": used in messages */
    const char *path;   /* required */
    const char *layer;  /* NULL: the first layer */
    const char *id;     /* id field; NULL: the source's feature id (FID; CSV: the row, from 1) */
    const char *lon;    /* CSV longitude column; NULL: detect lon/lng/long/longitude/x */
    const char *lat;    /* CSV latitude column; NULL: detect lat/latitude/y */
    const char *filter; /* OGR SQL WHERE clause; NULL: none */
    const char *const *fields; /* numeric fields to read (>= 0 each) */
    size_t n_fields;
    const char *type_field; /* string field to read too; NULL: none */
    int keep_geometry;      /* keep each geometry (WGS84 WKB) for output */
    int allow_empty;        /* 1: no feature is a result, not an error */
} geo_features_source;

typedef struct {
    size_t n;
    size_t n_fields;
    char **id;
    double *x, *y;     /* representative point, working CRS */
    double *lon, *lat; /* the same point, WGS84 */
    double *values;    /* n * n_fields, row-major */
    char **type;       /* when type_field was given */
    unsigned char **wkb; /* WGS84 geometries when keep_geometry */
    size_t *wkb_len;
    int polygons; /* 1 if the layer holds polygons */
    double env[4]; /* xmin, ymin, xmax, ymax of all geometries, working CRS */
} geo_features;

/**
 * Loads the features of `src` into the working CRS `crs`. Errors (SIM_EIO/SIM_EPARSE) name the
 * file and the layer, field or feature: unreadable file, missing layer or field, layer without
 * CRS (CSV coordinates are WGS84 by definition), empty layer or filter selecting nothing,
 * invalid filter, non-numeric or negative values. Null values count as 0 and are summarised in
 * `warn`.
 */
sim_status geo_features_load(const geo_features_source *src, const geo_crs *crs,
                             geo_features **out, sim_warnings *warn, sim_error *err);

void geo_features_destroy(geo_features *f);

/**
 * Evaluates the OGR SQL condition `where` on features of `src`'s layer (src->filter applies)
 * as they would be with fields names[k] set to values[k]: ok[i] = 1 when feature ids[i] (an id
 * as geo_features_load gives it: the id field's value, else the FID) satisfies it, else 0. The
 * features are copied with every field into a GDAL in-memory layer, changed there, and the
 * condition runs there, so it reads the same fields with the same types as on the source.
 * Errors (SIM_EPARSE) name the file: a field not in the layer (fields listed), an id not in it,
 * an invalid condition; SIM_EIO: the file cannot be opened.
 */
sim_status geo_features_eval(const geo_features_source *src, const char *const *ids, size_t n_ids,
                             const char *const *names, const char *const *values, size_t n_values,
                             const char *where, uint8_t *ok, sim_error *err);

/**
 * For each point (lon[i], lat[i], WGS84), the index of the feature of `areas` whose geometry
 * covers it (interior or boundary; on a shared boundary the lowest index), or SIM_INVALID_ID.
 * `areas` must have been loaded with keep_geometry. area_of is caller-owned, n entries.
 * Returns SIM_OK, SIM_EINVAL, SIM_ENOMEM or SIM_EDEP (a geometry GEOS cannot read).
 */
sim_status geo_features_locate(const geo_features *areas, const double *lon, const double *lat,
                               size_t n, uint32_t *area_of, sim_error *err);

#endif
