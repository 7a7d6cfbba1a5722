/* accessim — helpers shared inside geo/ (not part of its public API). */
#ifndef GEO_INTERNAL_H
#define GEO_INTERNAL_H

#include <gdal.h>
#include <ogr_srs_api.h>
#include <stdint.h>

#include "geo/network.h"
#include "sim/status.h"

/** GDAL's last error message, or "unknown GDAL error". */
const char *geo__gdal_msg(void);

/** SIM_OK if `path` exists and is readable; else SIM_EIO naming it and the reason. */
sim_status geo__check_readable(const char *path, sim_error *err);

/** A transformation from `srs` to WGS84 lon/lat (traditional GIS order on both sides). */
sim_status geo__to_wgs84(OGRSpatialReferenceH srs, OGRCoordinateTransformationH *out,
                         const char *path, sim_error *err);

uint32_t geo__network_add_node(geo_network *n, double x, double y, double lon, double lat,
                               uint8_t kind, uint32_t ref);
uint32_t geo__network_add_seg(geo_network *n, uint32_t u, uint32_t v, double len_m, int64_t way,
                              uint8_t connector);

#endif
