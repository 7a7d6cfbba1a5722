/*
 * Tests for geo/profile.c: the walking rules of the foot profile, one tag combination per case;
 * the walk, bike and car mode profiles (each tagging rule with hand-made tags and expectations
 * worked out by hand from docs/PROFILES.md); maxspeed parsing; and the parser for GDAL's OSM
 * `other_tags` hstore text.
 */
#include "geo/profile.h"

#include <stdio.h>
#include <string.h>

#include "check.h"

/* Verdict for tags given as "k=v" strings (at most 8). */
static geo_walk_verdict walk_(const char *const *kv, size_t n) {
    static char buf[8][64];
    const char *keys[8], *vals[8];
    for (size_t i = 0; i < n && i < 8; ++i) {
        snprintf(buf[i], sizeof buf[i], "%s", kv[i]);
        char *eq = strchr(buf[i], '=');
        *eq = '\0';
        keys[i] = buf[i];
        vals[i] = eq + 1;
    }
    geo_tags t = {keys, vals, n};
    return geo_walk_allowed(&t);
}
#define WALK(...)                                                                                  \
    walk_((const char *const[]){__VA_ARGS__},                                                      \
          sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))

static void test_tags_get(void) {
    const char *keys[] = {"highway", NULL, "foot"};
    const char *vals[] = {"residential", "ignored", "yes"};
    geo_tags t = {keys, vals, 3};
    CHECK_STR_EQ(geo_tags_get(&t, "highway"), "residential");
    CHECK_STR_EQ(geo_tags_get(&t, "foot"), "yes");
    CHECK(geo_tags_get(&t, "access") == NULL);
    CHECK(geo_tags_get(&t, "Highway") == NULL); /* keys are case-sensitive, as in OSM */
    geo_tags empty = {NULL, NULL, 0};
    CHECK(geo_tags_get(&empty, "highway") == NULL);
}

static void test_ordinary_streets_and_paths(void) {
    static const char *const OK[] = {
        "highway=primary",       "highway=primary_link", "highway=secondary",
        "highway=tertiary",      "highway=unclassified", "highway=residential",
        "highway=living_street", "highway=service",      "highway=track",
        "highway=path",          "highway=steps",        "highway=pedestrian",
        "highway=footway",       "highway=cycleway",     "highway=bridleway",
        "highway=road",
    };
    for (size_t i = 0; i < sizeof OK / sizeof OK[0]; ++i) {
        geo_walk_verdict v = walk_(&OK[i], 1);
        if (v != GEO_WALK_OK) fprintf(stderr, "  %s: verdict %d\n", OK[i], (int)v);
        CHECK_EQ_INT(v, GEO_WALK_OK);
    }
}

static void test_fast_roads(void) {
    CHECK_EQ_INT(WALK("highway=motorway"), GEO_WALK_HIGHWAY_KIND);
    CHECK_EQ_INT(WALK("highway=motorway_link"), GEO_WALK_HIGHWAY_KIND);
    CHECK_EQ_INT(WALK("highway=trunk"), GEO_WALK_HIGHWAY_KIND);
    CHECK_EQ_INT(WALK("highway=trunk_link"), GEO_WALK_HIGHWAY_KIND);
    /* an explicit foot permission opens them */
    CHECK_EQ_INT(WALK("highway=motorway", "foot=yes"), GEO_WALK_OK);
    CHECK_EQ_INT(WALK("foot=designated", "highway=trunk"), GEO_WALK_OK);
    CHECK_EQ_INT(WALK("highway=trunk_link", "foot=permissive"), GEO_WALK_OK);
    /* anything else in foot does not */
    CHECK(WALK("highway=motorway", "foot=no") != GEO_WALK_OK);
    CHECK(WALK("highway=trunk", "foot=use_sidepath") != GEO_WALK_OK);
    CHECK(WALK("highway=motorway", "access=yes") != GEO_WALK_OK);
}

static void test_foot_no(void) {
    CHECK_EQ_INT(WALK("highway=residential", "foot=no"), GEO_WALK_FORBIDDEN);
    CHECK_EQ_INT(WALK("highway=primary", "foot=use_sidepath"), GEO_WALK_FORBIDDEN);
    CHECK_EQ_INT(WALK("highway=footway", "foot=private"), GEO_WALK_FORBIDDEN);
    /* foot=no wins over an access=yes */
    CHECK_EQ_INT(WALK("access=yes", "highway=path", "foot=no"), GEO_WALK_FORBIDDEN);
    /* other foot values leave an ordinary street open */
    CHECK_EQ_INT(WALK("highway=residential", "foot=yes"), GEO_WALK_OK);
    CHECK_EQ_INT(WALK("highway=residential", "foot=designated"), GEO_WALK_OK);
}

static void test_access(void) {
    CHECK_EQ_INT(WALK("highway=service", "access=private"), GEO_WALK_FORBIDDEN);
    CHECK_EQ_INT(WALK("highway=track", "access=no"), GEO_WALK_FORBIDDEN);
    CHECK_EQ_INT(WALK("highway=track", "access=agricultural"), GEO_WALK_FORBIDDEN);
    CHECK_EQ_INT(WALK("highway=track", "access=forestry"), GEO_WALK_FORBIDDEN);
    CHECK_EQ_INT(WALK("highway=service", "access=delivery"), GEO_WALK_FORBIDDEN);
    /* foot overrides access */
    CHECK_EQ_INT(WALK("highway=service", "access=private", "foot=yes"), GEO_WALK_OK);
    CHECK_EQ_INT(WALK("foot=designated", "access=no", "highway=track"), GEO_WALK_OK);
    CHECK_EQ_INT(WALK("highway=service", "access=permissive"), GEO_WALK_OK);
    CHECK_EQ_INT(WALK("highway=service", "access=yes"), GEO_WALK_OK);
    CHECK_EQ_INT(WALK("highway=service", "access=destination"), GEO_WALK_OK);
}

static void test_not_streets(void) {
    CHECK_EQ_INT(WALK("highway=construction"), GEO_WALK_HIGHWAY_KIND);
    CHECK_EQ_INT(WALK("highway=proposed"), GEO_WALK_HIGHWAY_KIND);
    /* foot=yes on a construction site does not open it */
    CHECK(WALK("highway=construction", "foot=yes") != GEO_WALK_OK);
    CHECK(WALK("highway=proposed", "foot=designated") != GEO_WALK_OK);
    /* unknown values */
    CHECK_EQ_INT(WALK("highway=raceway"), GEO_WALK_HIGHWAY_KIND);
    CHECK_EQ_INT(WALK("highway=no_such_value"), GEO_WALK_HIGHWAY_KIND);
    CHECK_EQ_INT(WALK("highway=Residential"),
                 GEO_WALK_HIGHWAY_KIND); /* OSM values are lower case */
    /* no highway at all */
    CHECK_EQ_INT(WALK("railway=rail"), GEO_WALK_NO_HIGHWAY);
    CHECK_EQ_INT(WALK("waterway=river", "foot=yes"), GEO_WALK_NO_HIGHWAY);
    CHECK_EQ_INT(WALK("highway="), GEO_WALK_NO_HIGHWAY);
    geo_tags none = {NULL, NULL, 0};
    CHECK_EQ_INT(geo_walk_allowed(&none), GEO_WALK_NO_HIGHWAY);
}

/* ---- mode profiles ---------------------------------------------------------------------------
 */

static geo_profile P; /* the defaults, set by main() */

/* Access of mode `m` on tags given as "k=v" strings (at most 8). */
static geo_way_access access_(geo_mode m, const geo_profile *p, geo_profile_stats *stats,
                              const char *const *kv, size_t n) {
    static char buf[8][64];
    const char *keys[8], *vals[8];
    for (size_t i = 0; i < n && i < 8; ++i) {
        snprintf(buf[i], sizeof buf[i], "%s", kv[i]);
        char *eq = strchr(buf[i], '=');
        *eq = '\0';
        keys[i] = buf[i];
        vals[i] = eq + 1;
    }
    geo_tags t = {keys, vals, n < 8 ? n : 8};
    geo_way_access a = {9, 9, -1};
    geo_way_access_for(&t, m, p, &a, stats);
    return a;
}
#define KV_(...)                                                                                   \
    (const char *const[]) { __VA_ARGS__ }
#define NKV_(...) (sizeof(KV_(__VA_ARGS__)) / sizeof(const char *))
#define ACCESS(m, p, stats, ...) access_(m, p, stats, KV_(__VA_ARGS__), NKV_(__VA_ARGS__))

static void expect_(int line, geo_mode m, const geo_profile *p, int fwd, int bwd, double kmh,
                    const char *const *kv, size_t n) {
    int failed_before = check_failures;
    geo_way_access a = access_(m, p, NULL, kv, n);
    CHECK_EQ_INT(a.fwd, fwd);
    CHECK_EQ_INT(a.bwd, bwd);
    CHECK_NEAR(a.speed_kmh, kmh, 1e-9);
    if (check_failures != failed_before) {
        fprintf(stderr, "  ^ mode %d, case at line %d:", (int)m, line);
        for (size_t i = 0; i < n; ++i) fprintf(stderr, " %s", kv[i]);
        fprintf(stderr, "\n");
    }
}
/* EXPECT(mode, fwd, bwd, km/h, "k=v", ...) with the default profile. */
#define EXPECT(m, fwd, bwd, kmh, ...)                                                              \
    expect_(__LINE__, m, &P, fwd, bwd, kmh, KV_(__VA_ARGS__), NKV_(__VA_ARGS__))
#define NONE(m, ...) EXPECT(m, 0, 0, 0, __VA_ARGS__)

#define WALK_M GEO_MODE_WALK
#define BIKE_M GEO_MODE_BIKE
#define CAR_M GEO_MODE_CAR

static void test_highway_classes(void) {
    for (int h = 0; h < GEO_HW_COUNT; ++h) {
        const char *name = geo_highway_name((geo_highway)h);
        CHECK(name != NULL);
        CHECK_EQ_INT(geo_highway_of(name), h); /* "other" maps back to GEO_HW_OTHER too */
    }
    CHECK_STR_EQ(geo_highway_name(GEO_HW_MOTORWAY), "motorway");
    CHECK_STR_EQ(geo_highway_name(GEO_HW_LIVING_STREET), "living_street");
    CHECK_STR_EQ(geo_highway_name(GEO_HW_STEPS), "steps");
    CHECK_STR_EQ(geo_highway_name(GEO_HW_OTHER), "other");
    CHECK_STR_EQ(geo_highway_name(GEO_HW_COUNT), "other");
    CHECK_EQ_INT(geo_highway_of("tertiary_link"), GEO_HW_TERTIARY_LINK);
    CHECK_EQ_INT(geo_highway_of("busway"), GEO_HW_OTHER);
    CHECK_EQ_INT(geo_highway_of("Primary"), GEO_HW_OTHER);
    CHECK_EQ_INT(geo_highway_of(""), GEO_HW_OTHER);
    CHECK_EQ_INT(geo_highway_of(NULL), GEO_HW_OTHER);
}

static void test_defaults(void) {
    geo_profile p;
    memset(&p, 0xff, sizeof p);
    geo_profile_defaults(&p);
    CHECK_NEAR(p.walk_kmh, 4.5, 0);
    CHECK_NEAR(p.bike_kmh, 15, 0);
    CHECK_NEAR(p.car_factor, 1.0, 0);
    CHECK_NEAR(p.car_maxspeed_factor, 0.8, 0);
    CHECK_EQ_INT(p.use_maxspeed, 1);
    static const double CAR[GEO_HW_COUNT] = {
        [GEO_HW_MOTORWAY] = 90,      [GEO_HW_MOTORWAY_LINK] = 45,  [GEO_HW_TRUNK] = 85,
        [GEO_HW_TRUNK_LINK] = 40,    [GEO_HW_PRIMARY] = 65,        [GEO_HW_PRIMARY_LINK] = 30,
        [GEO_HW_SECONDARY] = 55,     [GEO_HW_SECONDARY_LINK] = 25, [GEO_HW_TERTIARY] = 40,
        [GEO_HW_TERTIARY_LINK] = 20, [GEO_HW_UNCLASSIFIED] = 25,   [GEO_HW_RESIDENTIAL] = 25,
        [GEO_HW_LIVING_STREET] = 10, [GEO_HW_SERVICE] = 15,        [GEO_HW_ROAD] = 25,
        [GEO_HW_TRACK] = 10, /* the rest 0: never driven on */
    };
    for (int h = 0; h < GEO_HW_COUNT; ++h) {
        if (p.car_highway_kmh[h] != CAR[h])
            fprintf(stderr, "  car default for %s\n", geo_highway_name((geo_highway)h));
        CHECK_NEAR(p.car_highway_kmh[h], CAR[h], 0);
    }
}

static void test_no_highway(void) {
    for (int m = 0; m < GEO_MODE_COUNT; ++m) {
        NONE((geo_mode)m, "railway=rail");
        NONE((geo_mode)m, "highway=");
        NONE((geo_mode)m, "highway=construction");
        NONE((geo_mode)m, "highway=proposed", "foot=yes", "bicycle=yes", "motor_vehicle=yes");
    }
    geo_tags none = {NULL, NULL, 0};
    geo_way_access a = {1, 1, 5};
    geo_way_access_for(&none, GEO_MODE_CAR, &P, &a, NULL);
    CHECK(a.fwd == 0 && a.bwd == 0 && a.speed_kmh == 0);
}

/* walk: the same verdict as geo_walk_allowed, both directions, at walk_kmh */
static void test_walk_mode(void) {
    static const char *const CASES[][3] = {
        {"highway=residential"},
        {"highway=motorway"},
        {"highway=motorway", "foot=yes"},
        {"highway=trunk", "foot=use_sidepath"},
        {"highway=service", "access=private"},
        {"highway=service", "access=private", "foot=yes"},
        {"highway=footway", "foot=no"},
        {"highway=steps"},
        {"highway=pier"},
        {"highway=raceway"},
        {"highway=track", "access=agricultural"},
        {"highway=cycleway"},
        {"highway=bridleway"},
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; ++i) {
        size_t n = CASES[i][2] ? 3 : CASES[i][1] ? 2 : 1;
        int ok = walk_(CASES[i], n) == GEO_WALK_OK;
        geo_way_access a = access_(GEO_MODE_WALK, &P, NULL, CASES[i], n);
        if (a.fwd != ok || a.bwd != ok) fprintf(stderr, "  walk case %zu: %s\n", i, CASES[i][0]);
        CHECK_EQ_INT(a.fwd, ok);
        CHECK_EQ_INT(a.bwd, ok);
        CHECK_NEAR(a.speed_kmh, ok ? 4.5 : 0, 0);
    }
    /* steps are walkable, at walking speed */
    EXPECT(WALK_M, 1, 1, 4.5, "highway=steps");
    /* oneway binds vehicles, not pedestrians */
    EXPECT(WALK_M, 1, 1, 4.5, "highway=residential", "oneway=yes");
    EXPECT(WALK_M, 1, 1, 4.5, "highway=primary", "oneway=-1");
    EXPECT(WALK_M, 1, 1, 4.5, "highway=tertiary", "junction=roundabout");
    EXPECT(WALK_M, 1, 1, 4.5, "highway=footway", "oneway:bicycle=yes");
    /* ... except oneway:foot */
    EXPECT(WALK_M, 1, 0, 4.5, "highway=footway", "oneway:foot=yes");
    EXPECT(WALK_M, 0, 1, 4.5, "highway=footway", "oneway:foot=-1");
    EXPECT(WALK_M, 1, 1, 4.5, "highway=residential", "oneway=yes", "oneway:foot=no");
    /* the profile's speed */
    geo_profile slow = P;
    slow.walk_kmh = 3.2;
    geo_way_access a = ACCESS(WALK_M, &slow, NULL, "highway=path");
    CHECK_NEAR(a.speed_kmh, 3.2, 0);
}

static void test_bike_classes(void) {
    static const char *const RIDE[] = {
        "highway=primary",       "highway=primary_link", "highway=secondary",
        "highway=tertiary_link", "highway=unclassified", "highway=residential",
        "highway=living_street", "highway=service",      "highway=road",
        "highway=track",         "highway=path",         "highway=cycleway",
    };
    for (size_t i = 0; i < sizeof RIDE / sizeof RIDE[0]; ++i) {
        geo_way_access a = access_(BIKE_M, &P, NULL, &RIDE[i], 1);
        if (!(a.fwd && a.bwd && a.speed_kmh == 15)) fprintf(stderr, "  bike: %s\n", RIDE[i]);
        CHECK(a.fwd && a.bwd && a.speed_kmh == 15);
    }
    /* fast roads only with bicycle=yes/designated/permissive (motorways one-way by default) */
    NONE(BIKE_M, "highway=motorway");
    NONE(BIKE_M, "highway=motorway_link");
    NONE(BIKE_M, "highway=trunk");
    NONE(BIKE_M, "highway=trunk_link");
    NONE(BIKE_M, "highway=trunk", "access=yes"); /* bicycle itself must say so */
    NONE(BIKE_M, "highway=trunk", "foot=yes");   /* and no pushing there */
    EXPECT(BIKE_M, 1, 1, 15, "highway=trunk", "bicycle=yes");
    EXPECT(BIKE_M, 1, 1, 15, "highway=trunk_link", "bicycle=permissive");
    EXPECT(BIKE_M, 1, 0, 15, "highway=motorway", "bicycle=designated");
    /* bridleways only with bicycle=yes; no pushing */
    NONE(BIKE_M, "highway=bridleway");
    EXPECT(BIKE_M, 1, 1, 15, "highway=bridleway", "bicycle=yes");
    /* footways and pedestrian streets: pushed at walking speed unless bicycles are allowed */
    EXPECT(BIKE_M, 1, 1, 4.5, "highway=footway");
    EXPECT(BIKE_M, 1, 1, 4.5, "highway=pedestrian");
    EXPECT(BIKE_M, 1, 1, 15, "highway=footway", "bicycle=yes");
    EXPECT(BIKE_M, 1, 1, 15, "highway=pedestrian", "bicycle=designated");
    /* steps: always pushed or carried, even with bicycle=yes (a ramp) */
    EXPECT(BIKE_M, 1, 1, 4.5, "highway=steps");
    EXPECT(BIKE_M, 1, 1, 4.5, "highway=steps", "bicycle=yes");
    /* other walkable ways: platforms, piers and corridors are pushed; the rest is closed */
    EXPECT(BIKE_M, 1, 1, 4.5, "highway=platform");
    EXPECT(BIKE_M, 1, 1, 4.5, "highway=pier");
    EXPECT(BIKE_M, 1, 1, 4.5, "highway=corridor");
    NONE(BIKE_M, "highway=busway");
    NONE(BIKE_M, "highway=raceway", "bicycle=yes");
    /* the profile's speeds */
    geo_profile q = P;
    q.bike_kmh = 20;
    q.walk_kmh = 4;
    geo_way_access a = ACCESS(BIKE_M, &q, NULL, "highway=cycleway");
    CHECK_NEAR(a.speed_kmh, 20, 0);
    a = ACCESS(BIKE_M, &q, NULL, "highway=steps");
    CHECK_NEAR(a.speed_kmh, 4, 0);
}

static void test_bike_access(void) {
    NONE(BIKE_M, "highway=residential", "bicycle=no");
    NONE(BIKE_M, "highway=primary", "bicycle=use_sidepath");
    NONE(BIKE_M, "highway=service", "access=private");
    NONE(BIKE_M, "highway=track", "access=agricultural");
    NONE(BIKE_M, "highway=track", "access=forestry");
    NONE(BIKE_M, "highway=service", "access=delivery");
    NONE(BIKE_M, "highway=service", "access=no");
    NONE(BIKE_M, "highway=residential", "vehicle=no");
    NONE(BIKE_M, "highway=footway", "bicycle=no"); /* not even pushed */
    NONE(BIKE_M, "highway=steps", "bicycle=no");
    /* bicycle overrides vehicle overrides access */
    EXPECT(BIKE_M, 1, 1, 15, "highway=service", "access=no", "bicycle=yes");
    EXPECT(BIKE_M, 1, 1, 15, "highway=residential", "vehicle=no", "bicycle=permissive");
    EXPECT(BIKE_M, 1, 1, 15, "highway=track", "access=no", "vehicle=yes");
    NONE(BIKE_M, "highway=track", "access=yes", "vehicle=private");
    NONE(BIKE_M, "highway=track", "vehicle=yes", "bicycle=no");
    /* destination and unknown values are open */
    EXPECT(BIKE_M, 1, 1, 15, "highway=residential", "access=destination");
    EXPECT(BIKE_M, 1, 1, 15, "highway=residential", "bicycle=discouraged");
    /* dismount: pushed at walking speed, both ways, even on a one-way street */
    EXPECT(BIKE_M, 1, 1, 4.5, "highway=residential", "bicycle=dismount");
    EXPECT(BIKE_M, 1, 1, 4.5, "highway=primary", "oneway=yes", "bicycle=dismount");
    EXPECT(BIKE_M, 1, 1, 4.5, "highway=cycleway", "bicycle=dismount");
    /* pushing is walking: where pedestrians may not go, neither does a pushed bicycle */
    NONE(BIKE_M, "highway=footway", "foot=no");
    NONE(BIKE_M, "highway=steps", "foot=private");
    NONE(BIKE_M, "highway=residential", "bicycle=dismount", "foot=no");
    EXPECT(BIKE_M, 1, 1, 4.5, "highway=footway", "access=no", "foot=yes", "bicycle=dismount");
    EXPECT(BIKE_M, 1, 0, 4.5, "highway=footway", "oneway:foot=yes");
    /* riding needs no foot permission */
    EXPECT(BIKE_M, 1, 1, 15, "highway=cycleway", "foot=no");
}

static void test_bike_oneway(void) {
    EXPECT(BIKE_M, 1, 0, 15, "highway=residential", "oneway=yes");
    EXPECT(BIKE_M, 1, 0, 15, "highway=residential", "oneway=true");
    EXPECT(BIKE_M, 1, 0, 15, "highway=residential", "oneway=1");
    EXPECT(BIKE_M, 0, 1, 15, "highway=residential", "oneway=-1");
    EXPECT(BIKE_M, 0, 1, 15, "highway=residential", "oneway=reverse");
    EXPECT(BIKE_M, 1, 1, 15, "highway=residential", "oneway=no");
    EXPECT(BIKE_M, 1, 1, 15, "highway=residential", "oneway=reversible");
    EXPECT(BIKE_M, 1, 1, 15, "highway=residential", "oneway=alternating");
    EXPECT(BIKE_M, 1, 0, 15, "highway=cycleway", "oneway=yes");
    /* implied by roundabouts */
    EXPECT(BIKE_M, 1, 0, 15, "highway=tertiary", "junction=roundabout");
    EXPECT(BIKE_M, 1, 0, 15, "highway=tertiary", "junction=circular");
    EXPECT(BIKE_M, 1, 1, 15, "highway=tertiary", "junction=roundabout", "oneway=no");
    /* oneway:bicycle applies to bicycles, before anything else */
    EXPECT(BIKE_M, 1, 1, 15, "highway=residential", "oneway=yes", "oneway:bicycle=no");
    EXPECT(BIKE_M, 1, 0, 15, "highway=residential", "oneway:bicycle=yes");
    EXPECT(BIKE_M, 0, 1, 15, "highway=residential", "oneway:bicycle=-1");
    EXPECT(BIKE_M, 0, 1, 15, "highway=residential", "oneway=yes", "oneway:bicycle=-1");
    EXPECT(BIKE_M, 1, 1, 15, "highway=tertiary", "junction=roundabout", "oneway:bicycle=no");
    EXPECT(BIKE_M, 1, 0, 15, "highway=residential", "oneway:bicycle=yes", "cycleway=opposite");
    /* contraflow cycling */
    EXPECT(BIKE_M, 1, 1, 15, "highway=residential", "oneway=yes", "cycleway=opposite");
    EXPECT(BIKE_M, 1, 1, 15, "highway=residential", "oneway=yes", "cycleway=opposite_lane");
    EXPECT(BIKE_M, 1, 1, 15, "highway=residential", "oneway=yes", "cycleway=opposite_track");
    EXPECT(BIKE_M, 1, 1, 15, "highway=residential", "oneway=yes", "cycleway:left=opposite_lane");
    EXPECT(BIKE_M, 1, 1, 15, "highway=residential", "oneway=-1", "cycleway:right=opposite_track");
    EXPECT(BIKE_M, 1, 0, 15, "highway=residential", "oneway=yes", "cycleway=lane");
    EXPECT(BIKE_M, 1, 0, 15, "highway=residential", "oneway=yes", "cycleway:left=track");
    /* car-only oneway keys do not bind bicycles */
    EXPECT(BIKE_M, 1, 1, 15, "highway=residential", "oneway:motor_vehicle=yes");
}

static void test_car_classes(void) {
    static const struct {
        const char *tag;
        double kmh;
    } CLASSES[] = {
        {"highway=motorway_link", 45},  {"highway=trunk", 85},        {"highway=trunk_link", 40},
        {"highway=primary", 65},        {"highway=primary_link", 30}, {"highway=secondary", 55},
        {"highway=secondary_link", 25}, {"highway=tertiary", 40},     {"highway=tertiary_link", 20},
        {"highway=unclassified", 25},   {"highway=residential", 25},  {"highway=living_street", 10},
        {"highway=service", 15},        {"highway=road", 25},
    };
    for (size_t i = 0; i < sizeof CLASSES / sizeof CLASSES[0]; ++i) {
        geo_way_access a = access_(CAR_M, &P, NULL, &CLASSES[i].tag, 1);
        if (!(a.fwd && a.bwd && a.speed_kmh == CLASSES[i].kmh))
            fprintf(stderr, "  car: %s\n", CLASSES[i].tag);
        CHECK(a.fwd && a.bwd && a.speed_kmh == CLASSES[i].kmh);
    }
    EXPECT(CAR_M, 1, 0, 90, "highway=motorway"); /* one-way by default */
    /* never for cars, whatever the access tags */
    NONE(CAR_M, "highway=path");
    NONE(CAR_M, "highway=footway");
    NONE(CAR_M, "highway=cycleway");
    NONE(CAR_M, "highway=bridleway");
    NONE(CAR_M, "highway=pedestrian");
    NONE(CAR_M, "highway=steps");
    NONE(CAR_M, "highway=pedestrian", "motor_vehicle=yes");
    NONE(CAR_M, "highway=footway", "access=yes");
    NONE(CAR_M, "highway=busway");
    NONE(CAR_M, "highway=platform");
    /* tracks only when opened to cars explicitly */
    NONE(CAR_M, "highway=track");
    NONE(CAR_M, "highway=track", "foot=yes");
    NONE(CAR_M, "highway=track", "motor_vehicle=discouraged");
    NONE(CAR_M, "highway=track", "motor_vehicle=agricultural");
    EXPECT(CAR_M, 1, 1, 10, "highway=track", "motor_vehicle=yes");
    EXPECT(CAR_M, 1, 1, 10, "highway=track", "access=yes");
    EXPECT(CAR_M, 1, 1, 10, "highway=track", "motorcar=destination");
    EXPECT(CAR_M, 1, 1, 8, "highway=track", "vehicle=permissive", "maxspeed=10");
    NONE(CAR_M, "highway=track", "access=yes", "motor_vehicle=no");
}

static void test_car_access(void) {
    NONE(CAR_M, "highway=residential", "access=no");
    NONE(CAR_M, "highway=service", "access=private");
    NONE(CAR_M, "highway=unclassified", "access=agricultural");
    NONE(CAR_M, "highway=unclassified", "access=forestry");
    NONE(CAR_M, "highway=service", "access=delivery");
    NONE(CAR_M, "highway=service", "access=emergency");
    NONE(CAR_M, "highway=service", "access=psv");
    NONE(CAR_M, "highway=service", "motor_vehicle=military");
    NONE(CAR_M, "highway=residential", "vehicle=no");
    NONE(CAR_M, "highway=residential", "motor_vehicle=no");
    NONE(CAR_M, "highway=residential", "motorcar=no");
    NONE(CAR_M, "highway=service", "service=emergency_access");
    /* destination, customers and other values are open */
    EXPECT(CAR_M, 1, 1, 25, "highway=residential", "access=destination");
    EXPECT(CAR_M, 1, 1, 25, "highway=residential", "motor_vehicle=destination");
    EXPECT(CAR_M, 1, 1, 15, "highway=service", "access=customers");
    EXPECT(CAR_M, 1, 1, 15, "highway=service", "access=permissive");
    EXPECT(CAR_M, 1, 1, 15, "highway=service", "service=parking_aisle");
    /* the most specific tag wins: motorcar > motor_vehicle > vehicle > access */
    EXPECT(CAR_M, 1, 1, 25, "highway=residential", "access=no", "motor_vehicle=yes");
    EXPECT(CAR_M, 1, 1, 25, "highway=residential", "motor_vehicle=no", "motorcar=yes");
    EXPECT(CAR_M, 1, 1, 25, "highway=residential", "vehicle=no", "motor_vehicle=destination");
    NONE(CAR_M, "highway=residential", "motor_vehicle=yes", "motorcar=no");
    NONE(CAR_M, "highway=residential", "access=yes", "vehicle=private");
    /* tags of other modes do not matter */
    EXPECT(CAR_M, 1, 1, 25, "highway=residential", "foot=no", "bicycle=no");
    EXPECT(CAR_M, 1, 1, 25, "highway=residential", "bicycle=dismount");
}

static void test_car_oneway(void) {
    EXPECT(CAR_M, 1, 0, 25, "highway=residential", "oneway=yes");
    EXPECT(CAR_M, 1, 0, 25, "highway=residential", "oneway=true");
    EXPECT(CAR_M, 1, 0, 25, "highway=residential", "oneway=1");
    EXPECT(CAR_M, 0, 1, 25, "highway=residential", "oneway=-1");
    EXPECT(CAR_M, 0, 1, 25, "highway=residential", "oneway=reverse");
    EXPECT(CAR_M, 1, 1, 25, "highway=residential", "oneway=no");
    EXPECT(CAR_M, 1, 1, 25, "highway=residential", "oneway=unknown_value");
    /* Python's booleans, as OSMnx edge tables write them */
    EXPECT(CAR_M, 1, 0, 25, "highway=residential", "oneway=True");
    EXPECT(CAR_M, 1, 0, 90, "highway=motorway", "oneway=True");
    EXPECT(CAR_M, 1, 1, 90, "highway=motorway", "oneway=False");
    EXPECT(BIKE_M, 1, 0, 15, "highway=residential", "oneway=True");
    EXPECT(CAR_M, 1, 1, 25, "highway=residential", "oneway=YES"); /* not a value: ignored */
    /* reversible: not used at all; alternating: two-way */
    NONE(CAR_M, "highway=primary", "oneway=reversible");
    EXPECT(CAR_M, 1, 1, 65, "highway=primary", "oneway=alternating");
    /* implied: roundabouts and motorways (not their links, as current OSRM) */
    EXPECT(CAR_M, 1, 0, 40, "highway=tertiary", "junction=roundabout");
    EXPECT(CAR_M, 1, 0, 40, "highway=tertiary", "junction=circular");
    EXPECT(CAR_M, 1, 1, 40, "highway=tertiary", "junction=roundabout", "oneway=no");
    EXPECT(CAR_M, 0, 1, 40, "highway=tertiary", "junction=roundabout", "oneway=-1");
    EXPECT(CAR_M, 1, 1, 90, "highway=motorway", "oneway=no");
    EXPECT(CAR_M, 0, 1, 90, "highway=motorway", "oneway=-1");
    EXPECT(CAR_M, 1, 1, 45, "highway=motorway_link");
    EXPECT(CAR_M, 1, 0, 45, "highway=motorway_link", "oneway=yes");
    /* motor-vehicle oneway keys come first; bicycle and foot ones do not bind cars */
    EXPECT(CAR_M, 1, 1, 25, "highway=residential", "oneway=yes", "oneway:motor_vehicle=no");
    EXPECT(CAR_M, 1, 0, 25, "highway=residential", "oneway:vehicle=yes");
    EXPECT(CAR_M, 0, 1, 25, "highway=residential", "oneway=yes", "oneway:motorcar=-1",
           "oneway:motor_vehicle=yes");
    EXPECT(CAR_M, 1, 0, 25, "highway=residential", "oneway=yes", "oneway:bicycle=no");
    EXPECT(CAR_M, 1, 0, 25, "highway=residential", "oneway=yes", "cycleway=opposite");
    EXPECT(CAR_M, 1, 1, 25, "highway=residential", "oneway:foot=yes");
}

static void test_car_speed(void) {
    /* a parsed maxspeed replaces the class speed, times car_maxspeed_factor (0.8) */
    EXPECT(CAR_M, 1, 1, 40, "highway=residential", "maxspeed=50");
    EXPECT(CAR_M, 1, 1, 24, "highway=primary", "maxspeed=30");
    EXPECT(CAR_M, 1, 1, 30 * 1.609344 * 0.8, "highway=primary", "maxspeed=30 mph");
    EXPECT(CAR_M, 1, 1, 40, "highway=secondary", "maxspeed=DE:urban");
    EXPECT(CAR_M, 1, 1, 80, "highway=secondary", "maxspeed=DE:rural");
    EXPECT(CAR_M, 1, 0, 104, "highway=motorway", "maxspeed=none");        /* 130 x 0.8 */
    EXPECT(CAR_M, 1, 0, 104, "highway=motorway", "maxspeed=DE:motorway"); /* unlimited */
    EXPECT(CAR_M, 1, 1, 4, "highway=living_street", "maxspeed=walk");
    EXPECT(CAR_M, 1, 1, 40, "highway=residential", "maxspeed=50;30");
    /* directional limits: one speed per way, the slower open direction's */
    EXPECT(CAR_M, 1, 0, 24, "highway=primary", "oneway=yes", "maxspeed=50", "maxspeed:forward=30");
    EXPECT(CAR_M, 1, 0, 40, "highway=primary", "oneway=yes", "maxspeed=50", "maxspeed:backward=30");
    EXPECT(CAR_M, 0, 1, 56, "highway=primary", "oneway=-1", "maxspeed:forward=30",
           "maxspeed:backward=70");
    EXPECT(CAR_M, 1, 1, 24, "highway=primary", "maxspeed:forward=30", "maxspeed:backward=50");
    EXPECT(CAR_M, 1, 1, 24, "highway=primary", "maxspeed:forward=30"); /* backward: class 65 */
    /* unparsed: the class speed, counted once per way with the first example kept */
    geo_profile_stats st;
    memset(&st, 0, sizeof st);
    geo_way_access a = ACCESS(CAR_M, &P, &st, "highway=primary", "maxspeed=signals");
    CHECK(a.fwd && a.bwd);
    CHECK_NEAR(a.speed_kmh, 65, 0);
    CHECK_EQ_INT(st.maxspeed_unparsed, 1);
    CHECK_STR_EQ(st.maxspeed_example, "signals");
    a = ACCESS(CAR_M, &P, &st, "highway=residential", "maxspeed=variable");
    CHECK_NEAR(a.speed_kmh, 25, 0);
    CHECK_EQ_INT(st.maxspeed_unparsed, 2);
    CHECK_STR_EQ(st.maxspeed_example, "signals");
    /* the parsed direction wins over an unparsed one, which is still counted */
    a = ACCESS(CAR_M, &P, &st, "highway=primary", "maxspeed:forward=fast", "maxspeed=50");
    CHECK_NEAR(a.speed_kmh, 40, 1e-9);
    CHECK_EQ_INT(st.maxspeed_unparsed, 3);
    /* a closed direction's value is not read; closed ways and other modes read nothing */
    ACCESS(CAR_M, &P, &st, "highway=primary", "oneway=yes", "maxspeed:backward=fast");
    ACCESS(CAR_M, &P, &st, "highway=footway", "maxspeed=fast");
    ACCESS(BIKE_M, &P, &st, "highway=primary", "maxspeed=fast");
    ACCESS(WALK_M, &P, &st, "highway=primary", "maxspeed=fast");
    CHECK_EQ_INT(st.maxspeed_unparsed, 3);
    /* a NULL stats is fine */
    a = ACCESS(CAR_M, &P, NULL, "highway=primary", "maxspeed=fast");
    CHECK_NEAR(a.speed_kmh, 65, 0);

    /* use_maxspeed = 0: class speeds only, nothing parsed or counted */
    geo_profile q = P;
    q.use_maxspeed = 0;
    a = ACCESS(CAR_M, &q, &st, "highway=residential", "maxspeed=50");
    CHECK_NEAR(a.speed_kmh, 25, 0);
    a = ACCESS(CAR_M, &q, &st, "highway=residential", "maxspeed=fast");
    CHECK_EQ_INT(st.maxspeed_unparsed, 3);
    /* car_factor multiplies both kinds of speed; car_maxspeed_factor only maxspeeds */
    q = P;
    q.car_factor = 0.5;
    q.car_maxspeed_factor = 1.0;
    a = ACCESS(CAR_M, &q, NULL, "highway=residential");
    CHECK_NEAR(a.speed_kmh, 12.5, 1e-9);
    a = ACCESS(CAR_M, &q, NULL, "highway=residential", "maxspeed=50");
    CHECK_NEAR(a.speed_kmh, 25, 1e-9);
    /* overridden class speeds */
    q = P;
    q.car_highway_kmh[GEO_HW_RESIDENTIAL] = 18;
    a = ACCESS(CAR_M, &q, NULL, "highway=residential");
    CHECK_NEAR(a.speed_kmh, 18, 0);
    a = ACCESS(CAR_M, &q, NULL, "highway=residential", "maxspeed=30");
    CHECK_NEAR(a.speed_kmh, 24, 1e-9);
}

static void test_maxspeed_parse(void) {
    static const struct {
        const char *value;
        double kmh; /* -1: not understood */
        int unlimited;
    } CASES[] = {
        {"50", 50, 0},
        {"7.5", 7.5, 0},
        {" 60 ", 60, 0},
        {"50 km/h", 50, 0},
        {"50km/h", 50, 0},
        {"50 kmh", 50, 0},
        {"50 kph", 50, 0},
        {"30 mph", 30 * 1.609344, 0},
        {"30mph", 30 * 1.609344, 0},
        {"30 MPH", 30 * 1.609344, 0},
        {"10 knots", 18.52, 0},
        {"50;30", 50, 0},
        {"30 mph;50", 30 * 1.609344, 0},
        {"none", 0, 1},
        {"None", 0, 1},
        {"walk", 5, 0},
        {"DE:urban", 50, 0},
        {"de:urban", 50, 0},
        {"DE:rural", 100, 0},
        {"DE:motorway", 0, 1},
        {"DE:living_street", 7, 0},
        {"DE:bicycle_road", 30, 0},
        {"DE:zone30", 30, 0},
        {"DE:zone:20", 20, 0},
        {"AT:urban", 50, 0},
        {"AT:rural", 100, 0},
        {"AT:motorway", 130, 0},
        {"CH:rural", 80, 0},
        {"CH:motorway", 120, 0},
        {"FR:urban", 50, 0},
        {"FR:rural", 80, 0},
        {"FR:zone30", 30, 0},
        {"IT:rural", 90, 0},
        {"IT:motorway", 130, 0},
        {"ES:rural", 90, 0},
        {"ES:motorway", 120, 0},
        {"PT:motorway", 120, 0},
        {"NL:rural", 80, 0},
        {"BE:motorway", 120, 0},
        {"BE-VLG:rural", 70, 0},
        {"BE-WAL:rural", 90, 0}, /* no Wallonia entry, no BE one: generic rural */
        {"BE-BRU:urban", 30, 0},
        {"GB:nsl_single", 60 * 1.609344, 0},
        {"GB:nsl_dual", 70 * 1.609344, 0},
        {"UK:motorway", 70 * 1.609344, 0},
        {"GB:nsl_restricted", 30 * 1.609344, 0},
        {"RU:urban", 60, 0},
        {"RU:rural", 90, 0},
        {"RU:living_street", 20, 0},
        {"RU:motorway", 110, 0},
        {"PL:rural", 90, 0},
        {"PL:motorway", 140, 0},
        {"CZ:motorway", 130, 0},
        {"FI:rural", 80, 0},
        {"BR:urban", 50, 0}, /* generic */
        {"BR:rural", 90, 0},
        {"XX:trunk", 110, 0},
        {"XX:living_street", 20, 0},
        {"signals", -1, 0},
        {"variable", -1, 0},
        {"implicit", -1, 0},
        {"DE:unknown_type", -1, 0},
        {"DE:zone", -1, 0},
        {":urban", -1, 0},
        {"0", -1, 0},
        {"400", -1, 0},
        {"50 km", -1, 0},
        {"50 mp/h", -1, 0},
        {"1e2", -1, 0},
        {"-30", -1, 0},
        {".5", -1, 0},
        {"0x20", -1, 0},
        {"", -1, 0},
        {";50", -1, 0},
        {"a very long value that does not fit the buffer of sixty-four bytes at all", -1, 0},
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; ++i) {
        int unlimited = 7;
        double kmh = geo_maxspeed_kmh(CASES[i].value, &unlimited);
        if (fabs(kmh - CASES[i].kmh) > 1e-9 || unlimited != CASES[i].unlimited)
            fprintf(stderr, "  maxspeed '%s': %g, unlimited %d\n", CASES[i].value, kmh, unlimited);
        CHECK_NEAR(kmh, CASES[i].kmh, 1e-9);
        CHECK_EQ_INT(unlimited, CASES[i].unlimited);
    }
    CHECK_NEAR(geo_maxspeed_kmh(NULL, NULL), -1, 0);
    CHECK_NEAR(geo_maxspeed_kmh("none", NULL), 0, 0);
    CHECK_NEAR(geo_maxspeed_kmh("40", NULL), 40, 0);
}

/* ---- geo_hstore_parse -------------------------------------------------------------------------
 */

static int points_into(const char *p, const char *buf, size_t size) {
    return p >= buf && p < buf + size;
}

static void test_hstore_basic(void) {
    char text[] = "\"highway\"=>\"residential\",\"name\"=>\"Rua A\",\"foot\"=>\"yes\"";
    const char *k[8], *v[8];
    CHECK_EQ_INT(geo_hstore_parse(text, k, v, 8), 3);
    CHECK_STR_EQ(k[0], "highway");
    CHECK_STR_EQ(v[0], "residential");
    CHECK_STR_EQ(k[1], "name");
    CHECK_STR_EQ(v[1], "Rua A");
    CHECK_STR_EQ(k[2], "foot");
    CHECK_STR_EQ(v[2], "yes");
    /* parsed in place: the pointers point into the text */
    for (int i = 0; i < 3; ++i) {
        CHECK(points_into(k[i], text, sizeof text));
        CHECK(points_into(v[i], text, sizeof text));
    }
}

static void test_hstore_escapes_commas_nulls(void) {
    /* GDAL writes ", " between pairs; values may hold commas, "=>", escaped quotes and
     * backslashes; NULL (unquoted) is a value-less key. */
    char text[] = "\"name\"=>\"Rua \\\"A\\\", B\",\"foot\"=>NULL, \"note\"=>\"a\\\\b, c=>d\","
                  "\"empty\"=>\"\",\"access\"=>\"no\"";
    const char *k[8], *v[8];
    CHECK_EQ_INT(geo_hstore_parse(text, k, v, 8), 5);
    CHECK_STR_EQ(k[0], "name");
    CHECK_STR_EQ(v[0], "Rua \"A\", B");
    CHECK_STR_EQ(k[1], "foot");
    CHECK(v[1] == NULL);
    CHECK_STR_EQ(k[2], "note");
    CHECK_STR_EQ(v[2], "a\\b, c=>d");
    CHECK_STR_EQ(k[3], "empty");
    CHECK_STR_EQ(v[3], "");
    CHECK_STR_EQ(k[4], "access");
    CHECK_STR_EQ(v[4], "no");

    /* the parsed pairs work as tags: access=no forbids, the NULL foot is absent */
    const char *keys[9] = {"highway"}, *vals[9] = {"service"};
    for (int i = 0; i < 5; ++i) {
        keys[i + 1] = k[i];
        vals[i + 1] = v[i];
    }
    geo_tags t = {keys, vals, 6};
    CHECK(geo_tags_get(&t, "foot") == NULL);
    CHECK_EQ_INT(geo_walk_allowed(&t), GEO_WALK_FORBIDDEN);
}

static void test_hstore_escaped_key_and_spaces(void) {
    char text[] = "  \"a\\\"b\" => \"1\" ,  \"c\"=>\"2\"  ";
    const char *k[4], *v[4];
    CHECK_EQ_INT(geo_hstore_parse(text, k, v, 4), 2);
    CHECK_STR_EQ(k[0], "a\"b");
    CHECK_STR_EQ(v[0], "1");
    CHECK_STR_EQ(k[1], "c");
    CHECK_STR_EQ(v[1], "2");
}

static void test_hstore_max(void) {
    char text[] = "\"a\"=>\"1\",\"b\"=>\"2\",\"c\"=>\"3\"";
    const char *k[4] = {0}, *v[4] = {0};
    CHECK_EQ_INT(geo_hstore_parse(text, k, v, 2), 2);
    CHECK_STR_EQ(k[0], "a");
    CHECK_STR_EQ(v[0], "1");
    CHECK_STR_EQ(k[1], "b");
    CHECK_STR_EQ(v[1], "2");
    CHECK(k[2] == NULL && v[2] == NULL); /* nothing written past max */

    char text2[] = "\"a\"=>\"1\"";
    k[0] = NULL;
    CHECK_EQ_INT(geo_hstore_parse(text2, k, v, 0), 0);
    CHECK(k[0] == NULL);
}

static void test_hstore_empty_and_malformed(void) {
    const char *k[4], *v[4];
    char empty[] = "";
    CHECK_EQ_INT(geo_hstore_parse(empty, k, v, 4), 0);
    /* stops at the first malformed pair, keeping what came before */
    char bad1[] = "\"a\"=>\"1\",b=>\"2\"";
    CHECK_EQ_INT(geo_hstore_parse(bad1, k, v, 4), 1);
    CHECK_STR_EQ(k[0], "a");
    char bad2[] = "\"a\"=>\"unterminated";
    CHECK_EQ_INT(geo_hstore_parse(bad2, k, v, 4), 0);
    char bad3[] = "\"a\"->\"1\"";
    CHECK_EQ_INT(geo_hstore_parse(bad3, k, v, 4), 0);
    /* a trailing backslash inside an unterminated value does not read past the text */
    char bad4[] = "\"a\"=>\"x\\";
    CHECK_EQ_INT(geo_hstore_parse(bad4, k, v, 4), 0);
}

int main(void) {
    geo_profile_defaults(&P);
    test_tags_get();
    test_ordinary_streets_and_paths();
    test_fast_roads();
    test_foot_no();
    test_access();
    test_not_streets();
    test_highway_classes();
    test_defaults();
    test_no_highway();
    test_walk_mode();
    test_bike_classes();
    test_bike_access();
    test_bike_oneway();
    test_car_classes();
    test_car_access();
    test_car_oneway();
    test_car_speed();
    test_maxspeed_parse();
    test_hstore_basic();
    test_hstore_escapes_commas_nulls();
    test_hstore_escaped_key_and_spaces();
    test_hstore_max();
    test_hstore_empty_and_malformed();
    return CHECK_DONE();
}
