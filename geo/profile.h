/*
 * accessim — which ways a mode may use, from OSM-style tags.
 *
 * The walking rules follow the OSM routers' foot profiles (OSRM foot.lua, Valhalla, R5): motorways
 * and trunk roads only with an explicit foot=yes/designated/permissive; no foot=no or
 * use_sidepath; no access=no/private/agricultural/forestry/delivery unless foot overrides it;
 * nothing under construction or proposed; every ordinary street, path, footway, pedestrian
 * area, living street, steps, track, service road, cycleway and bridleway allowed.
 */
#ifndef GEO_PROFILE_H
#define GEO_PROFILE_H

#include <stddef.h>

/** A borrowed set of key/value tags. */
typedef struct {
    const char *const *keys;
    const char *const *values;
    size_t n;
} geo_tags;

/** The value of `key` in `t`, or NULL. */
const char *geo_tags_get(const geo_tags *t, const char *key);

/** Why a way is or is not walkable. */
typedef enum {
    GEO_WALK_OK = 0,
    GEO_WALK_NO_HIGHWAY,   /* not a highway=* way (railway, waterway, building edge, ...) */
    GEO_WALK_HIGHWAY_KIND, /* motorway/trunk without foot=yes, construction, unknown value */
    GEO_WALK_FORBIDDEN     /* foot=no, access=private, ... */
} geo_walk_verdict;

/** Walking permission for a way with tags `t` (highway=* must be among them). */
geo_walk_verdict geo_walk_allowed(const geo_tags *t);

/**
 * Parses GDAL's OSM `other_tags` hstore text ("k"=>"v","k2"=>"v2") in place into up to `max`
 * pairs; `text` is modified (quotes and separators become NULs) and the pairs point into it.
 * Backslash escapes inside quotes are honoured. Returns the number of pairs (extra ones dropped).
 */
size_t geo_hstore_parse(char *text, const char **keys, const char **values, size_t max);

#endif
