/*
 * Tests for geo/crs.c: UTM zone choice, creating the working CRS (metre-based projected CRSs only),
 * forward/inverse conversion against a coordinate computed once with PROJ's cs2cs, and geodesic
 * distances against published values.
 */
#include "geo/crs.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "geo/geo.h"

/* ---- geo_crs_utm_epsg --------------------------------------------------------------------------
 */

static void test_utm_zone_of_cities(void) {
    /* zone = floor((lon + 180) / 6) + 1; 326zz north, 327zz south */
    CHECK_EQ_INT(geo_crs_utm_epsg(-51.2, -30.05), 32722);  /* Porto Alegre: (128.8/6)=21.5 -> 22 */
    CHECK_EQ_INT(geo_crs_utm_epsg(24.94, 60.17), 32635);   /* Helsinki: 204.94/6 = 34.2 -> 35 */
    CHECK_EQ_INT(geo_crs_utm_epsg(-87.7, 41.9), 32616);    /* Chicago: 92.3/6 = 15.4 -> 16 */
    CHECK_EQ_INT(geo_crs_utm_epsg(-8.6, 41.15), 32629);    /* Porto: 171.4/6 = 28.6 -> 29 */
    CHECK_EQ_INT(geo_crs_utm_epsg(151.21, -33.87), 32756); /* Sydney: 331.21/6 = 55.2 -> 56 */
    /* the UTM grid's exceptions: zone 32V is widened over south-west Norway, and Svalbard
     * uses 31X/33X/35X/37X */
    CHECK_EQ_INT(geo_crs_utm_epsg(5.32, 60.39), 32632);  /* Bergen: plain rule gives 31 */
    CHECK_EQ_INT(geo_crs_utm_epsg(2.5, 60.0), 32631);    /* west of 3 E: still 31 */
    CHECK_EQ_INT(geo_crs_utm_epsg(15.63, 78.22), 32633); /* Longyearbyen */
    CHECK_EQ_INT(geo_crs_utm_epsg(25.0, 78.0), 32635);
    CHECK_EQ_INT(geo_crs_utm_epsg(8.0, 79.0), 32631);
}

static void test_utm_zone_edges(void) {
    /* zone borders: a meridian that is a multiple of 6 starts the next zone */
    CHECK_EQ_INT(geo_crs_utm_epsg(-54.0, -30.0), 32722); /* 126/6 = 21 exactly -> zone 22 */
    CHECK_EQ_INT(geo_crs_utm_epsg(-54.000001, -30.0), 32721);
    CHECK_EQ_INT(geo_crs_utm_epsg(0.0, 10.0), 32631);
    CHECK_EQ_INT(geo_crs_utm_epsg(-0.000001, 10.0), 32630);
    /* the equator belongs to the northern hemisphere; just south of it is 327zz */
    CHECK_EQ_INT(geo_crs_utm_epsg(3.0, 0.0), 32631);
    CHECK_EQ_INT(geo_crs_utm_epsg(3.0, -0.000001), 32731);
    /* the antimeridian: -180 starts zone 1, 179.99 is in zone 60; +180 is the same meridian as
     * -180, so zone 1 or 60 are both defensible, but never a zone 61 or 0 */
    CHECK_EQ_INT(geo_crs_utm_epsg(-180.0, 10.0), 32601);
    CHECK_EQ_INT(geo_crs_utm_epsg(-180.0, -10.0), 32701);
    CHECK_EQ_INT(geo_crs_utm_epsg(179.99, 10.0), 32660);
    CHECK_EQ_INT(geo_crs_utm_epsg(-179.99, -10.0), 32701);
    int e = geo_crs_utm_epsg(180.0, 10.0);
    CHECK(e == 32601 || e == 32660);
    e = geo_crs_utm_epsg(180.0, -10.0);
    CHECK(e == 32701 || e == 32760);
}

/* ---- geo_crs_create ----------------------------------------------------------------------------
 */

static void test_create_utm(void) {
    geo_crs *c = NULL;
    sim_error err = {0};
    CHECK_EQ_INT(geo_crs_create("EPSG:32722", &c, &err), SIM_OK);
    CHECK(c != NULL);
    if (!c) return;
    CHECK_STR_EQ(geo_crs_name(c), "EPSG:32722");
    CHECK_EQ_INT(geo_crs_epsg(c), 32722);
    CHECK_STR_CONTAINS(geo_crs_wkt(c), "UTM zone 22S");
    CHECK_STR_CONTAINS(geo_crs_wkt(c), "PROJCRS"); /* WKT2 keyword */

    /* Expected value computed once, by hand, with PROJ 9.1's cs2cs (EPSG:4326 takes lat first):
     *   echo "-30 -51" | cs2cs -f "%.4f" EPSG:4326 EPSG:32722   ->   500000.0000  6681214.6474
     * lon -51 is the central meridian of zone 22, so the easting is the false easting exactly. */
    double x = -51.0, y = -30.0;
    CHECK_EQ_INT(geo_crs_forward(c, &x, &y, 1, &err), SIM_OK);
    CHECK_NEAR(x, 500000.0, 1e-6);
    CHECK_NEAR(y, 6681214.6474, 1e-3);
    CHECK_EQ_INT(geo_crs_inverse(c, &x, &y, 1, &err), SIM_OK);
    CHECK_NEAR(x, -51.0, 1e-9);
    CHECK_NEAR(y, -30.0, 1e-9);

    /* east of the central meridian the easting grows, south the northing falls */
    double xs[2] = {-50.99, -51.0}, ys[2] = {-30.0, -30.01};
    CHECK_EQ_INT(geo_crs_forward(c, xs, ys, 2, &err), SIM_OK);
    CHECK(xs[0] > 500000.0 + 900 && xs[0] < 500000.0 + 1000); /* 0.01 deg ~ 963 m at 30 S */
    CHECK(ys[1] < 6681214.6474 - 1100 && ys[1] > 6681214.6474 - 1120); /* 0.01 deg ~ 1108.6 m */

    /* n = 0 is a no-op */
    CHECK_EQ_INT(geo_crs_forward(c, xs, ys, 0, &err), SIM_OK);
    geo_crs_destroy(c);
}

static void test_round_trip(void) {
    static const struct {
        const char *crs;
        double lon, lat;
    } CASES[] = {
        {"EPSG:32722", -51.2, -30.05}, {"EPSG:32635", 24.94, 60.17}, {"EPSG:32616", -87.7, 41.9},
        {"EPSG:32629", -8.6, 41.15},   {"EPSG:32722", -53.9, -33.7}, {"EPSG:3857", 13.4, 52.5},
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; ++i) {
        geo_crs *c = NULL;
        sim_error err = {0};
        CHECK_EQ_INT(geo_crs_create(CASES[i].crs, &c, &err), SIM_OK);
        if (!c) continue;
        double x[3] = {CASES[i].lon, CASES[i].lon + 0.01, CASES[i].lon - 0.02};
        double y[3] = {CASES[i].lat, CASES[i].lat - 0.01, CASES[i].lat + 0.03};
        CHECK_EQ_INT(geo_crs_forward(c, x, y, 3, &err), SIM_OK);
        /* projected metres, far from the degree values */
        CHECK(fabs(x[0]) > 1000.0 && fabs(y[0]) > 1000.0);
        CHECK_EQ_INT(geo_crs_inverse(c, x, y, 3, &err), SIM_OK);
        CHECK_NEAR(x[0], CASES[i].lon, 1e-9);
        CHECK_NEAR(y[0], CASES[i].lat, 1e-9);
        CHECK_NEAR(x[1], CASES[i].lon + 0.01, 1e-9);
        CHECK_NEAR(y[1], CASES[i].lat - 0.01, 1e-9);
        CHECK_NEAR(x[2], CASES[i].lon - 0.02, 1e-9);
        CHECK_NEAR(y[2], CASES[i].lat + 0.03, 1e-9);
        geo_crs_destroy(c);
    }
}

static void test_create_proj_string(void) {
    /* The same projection as EPSG:32722, given as a PROJ string: no EPSG code, name as given. */
    const char *def = "+proj=utm +zone=22 +south +datum=WGS84 +units=m +no_defs +type=crs";
    geo_crs *c = NULL;
    sim_error err = {0};
    CHECK_EQ_INT(geo_crs_create(def, &c, &err), SIM_OK);
    if (!c) {
        fprintf(stderr, "  unexpected error: %s\n", err.msg);
        return;
    }
    CHECK_EQ_INT(geo_crs_epsg(c), 0);
    CHECK_STR_EQ(geo_crs_name(c), def);
    double x = -51.0, y = -30.0; /* cs2cs value, see test_create_utm */
    CHECK_EQ_INT(geo_crs_forward(c, &x, &y, 1, &err), SIM_OK);
    CHECK_NEAR(x, 500000.0, 1e-6);
    CHECK_NEAR(y, 6681214.6474, 1e-3);
    geo_crs_destroy(c);
}

static void expect_rejected(const char *def, sim_status code, const char *fragment) {
    geo_crs *c = (geo_crs *)&c; /* any non-NULL value: create must reset it */
    sim_error err = {0};
    CHECK_EQ_INT(geo_crs_create(def, &c, &err), code);
    CHECK_EQ_INT(err.code, code);
    CHECK(c == NULL);
    CHECK_STR_CONTAINS(err.msg, fragment);
}

static void test_create_rejects(void) {
    /* geographic: degrees are not metres */
    expect_rejected("EPSG:4326", SIM_EINVAL, "EPSG:4326");
    expect_rejected("EPSG:4326", SIM_EINVAL, "projected");
    /* NAD83 / Pennsylvania South (ftUS) and NAD83 / Illinois East (ftUS): feet */
    expect_rejected("EPSG:2272", SIM_EINVAL, "EPSG:2272");
    expect_rejected("EPSG:2272", SIM_EINVAL, "metres");
    expect_rejected("EPSG:3435", SIM_EINVAL, "EPSG:3435");
    /* a PROJ string in international feet */
    expect_rejected("+proj=utm +zone=22 +south +datum=WGS84 +units=ft +type=crs", SIM_EINVAL,
                    "metres");
    /* geocentric (metres, but not projected) */
    expect_rejected("EPSG:4978", SIM_EINVAL, "projected");
    /* not a CRS at all: the message quotes the definition */
    expect_rejected("EPSG:99999999", SIM_EINVAL, "EPSG:99999999");
    expect_rejected("no such crs", SIM_EINVAL, "no such crs");
}

static void test_transform_failure(void) {
    geo_crs *c = NULL;
    sim_error err = {0};
    CHECK_EQ_INT(geo_crs_create("EPSG:32722", &c, &err), SIM_OK);
    if (!c) return;
    /* latitude 95 does not exist: PROJ fails, reported as SIM_EDEP */
    double x[2] = {-51.0, -51.0}, y[2] = {-30.0, -95.0};
    sim_error e2 = {0};
    CHECK_EQ_INT(geo_crs_forward(c, x, y, 2, &e2), SIM_EDEP);
    CHECK_EQ_INT(e2.code, SIM_EDEP);
    CHECK(e2.msg[0] != '\0');
    geo_crs_destroy(c);
    geo_crs_destroy(NULL); /* no-op */
}

/* ---- geo_geodesic_m -----------------------------------------------------------------------------
 */

/* A projected CRS bound to WGS84 (+towgs84, as .prj files of SAD69 give) or compound with a
 * vertical CRS is accepted by its projected part. */
static void test_create_bound_and_compound(void) {
    const char *defs[] = {
        "+proj=utm +zone=22 +south +ellps=aust_SA +towgs84=-67.35,3.88,-38.22,0,0,0,0 +units=m "
        "+type=crs",
        "EPSG:32722+5773"};
    for (size_t i = 0; i < 2; ++i) {
        geo_crs *c = NULL;
        sim_error err = {0};
        CHECK_EQ_INT(geo_crs_create(defs[i], &c, &err), SIM_OK);
        if (!c) {
            fprintf(stderr, "%s: %s\n", defs[i], err.msg);
            continue;
        }
        double x = -51.0, y = -30.0;
        CHECK_EQ_INT(geo_crs_forward(c, &x, &y, 1, &err), SIM_OK);
        CHECK_NEAR(x, 500000.0, 200.0); /* zone 22S central meridian, datum shift aside */
        if (i == 1) CHECK_EQ_INT(geo_crs_epsg(c), 32722);
        geo_crs_destroy(c);
    }
}

static void test_geodesic(void) {
    /* GeographicLib's GeodSolve(1) man page example: JFK (40:38:23N 073:46:44W) to Singapore
     * Changi (01:21:33N 103:59:22E) is 15347628 m on WGS84 (printed to the metre). */
    double jfk_lat = 40 + 38 / 60.0 + 23 / 3600.0, jfk_lon = -(73 + 46 / 60.0 + 44 / 3600.0);
    double sin_lat = 1 + 21 / 60.0 + 33 / 3600.0, sin_lon = 103 + 59 / 60.0 + 22 / 3600.0;
    CHECK_NEAR(geo_geodesic_m(jfk_lon, jfk_lat, sin_lon, sin_lat), 15347628.0, 1.0);
    CHECK_NEAR(geo_geodesic_m(sin_lon, sin_lat, jfk_lon, jfk_lat), 15347628.0, 1.0);
    /* One degree of latitude from the equator: the WGS84 meridian arc, 110574.389 m. */
    CHECK_NEAR(geo_geodesic_m(0, 0, 0, 1), 110574.389, 0.01);
    /* One degree of longitude along the equator: a * pi / 180 = 111319.4908 m. */
    CHECK_NEAR(geo_geodesic_m(0, 0, 1, 0), 6378137.0 * M_PI / 180.0, 1e-4);
    /* Pole to pole along a meridian: twice the quarter meridian 10001965.729 m. */
    CHECK_NEAR(geo_geodesic_m(0, -90, 0, 90), 2 * 10001965.729, 0.01);
    CHECK_NEAR(geo_geodesic_m(-51.2, -30.05, -51.2, -30.05), 0.0, 0.0);
    /* across the antimeridian: 179.999 to -179.999 on the equator is 0.002 degrees */
    CHECK_NEAR(geo_geodesic_m(179.999, 0, -179.999, 0), 0.002 * 6378137.0 * M_PI / 180.0, 1e-6);
}

static void test_versions(void) {
    char buf[256];
    geo_versions(buf, sizeof buf);
    CHECK_STR_CONTAINS(buf, "GDAL 3.");
    CHECK_STR_CONTAINS(buf, ", PROJ 9.");
    CHECK_STR_CONTAINS(buf, ", GEOS 3.");
}

int main(void) {
    geo_init();
    test_utm_zone_of_cities();
    test_utm_zone_edges();
    test_create_utm();
    test_round_trip();
    test_create_proj_string();
    test_create_rejects();
    test_transform_failure();
    test_create_bound_and_compound();
    test_geodesic();
    test_versions();
    return CHECK_DONE();
}
