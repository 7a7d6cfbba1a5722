/*
 * accessim — which ways a mode may use, from OSM-style tags.
 *
 * The walking rules follow the OSM routers' foot profiles (OSRM foot.lua, Valhalla, R5): motorways
 * and trunk roads only with an explicit foot=yes/designated/permissive; no foot=no or
 * use_sidepath; no access=no/private/agricultural/forestry/delivery unless foot overrides it;
 * nothing under construction or proposed; every ordinary street, path, footway, pedestrian
 * area, living street, steps, track, service road, cycleway and bridleway allowed.
 *
 * The bike and car profiles below follow OSRM's bicycle.lua and car.lua; docs/PROFILES.md lists
 * every rule, default and deliberate difference.
 */
#ifndef GEO_PROFILE_H
#define GEO_PROFILE_H

#include <stddef.h>
#include <stdint.h>

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

/* ---- mode profiles: walk, bike, car ----------------------------------------------------- */

/** Street modes. The order matches scn_mode in scenarios/config.h. */
typedef enum { GEO_MODE_WALK = 0, GEO_MODE_BIKE = 1, GEO_MODE_CAR = 2, GEO_MODE_COUNT } geo_mode;

/** Highway classes, the index of geo_profile.car_highway_kmh. */
typedef enum {
    GEO_HW_MOTORWAY = 0,
    GEO_HW_MOTORWAY_LINK,
    GEO_HW_TRUNK,
    GEO_HW_TRUNK_LINK,
    GEO_HW_PRIMARY,
    GEO_HW_PRIMARY_LINK,
    GEO_HW_SECONDARY,
    GEO_HW_SECONDARY_LINK,
    GEO_HW_TERTIARY,
    GEO_HW_TERTIARY_LINK,
    GEO_HW_UNCLASSIFIED,
    GEO_HW_RESIDENTIAL,
    GEO_HW_LIVING_STREET,
    GEO_HW_SERVICE,
    GEO_HW_ROAD,
    GEO_HW_TRACK,
    GEO_HW_PATH,
    GEO_HW_FOOTWAY,
    GEO_HW_CYCLEWAY,
    GEO_HW_BRIDLEWAY,
    GEO_HW_PEDESTRIAN,
    GEO_HW_STEPS,
    GEO_HW_OTHER,
    GEO_HW_COUNT
} geo_highway;

/** The highway=* value's class name ("primary", ...); "other" for GEO_HW_OTHER. */
const char *geo_highway_name(geo_highway h);

/** Class of a highway=* value; GEO_HW_OTHER for values not in the list (NULL too). */
geo_highway geo_highway_of(const char *value);

/**
 * Speeds and switches of the three street profiles. geo_profile_defaults() fills values that
 * follow the established OSM routers (OSRM's car/bicycle/foot profiles); a scenario file can
 * override each one.
 */
typedef struct {
    double walk_kmh;                      /* walking speed on every walkable way (4.5) */
    double bike_kmh;                      /* cycling speed on cyclable ways (15) */
    double car_highway_kmh[GEO_HW_COUNT]; /* car speed per highway class when no maxspeed;
                                             0: cars never use the class. A track is used only
                                             where motorcar/motor_vehicle/vehicle/access opens
                                             it explicitly (yes, destination, ...) */
    double car_factor;                    /* multiplies every car speed (congestion), > 0 (1.0) */
    double car_maxspeed_factor;           /* multiplies a parsed maxspeed (typical speed on it,
                                             0.8 as OSRM); "none" counts as 130 km/h */
    int use_maxspeed;                     /* 1: a parsed maxspeed replaces the class default */
} geo_profile;

/** Fills `p` with the defaults (see docs/PROFILES.md). */
void geo_profile_defaults(geo_profile *p);

/** What one way allows a mode to do. */
typedef struct {
    uint8_t fwd;      /* 1: may travel in the way's drawing direction */
    uint8_t bwd;      /* 1: may travel against it */
    double speed_kmh; /* speed on the way for this mode (a bicycle on steps: walking speed);
                         0 when the mode may not use the way */
} geo_way_access;

/** Counters of tag values a profile could not interpret (summarised as warnings). */
typedef struct {
    size_t maxspeed_unparsed; /* maxspeed values that are neither a number, mph, "none" nor a
                                 country code such as "DE:urban" */
    char maxspeed_example[64];
} geo_profile_stats;

/**
 * Access and speed of mode `m` on a way with tags `t` (including highway=*). A way the mode may
 * not use at all gets fwd = bwd = 0. `stats` (may be NULL) counts unparsed values (only the car
 * profile reads maxspeed, and only with use_maxspeed); give each thread its own. Otherwise a
 * pure function of its inputs; thread-safe. Walking agrees with geo_walk_allowed().
 */
void geo_way_access_for(const geo_tags *t, geo_mode m, const geo_profile *p, geo_way_access *out,
                        geo_profile_stats *stats);

/**
 * Parses an OSM maxspeed value into km/h: "50" (also "50 km/h", "7.5"), "30 mph", "10 knots",
 * "walk" (5), "none" (returns 0 with *unlimited = 1), country values such as "DE:urban",
 * "RU:rural", "GB:nsl_single", "DE:zone30" (a table of common countries; other countries get the
 * generic urban 50, rural 90, trunk 110, motorway 130, living_street 20; "DE:motorway" is
 * unlimited); "50;30" takes the first. Case-insensitive. Returns -1 if not understood
 * ("signals", "variable", 0, more than 300 km/h). `unlimited` may be NULL.
 */
double geo_maxspeed_kmh(const char *value, int *unlimited);

/**
 * Parses GDAL's OSM `other_tags` hstore text ("k"=>"v","k2"=>"v2") in place into up to `max`
 * pairs; `text` is modified (quotes and separators become NULs) and the pairs point into it.
 * Backslash escapes inside quotes are honoured. Returns the number of pairs (extra ones dropped).
 */
size_t geo_hstore_parse(char *text, const char **keys, const char **values, size_t max);

#endif
