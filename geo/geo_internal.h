/* accessim — helpers shared inside geo/ (not part of its public API). */
#ifndef GEO_INTERNAL_H
#define GEO_INTERNAL_H

#include <gdal.h>
#include <ogr_srs_api.h>
#include <stdint.h>

#include "geo/network.h"
#include "sim/status.h"

/** 1 if `s` ends with `suffix`, ignoring case. */
int geo__ends_with_ci(const char *s, const char *suffix);

/** Strict number: optional surrounding blanks, the whole text consumed, finite. 1 if parsed. */
int geo__parse_number(const char *s, double *out);

/** "a, b, c" of the layer's field names ("none" if it has none), shortened with "..." when it
 *  does not fit in `size` bytes. */
void geo__list_fields(OGRFeatureDefnH defn, char *buf, size_t size);

/** GDAL's last error message, or "unknown GDAL error". */
const char *geo__gdal_msg(void);

/** SIM_OK if `path` exists and is readable; else SIM_EIO naming it and the reason. */
sim_status geo__check_readable(const char *path, sim_error *err);

/** A transformation from `srs` to WGS84 lon/lat (traditional GIS order on both sides). */
sim_status geo__to_wgs84(OGRSpatialReferenceH srs, OGRCoordinateTransformationH *out,
                         const char *path, sim_error *err);

uint32_t geo__network_add_node(geo_network *n, double x, double y, double lon, double lat,
                               uint8_t kind, uint32_t ref);
/**
 * Appends a segment u->v: `access` bits (GEO_ACCESS_*), `speed_kmh` (GEO_MODE_COUNT values; NULL
 * for 0 each) and `time_s` (a fixed traversal time for every mode, NAN for none). Returns its
 * index, or SIM_INVALID_ID when out of memory.
 */
uint32_t geo__network_add_seg(geo_network *n, uint32_t u, uint32_t v, double len_m, int64_t way,
                              uint8_t connector, uint8_t access, const float *speed_kmh,
                              float time_s);

/** Loads a network from node/edge tables (geo/tables.c) into the empty `net`. */
sim_status geo__network_load_tables(const geo_network_source *src, geo_network *net,
                                    geo_crs **crs_out, sim_warnings *warn, sim_error *err);

/** Chooses the working CRS (cfg or UTM of the lon/lat extent) for geo_network_load. */
sim_status geo__choose_crs(const char *definition, const double *lon, const double *lat, size_t n,
                           geo_crs **out, sim_error *err);

#endif
