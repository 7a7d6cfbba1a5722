/*
 * Tests for geo/modify.c (polygons, closures, speed factors, links) and the copies and
 * re-weighting it relies on (geo_network_copy, geo_mode_graph_copy, geo_mode_graph_reweight in
 * geo/network.c). Hand networks are built node by node in EPSG:32722 around (-51, -30), which is
 * (500000, 6681214.6474) on the zone's central meridian; segment lengths are set by hand (100 m),
 * speeds are 3.6 km/h walking (1 m/s), 18 km/h cycling (5 m/s) and 36 km/h driving (10 m/s), so a
 * 100 m segment takes 1000, 200 and 100 deciseconds. The re-weighting test uses the demo city.
 * Polygon and file fixtures are written at run time into a temporary folder.
 */
#include "geo/modify.h"

#include <gdal.h>
#include <math.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "geo/demo_city.h"
#include "geo/geo.h"
#include "geo/geo_internal.h"
#include "sim/graph.h"
#include "sim/route.h"
#include "test_util.h"

static char tmp_dir[256];
static geo_crs *CRS; /* EPSG:32722 */

#define PATH_LEN 512
#define X0 500000.0
#define Y0 6681214.6474
#define WALK GEO_MODE_WALK
#define BIKE GEO_MODE_BIKE
#define CAR GEO_MODE_CAR
#define M_WALK (1u << GEO_MODE_WALK)
#define M_BIKE (1u << GEO_MODE_BIKE)
#define M_CAR (1u << GEO_MODE_CAR)
#define M_ALL (M_WALK | M_BIKE | M_CAR)
#define ALL_ACCESS ((uint8_t)0x3f)

static const float SPEEDS[GEO_MODE_COUNT] = {3.6f, 18.0f, 36.0f};

/* ---- fixtures --------------------------------------------------------------------------------- */

static void to_lonlat(double x, double y, double *lon, double *lat) {
    *lon = x;
    *lat = y;
    if (geo_crs_inverse(CRS, lon, lat, 1, NULL)) abort();
}

static uint32_t add_node(geo_network *net, double x, double y) {
    double lon, lat;
    to_lonlat(x, y, &lon, &lat);
    uint32_t v = geo__network_add_node(net, x, y, lon, lat, GEO_NODE_STREET, SIM_INVALID_ID);
    if (v == SIM_INVALID_ID) abort();
    return v;
}

static uint32_t add_seg(geo_network *net, uint32_t u, uint32_t v, double len, int64_t way,
                        uint8_t access) {
    uint32_t s = geo__network_add_seg(net, u, v, len, way, 0, access, SPEEDS, NAN);
    if (s == SIM_INVALID_ID) abort();
    return s;
}

/* A 3 x 3 grid, 100 m apart, node r * 3 + c at (X0 + 100 c, Y0 + 100 r):
 *     6 - 7 - 8
 *     |   |   |
 *     3 - 4 - 5
 *     |   |   |
 *     0 - 1 - 2
 * every street 100 m long, every mode both ways, way id 100 + segment index. */
static geo_network *grid3(void) {
    geo_network *net = calloc(1, sizeof *net);
    if (!net) abort();
    for (int r = 0; r < 3; ++r)
        for (int c = 0; c < 3; ++c) add_node(net, X0 + 100.0 * c, Y0 + 100.0 * r);
    for (uint32_t r = 0; r < 3; ++r)
        for (uint32_t c = 0; c < 2; ++c)
            add_seg(net, r * 3 + c, r * 3 + c + 1, 100.0, 100 + net->n_segs, ALL_ACCESS);
    for (uint32_t r = 0; r < 2; ++r)
        for (uint32_t c = 0; c < 3; ++c)
            add_seg(net, r * 3 + c, (r + 1) * 3 + c, 100.0, 100 + net->n_segs, ALL_ACCESS);
    return net;
}

/* Segment joining nodes a and b (either direction), or SIM_INVALID_ID. */
static uint32_t find_seg(const geo_network *n, uint32_t a, uint32_t b) {
    for (uint32_t s = 0; s < n->n_segs; ++s)
        if ((n->seg_u[s] == a && n->seg_v[s] == b) || (n->seg_u[s] == b && n->seg_v[s] == a))
            return s;
    return SIM_INVALID_ID;
}

/* A rectangle given in working coordinates, built from lon/lat as a scenario file gives it. */
static geo_polygon *rect(double x0, double y0, double x1, double y1) {
    double lon[4], lat[4];
    to_lonlat(x0, y0, &lon[0], &lat[0]);
    to_lonlat(x1, y0, &lon[1], &lat[1]);
    to_lonlat(x1, y1, &lon[2], &lat[2]);
    to_lonlat(x0, y1, &lon[3], &lat[3]);
    geo_polygon *p = NULL;
    sim_error err = {0};
    CHECK_EQ_INT(geo_polygon_from_lonlat(lon, lat, 4, CRS, "rect", &p, &err), SIM_OK);
    if (!p) fprintf(stderr, "  rect: %s\n", err.msg);
    return p;
}

/* Travel time (deciseconds) from network node a to b for mode m, SIM_UNREACHABLE if none. */
static uint32_t route_ds(const geo_network *net, geo_mode m, uint32_t a, uint32_t b) {
    geo_mode_graph *g = NULL;
    sim_error err = {0};
    CHECK_EQ_INT(geo_mode_graph_build(net, m, &g, &err), SIM_OK);
    if (!g) return 0;
    uint32_t ga = g->graph_of[a], gb = g->graph_of[b], t = SIM_UNREACHABLE;
    if (ga != SIM_INVALID_ID && gb != SIM_INVALID_ID) {
        uint32_t n = sim_graph_node_count(g->fwd);
        uint32_t *times = malloc(n * sizeof *times);
        sim_scratch *s = sim_scratch_create(n);
        CHECK_EQ_INT(sim_route_from(g->fwd, ga, UINT32_MAX - 1, s, times), SIM_OK);
        t = times[gb];
        sim_scratch_destroy(s);
        free(times);
    }
    geo_mode_graph_destroy(g);
    return t;
}

static uint32_t arc_count(const geo_network *net, geo_mode m) {
    geo_mode_graph *g = NULL;
    sim_error err = {0};
    CHECK_EQ_INT(geo_mode_graph_build(net, m, &g, &err), SIM_OK);
    uint32_t n = g ? sim_graph_arc_count(g->fwd) : 0;
    geo_mode_graph_destroy(g);
    return n;
}

/* Expects `rc` == code and every NULL-terminated fragment in err->msg. */
static void expect_err_(int line, sim_status rc, const sim_error *err, sim_status code,
                        const char *const *frags) {
    int before = check_failures;
    CHECK_EQ_INT(rc, code);
    CHECK_EQ_INT(err->code, code);
    for (; *frags; ++frags) CHECK_STR_CONTAINS(err->msg, *frags);
    if (check_failures != before) fprintf(stderr, "  ^ in the case at line %d: %s\n", line, err->msg);
}
#define expect_err(rc, err, code, ...)                                                             \
    expect_err_(__LINE__, rc, err, code, (const char *const[]){__VA_ARGS__, NULL})

/* ---- polygons from lon/lat -------------------------------------------------------------------- */

static void test_polygon_lonlat(void) {
    /* a square of 0.002 degrees around (-51, -30), given open (4 points) and closed (5) */
    double lon[5] = {-51.001, -50.999, -50.999, -51.001, -51.001};
    double lat[5] = {-30.001, -30.001, -29.999, -29.999, -30.001};
    for (size_t n = 4; n <= 5; ++n) {
        geo_polygon *p = NULL;
        sim_error err = {0};
        CHECK_EQ_INT(geo_polygon_from_lonlat(lon, lat, n, CRS, "square", &p, &err), SIM_OK);
        if (!p) {
            fprintf(stderr, "  %s\n", err.msg);
            continue;
        }
        /* centre, a corner (on the boundary: inside), 1 km east, 120 m north (the square's
         * half-height is ~111 m), non-finite */
        double cx = -51.0, cy = -30.0, kx = -50.999, ky = -29.999;
        CHECK_EQ_INT(geo_crs_forward(CRS, &cx, &cy, 1, NULL), SIM_OK);
        CHECK_EQ_INT(geo_crs_forward(CRS, &kx, &ky, 1, NULL), SIM_OK);
        CHECK_NEAR(cx, X0, 1e-6);
        CHECK_NEAR(cy, Y0, 1e-3);
        double x[5] = {cx, kx, cx + 1000.0, cx, NAN}, y[5] = {cy, ky, cy, cy + 120.0, cy};
        uint8_t in[5] = {9, 9, 9, 9, 9};
        CHECK_EQ_INT(geo_polygon_contains(p, x, y, 5, in, &err), SIM_OK);
        CHECK_EQ_INT(in[0], 1);
        CHECK_EQ_INT(in[1], 1);
        CHECK_EQ_INT(in[2], 0);
        CHECK_EQ_INT(in[3], 0);
        CHECK_EQ_INT(in[4], 0);
        geo_polygon_destroy(p);
    }
    geo_polygon_destroy(NULL);

    const char *what = "scenario 'x', modification 2 (close_area)";
    geo_polygon *p = (geo_polygon *)&p;
    sim_error err = {0};
    /* a bow-tie: the edges (0,0)-(1,1) and (1,0)-(0,1) cross at the middle */
    double blon[4] = {-51.0, -50.99, -50.99, -51.0}, blat[4] = {-30.0, -29.99, -30.0, -29.99};
    expect_err(geo_polygon_from_lonlat(blon, blat, 4, CRS, what, &p, &err), &err, SIM_EPARSE,
               what, "Self-intersection", "-50.995");
    CHECK(p == NULL);

    sim_error e2 = {0};
    p = (geo_polygon *)&p;
    expect_err(geo_polygon_from_lonlat(lon, lat, 2, CRS, what, &p, &e2), &e2, SIM_EPARSE, what,
               "at least 3 points, got 2");
    CHECK(p == NULL);

    /* four points, two distinct */
    double dlon[4] = {-51.0, -51.0, -50.99, -51.0}, dlat[4] = {-30.0, -30.0, -30.0, -30.0};
    sim_error e3 = {0};
    expect_err(geo_polygon_from_lonlat(dlon, dlat, 4, CRS, what, &p, &e3), &e3, SIM_EPARSE,
               "3 distinct points, got 2");

    /* three distinct collinear points: no area */
    double clon[3] = {-51.0, -50.995, -50.99}, clat[3] = {-30.0, -30.0, -30.0};
    sim_error e4 = {0};
    sim_status rc = geo_polygon_from_lonlat(clon, clat, 3, CRS, what, &p, &e4);
    CHECK_EQ_INT(rc, SIM_EPARSE);
    CHECK_STR_CONTAINS(e4.msg, what);
    CHECK(p == NULL);

    double nlon[3] = {-51.0, NAN, -50.99}, nlat[3] = {-30.0, -30.0, -29.99};
    sim_error e5 = {0};
    expect_err(geo_polygon_from_lonlat(nlon, nlat, 3, CRS, what, &p, &e5), &e5, SIM_EPARSE,
               "point 2");
    double olat[3] = {-30.0, -95.0, -29.99};
    sim_error e6 = {0};
    expect_err(geo_polygon_from_lonlat(clon, olat, 3, CRS, NULL, &p, &e6), &e6, SIM_EPARSE,
               "polygon: point 2");
}

/* ---- polygons from files ---------------------------------------------------------------------- */

/* Writes a one-layer file with OGR: `driver`, geometry WKTs, the layer without SRS if epsg 0. */
static const char *write_ogr(const char *name, const char *driver, int epsg,
                             OGRwkbGeometryType type, const char *const *wkts, char *path) {
    tu_path(tmp_dir, name, path, PATH_LEN);
    GDALDriverH drv = GDALGetDriverByName(driver);
    GDALDatasetH ds = drv ? GDALCreate(drv, path, 0, 0, 0, GDT_Unknown, NULL) : NULL;
    if (!ds) {
        fprintf(stderr, "cannot create %s\n", path);
        exit(1);
    }
    OGRSpatialReferenceH srs = NULL;
    if (epsg) {
        srs = OSRNewSpatialReference(NULL);
        OSRImportFromEPSG(srs, epsg);
    }
    OGRLayerH l = GDALDatasetCreateLayer(ds, "zone", srs, type, NULL);
    if (!l) exit(1);
    for (; *wkts; ++wkts) {
        OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(l));
        OGRGeometryH g = NULL;
        char *w = (char *)*wkts;
        if (OGR_G_CreateFromWkt(&w, NULL, &g) != OGRERR_NONE) exit(1);
        OGR_F_SetGeometryDirectly(f, g);
        if (OGR_L_CreateFeature(l, f) != OGRERR_NONE) exit(1);
        OGR_F_Destroy(f);
    }
    if (srs) OSRDestroySpatialReference(srs);
    GDALClose(ds);
    return path;
}

static void test_polygon_file(void) {
    char path[PATH_LEN];
    const char *what = "scenario 'y', modification 1 (close_area)";
    /* GeoJSON (CRS84): two squares, around (-51, -30) and 0.01 degrees (~960 m) east of it */
    tu_write_file(tmp_dir, "two.geojson",
                  "{\"type\":\"FeatureCollection\",\"features\":["
                  "{\"type\":\"Feature\",\"id\":3,\"properties\":{},\"geometry\":{\"type\":"
                  "\"Polygon\",\"coordinates\":[[[-51.001,-30.001],[-50.999,-30.001],[-50.999,"
                  "-29.999],[-51.001,-29.999],[-51.001,-30.001]]]}},"
                  "{\"type\":\"Feature\",\"id\":7,\"properties\":{},\"geometry\":{\"type\":"
                  "\"MultiPolygon\",\"coordinates\":[[[[-50.991,-30.001],[-50.989,-30.001],"
                  "[-50.989,-29.999],[-50.991,-29.999],[-50.991,-30.001]]]]}}]}",
                  path, PATH_LEN);
    geo_polygon *p = NULL;
    sim_error err = {0};
    CHECK_EQ_INT(geo_polygon_load(path, NULL, CRS, what, &p, &err), SIM_OK);
    if (p) {
        double x[4] = {-51.0, -50.99, -50.995, -51.0}, y[4] = {-30.0, -30.0, -30.0, -29.99};
        CHECK_EQ_INT(geo_crs_forward(CRS, x, y, 4, NULL), SIM_OK);
        uint8_t in[4];
        CHECK_EQ_INT(geo_polygon_contains(p, x, y, 4, in, &err), SIM_OK);
        CHECK_EQ_INT(in[0], 1); /* first square */
        CHECK_EQ_INT(in[1], 1); /* second */
        CHECK_EQ_INT(in[2], 0); /* between them */
        CHECK_EQ_INT(in[3], 0); /* north */
    } else {
        fprintf(stderr, "  %s\n", err.msg);
    }
    geo_polygon_destroy(p);

    /* a projected GeoPackage (EPSG:32722 = the working CRS): a 200 m square at (X0, Y0) */
    static const char *const SQ[] = {
        "POLYGON((499900 6681114.6474,500100 6681114.6474,500100 6681314.6474,499900 "
        "6681314.6474,499900 6681114.6474))",
        NULL};
    write_ogr("utm.gpkg", "GPKG", 32722, wkbPolygon, SQ, path);
    p = NULL;
    CHECK_EQ_INT(geo_polygon_load(path, "zone", CRS, what, &p, &err), SIM_OK);
    if (p) {
        double x[3] = {X0, X0 + 99.0, X0 + 101.0}, y[3] = {Y0, Y0 - 99.0, Y0};
        uint8_t in[3];
        CHECK_EQ_INT(geo_polygon_contains(p, x, y, 3, in, &err), SIM_OK);
        CHECK_EQ_INT(in[0], 1);
        CHECK_EQ_INT(in[1], 1);
        CHECK_EQ_INT(in[2], 0);
    }
    geo_polygon_destroy(p);

    /* no CRS: a GeoPackage and a shapefile (no .prj) written without SRS */
    sim_error e1 = {0}, e2 = {0};
    p = (geo_polygon *)&p;
    write_ogr("nocrs.gpkg", "GPKG", 0, wkbPolygon, SQ, path);
    expect_err(geo_polygon_load(path, NULL, CRS, what, &p, &e1), &e1, SIM_EPARSE, what,
               "nocrs.gpkg", "layer 'zone' has no CRS");
    CHECK(p == NULL);
    write_ogr("nocrs.shp", "ESRI Shapefile", 0, wkbPolygon, SQ, path);
    expect_err(geo_polygon_load(path, NULL, CRS, what, &p, &e2), &e2, SIM_EPARSE, "no CRS");

    /* an invalid feature (a bow-tie, FID 7) after a valid one */
    tu_write_file(tmp_dir, "bowtie.geojson",
                  "{\"type\":\"FeatureCollection\",\"features\":["
                  "{\"type\":\"Feature\",\"id\":3,\"properties\":{},\"geometry\":{\"type\":"
                  "\"Polygon\",\"coordinates\":[[[-51.001,-30.001],[-50.999,-30.001],[-50.999,"
                  "-29.999],[-51.001,-29.999],[-51.001,-30.001]]]}},"
                  "{\"type\":\"Feature\",\"id\":7,\"properties\":{},\"geometry\":{\"type\":"
                  "\"Polygon\",\"coordinates\":[[[-51.0,-30.0],[-50.99,-29.99],[-50.99,-30.0],"
                  "[-51.0,-29.99],[-51.0,-30.0]]]}}]}",
                  path, PATH_LEN);
    sim_error e3 = {0};
    expect_err(geo_polygon_load(path, NULL, CRS, what, &p, &e3), &e3, SIM_EPARSE, what,
               "feature 7", "Self-intersection");

    /* a point layer */
    tu_write_file(tmp_dir, "points.geojson",
                  "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                  "\"properties\":{},\"geometry\":{\"type\":\"Point\",\"coordinates\":[-51,-30]}}"
                  "]}",
                  path, PATH_LEN);
    sim_error e4 = {0};
    expect_err(geo_polygon_load(path, NULL, CRS, what, &p, &e4), &e4, SIM_EPARSE, "feature 0",
               "Point, not a polygon");

    /* no feature; a missing layer; a missing file */
    tu_write_file(tmp_dir, "empty.geojson", "{\"type\":\"FeatureCollection\",\"features\":[]}",
                  path, PATH_LEN);
    sim_error e5 = {0}, e6 = {0}, e7 = {0};
    expect_err(geo_polygon_load(path, NULL, CRS, what, &p, &e5), &e5, SIM_EPARSE, "no feature");
    write_ogr("utm2.gpkg", "GPKG", 32722, wkbPolygon, SQ, path);
    expect_err(geo_polygon_load(path, "zones", CRS, what, &p, &e6), &e6, SIM_EPARSE,
               "no layer named 'zones'");
    tu_path(tmp_dir, "missing.gpkg", path, PATH_LEN);
    expect_err(geo_polygon_load(path, NULL, CRS, what, &p, &e7), &e7, SIM_EIO, what,
               "missing.gpkg");
    CHECK(p == NULL);
}

/* ---- copies ----------------------------------------------------------------------------------- */

static int net_equal(const geo_network *a, const geo_network *b) {
    size_t nn = a->n_nodes, ns = a->n_segs;
    return a->n_nodes == b->n_nodes && a->n_segs == b->n_segs &&
           !memcmp(a->x, b->x, nn * sizeof *a->x) && !memcmp(a->y, b->y, nn * sizeof *a->y) &&
           !memcmp(a->lon, b->lon, nn * sizeof *a->lon) &&
           !memcmp(a->lat, b->lat, nn * sizeof *a->lat) && !memcmp(a->kind, b->kind, nn) &&
           !memcmp(a->ref, b->ref, nn * sizeof *a->ref) &&
           !memcmp(a->seg_u, b->seg_u, ns * sizeof *a->seg_u) &&
           !memcmp(a->seg_v, b->seg_v, ns * sizeof *a->seg_v) &&
           !memcmp(a->seg_len_m, b->seg_len_m, ns * sizeof *a->seg_len_m) &&
           !memcmp(a->seg_way, b->seg_way, ns * sizeof *a->seg_way) &&
           !memcmp(a->seg_connector, b->seg_connector, ns) &&
           !memcmp(a->seg_access, b->seg_access, ns) &&
           !memcmp(a->seg_speed_kmh, b->seg_speed_kmh,
                   ns * GEO_MODE_COUNT * sizeof *a->seg_speed_kmh) &&
           !memcmp(a->seg_time_s, b->seg_time_s, ns * sizeof *a->seg_time_s) &&
           !memcmp(&a->stats, &b->stats, sizeof a->stats);
}

static void test_network_copy(void) {
    geo_network *net = grid3();
    net->seg_time_s[3] = 42.0f;
    net->stats.lines_read = 12;
    snprintf(net->stats.driver, sizeof net->stats.driver, "hand");
    geo_network *c = NULL;
    sim_error err = {0};
    CHECK_EQ_INT(geo_network_copy(net, &c, &err), SIM_OK);
    if (!c) return;
    CHECK(net_equal(net, c));
    CHECK(c->x != net->x && c->seg_access != net->seg_access);
    CHECK_STR_EQ(c->stats.driver, "hand");
    /* independent: change, grow and close the copy; the original stays as it was */
    geo_network *before = NULL;
    CHECK_EQ_INT(geo_network_copy(net, &before, &err), SIM_OK);
    c->seg_access[0] = 0;
    c->seg_speed_kmh[5] = 1.0f;
    c->x[2] = 0;
    for (int i = 0; i < 2000; ++i) add_node(c, X0 + i, Y0 - 500.0); /* past the capacity */
    add_seg(c, 9, 10, 1.0, 7, ALL_ACCESS);
    CHECK_EQ_U32(c->n_nodes, 2009);
    CHECK_EQ_U32(c->n_segs, 13);
    CHECK(net_equal(net, before));
    CHECK_EQ_U32(net->n_nodes, 9);
    geo_network_destroy(before);
    geo_network_destroy(c);

    /* an empty network copies too */
    geo_network *empty = calloc(1, sizeof *empty), *ce = NULL;
    CHECK_EQ_INT(geo_network_copy(empty, &ce, &err), SIM_OK);
    CHECK(ce && ce->n_nodes == 0 && ce->n_segs == 0);
    if (ce) add_node(ce, X0, Y0);
    geo_network_destroy(ce);
    geo_network_destroy(empty);

    /* a mode graph copy is equal and independent */
    geo_mode_graph *g = NULL, *gc = NULL;
    CHECK_EQ_INT(geo_mode_graph_build(net, CAR, &g, &err), SIM_OK);
    CHECK_EQ_INT(geo_mode_graph_copy(g, &gc, &err), SIM_OK);
    if (g && gc) {
        uint32_t na = sim_graph_arc_count(g->fwd);
        CHECK_EQ_U32(na, 24);
        CHECK_EQ_U32(sim_graph_arc_count(gc->fwd), na);
        CHECK_EQ_U32(gc->n_nodes, 9);
        CHECK_EQ_U32(gc->n_net_nodes, 9);
        CHECK_EQ_INT(gc->mode, CAR);
        CHECK(!memcmp(g->node_of, gc->node_of, 9 * sizeof *g->node_of));
        CHECK(!memcmp(g->graph_of, gc->graph_of, 9 * sizeof *g->graph_of));
        CHECK(!memcmp(g->arc_seg, gc->arc_seg, na * sizeof *g->arc_seg));
        CHECK(!memcmp(sim_graph_time_ds(g->rev), sim_graph_time_ds(gc->rev), na * 4));
        CHECK(sim_graph_time_ds(g->fwd) != sim_graph_time_ds(gc->fwd));
        uint32_t *t = calloc(na, sizeof *t);
        CHECK_EQ_INT(sim_graph_set_times(gc->fwd, t), SIM_OK);
        CHECK_EQ_U32(sim_graph_time_ds(gc->fwd)[0], 0);
        CHECK_EQ_U32(sim_graph_time_ds(g->fwd)[0], g->arc_seg[0] == 3 ? 420 : 100);
        free(t);
    }
    geo_mode_graph_destroy(g);
    geo_mode_graph_destroy(gc);
    geo_network_destroy(net);
}

/* ---- closures --------------------------------------------------------------------------------- */

static void test_close_ways(void) {
    geo_network *net = grid3();
    sim_error err = {0};
    uint32_t s14 = find_seg(net, 1, 4);
    int64_t way14 = net->seg_way[s14];
    CHECK_EQ_U32(route_ds(net, CAR, 1, 4), 100);
    CHECK_EQ_U32(arc_count(net, CAR), 24);

    /* close 1-4 for cars; two ids are not in the network */
    int64_t ids[4] = {999, way14, 998, 999};
    size_t closed = 9, missing = 9;
    int64_t first = 0;
    CHECK_EQ_INT(geo_network_close_ways(net, ids, 4, M_CAR, &closed, &missing, &first, &err),
                 SIM_OK);
    CHECK_EQ_INT(closed, 1);
    CHECK_EQ_INT(missing, 2);
    CHECK_EQ_INT(first, 999);
    CHECK_EQ_INT(net->seg_access[s14], GEO_ACCESS_ANY(WALK) | GEO_ACCESS_ANY(BIKE));
    for (uint32_t s = 0; s < net->n_segs; ++s)
        if (s != s14) CHECK_EQ_INT(net->seg_access[s], ALL_ACCESS);
    CHECK_EQ_U32(arc_count(net, CAR), 22);
    CHECK_EQ_U32(arc_count(net, WALK), 24);
    /* by car the detour 1-0-3-4 (or 1-2-5-4): 300 ds; on foot still 100 m = 1000 ds */
    CHECK_EQ_U32(route_ds(net, CAR, 1, 4), 300);
    CHECK_EQ_U32(route_ds(net, WALK, 1, 4), 1000);

    /* closing it again closes nothing new; no id missing */
    CHECK_EQ_INT(geo_network_close_ways(net, &way14, 1, M_CAR, &closed, &missing, &first, &err),
                 SIM_OK);
    CHECK_EQ_INT(closed, 0);
    CHECK_EQ_INT(missing, 0);
    CHECK_EQ_INT(first, 0);

    /* every street at node 4 closed for cars: 4 leaves the car graph, unreachable */
    int64_t around[4] = {net->seg_way[find_seg(net, 3, 4)], net->seg_way[find_seg(net, 4, 5)],
                         net->seg_way[find_seg(net, 4, 7)], way14};
    CHECK_EQ_INT(geo_network_close_ways(net, around, 4, M_CAR | M_BIKE, &closed, NULL, NULL, &err),
                 SIM_OK);
    CHECK_EQ_INT(closed, 4); /* 3 for both modes, 1-4 for bikes */
    CHECK_EQ_U32(route_ds(net, CAR, 1, 4), SIM_UNREACHABLE);
    CHECK_EQ_U32(route_ds(net, BIKE, 0, 4), SIM_UNREACHABLE);
    CHECK_EQ_U32(route_ds(net, CAR, 3, 5), 400); /* 3-0-1-2-5 */
    CHECK_EQ_U32(route_ds(net, WALK, 3, 5), 2000);
    CHECK_EQ_U32(arc_count(net, CAR), 16);

    /* connectors are never closed, even with their way id (-1) */
    uint32_t p = add_node(net, X0 + 50.0, Y0 + 10.0);
    uint32_t conn = geo__network_add_seg(net, p, 1, 10.0, -1, 1, GEO_ACCESS_ANY(CAR), SPEEDS, NAN);
    int64_t minus1 = -1;
    CHECK_EQ_INT(geo_network_close_ways(net, &minus1, 1, M_CAR, &closed, &missing, &first, &err),
                 SIM_OK);
    CHECK_EQ_INT(closed, 0);
    CHECK_EQ_INT(missing, 1);
    CHECK_EQ_INT(first, -1);
    CHECK_EQ_INT(net->seg_access[conn], GEO_ACCESS_ANY(CAR));

    /* bad masks */
    sim_error e1 = {0}, e2 = {0};
    expect_err(geo_network_close_ways(net, ids, 1, 0, &closed, NULL, NULL, &e1), &e1, SIM_EINVAL,
               "mode mask");
    expect_err(geo_network_close_ways(net, ids, 1, 8, &closed, NULL, NULL, &e2), &e2, SIM_EINVAL,
               "mode mask");
    geo_network_destroy(net);
}

static void test_close_in_polygon(void) {
    geo_network *net = grid3();
    sim_error err = {0};
    size_t closed = 99;
    /* a small square around the middle of 1-4 (x = 100, y 0..100) only */
    geo_polygon *p = rect(X0 + 90.0, Y0 + 40.0, X0 + 110.0, Y0 + 60.0);
    if (!p) return;
    CHECK_EQ_INT(geo_network_close_in_polygon(net, p, M_CAR, &closed, &err), SIM_OK);
    CHECK_EQ_INT(closed, 1);
    for (uint32_t s = 0; s < net->n_segs; ++s)
        CHECK_EQ_INT(net->seg_access[s],
                     s == find_seg(net, 1, 4) ? ALL_ACCESS & ~GEO_ACCESS_ANY(CAR) : ALL_ACCESS);
    geo_polygon_destroy(p);

    /* a strip x 40..60 across the grid: crosses 0-1, 3-4 and 6-7, none of whose ends is inside */
    p = rect(X0 + 40.0, Y0 - 10.0, X0 + 60.0, Y0 + 210.0);
    if (!p) return;
    CHECK_EQ_INT(geo_network_close_in_polygon(net, p, M_WALK, &closed, &err), SIM_OK);
    CHECK_EQ_INT(closed, 3);
    for (uint32_t s = 0; s < net->n_segs; ++s) {
        int crossed = s == find_seg(net, 0, 1) || s == find_seg(net, 3, 4) ||
                      s == find_seg(net, 6, 7);
        CHECK_EQ_INT((net->seg_access[s] & GEO_ACCESS_ANY(WALK)) == 0, crossed);
    }
    /* on foot the left column (0, 3, 6) is cut off; by car 0-1 is still 100 m */
    CHECK_EQ_U32(route_ds(net, WALK, 0, 1), SIM_UNREACHABLE);
    CHECK_EQ_U32(route_ds(net, WALK, 0, 6), 2000);
    CHECK_EQ_U32(route_ds(net, CAR, 0, 1), 100);
    geo_polygon_destroy(p);

    /* x 199.9..260, y 20..180: overlaps 2-5 and 5-8, and holds node 5, the end of 4-5 */
    p = rect(X0 + 199.9, Y0 + 20.0, X0 + 260.0, Y0 + 180.0);
    if (p) {
        CHECK_EQ_INT(geo_network_close_in_polygon(net, p, M_BIKE, &closed, &err), SIM_OK);
        CHECK_EQ_INT(closed, 3);
        for (uint32_t s = 0; s < net->n_segs; ++s) {
            int hit = s == find_seg(net, 2, 5) || s == find_seg(net, 5, 8) ||
                      s == find_seg(net, 4, 5);
            CHECK_EQ_INT((net->seg_access[s] & GEO_ACCESS_ANY(BIKE)) == 0, hit);
        }
    }
    geo_polygon_destroy(p);
    /* far away: nothing */
    p = rect(X0 + 1000.0, Y0, X0 + 1100.0, Y0 + 100.0);
    if (p) {
        CHECK_EQ_INT(geo_network_close_in_polygon(net, p, M_ALL, &closed, &err), SIM_OK);
        CHECK_EQ_INT(closed, 0);
    }
    geo_polygon_destroy(p);
    geo_network_destroy(net);
}

/* ---- speed factors ---------------------------------------------------------------------------- */

static void test_speed_factor(void) {
    geo_network *net = grid3();
    sim_error err = {0};
    /* x 140..250 holds the midpoints of 1-2, 4-5, 7-8 (x = 150) and 2-5, 5-8 (x = 200) */
    geo_polygon *p = rect(X0 + 140.0, Y0 - 50.0, X0 + 250.0, Y0 + 250.0);
    if (!p) return;
    uint32_t in_segs[5] = {find_seg(net, 1, 2), find_seg(net, 4, 5), find_seg(net, 7, 8),
                           find_seg(net, 2, 5), find_seg(net, 5, 8)};
    size_t changed = 0;
    CHECK_EQ_INT(geo_network_speed_factor(net, p, M_CAR, 0.5, &changed, &err), SIM_OK);
    CHECK_EQ_INT(changed, 5);
    geo_mode_graph *car = NULL, *walk = NULL;
    CHECK_EQ_INT(geo_mode_graph_build(net, CAR, &car, &err), SIM_OK);
    CHECK_EQ_INT(geo_mode_graph_build(net, WALK, &walk, &err), SIM_OK);
    if (car && walk) {
        CHECK_EQ_U32(sim_graph_arc_count(car->fwd), 24);
        for (uint32_t a = 0; a < 24; ++a) {
            uint32_t s = car->arc_seg[a];
            int in = 0;
            for (int k = 0; k < 5; ++k) in |= s == in_segs[k];
            /* half the speed: 100 m at 18 km/h = 20 s; elsewhere 10 s; walking unchanged */
            CHECK_EQ_U32(sim_graph_time_ds(car->fwd)[a], in ? 200 : 100);
            CHECK_EQ_U32(sim_graph_time_ds(walk->fwd)[a], 1000);
            CHECK_EQ_U32(sim_graph_time_ds(car->rev)[a] % 100, 0);
        }
        for (int k = 0; k < 5; ++k)
            CHECK_NEAR(net->seg_speed_kmh[(size_t)in_segs[k] * GEO_MODE_COUNT + CAR], 18.0, 0);
    }
    geo_mode_graph_destroy(car);
    geo_mode_graph_destroy(walk);
    CHECK_EQ_U32(route_ds(net, CAR, 0, 8), 500); /* 0-3-6-7 (300) then 7-8 at 200 */
    CHECK_EQ_U32(route_ds(net, CAR, 1, 2), 200);

    /* a fixed-time segment (tables with a time column): 2-5 takes 30 s for every mode */
    uint32_t s25 = find_seg(net, 2, 5);
    net->seg_time_s[s25] = 30.0f;
    geo_network *before = NULL;
    CHECK_EQ_INT(geo_network_copy(net, &before, &err), SIM_OK);
    sim_error e1 = {0};
    expect_err(geo_network_speed_factor(net, p, M_CAR, 2.0, &changed, &e1), &e1, SIM_EINVAL,
               "fixed time", "way 108");
    CHECK(net_equal(net, before)); /* nothing changed */
    CHECK_EQ_INT(geo_network_speed_factor(net, p, M_ALL, 0.5, &changed, &err), SIM_OK);
    CHECK_EQ_INT(changed, 5);
    CHECK_NEAR(net->seg_time_s[s25], 60.0, 0);
    CHECK_EQ_U32(route_ds(net, WALK, 2, 5), 600);
    CHECK_EQ_U32(route_ds(net, CAR, 2, 5), 600);
    CHECK_EQ_U32(route_ds(net, CAR, 1, 2), 400); /* 0.5 twice */
    CHECK_EQ_U32(route_ds(net, WALK, 1, 2), 2000);
    CHECK_EQ_U32(route_ds(net, WALK, 0, 1), 1000);

    /* a fixed-time segment only cars may use: a car-only factor is fine */
    net->seg_access[s25] = GEO_ACCESS_ANY(CAR);
    CHECK_EQ_INT(geo_network_speed_factor(net, p, M_CAR, 2.0, &changed, &err), SIM_OK);
    CHECK_NEAR(net->seg_time_s[s25], 30.0, 0);

    /* connectors keep their speed */
    uint32_t q = add_node(net, X0 + 200.0, Y0 + 60.0);
    uint32_t conn = geo__network_add_seg(net, q, 5, 10.0, -1, 1, GEO_ACCESS_ANY(WALK), SPEEDS, NAN);
    CHECK_EQ_INT(geo_network_speed_factor(net, p, M_WALK, 0.25, &changed, &err), SIM_OK);
    CHECK_EQ_INT(changed, 4); /* 2-5 is car-only now: its fixed time stays */
    CHECK_NEAR(net->seg_time_s[s25], 30.0, 0);
    CHECK_NEAR(net->seg_speed_kmh[(size_t)find_seg(net, 1, 2) * GEO_MODE_COUNT + WALK], 0.45, 1e-6);
    CHECK_NEAR(net->seg_speed_kmh[(size_t)conn * GEO_MODE_COUNT + WALK], 3.6f, 0);

    sim_error e2 = {0}, e3 = {0}, e4 = {0};
    expect_err(geo_network_speed_factor(net, p, M_CAR, 0.0, &changed, &e2), &e2, SIM_EINVAL,
               "not a positive number");
    expect_err(geo_network_speed_factor(net, p, M_CAR, NAN, &changed, &e3), &e3, SIM_EINVAL,
               "not a positive number");
    expect_err(geo_network_speed_factor(net, p, M_CAR, 1e-300, &changed, &e4), &e4, SIM_EINVAL,
               "out of range");
    geo_network_destroy(before);
    geo_polygon_destroy(p);
    geo_network_destroy(net);
}

/* ---- re-weighting ----------------------------------------------------------------------------- */

static int u32_equal(const char *what, const uint32_t *a, const uint32_t *b, size_t n) {
    for (size_t i = 0; i < n; ++i)
        if (a[i] != b[i]) {
            fprintf(stderr, "  %s[%zu]: %u != %u\n", what, i, a[i], b[i]);
            return 0;
        }
    return 1;
}

static int sim_graph_equal(const char *what, const sim_graph *a, const sim_graph *b) {
    uint32_t n = sim_graph_node_count(a), m = sim_graph_arc_count(a);
    if (n != sim_graph_node_count(b) || m != sim_graph_arc_count(b)) {
        fprintf(stderr, "  %s: sizes differ\n", what);
        return 0;
    }
    return u32_equal(what, sim_graph_first_out(a), sim_graph_first_out(b), (size_t)n + 1) &&
           u32_equal(what, sim_graph_head(a), sim_graph_head(b), m) &&
           u32_equal(what, sim_graph_time_ds(a), sim_graph_time_ds(b), m);
}

/* Every array of two mode graphs equal. */
static int mode_graph_equal(const geo_mode_graph *a, const geo_mode_graph *b) {
    return a->mode == b->mode && a->n_nodes == b->n_nodes && a->n_net_nodes == b->n_net_nodes &&
           sim_graph_equal("fwd", a->fwd, b->fwd) && sim_graph_equal("rev", a->rev, b->rev) &&
           u32_equal("node_of", a->node_of, b->node_of, a->n_nodes) &&
           u32_equal("graph_of", a->graph_of, b->graph_of, a->n_net_nodes) &&
           u32_equal("arc_seg", a->arc_seg, b->arc_seg, sim_graph_arc_count(a->fwd));
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static double rnd(void) { /* xorshift64*, uniform in [0, 1) */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (double)((rng_state * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

/* The demo city's streets, with 40 points attached for walking (so connectors exist too). */
/* The demo city's streets (seed 7), as loaded. */
static geo_network *demo_streets(geo_crs **crs) {
    char dir[PATH_LEN], streets[PATH_LEN];
    sim_error err = {0};
    tu_path(tmp_dir, "demo", dir, sizeof dir);
    CHECK_EQ_INT(geo_demo_city_write(dir, 7, &err), SIM_OK);
    tu_path(dir, "inputs/streets.gpkg", streets, sizeof streets);
    geo_network_source src = {.path = streets, .layer = "streets"};
    geo_network *net = NULL;
    sim_warnings warn = {0};
    CHECK_EQ_INT(geo_network_load(&src, &net, crs, &warn, &err), SIM_OK);
    sim_warnings_clear(&warn);
    if (!net) fprintf(stderr, "  demo network: %s\n", err.msg);
    return net;
}

/* Attaches np random points (origins) for mode m, at most NP_MAX. */
#define NP_MAX 400
static void attach_random(geo_network *net, const geo_crs *crs, int np, geo_mode m) {
    sim_error err = {0};
    double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
    for (uint32_t v = 0; v < net->n_nodes; ++v) {
        xmin = fmin(xmin, net->x[v]);
        xmax = fmax(xmax, net->x[v]);
        ymin = fmin(ymin, net->y[v]);
        ymax = fmax(ymax, net->y[v]);
    }
    static double x[NP_MAX], y[NP_MAX], lon[NP_MAX], lat[NP_MAX];
    static uint8_t kind[NP_MAX];
    static uint32_t ref[NP_MAX], node[NP_MAX];
    static geo_snap snaps[NP_MAX];
    for (int i = 0; i < np; ++i) {
        x[i] = lon[i] = xmin + rnd() * (xmax - xmin);
        y[i] = lat[i] = ymin + rnd() * (ymax - ymin);
        kind[i] = GEO_NODE_ORIGIN;
        ref[i] = (uint32_t)i;
    }
    CHECK_EQ_INT(geo_crs_inverse(crs, lon, lat, (size_t)np, &err), SIM_OK);
    geo_snapper *sn = NULL;
    CHECK_EQ_INT(geo_snapper_create(net, m, &sn, &err), SIM_OK);
    if (sn) CHECK_EQ_INT(geo_snapper_snap(sn, x, y, (size_t)np, 1000.0, snaps, &err), SIM_OK);
    geo_snapper_destroy(sn);
    const geo_snap *per_mode[GEO_MODE_COUNT] = {NULL, NULL, NULL};
    per_mode[m] = snaps;
    CHECK_EQ_INT(geo_network_attach(net, crs, x, y, lon, lat, (size_t)np, kind, ref, per_mode, 4.5,
                                    node, &err),
                 SIM_OK);
}

static geo_network *demo_network(geo_crs **crs) {
    geo_network *net = demo_streets(crs);
    if (net) attach_random(net, *crs, 40, WALK);
    return net;
}

/* Attaching splits streets; the pieces' arc times are the uncut segment's rounded times at
 * their ends, differenced, so no travel time between the street nodes of the uncut network
 * changes (checked with Dijkstra from 25 nodes, every mode, 300 points attached per mode), even
 * where rounding each piece alone would differ. */
static void test_split_time_neutral(void) {
    geo_crs *crs = NULL;
    geo_network *net = demo_streets(&crs);
    if (!net) return;
    uint32_t n0 = net->n_nodes;
    geo_mode_graph *before[GEO_MODE_COUNT] = {0}, *after[GEO_MODE_COUNT] = {0};
    sim_error err = {0};
    for (int m = 0; m < GEO_MODE_COUNT; ++m)
        CHECK_EQ_INT(geo_mode_graph_build(net, (geo_mode)m, &before[m], &err), SIM_OK);
    for (int m = 0; m < GEO_MODE_COUNT; ++m) attach_random(net, crs, 300, (geo_mode)m);
    size_t pieces = 0, would_differ = 0;
    for (uint32_t s = 0; s < net->n_segs; ++s) {
        const geo_seg_piece *p = &net->seg_piece[s];
        if (p->f0 == 0.0 && p->f1 == 1.0) continue;
        ++pieces;
        double own = geo_seg_time_ds(net, s, WALK); /* the piece rounded on its own */
        double full = p->full_len_m / (net->seg_speed_kmh[(size_t)s * GEO_MODE_COUNT] / 3.6) * 10;
        if (isfinite(own) && llround(own) != llround(p->f1 * full) - llround(p->f0 * full))
            ++would_differ;
    }
    CHECK(pieces > 500);
    CHECK(would_differ > 10); /* the test exercises pieces whose own rounding differs */
    for (int m = 0; m < GEO_MODE_COUNT; ++m) {
        CHECK_EQ_INT(geo_mode_graph_build(net, (geo_mode)m, &after[m], &err), SIM_OK);
        if (!before[m] || !after[m]) continue;
        uint32_t nb = before[m]->n_nodes, na = after[m]->n_nodes;
        sim_scratch *sb = sim_scratch_create(nb), *sa = sim_scratch_create(na);
        uint32_t *tb = malloc(nb * sizeof *tb), *ta = malloc(na * sizeof *ta);
        uint32_t *nearb = malloc(nb * sizeof *nearb), *neara = malloc(na * sizeof *neara);
        size_t compared = 0, bad = 0;
        for (int k = 0; k < 25 && sb && sa && tb && ta && nearb && neara; ++k) {
            uint32_t v0 = before[m]->node_of[(uint32_t)(rnd() * nb) % nb]; /* network node */
            uint32_t src_b = before[m]->graph_of[v0], src_a = after[m]->graph_of[v0];
            CHECK(src_a != SIM_INVALID_ID);
            if (src_a == SIM_INVALID_ID) continue;
            CHECK_EQ_INT(sim_route_multi(before[m]->fwd, &src_b, NULL, 1, SIM_UNREACHABLE - 1, sb,
                                         tb, nearb),
                         SIM_OK);
            CHECK_EQ_INT(sim_route_multi(after[m]->fwd, &src_a, NULL, 1, SIM_UNREACHABLE - 1, sa,
                                         ta, neara),
                         SIM_OK);
            for (uint32_t v = 0; v < n0; ++v) {
                uint32_t gb = before[m]->graph_of[v], ga = after[m]->graph_of[v];
                if (gb == SIM_INVALID_ID) continue;
                ++compared;
                if (ga == SIM_INVALID_ID || tb[gb] != ta[ga]) ++bad;
            }
        }
        CHECK(compared > 10000);
        CHECK_EQ_INT((int)bad, 0);
        sim_scratch_destroy(sb);
        sim_scratch_destroy(sa);
        free(tb), free(ta), free(nearb), free(neara);
        geo_mode_graph_destroy(before[m]);
        geo_mode_graph_destroy(after[m]);
    }
    geo_network_destroy(net);
    geo_crs_destroy(crs);
}

static void test_reweight(void) {
    geo_crs *crs = NULL;
    geo_network *base = demo_network(&crs);
    if (!base) return;
    double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
    for (uint32_t v = 0; v < base->n_nodes; ++v) {
        xmin = fmin(xmin, base->x[v]);
        xmax = fmax(xmax, base->x[v]);
        ymin = fmin(ymin, base->y[v]);
        ymax = fmax(ymax, base->y[v]);
    }
    static const struct {
        geo_mode mode;
        double time_factor;
    } GRAPHS[] = {{WALK, 1.0}, {WALK, 1.25}, {BIKE, 1.0}, {CAR, 1.0}, {CAR, 0.8}};
    static const double FACTORS[] = {0.5, 0.37, 1.7, 0.9, 1.0, 2.5, 0.123};
    static const unsigned MASKS[] = {M_ALL, M_WALK, M_CAR, M_WALK | M_BIKE, M_BIKE};
    sim_error err = {0};
    int n_cases = 0, n_changed_cases = 0;
    for (size_t gi = 0; gi < sizeof GRAPHS / sizeof GRAPHS[0]; ++gi) {
        geo_mode m = GRAPHS[gi].mode;
        double tf = GRAPHS[gi].time_factor;
        geo_mode_graph *g0 = NULL;
        CHECK_EQ_INT(geo_mode_graph_build_scaled(base, m, tf, &g0, &err), SIM_OK);
        if (!g0) continue;
        for (int rep = 0; rep < 6; ++rep) {
            double factor = FACTORS[(size_t)(rnd() * 7)];
            unsigned mask = MASKS[(size_t)(rnd() * 5)];
            if (rep < 4) mask |= 1u << m; /* mostly the graph's own mode, sometimes not */
            double w = (0.2 + 0.5 * rnd()) * (xmax - xmin), h = (0.2 + 0.5 * rnd()) * (ymax - ymin);
            double x0 = xmin + rnd() * (xmax - xmin - w), y0 = ymin + rnd() * (ymax - ymin - h);
            double lon[4] = {x0, x0 + w, x0 + w, x0}, lat[4] = {y0, y0, y0 + h, y0 + h};
            CHECK_EQ_INT(geo_crs_inverse(crs, lon, lat, 4, &err), SIM_OK);
            geo_polygon *p = NULL;
            geo_network *net = NULL;
            geo_mode_graph *gc = NULL, *fresh = NULL;
            CHECK_EQ_INT(geo_polygon_from_lonlat(lon, lat, 4, crs, "area", &p, &err), SIM_OK);
            CHECK_EQ_INT(geo_network_copy(base, &net, &err), SIM_OK);
            CHECK_EQ_INT(geo_mode_graph_copy(g0, &gc, &err), SIM_OK);
            if (!p || !net || !gc) {
                fprintf(stderr, "  %s\n", err.msg);
                goto next;
            }
            size_t changed = 0;
            CHECK_EQ_INT(geo_network_speed_factor(net, p, mask, factor, &changed, &err), SIM_OK);
            CHECK(changed > 0);
            CHECK_EQ_INT(geo_mode_graph_reweight(gc, net, tf, &err), SIM_OK);
            CHECK_EQ_INT(geo_mode_graph_build_scaled(net, m, tf, &fresh, &err), SIM_OK);
            if (!fresh) goto next;
            ++n_cases;
            if (!mode_graph_equal(gc, fresh)) {
                CHECK(0);
                fprintf(stderr, "  ^ mode %d, time factor %g, speed factor %g, mask %u\n", (int)m,
                        tf, factor, mask);
            }
            /* the times did change where they should (a factor of 1 or another mode: not) */
            size_t diff = 0, na = sim_graph_arc_count(g0->fwd);
            for (size_t a = 0; a < na; ++a)
                diff += sim_graph_time_ds(g0->fwd)[a] != sim_graph_time_ds(gc->fwd)[a];
            if (factor == 1.0 || !(mask & (1u << m))) {
                CHECK_EQ_INT(diff, 0);
            } else {
                CHECK(diff > 0);
                ++n_changed_cases;
            }
        next:
            geo_mode_graph_destroy(fresh);
            geo_mode_graph_destroy(gc);
            geo_network_destroy(net);
            geo_polygon_destroy(p);
        }
        /* the baseline graph is untouched by its copies' re-weighting */
        geo_mode_graph *again = NULL;
        CHECK_EQ_INT(geo_mode_graph_build_scaled(base, m, tf, &again, &err), SIM_OK);
        if (again) CHECK(mode_graph_equal(g0, again));
        geo_mode_graph_destroy(again);
        geo_mode_graph_destroy(g0);
    }
    CHECK_EQ_INT(n_cases, 30);
    CHECK(n_changed_cases >= 15);

    /* a changed topology is refused and leaves the graph as it was */
    geo_mode_graph *g = NULL, *orig = NULL;
    CHECK_EQ_INT(geo_mode_graph_build(base, WALK, &g, &err), SIM_OK);
    CHECK_EQ_INT(geo_mode_graph_copy(g, &orig, &err), SIM_OK);
    if (g && orig) {
        geo_network *net = NULL;
        CHECK_EQ_INT(geo_network_copy(base, &net, &err), SIM_OK);
        int64_t way = net->seg_way[0];
        CHECK_EQ_INT(geo_network_close_ways(net, &way, 1, M_WALK, NULL, NULL, NULL, &err), SIM_OK);
        sim_error e1 = {0}, e2 = {0}, e3 = {0};
        expect_err(geo_mode_graph_reweight(g, net, 1.0, &e1), &e1, SIM_EINVAL, "rebuild");
        CHECK(mode_graph_equal(g, orig));
        /* the same number of arcs, but one moved to another segment: refused too */
        net->seg_access[0] = base->seg_access[0];
        uint32_t s = g->arc_seg[0];
        net->seg_u[s] = net->seg_u[s] == 0 ? 1 : 0;
        expect_err(geo_mode_graph_reweight(g, net, 1.0, &e2), &e2, SIM_EINVAL, "no longer matches");
        CHECK(mode_graph_equal(g, orig));
        expect_err(geo_mode_graph_reweight(g, base, 0.0, &e3), &e3, SIM_EINVAL, "time factor");
        /* re-weighting with nothing changed is the identity */
        CHECK_EQ_INT(geo_mode_graph_reweight(g, base, 1.0, &err), SIM_OK);
        CHECK(mode_graph_equal(g, orig));
        geo_network_destroy(net);
    }
    geo_mode_graph_destroy(g);
    geo_mode_graph_destroy(orig);
    geo_network_destroy(base);
    geo_crs_destroy(crs);
}

/* ---- links ------------------------------------------------------------------------------------ */

static void test_add_link(void) {
    /* A: 0 (X0) - 1 (X0 + 100); B: 2 (X0 + 150) - 3 (X0 + 250), a 50 m gap; C: 4 - 5 walk-only,
     * 300 m north. Lengths are geodesic, as the loader makes them. */
    geo_network *net = calloc(1, sizeof *net);
    static const double XS[6] = {0, 100, 150, 250, 0, 100}, YS[6] = {0, 0, 0, 0, 300, 300};
    for (int i = 0; i < 6; ++i) add_node(net, X0 + XS[i], Y0 + YS[i]);
    for (uint32_t i = 0; i < 6; i += 2)
        add_seg(net, i, i + 1, geo_geodesic_m(net->lon[i], net->lat[i], net->lon[i + 1],
                                              net->lat[i + 1]),
                10 + i, i == 4 ? GEO_ACCESS_ANY(WALK) : ALL_ACCESS);
    sim_error err = {0};
    CHECK_EQ_U32(route_ds(net, WALK, 0, 3), SIM_UNREACHABLE);
    geo_network *orig = NULL;
    CHECK_EQ_INT(geo_network_copy(net, &orig, &err), SIM_OK);

    /* a footbridge (walk 5 km/h, bike 12 km/h) from near 1 to near 2 */
    float speed[GEO_MODE_COUNT] = {5.0f, 12.0f, -1.0f}; /* the car entry is not read */
    CHECK_EQ_INT(geo_network_add_link(net, X0 + 101.0, Y0 + 2.0, X0 + 149.0, Y0 - 1.0,
                                      M_WALK | M_BIKE, speed, 5.0, "footbridge", &err),
                 SIM_OK);
    if (net->n_segs != 4) {
        CHECK_EQ_U32(net->n_segs, 4);
        fprintf(stderr, "  %s\n", err.msg);
        goto out;
    }
    uint32_t L = 3;
    CHECK_EQ_U32(net->seg_u[L], 1);
    CHECK_EQ_U32(net->seg_v[L], 2);
    CHECK_EQ_INT(net->seg_way[L], -2);
    CHECK_EQ_INT(net->seg_connector[L], 0);
    CHECK_EQ_INT(net->seg_access[L], GEO_ACCESS_ANY(WALK) | GEO_ACCESS_ANY(BIKE));
    CHECK(isnan(net->seg_time_s[L]));
    /* 50 grid metres on the central meridian: 50 / 0.9996 on the ground */
    double len = net->seg_len_m[L];
    CHECK_NEAR(len, 50.0 / 0.9996, 1e-3);
    CHECK_NEAR(len, geo_geodesic_m(net->lon[1], net->lat[1], net->lon[2], net->lat[2]), 0);
    /* 50.02 m at 5 km/h = 36.01 s -> 360 ds; at 12 km/h = 15.01 s -> 150 ds */
    CHECK_EQ_U32(geo_time_ds(len, 5.0 / 3.6), 360);
    CHECK_EQ_U32(route_ds(net, WALK, 1, 2), 360);
    CHECK_EQ_U32(route_ds(net, WALK, 2, 1), 360);
    CHECK_EQ_U32(route_ds(net, BIKE, 2, 1), 150);
    CHECK_EQ_U32(route_ds(net, CAR, 1, 2), SIM_UNREACHABLE);
    uint32_t t01 = geo_time_ds(net->seg_len_m[0], 1.0), t23 = geo_time_ds(net->seg_len_m[2], 1.0);
    CHECK_EQ_U32(route_ds(net, WALK, 0, 3), t01 + 360 + t23);
    CHECK_EQ_U32(route_ds(net, WALK, 3, 0), t01 + 360 + t23);
    CHECK_EQ_U32(orig->n_segs, 3); /* the copy taken before is as it was */

    /* an end too far: the nearest node to (X0 + 125, Y0 + 100) is 1 or 2, 103.1 m away */
    sim_error e1 = {0}, e2 = {0}, e3 = {0}, e4 = {0};
    expect_err(geo_network_add_link(net, X0, Y0, X0 + 125.0, Y0 + 100.0, M_WALK, speed, 20.0,
                                    "scenario 'bridge', modification 1 (add_link)", &e1),
               &e1, SIM_EPARSE, "scenario 'bridge', modification 1 (add_link): end 2",
               "103.1 m away", "more than 20 m");
    /* a car link cannot start at the walk-only street C: its nearest car node is 0, 300 m off */
    float car_speed[GEO_MODE_COUNT] = {0, 0, 30.0f};
    expect_err(geo_network_add_link(net, X0 + 1.0, Y0 + 299.0, X0 + 250.0, Y0, M_CAR, car_speed,
                                    10.0, "car link", &e2),
               &e2, SIM_EPARSE, "car link: end 1", "car may use", "299.0 m away");
    /* both ends on one node */
    expect_err(geo_network_add_link(net, X0 + 99.0, Y0, X0 + 101.0, Y0, M_WALK, speed, 5.0, "l",
                                    &e3),
               &e3, SIM_EPARSE, "same street node");
    expect_err(geo_network_add_link(net, X0, Y0, X0 + 250.0, Y0, M_CAR, speed, 5.0, "l", &e4),
               &e4, SIM_EINVAL, "car speed");
    CHECK_EQ_U32(net->n_segs, 4); /* nothing added by the failures */
    /* the walk-only street C does take a walking link: 4 - 0 */
    CHECK_EQ_INT(geo_network_add_link(net, X0, Y0 + 290.0, X0, Y0 + 10.0, M_WALK, speed, 15.0,
                                      NULL, &err),
                 SIM_OK);
    CHECK_EQ_U32(net->seg_u[4], 4);
    CHECK_EQ_U32(net->seg_v[4], 0);
out:
    geo_network_destroy(orig);
    geo_network_destroy(net);
}

int main(void) {
    geo_init();
    if (!tu_temp_dir("accessim_test_modify", tmp_dir, sizeof tmp_dir)) return 1;
    sim_error err = {0};
    if (geo_crs_create("EPSG:32722", &CRS, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    test_polygon_lonlat();
    test_polygon_file();
    test_network_copy();
    test_close_ways();
    test_close_in_polygon();
    test_speed_factor();
    test_add_link();
    test_reweight();
    test_split_time_neutral();
    geo_crs_destroy(CRS);
    tu_remove_tree(tmp_dir);
    return CHECK_DONE();
}
