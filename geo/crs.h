/*
 * accessim — the working CRS: one metric projected CRS for a whole run.
 *
 * By default the UTM zone (WGS84, EPSG:326zz north / 327zz south) containing the centre of the
 * study area; a scenario file may name another CRS (anything PROJ understands, e.g. "EPSG:31982").
 * Coordinates are converted with PROJ, always in traditional GIS order (x/easting or longitude
 * first).
 */
#ifndef GEO_CRS_H
#define GEO_CRS_H

#include <stddef.h>

#include "sim/status.h"

typedef struct geo_crs geo_crs;

/** EPSG code of the WGS84 UTM zone containing (lon, lat), e.g. 32722 for Porto Alegre. */
int geo_crs_utm_epsg(double lon, double lat);

/**
 * Creates the working CRS from `definition` ("EPSG:32722", WKT, PROJ string). On failure *out is
 * NULL and `err` quotes PROJ's message. The CRS must be projected with metre units: a geographic
 * CRS or one in feet is rejected (SIM_EINVAL) so that lengths and grid sizes mean metres.
 */
sim_status geo_crs_create(const char *definition, geo_crs **out, sim_error *err);

void geo_crs_destroy(geo_crs *c);

/** "EPSG:32722" or the definition given; owned by `c`. */
const char *geo_crs_name(const geo_crs *c);

/** EPSG code of the working CRS, or 0 if it has none. */
int geo_crs_epsg(const geo_crs *c);

/** WKT (WKT2_2019) of the working CRS, owned by `c`. */
const char *geo_crs_wkt(const geo_crs *c);

/** In place: lon/lat (WGS84 degrees) -> working x/y (metres). SIM_EDEP if PROJ fails. */
sim_status geo_crs_forward(const geo_crs *c, double *x, double *y, size_t n, sim_error *err);

/** In place: working x/y -> lon/lat (WGS84 degrees). */
sim_status geo_crs_inverse(const geo_crs *c, double *x, double *y, size_t n, sim_error *err);

/** Geodesic distance in metres on the WGS84 ellipsoid between two lon/lat points. */
double geo_geodesic_m(double lon1, double lat1, double lon2, double lat2);

#endif
