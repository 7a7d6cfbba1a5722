/*
 * accessim — which OSM ways lost nodes at an extract's edge (geo-internal).
 *
 * GDAL's OSM driver builds each way from the nodes it can find and silently joins the vertices
 * on either side of a missing node with a straight line: on a clipped extract that invents
 * shortcuts. This pass reads the same file with readosm (node ids and way node lists only) and
 * records, for every way with missing nodes, after which of its *present* vertices a gap lies, so
 * the loader can cut the GDAL line there instead of walking across the gap.
 */
#ifndef GEO_OSM_REFS_H
#define GEO_OSM_REFS_H

#include <stddef.h>
#include <stdint.h>

#include "sim/status.h"

typedef struct geo_osm_gaps geo_osm_gaps;

/** Reads `path` (.osm or .osm.pbf). *out owns the result; free with geo_osm_gaps_destroy. */
sim_status geo_osm_gaps_load(const char *path, geo_osm_gaps **out, sim_error *err);
void geo_osm_gaps_destroy(geo_osm_gaps *g);

/** Number of ways with at least one missing node. */
size_t geo_osm_gaps_way_count(const geo_osm_gaps *g);

/**
 * Counts as readosm saw them: all ways; linear highway ways (highway=*, not area=yes, and not a
 * closed way with one of GDAL's polygon keys such as building: the ways GDAL puts in its `lines`
 * layer); and of those, the ones with fewer than 2 nodes present in the file (a one-node way, or
 * nodes missing from the extract), which GDAL drops entirely.
 */
void geo_osm_gaps_counts(const geo_osm_gaps *g, size_t *ways, size_t *highway_ways,
                         size_t *highway_dropped);

/**
 * Returns 1 if way `way_id` has missing nodes, else 0. When 1: *n_present is the number of its
 * nodes present in the file, and *gaps / *n_gaps list the sorted indexes k (0-based, among present
 * vertices) such that nodes are missing between present vertex k and k + 1 (a leading or trailing
 * run of missing nodes yields no index). The array is owned by `g`.
 */
int geo_osm_gaps_find(const geo_osm_gaps *g, int64_t way_id, const uint32_t **gaps,
                      uint32_t *n_gaps, uint32_t *n_present);

#endif
