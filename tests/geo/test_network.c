/*
 * Tests for geo/network.c and geo/snap.c: loading OGR line layers (topology, lengths, walking
 * rules, errors), snapping points, attaching them as nodes, the routing graph and the rounding of
 * times. Fixtures are GeoJSON files written at run time into a temporary folder: WGS84 ones near
 * (-51, -30) and projected ones (old-style "crs" member, EPSG:32722) on the central meridian of
 * UTM zone 22 (x = 500000), where grid distances are ground distances times k0 = 0.9996 exactly,
 * so expected lengths can be worked out by hand.
 */
#include "geo/network.h"

#include <gdal.h>
#include <math.h>
#include <ogr_api.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "geo/geo.h"
#include "sim/graph.h"
#include "test_util.h"

static char tmp_dir[256];

#define PATH_LEN 512

/* ---- fixtures ---------------------------------------------------------------------------------
 */

/* A growable text buffer for GeoJSON. */
typedef struct {
    char *s;
    size_t n, cap;
} text;

static void text_add(text *t, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int need = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (t->n + (size_t)need + 1 > t->cap) {
        t->cap = 2 * (t->n + (size_t)need + 1);
        t->s = realloc(t->s, t->cap);
        if (!t->s) abort();
    }
    va_start(ap, fmt);
    vsnprintf(t->s + t->n, t->cap - t->n, fmt, ap);
    va_end(ap);
    t->n += (size_t)need;
}

/* Starts a FeatureCollection; epsg 0 means none given (GeoJSON's WGS84). */
static void gj_begin(text *t, int epsg) {
    t->n = 0;
    text_add(t, "{\"type\":\"FeatureCollection\",");
    if (epsg)
        text_add(
            t,
            "\"crs\":{\"type\":\"name\",\"properties\":{\"name\":\"urn:ogc:def:crs:EPSG::%d\"}},",
            epsg);
    text_add(t, "\"features\":[");
}

/* A LineString feature with `n` coordinate pairs xy[2i], xy[2i+1]; props is JSON object text. */
static void gj_line(text *t, const char *props, const double *xy, size_t n) {
    if (t->s[t->n - 1] == '}') text_add(t, ",");
    text_add(t,
             "{\"type\":\"Feature\",\"properties\":%s,\"geometry\":{\"type\":\"LineString\","
             "\"coordinates\":[",
             props ? props : "{}");
    for (size_t i = 0; i < n; ++i)
        text_add(t, "%s[%.10f,%.10f]", i ? "," : "", xy[2 * i], xy[2 * i + 1]);
    text_add(t, "]}}");
}

/* A vertical line on x = 500000 (EPSG:32722) with n vertices y0, y0 + step, ... */
static void gj_vertical(text *t, double x, double y0, double step, size_t n) {
    double *xy = malloc(2 * n * sizeof *xy);
    for (size_t i = 0; i < n; ++i) {
        xy[2 * i] = x;
        xy[2 * i + 1] = y0 + step * (double)i;
    }
    gj_line(t, NULL, xy, n);
    free(xy);
}

static const char *gj_save(text *t, const char *name, char *path) {
    text_add(t, "]}");
    return tu_write_file(tmp_dir, name, t->s, path, PATH_LEN);
}

/* Loads `path`; fails the test (returning NULL) unless that succeeds. */
static geo_network *load_ok(const char *path, double tol, geo_crs **crs, sim_warnings *warn) {
    geo_network_source src = {.path = path, .join_tolerance_m = tol};
    geo_network *net = NULL;
    sim_error err = {0};
    sim_status rc = geo_network_load(&src, &net, crs, warn, &err);
    CHECK_EQ_INT(rc, SIM_OK);
    if (rc) fprintf(stderr, "  unexpected error loading %s: %s\n", path, err.msg);
    CHECK(rc == SIM_OK ? net != NULL && *crs != NULL : net == NULL && *crs == NULL);
    return net;
}

static void expect_load_error_(int line, const geo_network_source *src, sim_status code,
                               const char *frag1, const char *frag2) {
    int before = check_failures;
    geo_network *net = (geo_network *)&net;
    geo_crs *crs = (geo_crs *)&crs;
    sim_warnings warn = {0};
    sim_error err = {0};
    CHECK_EQ_INT(geo_network_load(src, &net, &crs, &warn, &err), code);
    CHECK_EQ_INT(err.code, code);
    CHECK(net == NULL);
    CHECK(crs == NULL);
    CHECK_STR_CONTAINS(err.msg, frag1);
    if (frag2) CHECK_STR_CONTAINS(err.msg, frag2);
    if (check_failures != before)
        fprintf(stderr, "  ^ in the case at line %d: %s\n", line, err.msg);
    sim_warnings_clear(&warn);
}
#define expect_load_error(src, code, f1, f2) expect_load_error_(__LINE__, src, code, f1, f2)

/* ---- hand formulas (WGS84 ellipsoid) -----------------------------------------------------------
 */

#define WGS84_A 6378137.0
#define WGS84_F (1.0 / 298.257223563)
#define DEG (M_PI / 180.0)
#define K0 0.9996 /* UTM scale on the central meridian */

/* Meridian arc between two latitudes a short distance apart: M(mid) * dlat. */
static double meridian_m(double lat1, double lat2) {
    double e2 = WGS84_F * (2 - WGS84_F), s = sin(0.5 * (lat1 + lat2) * DEG);
    return WGS84_A * (1 - e2) / pow(1 - e2 * s * s, 1.5) * fabs(lat2 - lat1) * DEG;
}

/* Short east-west distance along a parallel: N cos(lat) dlon. */
static double parallel_m(double lat, double lon1, double lon2) {
    double e2 = WGS84_F * (2 - WGS84_F), s = sin(lat * DEG);
    return WGS84_A / sqrt(1 - e2 * s * s) * cos(lat * DEG) * fabs(lon2 - lon1) * DEG;
}

/* Segment joining nodes a and b (either direction), or SIM_INVALID_ID. */
static uint32_t find_seg(const geo_network *n, uint32_t a, uint32_t b) {
    for (uint32_t s = 0; s < n->n_segs; ++s)
        if ((n->seg_u[s] == a && n->seg_v[s] == b) || (n->seg_u[s] == b && n->seg_v[s] == a))
            return s;
    return SIM_INVALID_ID;
}

static int segs_share_node(const geo_network *n, uint32_t s, uint32_t t) {
    return n->seg_u[s] == n->seg_u[t] || n->seg_u[s] == n->seg_v[t] || n->seg_v[s] == n->seg_u[t] ||
           n->seg_v[s] == n->seg_v[t];
}

/* ---- loading: topology -------------------------------------------------------------------------
 */

static void test_crossing_is_not_a_junction(void) {
    text t = {0};
    char path[PATH_LEN];
    /* a '+' of two 2-vertex lines crossing at (-51, -30) with no vertex there */
    gj_begin(&t, 0);
    gj_line(&t, NULL, (double[]){-51.001, -30.0, -50.999, -30.0}, 2);
    gj_line(&t, NULL, (double[]){-51.0, -30.001, -51.0, -29.999}, 2);
    geo_crs *crs = NULL;
    geo_network *net = load_ok(gj_save(&t, "plus.geojson", path), 1.0, &crs, NULL);
    if (net) {
        CHECK_EQ_U32(net->n_nodes, 4);
        CHECK_EQ_U32(net->n_segs, 2);
        CHECK(!segs_share_node(net, 0, 1));
        /* lengths: geodesic between the vertices, by hand on the ellipsoid */
        CHECK_NEAR(net->seg_len_m[0], parallel_m(-30.0, -51.001, -50.999), 1e-4);
        CHECK_NEAR(net->seg_len_m[1], meridian_m(-30.001, -29.999), 1e-4);
        CHECK_NEAR(net->seg_len_m[0], 192.9, 0.1); /* sanity: ~96.5 m per 0.001 deg at 30 S */
        CHECK_NEAR(net->seg_len_m[1], 221.7, 0.1);
        for (uint32_t s = 0; s < 2; ++s) {
            CHECK_EQ_INT(net->seg_connector[s], 0);
            CHECK_EQ_INT(net->seg_way[s], s); /* OGR FIDs of a GeoJSON without ids: 0, 1 */
        }
        for (uint32_t v = 0; v < net->n_nodes; ++v) {
            CHECK_EQ_INT(net->kind[v], GEO_NODE_STREET);
            CHECK_EQ_U32(net->ref[v], SIM_INVALID_ID);
        }
        CHECK_EQ_U32(net->stats.lines_read, 2);
        CHECK_EQ_U32(net->stats.lines_walkable, 2);
        CHECK_EQ_INT(net->stats.is_osm, 0);
        CHECK_STR_EQ(net->stats.driver, "GeoJSON");
        /* the working CRS is the UTM zone of the centre (-51, -30): 22 south */
        CHECK_EQ_INT(geo_crs_epsg(crs), 32722);
        CHECK_STR_EQ(geo_crs_name(crs), "EPSG:32722");
    }
    geo_network_destroy(net);
    geo_crs_destroy(crs);

    /* the same '+' where both lines have an interior vertex at the crossing: interior vertices
     * join nothing, so still two separate lines (6 nodes, 4 segments) */
    gj_begin(&t, 0);
    gj_line(&t, NULL, (double[]){-51.001, -30.0, -51.0, -30.0, -50.999, -30.0}, 3);
    gj_line(&t, NULL, (double[]){-51.0, -30.001, -51.0, -30.0, -51.0, -29.999}, 3);
    crs = NULL;
    net = load_ok(gj_save(&t, "plus3.geojson", path), 1.0, &crs, NULL);
    if (net) {
        CHECK_EQ_U32(net->n_nodes, 6);
        CHECK_EQ_U32(net->n_segs, 4);
        for (uint32_t a = 0; a < 2; ++a)
            for (uint32_t b = 2; b < 4; ++b) CHECK(!segs_share_node(net, a, b));
        CHECK(segs_share_node(net, 0, 1)); /* consecutive pieces of one line do join */
        CHECK(segs_share_node(net, 2, 3));
        CHECK_NEAR(net->seg_len_m[0], parallel_m(-30.0, -51.001, -51.0), 1e-4);
        CHECK_NEAR(net->seg_len_m[3], meridian_m(-30.0, -29.999), 1e-4);
        /* the vertex at (-51, -30): stored lon/lat, and x/y from cs2cs (see test_crs.c):
         * echo "-30 -51" | cs2cs -f "%.4f" EPSG:4326 EPSG:32722  ->  500000.0000 6681214.6474 */
        uint32_t mid = net->seg_v[0];
        CHECK_NEAR(net->lon[mid], -51.0, 1e-12);
        CHECK_NEAR(net->lat[mid], -30.0, 1e-12);
        CHECK_NEAR(net->x[mid], 500000.0, 1e-6);
        CHECK_NEAR(net->y[mid], 6681214.6474, 1e-3);
    }
    geo_network_destroy(net);
    geo_crs_destroy(crs);
    free(t.s);
}

/* L1 east from (-51, -30); L2 north, starting ~0.44 m north of L1's end; L3 west, starting
 * ~9.6 m west of L1's start. Returns the path. */
static const char *write_join_fixture(char *path) {
    text t = {0};
    gj_begin(&t, 0);
    gj_line(&t, NULL, (double[]){-51.0, -30.0, -50.999, -30.0}, 2);
    gj_line(&t, NULL, (double[]){-50.999, -29.999996, -50.999, -29.999}, 2);
    gj_line(&t, NULL, (double[]){-51.0001, -30.0, -51.001, -30.0}, 2);
    gj_save(&t, "join.geojson", path);
    free(t.s);
    return path;
}

static void test_endpoint_joining(void) {
    char path[PATH_LEN];
    write_join_fixture(path);
    /* the gap L1-L2 is 0.000004 deg of latitude: ~0.4435 m on the ground, ~0.4433 m in UTM */
    double gap = meridian_m(-30.0, -29.999996);
    CHECK_NEAR(gap, 0.4435, 0.001);

    /* tolerance 2 m: L2 joins L1's end; L3 (9.6 m away) joins nothing */
    geo_crs *crs = NULL;
    geo_network *net = load_ok(path, 2.0, &crs, NULL);
    if (net) {
        CHECK_EQ_U32(net->n_nodes, 5);
        CHECK_EQ_U32(net->n_segs, 3);
        CHECK_EQ_U32(net->seg_u[1], net->seg_v[0]);
        CHECK(!segs_share_node(net, 2, 0));
        CHECK(!segs_share_node(net, 2, 1));
        /* L2's length runs from the joined node (L1's end at lat -30), not from its own start */
        CHECK_NEAR(net->seg_len_m[1], meridian_m(-30.0, -29.999), 1e-4);
        CHECK_NEAR(net->seg_len_m[0], parallel_m(-30.0, -51.0, -50.999), 1e-4);
        CHECK_NEAR(net->seg_len_m[2], parallel_m(-30.0, -51.0001, -51.001), 1e-4);
    }
    geo_network_destroy(net);
    geo_crs_destroy(crs);

    /* tolerance just above / below the gap */
    static const struct {
        double tol;
        uint32_t nodes;
    } CASES[] = {{0.0, 6}, {0.40, 6}, {0.50, 5}, {9.0, 5}, {10.0, 4}};
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; ++i) {
        crs = NULL;
        net = load_ok(path, CASES[i].tol, &crs, NULL);
        if (!net) continue;
        if (net->n_nodes != CASES[i].nodes) fprintf(stderr, "  tolerance %g m\n", CASES[i].tol);
        CHECK_EQ_U32(net->n_nodes, CASES[i].nodes);
        CHECK_EQ_U32(net->n_segs, 3);
        CHECK_EQ_INT(segs_share_node(net, 0, 1), CASES[i].tol > gap);
        if (CASES[i].tol == 0.0)
            CHECK_NEAR(net->seg_len_m[1], meridian_m(-29.999996, -29.999), 1e-4);
        geo_network_destroy(net);
        geo_crs_destroy(crs);
    }
}

static void test_exact_endpoints_join_with_zero_tolerance(void) {
    /* a chain A-B, B-C, C-A of three lines sharing exact endpoints: 3 nodes, 3 segments */
    text t = {0};
    char path[PATH_LEN];
    gj_begin(&t, 0);
    gj_line(&t, NULL, (double[]){-51.0, -30.0, -50.999, -30.0}, 2);
    gj_line(&t, NULL, (double[]){-50.999, -30.0, -50.999, -29.999}, 2);
    gj_line(&t, NULL, (double[]){-50.999, -29.999, -51.0, -30.0}, 2);
    geo_crs *crs = NULL;
    geo_network *net = load_ok(gj_save(&t, "triangle.geojson", path), 0.0, &crs, NULL);
    if (net) {
        CHECK_EQ_U32(net->n_nodes, 3);
        CHECK_EQ_U32(net->n_segs, 3);
        CHECK_EQ_U32(net->seg_v[0], net->seg_u[1]);
        CHECK_EQ_U32(net->seg_v[1], net->seg_u[2]);
        CHECK_EQ_U32(net->seg_v[2], net->seg_u[0]);
    }
    geo_network_destroy(net);
    geo_crs_destroy(crs);
    free(t.s);
}

static void test_projected_source(void) {
    /* A projected layer (EPSG:32722) on the central meridian: 4 vertices 10 m apart in the grid,
     * i.e. 10 / 0.9996 m apart on the ground. Vertex (500000, 6681214.6474) is (-51, -30). */
    text t = {0};
    char path[PATH_LEN];
    gj_begin(&t, 32722);
    gj_vertical(&t, 500000.0, 6681214.6474, 10.0, 4);
    geo_crs *crs = NULL;
    geo_network *net = load_ok(gj_save(&t, "utm.geojson", path), 0.0, &crs, NULL);
    if (net) {
        CHECK_EQ_U32(net->n_nodes, 4);
        CHECK_EQ_U32(net->n_segs, 3);
        CHECK_EQ_INT(geo_crs_epsg(crs), 32722);
        CHECK_NEAR(net->lon[0], -51.0, 1e-9);
        CHECK_NEAR(net->lat[0], -30.0, 1e-8);
        for (uint32_t v = 0; v < 4; ++v) {
            CHECK_NEAR(net->x[v], 500000.0, 1e-6);
            CHECK_NEAR(net->y[v], 6681214.6474 + 10.0 * v, 1e-6);
            CHECK_NEAR(net->lon[v], -51.0, 1e-9);
        }
        for (uint32_t s = 0; s < 3; ++s) CHECK_NEAR(net->seg_len_m[s], 10.0 / K0, 1e-6);
    }
    geo_network_destroy(net);
    geo_crs_destroy(crs);

    /* an explicit working CRS is used instead of the UTM zone: SIRGAS 2000 / UTM zone 22S */
    geo_network_source src = {.path = path, .crs = "EPSG:31982"};
    sim_error err = {0};
    net = NULL;
    crs = NULL;
    CHECK_EQ_INT(geo_network_load(&src, &net, &crs, NULL, &err), SIM_OK);
    if (net) {
        CHECK_EQ_INT(geo_crs_epsg(crs), 31982);
        CHECK_NEAR(net->x[0], 500000.0, 0.01); /* same projection, SIRGAS ~ WGS84 */
        CHECK_NEAR(net->seg_len_m[0], 10.0 / K0, 1e-6);
    }
    geo_network_destroy(net);
    geo_crs_destroy(crs);

    /* a working CRS that is not metric is rejected */
    src.crs = "EPSG:4326";
    expect_load_error(&src, SIM_EINVAL, "EPSG:4326", NULL);
    free(t.s);
}

static void test_north_hemisphere_zone(void) {
    /* Helsinki: the working CRS is UTM 35N */
    text t = {0};
    char path[PATH_LEN];
    gj_begin(&t, 0);
    gj_line(&t, NULL, (double[]){24.94, 60.17, 24.941, 60.17}, 2);
    geo_crs *crs = NULL;
    geo_network *net = load_ok(gj_save(&t, "helsinki.geojson", path), 0.0, &crs, NULL);
    if (net) {
        CHECK_EQ_INT(geo_crs_epsg(crs), 32635);
        CHECK_NEAR(net->seg_len_m[0], parallel_m(60.17, 24.94, 24.941), 1e-4);
    }
    geo_network_destroy(net);
    geo_crs_destroy(crs);
    free(t.s);
}

static void test_highway_field(void) {
    text t = {0};
    char path[PATH_LEN];
    gj_begin(&t, 0);
    gj_line(&t, "{\"highway\":\"residential\"}", (double[]){-51.0, -30.0, -51.0, -29.999}, 2);
    gj_line(&t, "{\"highway\":\"motorway\"}", (double[]){-51.0, -29.999, -50.999, -29.999}, 2);
    gj_line(&t, "{\"highway\":\"motorway\",\"foot\":\"yes\"}",
            (double[]){-50.999, -29.999, -50.999, -30.0}, 2);
    gj_line(&t, "{\"highway\":\"footway\",\"access\":\"private\"}",
            (double[]){-50.999, -30.0, -51.0, -30.0}, 2);
    gj_line(&t, "{\"highway\":null,\"name\":\"a river bank\"}",
            (double[]){-51.0, -30.0, -51.001, -30.0}, 2);
    gj_line(&t, "{\"highway\":\"steps\",\"foot\":\"no\"}", (double[]){-51.0, -30.0, -51.0, -30.001},
            2);
    geo_crs *crs = NULL;
    sim_warnings warn = {0};
    geo_network *net = load_ok(gj_save(&t, "highway.geojson", path), 0.0, &crs, &warn);
    if (net) {
        /* the residential street, the motorway (cars only) and the motorway with foot=yes
         * remain; the private footway, the line without highway and the foot=no steps no mode
         * may use. Walking, the two walkable ways do not touch: the motorway between them is
         * for cars only. */
        CHECK_EQ_U32(net->stats.lines_read, 6);
        CHECK_EQ_U32(net->stats.lines_usable, 3);
        CHECK_EQ_U32(net->stats.lines_walkable, 2);
        CHECK_EQ_U32(net->n_segs, 3);
        CHECK_EQ_U32(net->n_nodes, 4);
        if (net->n_segs == 3) {
            CHECK_EQ_INT(net->seg_way[0], 0); /* FIDs of the usable features */
            CHECK_EQ_INT(net->seg_way[1], 1);
            CHECK_EQ_INT(net->seg_way[2], 2);
            CHECK(net->seg_access[0] & GEO_ACCESS_ANY(GEO_MODE_WALK));
            CHECK(!(net->seg_access[1] & GEO_ACCESS_ANY(GEO_MODE_WALK)));
            CHECK(!(net->seg_access[1] & GEO_ACCESS_ANY(GEO_MODE_BIKE)));
            CHECK(net->seg_access[1] & GEO_ACCESS_ANY(GEO_MODE_CAR));
            CHECK(net->seg_access[2] & GEO_ACCESS_ANY(GEO_MODE_WALK));
            CHECK(!segs_share_node(net, 0, 2));
        }
    }
    geo_network_destroy(net);
    geo_crs_destroy(crs);
    sim_warnings_clear(&warn);

    /* a layer whose only line is a private footway has no street any mode may use */
    gj_begin(&t, 0);
    gj_line(&t, "{\"highway\":\"footway\",\"access\":\"private\"}",
            (double[]){-51.0, -29.999, -50.999, -29.999}, 2);
    geo_network_source src = {.path = gj_save(&t, "private.geojson", path)};
    expect_load_error(&src, SIM_EPARSE, path, "any mode");
    free(t.s);
}

static void test_multilinestring(void) {
    /* one feature, two parts: each part is a line of its own (parts far apart join nothing) */
    char path[PATH_LEN];
    tu_write_file(tmp_dir, "multi.geojson",
                  "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"id\":7,"
                  "\"properties\":{},\"geometry\":{\"type\":\"MultiLineString\",\"coordinates\":["
                  "[[-51.0,-30.0],[-51.0,-29.999],[-51.0,-29.998]],"
                  "[[-50.99,-30.0],[-50.99,-29.999]]]}}]}",
                  path, sizeof path);
    geo_crs *crs = NULL;
    geo_network *net = load_ok(path, 1.0, &crs, NULL);
    if (net) {
        CHECK_EQ_U32(net->n_nodes, 5);
        CHECK_EQ_U32(net->n_segs, 3);
        CHECK_EQ_U32(net->stats.lines_read, 1);
        for (uint32_t s = 0; s < net->n_segs; ++s) CHECK_EQ_INT(net->seg_way[s], 7);
        CHECK(!segs_share_node(net, 1, 2));
    }
    geo_network_destroy(net);
    geo_crs_destroy(crs);
}

/* ---- loading: errors ---------------------------------------------------------------------------
 */

static void write_shp_without_prj(const char *path) {
    GDALDriverH drv = GDALGetDriverByName("ESRI Shapefile");
    GDALDatasetH ds = GDALCreate(drv, path, 0, 0, 0, GDT_Unknown, NULL);
    if (!ds) {
        fprintf(stderr, "cannot create %s: %s\n", path, CPLGetLastErrorMsg());
        exit(1);
    }
    OGRLayerH lyr = GDALDatasetCreateLayer(ds, "nocrs", NULL, wkbLineString, NULL);
    OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(lyr));
    OGRGeometryH g = OGR_G_CreateGeometry(wkbLineString);
    OGR_G_AddPoint_2D(g, -51.0, -30.0);
    OGR_G_AddPoint_2D(g, -51.0, -29.999);
    OGR_F_SetGeometryDirectly(f, g);
    if (OGR_L_CreateFeature(lyr, f) != OGRERR_NONE) {
        fprintf(stderr, "cannot write %s: %s\n", path, CPLGetLastErrorMsg());
        exit(1);
    }
    OGR_F_Destroy(f);
    GDALClose(ds);
}

static void test_load_errors(void) {
    char path[PATH_LEN];
    geo_network_source src = {0};

    /* missing file */
    tu_path(tmp_dir, "no_such_file.geojson", path, sizeof path);
    src.path = path;
    expect_load_error(&src, SIM_EIO, path, NULL);

    /* empty layer */
    text t = {0};
    gj_begin(&t, 0);
    src.path = gj_save(&t, "empty.geojson", path);
    expect_load_error(&src, SIM_EPARSE, path, NULL);

    /* a file that is not a vector data set: unreadable (SIM_EIO) or malformed (SIM_EPARSE) */
    src.path = tu_write_file(tmp_dir, "garbage.geojson", "this is not json", path, sizeof path);
    {
        geo_network *n0 = NULL;
        geo_crs *c0 = NULL;
        sim_error e0 = {0};
        sim_status rc = geo_network_load(&src, &n0, &c0, NULL, &e0);
        CHECK(rc == SIM_EIO || rc == SIM_EPARSE);
        CHECK(n0 == NULL && c0 == NULL);
        CHECK_STR_CONTAINS(e0.msg, path);
    }

    /* a layer without CRS: a shapefile without .prj */
    char shp[PATH_LEN], prj[PATH_LEN];
    tu_path(tmp_dir, "nocrs.shp", shp, sizeof shp);
    write_shp_without_prj(shp);
    tu_path(tmp_dir, "nocrs.prj", prj, sizeof prj);
    CHECK(access(shp, R_OK) == 0);
    CHECK(access(prj, F_OK) != 0);
    src.path = shp;
    expect_load_error(&src, SIM_EPARSE, shp, "CRS");

    /* a layer name that does not exist */
    gj_begin(&t, 0);
    gj_line(&t, NULL, (double[]){-51.0, -30.0, -51.0, -29.999}, 2);
    src.path = gj_save(&t, "named.geojson", path);
    src.layer = "no_such_layer";
    expect_load_error(&src, SIM_EPARSE, path, "no_such_layer");
    src.layer = "named"; /* GeoJSON's layer is named after the file */
    geo_network *net = NULL;
    geo_crs *crs = NULL;
    sim_error err = {0};
    CHECK_EQ_INT(geo_network_load(&src, &net, &crs, NULL, &err), SIM_OK);
    geo_network_destroy(net);
    geo_crs_destroy(crs);
    src.layer = NULL;

    /* points only: nothing to walk on */
    src.path = tu_write_file(
        tmp_dir, "points.geojson",
        "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":"
        "{},\"geometry\":{\"type\":\"Point\",\"coordinates\":[-51.0,-30.0]}}]}",
        path, sizeof path);
    expect_load_error(&src, SIM_EPARSE, path, NULL);
    free(t.s);
}

/* ---- loading: OSM -----------------------------------------------------------------------------
 */

static uint32_t node_at(const geo_network *n, double lon, double lat) {
    for (uint32_t v = 0; v < n->n_nodes; ++v)
        if (n->lon[v] == lon && n->lat[v] == lat) return v;
    return SIM_INVALID_ID;
}

static void test_osm(void) {
    /* Ways 100 (1-2-3) and 101 (4-2-5) share node 2: a junction. Footway bridge 102 (6-7) passes
     * over (-51, -30) without a node there: no junction. Motorway 103, private service road 104
     * and railway 107 are not walkable; service road 105 is private but foot=yes. Path 106 refers
     * to node 99, missing from the file: it is cut there, and the lone vertex after the gap
     * (node 12) makes no segment. Walkable: 10 nodes (1-7, 9, 10, 11; 10 shared by 105 and 106),
     * 7 segments. */
    char path[PATH_LEN];
    tu_path(tmp_dir, "small.osm", path, sizeof path);
    FILE *fp = fopen(path, "wb");
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<osm version=\"0.6\">\n", fp);
    static const struct {
        int id;
        double lon, lat;
    } NODES[] = {{1, -51.002, -30.0},   {2, -51.0, -30.0},    {3, -50.998, -30.0},
                 {4, -51.0, -30.002},   {5, -51.0, -29.998},  {6, -51.001, -30.001},
                 {7, -50.999, -29.999}, {8, -50.996, -30.0},  {9, -51.0, -29.996},
                 {10, -51.0, -29.994},  {11, -51.0, -29.992}, {12, -51.0, -29.99}};
    for (size_t i = 0; i < sizeof NODES / sizeof NODES[0]; ++i)
        fprintf(fp, " <node id=\"%d\" lat=\"%.3f\" lon=\"%.3f\" version=\"1\"/>\n", NODES[i].id,
                NODES[i].lat, NODES[i].lon);
    fputs(
        " <way id=\"100\"><nd ref=\"1\"/><nd ref=\"2\"/><nd ref=\"3\"/>"
        "<tag k=\"highway\" v=\"residential\"/></way>\n"
        " <way id=\"101\"><nd ref=\"4\"/><nd ref=\"2\"/><nd ref=\"5\"/>"
        "<tag k=\"highway\" v=\"residential\"/></way>\n"
        " <way id=\"102\"><nd ref=\"6\"/><nd ref=\"7\"/><tag k=\"highway\" v=\"footway\"/>"
        "<tag k=\"bridge\" v=\"yes\"/><tag k=\"layer\" v=\"1\"/></way>\n"
        " <way id=\"103\"><nd ref=\"3\"/><nd ref=\"8\"/><tag k=\"highway\" v=\"motorway\"/></way>\n"
        " <way id=\"104\"><nd ref=\"5\"/><nd ref=\"9\"/><tag k=\"highway\" v=\"service\"/>"
        "<tag k=\"access\" v=\"private\"/></way>\n"
        " <way id=\"105\"><nd ref=\"9\"/><nd ref=\"10\"/><tag k=\"highway\" v=\"service\"/>"
        "<tag k=\"access\" v=\"private\"/><tag k=\"foot\" v=\"yes\"/></way>\n"
        " <way id=\"106\"><nd ref=\"10\"/><nd ref=\"11\"/><nd ref=\"99\"/><nd ref=\"12\"/>"
        "<tag k=\"highway\" v=\"path\"/></way>\n"
        " <way id=\"107\"><nd ref=\"1\"/><nd ref=\"4\"/><tag k=\"railway\" v=\"rail\"/></way>\n"
        "</osm>\n",
        fp);
    fclose(fp);
    geo_crs *crs = NULL;
    sim_warnings warn = {0};
    geo_network *net = load_ok(path, 5.0, &crs, &warn);
    if (!net) return;
    CHECK_EQ_INT(net->stats.is_osm, 1);
    CHECK_STR_EQ(net->stats.driver, "OSM");
    CHECK_EQ_INT(geo_crs_epsg(crs), 32722);
    CHECK_EQ_U32(net->n_nodes, 11); /* the motorway (way 103) is there for cars */
    CHECK_EQ_U32(net->n_segs, 8);
    CHECK_EQ_U32(net->stats.lines_read, 8); /* GDAL's lines layer: all 8 ways */
    CHECK_EQ_U32(net->stats.lines_usable, 6);
    CHECK_EQ_U32(net->stats.lines_walkable, 5);
    CHECK_EQ_U32(net->stats.ways_truncated, 1);
    CHECK(warn.n >= 1);
    uint32_t n1 = node_at(net, -51.002, -30.0), n2 = node_at(net, -51.0, -30.0),
             n3 = node_at(net, -50.998, -30.0), n4 = node_at(net, -51.0, -30.002),
             n5 = node_at(net, -51.0, -29.998), n6 = node_at(net, -51.001, -30.001),
             n7 = node_at(net, -50.999, -29.999), n9 = node_at(net, -51.0, -29.996),
             n10 = node_at(net, -51.0, -29.994), n11 = node_at(net, -51.0, -29.992);
    CHECK(n1 != SIM_INVALID_ID && n2 != SIM_INVALID_ID && n3 != SIM_INVALID_ID &&
          n4 != SIM_INVALID_ID && n5 != SIM_INVALID_ID && n6 != SIM_INVALID_ID &&
          n7 != SIM_INVALID_ID && n9 != SIM_INVALID_ID && n10 != SIM_INVALID_ID &&
          n11 != SIM_INVALID_ID);
    uint32_t n8 = node_at(net, -50.996, -30.0); /* motorway end: cars only */
    CHECK(n8 != SIM_INVALID_ID);
    if (n8 != SIM_INVALID_ID && n3 != SIM_INVALID_ID) {
        uint32_t s38 = find_seg(net, n3, n8);
        CHECK(s38 != SIM_INVALID_ID);
        if (s38 != SIM_INVALID_ID) {
            CHECK_EQ_INT(net->seg_way[s38], 103);
            CHECK_EQ_INT(net->seg_access[s38], GEO_ACCESS_FWD(GEO_MODE_CAR)); /* implied oneway */
        }
    }
    CHECK_EQ_U32(node_at(net, -51.0, -29.99), SIM_INVALID_ID);  /* after the gap */
    /* the junction at node 2 */
    uint32_t s12 = find_seg(net, n1, n2), s23 = find_seg(net, n2, n3), s42 = find_seg(net, n4, n2),
             s25 = find_seg(net, n2, n5);
    CHECK(s12 != SIM_INVALID_ID && s23 != SIM_INVALID_ID && s42 != SIM_INVALID_ID &&
          s25 != SIM_INVALID_ID);
    if (s12 != SIM_INVALID_ID) {
        CHECK_EQ_INT(net->seg_way[s12], 100);
        CHECK_NEAR(net->seg_len_m[s12], parallel_m(-30.0, -51.002, -51.0), 1e-4);
    }
    if (s25 != SIM_INVALID_ID) {
        CHECK_EQ_INT(net->seg_way[s25], 101);
        CHECK_NEAR(net->seg_len_m[s25], meridian_m(-30.0, -29.998), 1e-4);
    }
    /* the bridge touches nothing */
    uint32_t sb = find_seg(net, n6, n7);
    CHECK(sb != SIM_INVALID_ID);
    if (sb != SIM_INVALID_ID) {
        CHECK_EQ_INT(net->seg_way[sb], 102);
        for (uint32_t k = 0; k < net->n_segs; ++k) CHECK(k == sb || !segs_share_node(net, k, sb));
    }
    /* 104 is out, so node 5 and node 9 are not joined; 105 and 106 share node 10 */
    CHECK_EQ_U32(find_seg(net, n5, n9), SIM_INVALID_ID);
    uint32_t s910 = find_seg(net, n9, n10), s1011 = find_seg(net, n10, n11);
    CHECK(s910 != SIM_INVALID_ID && s1011 != SIM_INVALID_ID);
    if (s910 != SIM_INVALID_ID) CHECK_EQ_INT(net->seg_way[s910], 105);
    if (s1011 != SIM_INVALID_ID) {
        CHECK_EQ_INT(net->seg_way[s1011], 106);
        CHECK_NEAR(net->seg_len_m[s1011], meridian_m(-29.994, -29.992), 1e-4);
    }
    geo_network_destroy(net);
    geo_crs_destroy(crs);
    sim_warnings_clear(&warn);
}

/* ---- snapping ----------------------------------------------------------------------------------
 */

#define Y0 6681000.0 /* the main line of the snapping fixtures runs north from (500000, Y0) */

static void test_snap(void) {
    /* main line: 40 vertices 10 m apart (39 segments, seg k from Y0+10k to Y0+10k+10);
     * island: a 2-node line at x = 500050 from Y0+100 to Y0+110 */
    text t = {0};
    char path[PATH_LEN];
    gj_begin(&t, 32722);
    gj_vertical(&t, 500000.0, Y0, 10.0, 40);
    gj_vertical(&t, 500050.0, Y0 + 100.0, 10.0, 2);
    geo_crs *crs = NULL;
    geo_network *net = load_ok(gj_save(&t, "snap.geojson", path), 0.0, &crs, NULL);
    free(t.s);
    if (!net) return;
    CHECK_EQ_U32(net->n_nodes, 42);
    CHECK_EQ_U32(net->n_segs, 40);
    geo_snapper *s = NULL;
    sim_error err = {0};
    CHECK_EQ_INT(geo_snapper_create(net, GEO_MODE_WALK, &s, &err), SIM_OK);
    if (!s) goto done;
    size_t island_segs = 99;
    CHECK_EQ_U32(geo_snapper_island_count(s, &island_segs), 1);
    CHECK_EQ_U32(island_segs, 1);
    CHECK_EQ_U32(geo_snapper_island_count(s, NULL), 1);

    enum { N = 7 };
    double x[N] = {500030.0, 500045.0, 500500.0, 500000.0, 499990.0, NAN, 499999.0};
    double y[N] = {Y0 + 105, Y0 + 105, Y0 + 105, Y0 + 400, Y0 - 20, Y0, Y0 + 372.5};
    geo_snap out[N];
    CHECK_EQ_INT(geo_snapper_snap(s, x, y, N, 100.0, out, &err), SIM_OK);
    /* beside the middle of segment 10 */
    CHECK_EQ_U32(out[0].seg, 10);
    CHECK_NEAR(out[0].f, 0.5, 1e-6);
    CHECK_NEAR(out[0].dist_m, 30.0, 1e-6);
    /* 5 m from the island, 45 m from the main line: the island is not used */
    CHECK_EQ_U32(out[1].seg, 10);
    CHECK_NEAR(out[1].f, 0.5, 1e-6);
    CHECK_NEAR(out[1].dist_m, 45.0, 1e-6);
    /* 500 m away: beyond the 100 m limit */
    CHECK_EQ_U32(out[2].seg, SIM_INVALID_ID);
    /* past the north end (last vertex at Y0+390): the end of the last segment, 10 m away */
    CHECK_EQ_U32(out[3].seg, 38);
    CHECK_NEAR(out[3].f, 1.0, 1e-9);
    CHECK_NEAR(out[3].dist_m, 10.0, 1e-6);
    /* south-west of the start: the first vertex, sqrt(10^2 + 20^2) away */
    CHECK_EQ_U32(out[4].seg, 0);
    CHECK_NEAR(out[4].f, 0.0, 1e-9);
    CHECK_NEAR(out[4].dist_m, sqrt(500.0), 1e-6);
    /* a non-finite coordinate snaps nowhere */
    CHECK_EQ_U32(out[5].seg, SIM_INVALID_ID);
    /* 1 m west of segment 37 (Y0+370..380), a quarter along */
    CHECK_EQ_U32(out[6].seg, 37);
    CHECK_NEAR(out[6].f, 0.25, 1e-6);
    CHECK_NEAR(out[6].dist_m, 1.0, 1e-6);

    /* the same point with a limit just below and just above its 30 m */
    CHECK_EQ_INT(geo_snapper_snap(s, x, y, 1, 29.0, out, &err), SIM_OK);
    CHECK_EQ_U32(out[0].seg, SIM_INVALID_ID);
    CHECK_EQ_INT(geo_snapper_snap(s, x, y, 1, 31.0, out, &err), SIM_OK);
    CHECK_EQ_U32(out[0].seg, 10);
    /* n = 0 is fine */
    CHECK_EQ_INT(geo_snapper_snap(s, x, y, 0, 31.0, out, &err), SIM_OK);
done:
    geo_snapper_destroy(s);
    geo_snapper_destroy(NULL);
    geo_network_destroy(net);
    geo_crs_destroy(crs);
}

/* Islands are parts with fewer than GEO_ISLAND_NODES (40) street nodes, except the largest. */
static void test_island_threshold(void) {
    static const struct {
        size_t main_nodes, other_nodes, islands;
    } CASES[] = {
        {50, 39, 1}, /* 39 < 40: pruned */
        {50, 40, 0}, /* 40 is enough */
        {3, 2, 1},   /* the largest part is never pruned, however small */
        {3, 0, 0},
    };
    for (size_t c = 0; c < sizeof CASES / sizeof CASES[0]; ++c) {
        text t = {0};
        char path[PATH_LEN];
        gj_begin(&t, 32722);
        gj_vertical(&t, 500000.0, Y0, 10.0, CASES[c].main_nodes);
        if (CASES[c].other_nodes) gj_vertical(&t, 501000.0, Y0, 10.0, CASES[c].other_nodes);
        geo_crs *crs = NULL;
        geo_network *net = load_ok(gj_save(&t, "islands.geojson", path), 0.0, &crs, NULL);
        free(t.s);
        if (!net) continue;
        geo_snapper *s = NULL;
        sim_error err = {0};
        CHECK_EQ_INT(geo_snapper_create(net, GEO_MODE_WALK, &s, &err), SIM_OK);
        if (s) {
            size_t segs = 0;
            CHECK_EQ_U32(geo_snapper_island_count(s, &segs), CASES[c].islands);
            CHECK_EQ_U32(segs, CASES[c].islands ? CASES[c].other_nodes - 1 : 0);
            /* a point 5 m east of the second line snaps to it unless it is an island */
            double x[2] = {501005.0, 499995.0}, y[2] = {Y0 + 5.0, Y0 + 5.0};
            geo_snap out[2];
            CHECK_EQ_INT(geo_snapper_snap(s, x, y, 2, 2000.0, out, &err), SIM_OK);
            uint32_t main_segs = (uint32_t)CASES[c].main_nodes - 1;
            if (CASES[c].other_nodes && !CASES[c].islands) {
                CHECK_EQ_U32(out[0].seg, main_segs); /* first segment of the second line */
                CHECK_NEAR(out[0].dist_m, 5.0, 1e-6);
            } else {
                CHECK_EQ_U32(out[0].seg, 0); /* first segment of the main line, 1005 m away */
                CHECK_NEAR(out[0].dist_m, 1005.0, 1e-6);
            }
            CHECK_EQ_U32(out[1].seg, 0);
            CHECK_NEAR(out[1].dist_m, 5.0, 1e-6);
        }
        geo_snapper_destroy(s);
        geo_network_destroy(net);
        geo_crs_destroy(crs);
    }
}

/* ---- attaching --------------------------------------------------------------------------------
 */

static uint32_t connector_of(const geo_network *net, uint32_t p, uint32_t *other) {
    uint32_t found = SIM_INVALID_ID, count = 0;
    for (uint32_t s = 0; s < net->n_segs; ++s)
        if (net->seg_u[s] == p || net->seg_v[s] == p) {
            found = s;
            ++count;
        }
    if (count != 1) return SIM_INVALID_ID;
    *other = net->seg_u[found] == p ? net->seg_v[found] : net->seg_u[found];
    return found;
}

/* Checks that the walking graph's arcs are exactly both directions of every segment, each with
 * round(len / speed * 10) deciseconds (computed here, not with geo_time_ds), between the graph
 * nodes of the segment's ends. */
static void check_graph(const geo_network *net, double speed) {
    geo_mode_graph *mg = NULL;
    sim_error err = {0};
    CHECK_EQ_INT(geo_mode_graph_build(net, GEO_MODE_WALK, &mg, &err), SIM_OK);
    if (!mg) return;
    const sim_graph *g = mg->fwd;
    CHECK_EQ_INT(sim_graph_validate(g), SIM_OK);
    CHECK_EQ_U32(sim_graph_node_count(g), net->n_nodes); /* every node here is walkable */
    CHECK_EQ_U32(sim_graph_arc_count(g), 2 * net->n_segs);
    CHECK_EQ_U32(sim_graph_arc_count(mg->rev), 2 * net->n_segs);
    const uint32_t *first = sim_graph_first_out(g), *head = sim_graph_head(g),
                   *time = sim_graph_time_ds(g);
    uint8_t *used = calloc(2 * (size_t)net->n_segs + 1, 1);
    int bad = 0;
    for (uint32_t v = 0; v < net->n_nodes; ++v) CHECK_EQ_U32(mg->node_of[mg->graph_of[v]], v);
    for (uint32_t s = 0; s < net->n_segs && !bad; ++s) {
        uint32_t want = (uint32_t)floor(net->seg_len_m[s] / speed * 10.0 + 0.5);
        for (int dir = 0; dir < 2; ++dir) {
            uint32_t a = mg->graph_of[dir ? net->seg_v[s] : net->seg_u[s]],
                     b = mg->graph_of[dir ? net->seg_u[s] : net->seg_v[s]];
            int found = 0;
            for (uint32_t k = first[a]; k < first[a + 1]; ++k)
                if (!used[k] && head[k] == b && time[k] == want && mg->arc_seg[k] == s) {
                    used[k] = 1;
                    found = 1;
                    break;
                }
            if (!found) {
                fprintf(stderr, "  no arc %u -> %u with %u ds (segment %u)\n", a, b, want, s);
                bad = 1;
            }
        }
    }
    CHECK(!bad);
    free(used);
    geo_mode_graph_destroy(mg);
}

static void test_attach(void) {
    text t = {0};
    char path[PATH_LEN];
    gj_begin(&t, 32722);
    gj_vertical(&t, 500000.0, Y0, 10.0, 40);
    geo_crs *crs = NULL;
    geo_network *net = load_ok(gj_save(&t, "attach.geojson", path), 0.0, &crs, NULL);
    free(t.s);
    if (!net) return;
    const double L = 10.0 / K0; /* ground length of every street segment */
    CHECK_EQ_U32(net->n_nodes, 40);
    CHECK_EQ_U32(net->n_segs, 39);
    int64_t way = net->seg_way[10];

    enum { N = 6 };
    /* p0 and p1 on segment 10 at f = 0.2 and 0.7; p5 at p1's exact position; p2 beside p0 on the
     * same side (same snapped position as p0 in exact arithmetic); p3 south-west of the first
     * vertex (3-4-5 triangle: 5 m away, snapped to f = 0 of segment 0); p4 too far away */
    double x[N] = {500020.0, 499990.0, 500005.0, 499997.0, 501000.0, 499990.0};
    double y[N] = {Y0 + 102, Y0 + 107, Y0 + 102, Y0 - 4.0, Y0 + 100, Y0 + 107};
    double lon[N], lat[N];
    memcpy(lon, x, sizeof x);
    memcpy(lat, y, sizeof y);
    sim_error err = {0};
    CHECK_EQ_INT(geo_crs_inverse(crs, lon, lat, N, &err), SIM_OK); /* input, not expectation */
    uint8_t kind[N] = {GEO_NODE_ORIGIN,  GEO_NODE_SERVICE, GEO_NODE_ORIGIN,
                       GEO_NODE_SERVICE, GEO_NODE_ORIGIN,  GEO_NODE_ORIGIN};
    uint32_t ref[N] = {7, 3, 8, 0, 9, 10};
    geo_snapper *s = NULL;
    geo_snap snaps[N];
    CHECK_EQ_INT(geo_snapper_create(net, GEO_MODE_WALK, &s, &err), SIM_OK);
    if (!s) goto done;
    CHECK_EQ_INT(geo_snapper_snap(s, x, y, N, 100.0, snaps, &err), SIM_OK);
    geo_snapper_destroy(s);
    s = NULL;
    CHECK_EQ_U32(snaps[0].seg, 10);
    CHECK_NEAR(snaps[0].f, 0.2, 1e-6);
    CHECK_EQ_U32(snaps[1].seg, 10);
    CHECK_NEAR(snaps[1].f, 0.7, 1e-6);
    CHECK_EQ_U32(snaps[3].seg, 0);
    CHECK_EQ_INT(snaps[3].f == 0.0, 1);
    CHECK_NEAR(snaps[3].dist_m, 5.0, 1e-6);
    CHECK_EQ_U32(snaps[4].seg, SIM_INVALID_ID);
    int p0_p2_same_f = snaps[2].seg == 10 && snaps[2].f == snaps[0].f;
    if (!p0_p2_same_f)
        fprintf(stderr, "  note: p0 and p2 snap to fractions %.17g and %.17g\n", snaps[0].f,
                snaps[2].f);

    uint32_t node_out[N];
    const geo_snap *per_mode[GEO_MODE_COUNT] = {snaps}; /* walking only */
    CHECK_EQ_INT(geo_network_attach(net, crs, x, y, lon, lat, N, kind, ref, per_mode, 4.5,
                                    node_out, &err),
                 SIM_OK);
    uint32_t new_street = p0_p2_same_f ? 2 : 3;
    /* 40 street nodes + new split nodes + 5 point nodes; 39 segments + one more piece per split
     * node + 5 connectors */
    CHECK_EQ_U32(net->n_nodes, 40 + new_street + 5);
    CHECK_EQ_U32(net->n_segs, 39 + new_street + 5);
    CHECK_EQ_U32(node_out[4], SIM_INVALID_ID);

    uint32_t split[N];
    for (int i = 0; i < N; ++i) {
        if (i == 4) continue;
        uint32_t p = node_out[i];
        CHECK(p != SIM_INVALID_ID && p >= 40 && p < net->n_nodes);
        if (p == SIM_INVALID_ID || p >= net->n_nodes) goto done;
        for (int j = 0; j < i; ++j) CHECK(j == 4 || node_out[j] != p);
        CHECK_EQ_INT(net->kind[p], kind[i]);
        CHECK_EQ_U32(net->ref[p], ref[i]);
        CHECK_NEAR(net->x[p], x[i], 0.0);
        CHECK_NEAR(net->y[p], y[i], 0.0);
        CHECK_NEAR(net->lon[p], lon[i], 0.0);
        CHECK_NEAR(net->lat[p], lat[i], 0.0);
        /* one connector, to a street node */
        uint32_t c = connector_of(net, p, &split[i]);
        CHECK(c != SIM_INVALID_ID);
        if (c == SIM_INVALID_ID) goto done;
        CHECK_EQ_INT(net->seg_connector[c], 1);
        CHECK_EQ_INT(net->seg_way[c], -1);
        CHECK_EQ_INT(net->kind[split[i]], GEO_NODE_STREET);
    }
    /* connector lengths: grid distance east-west / 0.9996 (scale ~k0 within 20 m of the
     * central meridian) */
    uint32_t c, other;
    c = connector_of(net, node_out[0], &other);
    CHECK_NEAR(net->seg_len_m[c], 20.0 / K0, 1e-5);
    c = connector_of(net, node_out[1], &other);
    CHECK_NEAR(net->seg_len_m[c], 10.0 / K0, 1e-5);
    c = connector_of(net, node_out[2], &other);
    CHECK_NEAR(net->seg_len_m[c], 5.0 / K0, 1e-5);
    c = connector_of(net, node_out[3], &other);
    CHECK_NEAR(net->seg_len_m[c], 5.0 / K0, 1e-5); /* conformal: k ~ k0 in every direction */

    /* p1 and p5 (same position) share their split node; p3 uses the existing vertex 0 */
    CHECK_EQ_U32(split[5], split[1]);
    CHECK_EQ_U32(split[3], 0);
    if (p0_p2_same_f) CHECK_EQ_U32(split[2], split[0]);
    CHECK(split[0] >= 40 && split[1] >= 40 && split[0] != split[1]);
    /* split nodes: on the line, at the snapped positions */
    CHECK_NEAR(net->x[split[0]], 500000.0, 1e-6);
    CHECK_NEAR(net->y[split[0]], Y0 + 102, 1e-6);
    CHECK_NEAR(net->x[split[1]], 500000.0, 1e-6);
    CHECK_NEAR(net->y[split[1]], Y0 + 107, 1e-6);
    CHECK_NEAR(net->lon[split[0]], -51.0, 1e-9);
    CHECK(net->lat[split[0]] > net->lat[10] && net->lat[split[0]] < net->lat[11]);
    CHECK(net->lat[split[1]] > net->lat[split[0]] && net->lat[split[1]] < net->lat[11]);
    CHECK_EQ_U32(net->ref[split[0]], SIM_INVALID_ID);

    /* segment 10 (vertex 10 -> 11) is gone, replaced by pieces 10-A (0.2 L), A-B (0.5 L),
     * B-11 (0.3 L) whose lengths add up to L */
    CHECK_EQ_U32(find_seg(net, 10, 11), SIM_INVALID_ID);
    uint32_t s1 = find_seg(net, 10, split[0]), s3 = find_seg(net, split[1], 11);
    CHECK(s1 != SIM_INVALID_ID && s3 != SIM_INVALID_ID);
    if (s1 != SIM_INVALID_ID && s3 != SIM_INVALID_ID) {
        CHECK_NEAR(net->seg_len_m[s1], 0.2 * L, 1e-6);
        CHECK_NEAR(net->seg_len_m[s3], 0.3 * L, 1e-6);
        CHECK_EQ_INT(net->seg_way[s1], way);
        CHECK_EQ_INT(net->seg_way[s3], way);
        CHECK_EQ_INT(net->seg_connector[s1], 0);
        CHECK_EQ_INT(net->seg_connector[s3], 0);
    }
    if (p0_p2_same_f) {
        uint32_t s2 = find_seg(net, split[0], split[1]);
        CHECK(s2 != SIM_INVALID_ID);
        if (s2 != SIM_INVALID_ID) CHECK_NEAR(net->seg_len_m[s2], 0.5 * L, 1e-6);
    }
    /* segments 0 and 9 were not split */
    uint32_t a = find_seg(net, 0, 1), b = find_seg(net, 9, 10);
    CHECK(a != SIM_INVALID_ID && b != SIM_INVALID_ID);
    if (a != SIM_INVALID_ID) CHECK_NEAR(net->seg_len_m[a], L, 1e-6);
    if (b != SIM_INVALID_ID) CHECK_NEAR(net->seg_len_m[b], L, 1e-6);
    /* street lengths add up to the original 39 L */
    double total = 0;
    uint32_t n_street = 0;
    for (uint32_t k = 0; k < net->n_segs; ++k)
        if (!net->seg_connector[k]) {
            total += net->seg_len_m[k];
            ++n_street;
        }
    CHECK_EQ_U32(n_street, 39 + new_street);
    CHECK_NEAR(total, 39 * L, 1e-6);

    /* the graph: every segment both ways, times from the lengths at 4.5 km/h (connectors at
     * the 4.5 km/h given to geo_network_attach) */
    check_graph(net, 1.25);

    /* a new snapper sees the split pieces, not the connectors, and no islands */
    CHECK_EQ_INT(geo_snapper_create(net, GEO_MODE_WALK, &s, &err), SIM_OK);
    if (s) {
        size_t segs = 0;
        CHECK_EQ_U32(geo_snapper_island_count(s, &segs), 0);
        geo_snap again;
        double qx = 500020.0, qy = Y0 + 104.5; /* beside piece A-B */
        CHECK_EQ_INT(geo_snapper_snap(s, &qx, &qy, 1, 100.0, &again, &err), SIM_OK);
        CHECK(again.seg != SIM_INVALID_ID && !net->seg_connector[again.seg]);
        CHECK_NEAR(again.dist_m, 20.0, 1e-6);
        if (p0_p2_same_f) {
            uint32_t piece = find_seg(net, split[0], split[1]);
            CHECK_EQ_U32(again.seg, piece);
            CHECK_NEAR(again.f, 0.5, 1e-6);
        }
    }
done:
    geo_snapper_destroy(s);
    geo_network_destroy(net);
    geo_crs_destroy(crs);
}

static void test_attach_nothing(void) {
    text t = {0};
    char path[PATH_LEN];
    gj_begin(&t, 32722);
    gj_vertical(&t, 500000.0, Y0, 10.0, 3);
    geo_crs *crs = NULL;
    geo_network *net = load_ok(gj_save(&t, "attach0.geojson", path), 0.0, &crs, NULL);
    free(t.s);
    if (!net) return;
    double x = 0, y = 0, lon = 0, lat = 0;
    uint8_t kind = GEO_NODE_ORIGIN;
    uint32_t ref = 0, node = 0;
    geo_snap snap = {SIM_INVALID_ID, 0, INFINITY};
    sim_error err = {0};
    CHECK_EQ_INT(
        geo_network_attach(net, crs, &x, &y, &lon, &lat, 1, &kind, &ref,
                           (const geo_snap *const[GEO_MODE_COUNT]){&snap}, 4.5, &node, &err),
        SIM_OK);
    CHECK_EQ_U32(node, SIM_INVALID_ID);
    CHECK_EQ_INT(
        geo_network_attach(net, crs, NULL, NULL, NULL, NULL, 0, NULL, NULL,
                           (const geo_snap *const[GEO_MODE_COUNT]){NULL}, 4.5, NULL, &err),
        SIM_OK);
    CHECK_EQ_U32(net->n_nodes, 3);
    CHECK_EQ_U32(net->n_segs, 2);
    /* a point snapped exactly at both ends of a segment reuses u and v */
    double px[2] = {500001.0, 500001.0}, py[2] = {Y0 - 1.0, Y0 + 21.0};
    double plon[2], plat[2];
    memcpy(plon, px, sizeof px);
    memcpy(plat, py, sizeof py);
    CHECK_EQ_INT(geo_crs_inverse(crs, plon, plat, 2, &err), SIM_OK);
    geo_snap snaps[2] = {{0, 0.0, 1.0}, {1, 1.0, 1.0}};
    uint8_t kinds[2] = {GEO_NODE_SERVICE, GEO_NODE_SERVICE};
    uint32_t refs[2] = {0, 1}, nodes[2];
    CHECK_EQ_INT(
        geo_network_attach(net, crs, px, py, plon, plat, 2, kinds, refs,
                           (const geo_snap *const[GEO_MODE_COUNT]){snaps}, 4.5, nodes, &err),
        SIM_OK);
    CHECK_EQ_U32(net->n_nodes, 5);
    CHECK_EQ_U32(net->n_segs, 4);
    uint32_t other = SIM_INVALID_ID;
    CHECK(connector_of(net, nodes[0], &other) != SIM_INVALID_ID);
    CHECK_EQ_U32(other, 0);
    CHECK(connector_of(net, nodes[1], &other) != SIM_INVALID_ID);
    CHECK_EQ_U32(other, 2);
    CHECK_NEAR(net->seg_len_m[0], 10.0 / K0, 1e-6);
    CHECK_NEAR(net->seg_len_m[1], 10.0 / K0, 1e-6);
    check_graph(net, 1.25);
    geo_network_destroy(net);
    geo_crs_destroy(crs);
    geo_network_destroy(NULL);
}

/* ---- geo_time_ds -------------------------------------------------------------------------------
 */

static void test_time_ds(void) {
    CHECK_EQ_U32(geo_time_ds(100.0, 1.25), 800); /* 80 s */
    CHECK_EQ_U32(geo_time_ds(0.0, 1.25), 0);
    CHECK_EQ_U32(geo_time_ds(0.06, 1.25), 0);              /* 0.48 ds */
    CHECK_EQ_U32(geo_time_ds(0.07, 1.25), 1);              /* 0.56 ds */
    CHECK_EQ_U32(geo_time_ds(1.25, 10.0), 1);              /* 1.25 ds */
    CHECK_EQ_U32(geo_time_ds(0.5, 2.0), 3);                /* 2.5 ds exactly: half-way rounds up */
    CHECK_EQ_U32(geo_time_ds(0.25, 2.0), 1);               /* 1.25 ds */
    CHECK_EQ_U32(geo_time_ds(0.75, 2.0), 4);               /* 3.75 ds */
    CHECK_EQ_U32(geo_time_ds(0.125, 1.0), 1);              /* 1.25 ds */
    CHECK_EQ_U32(geo_time_ds(1000.0, 1.4), 7143);          /* 7142.857 ds */
    CHECK_EQ_U32(geo_time_ds(3600.0 * 1.25, 1.25), 36000); /* an hour */
}

int main(void) {
    geo_init();
    if (!tu_temp_dir("accessim_test_network", tmp_dir, sizeof tmp_dir)) return 1;
    test_crossing_is_not_a_junction();
    test_endpoint_joining();
    test_exact_endpoints_join_with_zero_tolerance();
    test_projected_source();
    test_north_hemisphere_zone();
    test_highway_field();
    test_multilinestring();
    test_load_errors();
    test_osm();
    test_snap();
    test_island_threshold();
    test_attach();
    test_attach_nothing();
    test_time_ds();
    tu_remove_tree(tmp_dir);
    return CHECK_DONE();
}
