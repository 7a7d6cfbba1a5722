/*
 * accessim — scenario modifications of the street network: closing ways (by OSM way id / OGR FID,
 * or inside a polygon), changing speeds inside a polygon (congestion, a calmed zone) and adding
 * a link between two points (a footbridge, a new crossing) for some modes.
 *
 * They work on a network as loaded (geo_network_load), before origins and services are attached:
 * the scenario runner copies the pristine network (geo_network_copy), modifies the copy, then
 * snaps, attaches and builds graphs as usual. A speed change alone keeps the topology, so a copy
 * of an already built mode graph can instead be re-weighted (geo_mode_graph_reweight).
 *
 * Modes are given as a mask: bit m stands for geo_mode m (1u << GEO_MODE_WALK, ...). Only street
 * segments are modified, never origin/service connectors. Every function either succeeds or leaves
 * the network as it was. Where a function takes `what` (may be NULL), it names the modification
 * and starts every error message, e.g. "scenario 'congestion', modification 1 (speed_factor): ...";
 * the caller prefixes the messages of the others itself.
 */
#ifndef GEO_MODIFY_H
#define GEO_MODIFY_H

#include <stddef.h>
#include <stdint.h>

#include "geo/crs.h"
#include "geo/network.h"
#include "sim/status.h"

/**
 * One or more polygons in the working CRS, prepared for point and segment tests (GEOS prepared
 * geometry). It owns a GEOS context: use one polygon from one thread at a time.
 */
typedef struct geo_polygon geo_polygon;

/**
 * A polygon from one ring given inline in WGS84 longitude/latitude degrees (n >= 3 points; the
 * ring is closed if its last point differs from its first), projected to the working CRS `crs`.
 * On success *out owns the polygon (free with geo_polygon_destroy); on failure it is NULL.
 * Errors, all SIM_EPARSE with a message "<what>: ...": fewer than 3 distinct points, a
 * non-finite coordinate or a latitude beyond +-90, an invalid ring (the reason GEOS gives, e.g.
 * "Self-intersection[lon lat]", where it lies in lon/lat), zero area. SIM_EDEP if PROJ or GEOS
 * fail, SIM_ENOMEM.
 */
sim_status geo_polygon_from_lonlat(const double *lon, const double *lat, size_t n,
                                   const geo_crs *crs, const char *what, geo_polygon **out,
                                   sim_error *err);

/**
 * Every polygon and multipolygon of layer `layer` (NULL: the first layer) of the OGR data set at
 * `path` (GeoPackage, GeoJSON, shapefile, ...), unioned and transformed to the working CRS `crs`.
 * On success *out owns the polygon; on failure it is NULL. Errors ("<what>: <path>: ..."):
 * SIM_EIO if the file is missing or cannot be opened; SIM_EPARSE if the layer does not exist,
 * has no CRS, has no feature at all, or a feature has no geometry, is not a (multi)polygon or is
 * invalid (the message names the feature's FID and GEOS's reason, in the layer's coordinates);
 * SIM_EDEP if GDAL, PROJ or GEOS fail; SIM_ENOMEM.
 */
sim_status geo_polygon_load(const char *path, const char *layer, const geo_crs *crs,
                            const char *what, geo_polygon **out, sim_error *err);

/** Frees `p`; NULL is a no-op. */
void geo_polygon_destroy(geo_polygon *p);

/**
 * inside[i] = 1 if point (x[i], y[i]) (working CRS, metres) lies inside the polygon or on its
 * boundary, else 0 (also for non-finite coordinates). `inside` is caller-owned with n entries.
 * Returns SIM_OK, or SIM_EDEP if GEOS fails.
 */
sim_status geo_polygon_contains(const geo_polygon *p, const double *x, const double *y, size_t n,
                                uint8_t *inside, sim_error *err);

/**
 * Closes, for the modes in `mode_mask`, the street segments (not connectors) drawn from the ways
 * `way_ids` (OSM way ids, or OGR FIDs / edge numbers for other sources: seg_way): clears their
 * GEO_ACCESS bits for those modes, in both directions. *n_closed = segments that one of those
 * modes could use before and no longer can. *n_missing = distinct ids that match no street
 * segment at all (whatever its modes), and *first_missing the first of them in `way_ids` order
 * (0 when none), so that the caller can report "way 123 is not in the network"; missing ids are
 * not an error. Any output pointer may be NULL. Returns SIM_OK, or SIM_EINVAL if `mode_mask` is
 * empty or names no mode (bits >= GEO_MODE_COUNT), SIM_ENOMEM.
 */
sim_status geo_network_close_ways(geo_network *net, const int64_t *way_ids, size_t n,
                                  unsigned mode_mask, size_t *n_closed, size_t *n_missing,
                                  int64_t *first_missing, sim_error *err);

/**
 * Closes, for the modes in `mode_mask`, every street segment that intersects the polygon (lies
 * inside it, crosses it or touches its boundary; working-CRS straight lines). *n_closed (may be
 * NULL) = segments that one of those modes could use before and no longer can. Returns SIM_OK,
 * SIM_EINVAL (bad mask), SIM_EDEP (GEOS), SIM_ENOMEM.
 */
sim_status geo_network_close_in_polygon(geo_network *net, const geo_polygon *p,
                                        unsigned mode_mask, size_t *n_closed, sim_error *err);

/**
 * Multiplies the speed of the modes in `mode_mask` by `factor` (> 0; 0.5 = half as fast, so
 * twice the time) on every street segment whose midpoint (working CRS) lies inside the polygon
 * or on its boundary. A segment with a fixed time (tables with a time column: one time for every
 * mode) that one of those modes may use gets time / factor instead; since that time is shared by
 * all modes, `mode_mask` must then include every mode that may use the segment. *n_changed (may
 * be NULL) = segments changed that one of those modes may use. The topology does not change, so a mode graph built before can
 * be updated with geo_mode_graph_reweight(). Errors: SIM_EINVAL for a bad mask, a factor that is
 * not a positive finite number or that takes a speed or time out of float range, and a
 * fixed-time segment inside the polygon that a mode outside the mask may use (the message names
 * its way); nothing is changed then. SIM_EDEP (GEOS), SIM_ENOMEM.
 */
sim_status geo_network_speed_factor(geo_network *net, const geo_polygon *p, unsigned mode_mask,
                                    double factor, size_t *n_changed, sim_error *err);

/**
 * Adds a link (e.g. a footbridge) between the street nodes nearest to two points (x1, y1) and
 * (x2, y2) (working CRS), each within `max_snap_m` (planar metres), usable in both directions by
 * the modes in `mode_mask` at speed_kmh[m] km/h (indexed by geo_mode; only the masked entries are
 * read, each must be > 0 and finite). Its length is the geodesic distance between the two nodes
 * (geo_geodesic_m), so its time for mode m is geo_time_ds(length, speed_kmh[m] / 3.6); its
 * seg_way is -2 (a scenario link) and it is not a connector. Candidates are street nodes (kind
 * GEO_NODE_STREET) touched by a street segment one of those modes may use; the nearest wins, ties
 * going to the lower node id. Errors: SIM_EPARSE if an end has no candidate within `max_snap_m`
 * (the message gives the distance to the nearest one) or both ends snap to the same node;
 * SIM_EINVAL for a bad mask, speed or max_snap_m; SIM_ENOMEM.
 */
sim_status geo_network_add_link(geo_network *net, double x1, double y1, double x2, double y2,
                                unsigned mode_mask, const float *speed_kmh, double max_snap_m,
                                const char *what, sim_error *err);

#endif
