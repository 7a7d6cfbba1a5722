/* accessim — process-wide set-up of the geo libraries. */
#ifndef GEO_GEO_H
#define GEO_GEO_H

#include <stddef.h>

/**
 * Registers GDAL drivers and sets the configuration accessim relies on: GDAL's OSM driver reads
 * files whose node ids are not sorted (OSM_USE_CUSTOM_INDEXING=NO; without it unsorted files
 * silently lose ways), and GDAL errors are recorded, not printed. Call once, before threads.
 */
void geo_init(void);

/** "GDAL 3.6.2, PROJ 9.1.1, GEOS 3.11.1-CAPI-1.17.1" into buf. */
void geo_versions(char *buf, size_t size);

#endif
