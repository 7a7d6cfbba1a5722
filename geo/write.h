/*
 * accessim — output writers: GeoTIFF grids, GeoJSON areas, GeoPackage edges, file hashes.
 *
 * Writers write straight to the given path: callers build a whole output folder under a
 * temporary name and rename it into place when everything succeeded.
 */
#ifndef GEO_WRITE_H
#define GEO_WRITE_H

#include <stddef.h>
#include <stdint.h>

#include "geo/crs.h"
#include "geo/network.h"
#include "sim/status.h"

/** A north-up grid in the working CRS: cell (col, row) has centre (x0 + (col + 0.5) * cell_m,
 *  y0 - (row + 0.5) * cell_m); (x0, y0) is the top-left corner. */
typedef struct {
    double x0, y0, cell_m;
    uint32_t nx, ny;
} geo_grid;

/**
 * Writes `values` (nx * ny, row-major, top row first) as a single-band Float32 GeoTIFF: tiled
 * 256x256, DEFLATE with a floating-point predictor, nodata `nodata`, band description
 * `description` and unit type `unit`, CRS `crs`.
 */
sim_status geo_write_float_tiff(const char *path, const geo_grid *grid, const float *values,
                                float nodata, const geo_crs *crs, const char *description,
                                const char *unit, sim_error *err);

/** One attribute column for geo_write_areas(). */
typedef struct {
    const char *name;
    int is_text;         /* 1: text values, 0: real values */
    const double *real;  /* n values; NAN writes null */
    int decimals;        /* for real values: rounded to this many decimals; < 0: as they are */
    const char *const *text; /* n values; NULL writes null */
} geo_column;

/**
 * Writes RFC 7946 GeoJSON (EPSG:4326, 7 decimals): feature i has geometry wkb[i] (WGS84 WKB) and
 * the columns' i-th values.
 */
sim_status geo_write_areas(const char *path, const unsigned char *const *wkb, const size_t *wkb_len,
                           size_t n, const geo_column *cols, size_t n_cols, sim_error *err);

/**
 * Writes n_arcs directed arcs as a GeoPackage line layer `edges` (EPSG:4326) with fields from,
 * to, seconds and kind (street | connector): the edges.csv of the graph export, for QGIS. Arc a
 * goes from node from[a] to node to[a] (positions lon/lat[node]) in time_ds[a] deciseconds;
 * connector[a] says whether it is an origin/service connector.
 */
sim_status geo_write_edges_gpkg(const char *path, const double *lon, const double *lat,
                                const uint32_t *from, const uint32_t *to, const uint32_t *time_ds,
                                const uint8_t *connector, size_t n_arcs, sim_error *err);

/**
 * Lower-case hex SHA-256 of the file at `path` into hex[65], and its size. A folder (e.g. a GTFS
 * feed given as a folder) hashes as the SHA-256 of one line `<name> NUL <sha256 hex> LF` per
 * regular file in it, in byte order of the names (subfolders are not read); its size is the
 * files' total.
 */
sim_status geo_sha256_file(const char *path, char hex[65], uint64_t *size, sim_error *err);

#endif
