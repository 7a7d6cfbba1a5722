/*
 * Tests for geo/features.c: CSV points (detected and named lon/lat columns), filters, strict
 * numeric fields with their errors and warnings, polygons and lines reduced to centroids, kept
 * geometries, ids. Fixtures are written at run time into a temporary folder; the working CRS is
 * UTM 22S, where (-51, -30) is (500000, 6681214.6474) — computed once with PROJ's cs2cs:
 *   echo "-30 -51" | cs2cs -f "%.4f" EPSG:4326 EPSG:32722
 */
#include "geo/features.h"

#include <gdal.h>
#include <math.h>
#include <ogr_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "geo/geo.h"
#include "test_util.h"

static char tmp_dir[256];
static geo_crs *utm22s;

#define PATH_LEN 512
#define X_51_30 500000.0
#define Y_51_30 6681214.6474

static const char *write_file(const char *name, const char *text, char *path) {
    return tu_write_file(tmp_dir, name, text, path, PATH_LEN);
}

static geo_features *load_ok_(int line, const geo_features_source *src, sim_warnings *warn) {
    geo_features *f = NULL;
    sim_error err = {0};
    sim_status rc = geo_features_load(src, utm22s, &f, warn, &err);
    CHECK_EQ_INT(rc, SIM_OK);
    if (rc) fprintf(stderr, "  ^ at line %d: unexpected error: %s\n", line, err.msg);
    CHECK(rc == SIM_OK ? f != NULL : f == NULL);
    return f;
}
#define load_ok(src, warn) load_ok_(__LINE__, src, warn)

/* Expects `code` with a message containing every fragment of the NULL-terminated list `frags`
 * (NULL entries inside the list end it early). */
static void expect_error_(int line, const geo_features_source *src, sim_status code,
                          const char *const *frags) {
    int before = check_failures;
    geo_features *f = (geo_features *)&f;
    sim_warnings warn = {0};
    sim_error err = {0};
    CHECK_EQ_INT(geo_features_load(src, utm22s, &f, &warn, &err), code);
    CHECK_EQ_INT(err.code, code);
    CHECK(f == NULL);
    for (; *frags; ++frags) CHECK_STR_CONTAINS(err.msg, *frags);
    if (check_failures != before)
        fprintf(stderr, "  ^ in the case at line %d: %s\n", line, err.msg);
    sim_warnings_clear(&warn);
}
#define expect_error(src, code, ...)                                                               \
    expect_error_(__LINE__, src, code, (const char *const[]){__VA_ARGS__, NULL})

/* ---- CSV --------------------------------------------------------------------------------------
 */

static const char *CSV_CLINICS = "id,lon,lat,pop,healthcare,name\n"
                                 "a,-51.0,-30.0,10,0,north\n"
                                 "b,-51.001,-30.001,20.5,2,south\n"
                                 "c,-50.999,-29.999,0,1,east\n";

static void test_csv_points(void) {
    char path[PATH_LEN];
    const char *fields[] = {"pop", "healthcare"};
    geo_features_source src = {.what = "population",
                               .path = write_file("clinics.csv", CSV_CLINICS, path),
                               .id = "id",
                               .fields = fields,
                               .n_fields = 2,
                               .type_field = "name"};
    sim_warnings warn = {0};
    geo_features *f = load_ok(&src, &warn);
    if (!f) return;
    CHECK_EQ_U32(f->n, 3);
    CHECK_EQ_U32(f->n_fields, 2);
    CHECK_EQ_U32(warn.n, 0);
    CHECK_EQ_INT(f->polygons, 0);
    CHECK_STR_EQ(f->id[0], "a");
    CHECK_STR_EQ(f->id[1], "b");
    CHECK_STR_EQ(f->id[2], "c");
    CHECK_STR_EQ(f->type[0], "north");
    CHECK_STR_EQ(f->type[2], "east");
    CHECK(f->wkb == NULL); /* not asked for */
    /* coordinates: lon/lat as given, x/y in UTM 22S */
    CHECK_NEAR(f->lon[0], -51.0, 1e-12);
    CHECK_NEAR(f->lat[0], -30.0, 1e-12);
    CHECK_NEAR(f->lon[1], -51.001, 1e-12);
    CHECK_NEAR(f->lat[2], -29.999, 1e-12);
    CHECK_NEAR(f->x[0], X_51_30, 1e-6);
    CHECK_NEAR(f->y[0], Y_51_30, 1e-3);
    /* 0.001 deg west / south: ~96.4 m / ~110.9 m in the grid */
    CHECK(f->x[1] < X_51_30 - 96 && f->x[1] > X_51_30 - 97);
    CHECK(f->y[1] < Y_51_30 - 110.5 && f->y[1] > Y_51_30 - 111.5);
    /* values, row-major */
    CHECK_NEAR(f->values[0], 10.0, 0);
    CHECK_NEAR(f->values[1], 0.0, 0);
    CHECK_NEAR(f->values[2], 20.5, 0);
    CHECK_NEAR(f->values[3], 2.0, 0);
    CHECK_NEAR(f->values[4], 0.0, 0);
    CHECK_NEAR(f->values[5], 1.0, 0);
    /* envelope of the points, working CRS */
    CHECK_NEAR(f->env[0], f->x[1], 0);
    CHECK_NEAR(f->env[1], f->y[1], 0);
    CHECK_NEAR(f->env[2], f->x[2], 0);
    CHECK_NEAR(f->env[3], f->y[2], 0);
    geo_features_destroy(f);

    /* a filter */
    src.filter = "healthcare > 0";
    f = load_ok(&src, &warn);
    if (f) {
        CHECK_EQ_U32(f->n, 2);
        CHECK_STR_EQ(f->id[0], "b");
        CHECK_STR_EQ(f->id[1], "c");
        CHECK_NEAR(f->values[0], 20.5, 0);
        CHECK_NEAR(f->values[3], 1.0, 0);
    }
    geo_features_destroy(f);
    src.filter = "name = 'south'";
    f = load_ok(&src, &warn);
    if (f) {
        CHECK_EQ_U32(f->n, 1);
        CHECK_STR_EQ(f->id[0], "b");
    }
    geo_features_destroy(f);
    /* without an id field, a filter does not renumber: ids are the CSV data rows */
    const char *id_field = src.id;
    src.id = NULL;
    src.filter = "healthcare > 0";
    f = load_ok(&src, &warn);
    if (f) {
        CHECK_EQ_U32(f->n, 2);
        CHECK_STR_EQ(f->id[0], "2");
        CHECK_STR_EQ(f->id[1], "3");
    }
    geo_features_destroy(f);
    src.id = id_field;
    geo_features_destroy(NULL);

    /* a filter selecting nothing, and an invalid one */
    src.filter = "healthcare > 100";
    expect_error(&src, SIM_EPARSE, path, "healthcare > 100", NULL);
    src.filter = "healthcare >>> 0";
    expect_error(&src, SIM_EPARSE, path, "healthcare >>> 0", NULL);
    src.filter = "no_such_column > 0";
    expect_error(&src, SIM_EPARSE, path, "no_such_column", NULL);
    sim_warnings_clear(&warn);
}

static void test_csv_column_names(void) {
    char path[PATH_LEN];
    const char *fields[] = {"pop"};
    /* custom names */
    geo_features_source src = {.what = "population",
                               .path = write_file("named.csv",
                                                  "latitud;longitud;pop\n"
                                                  "-30.0;-51.0;5\n",
                                                  path),
                               .lon = "longitud",
                               .lat = "latitud",
                               .fields = fields,
                               .n_fields = 1};
    geo_features *f = load_ok(&src, NULL);
    if (f) {
        CHECK_EQ_U32(f->n, 1);
        CHECK_NEAR(f->x[0], X_51_30, 1e-6);
        CHECK_NEAR(f->y[0], Y_51_30, 1e-3);
        CHECK_NEAR(f->values[0], 5.0, 0);
        CHECK_STR_EQ(f->id[0], "1");
    }
    geo_features_destroy(f);
    /* without naming them, "longitud" is not recognised */
    src.lon = src.lat = NULL;
    expect_error(&src, SIM_EPARSE, path, "lon", NULL);

    /* detected names: longitude/latitude, in any column order */
    src.path = write_file("detect.csv", "pop,latitude,longitude\n7,-30.0,-51.0\n", path);
    f = load_ok(&src, NULL);
    if (f) {
        CHECK_NEAR(f->lon[0], -51.0, 1e-12);
        CHECK_NEAR(f->lat[0], -30.0, 1e-12);
        CHECK_NEAR(f->values[0], 7.0, 0);
    }
    geo_features_destroy(f);
    src.path = write_file("detect2.csv", "lng,lat,pop\n-51.0,-30.0,7\n", path);
    f = load_ok(&src, NULL);
    if (f) CHECK_NEAR(f->x[0], X_51_30, 1e-6);
    geo_features_destroy(f);
}

static void test_csv_ids_in_order(void) {
    char path[PATH_LEN];
    const char *fields[] = {"pop"};
    /* no id field: 1-based order; the row without coordinates is skipped with a warning but
     * keeps its place in the numbering */
    geo_features_source src = {.what = "population",
                               .path = write_file("order.csv",
                                                  "lon,lat,pop\n"
                                                  "-51.0,-30.0,1\n"
                                                  ",,2\n"
                                                  "-51.001,-30.0,3\n",
                                                  path),
                               .fields = fields,
                               .n_fields = 1};
    sim_warnings warn = {0};
    geo_features *f = load_ok(&src, &warn);
    if (f) {
        CHECK_EQ_U32(f->n, 2);
        CHECK_STR_EQ(f->id[0], "1");
        CHECK_STR_EQ(f->id[1], "3");
        CHECK_NEAR(f->values[1], 3.0, 0);
        CHECK_EQ_U32(warn.n, 1);
        if (warn.n == 1) CHECK_EQ_U32(warn.items[0].count, 1);
    }
    geo_features_destroy(f);
    sim_warnings_clear(&warn);

    /* a numeric id field is read as text */
    src.path =
        write_file("numid.csv", "code,lon,lat,pop\n17,-51.0,-30.0,1\n4,-51.0,-30.0,2\n", path);
    src.id = "code";
    f = load_ok(&src, NULL);
    if (f) {
        CHECK_STR_EQ(f->id[0], "17");
        CHECK_STR_EQ(f->id[1], "4");
    }
    geo_features_destroy(f);
    /* a missing id field */
    src.id = "no_such_id";
    expect_error(&src, SIM_EPARSE, path, "no_such_id", "code");
}

static void test_csv_value_errors(void) {
    char path[PATH_LEN];
    const char *fields[] = {"pop"};
    geo_features_source src = {.what = "population", .id = "id", .fields = fields, .n_fields = 1};

    /* text that is not a number: the file, the feature and the field are named */
    src.path = write_file("text.csv",
                          "id,lon,lat,pop\n"
                          "a,-51.0,-30.0,10\n"
                          "b,-51.0,-30.0,12 people\n",
                          path);
    expect_error(&src, SIM_EPARSE, path, "feature b", "'pop'", "12 people");
    src.path = write_file("text2.csv", "id,lon,lat,pop\na,-51.0,-30.0,abc\n", path);
    expect_error(&src, SIM_EPARSE, path, "feature a", "'pop'", NULL);
    src.path = write_file("text3.csv", "id,lon,lat,pop\na,-51.0,-30.0,1e400\n", path);
    expect_error(&src, SIM_EPARSE, path, "feature a", "'pop'", NULL); /* not finite */

    /* a negative value */
    src.path = write_file("neg.csv", "id,lon,lat,pop\na,-51.0,-30.0,4\nz,-51.0,-30.0,-3\n", path);
    expect_error(&src, SIM_EPARSE, path, "feature z", "'pop'", NULL);

    /* a missing field: the message lists the fields there are */
    src.path = write_file("fields.csv", "id,lon,lat,people,jobs\na,-51.0,-30.0,1,2\n", path);
    expect_error(&src, SIM_EPARSE, path, "'pop'", "people", "jobs");

    /* coordinates out of range (lat/lon swapped) */
    src.path = write_file("swapped.csv", "id,lon,lat,pop\nq,-30.0,-151.0,1\n", path);
    expect_error(&src, SIM_EPARSE, path, "feature q", NULL, NULL);

    /* an empty file, and a header without rows */
    src.path = write_file("header.csv", "id,lon,lat,pop\n", path);
    expect_error(&src, SIM_EPARSE, path, NULL, NULL, NULL);

    /* a missing file */
    tu_path(tmp_dir, "no_such.csv", path, sizeof path);
    src.path = path;
    expect_error(&src, SIM_EIO, path, NULL, NULL, NULL);
}

static void test_csv_blank_values(void) {
    char path[PATH_LEN];
    const char *fields[] = {"pop", "jobs"};
    /* empty values in a numeric column, and a blank in a column that holds text */
    geo_features_source src = {.what = "population",
                               .path = write_file("blank.csv",
                                                  "id,lon,lat,pop,jobs\n"
                                                  "a,-51.0,-30.0,10,\n"
                                                  "b,-51.0,-30.0,,5\n"
                                                  "c,-51.0,-30.0,\"  \",6\n"
                                                  "d,-51.0,-30.0, 4 ,\n",
                                                  path),
                               .id = "id",
                               .fields = fields,
                               .n_fields = 2};
    sim_warnings warn = {0};
    geo_features *f = load_ok(&src, &warn);
    if (f) {
        CHECK_EQ_U32(f->n, 4);
        CHECK_NEAR(f->values[0], 10.0, 0);
        CHECK_NEAR(f->values[1], 0.0, 0); /* a.jobs empty */
        CHECK_NEAR(f->values[2], 0.0, 0); /* b.pop empty */
        CHECK_NEAR(f->values[3], 5.0, 0);
        CHECK_NEAR(f->values[4], 0.0, 0); /* c.pop blank */
        CHECK_NEAR(f->values[6], 4.0, 0); /* d.pop " 4 " is a number */
        CHECK_NEAR(f->values[7], 0.0, 0); /* d.jobs empty */
        /* four empty values, summarised as one warning with a count */
        size_t total = 0;
        for (size_t i = 0; i < warn.n; ++i) total += warn.items[i].count;
        CHECK_EQ_U32(total, 4);
        CHECK_EQ_U32(warn.n, 1);
        if (warn.n) CHECK_STR_CONTAINS(warn.items[0].examples[0], "jobs");
    }
    geo_features_destroy(f);
    sim_warnings_clear(&warn);
}

/* ---- polygons, lines, CRS ---------------------------------------------------------------------
 */

/* Reads a little-endian uint32 / double from WKB. */
static uint32_t wkb_u32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static double wkb_f64(const unsigned char *p) {
    uint64_t u = 0;
    for (int i = 7; i >= 0; --i) u = u << 8 | p[i];
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

static void test_polygons(void) {
    char path[PATH_LEN], text[2048];
    /* a 100 m square in UTM 22S with its south-west corner at (-51, -30), and a 20 x 40 m
     * rectangle; centroids by hand: (x0 + 50, y0 + 50) and (x0 + 210, y0 + 20) */
    double x0 = X_51_30, y0 = Y_51_30;
    snprintf(text, sizeof text,
             "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":{\"name\":"
             "\"urn:ogc:def:crs:EPSG::32722\"}},\"features\":["
             "{\"type\":\"Feature\",\"properties\":{\"zone\":\"Z1\",\"pop\":100},\"geometry\":{"
             "\"type\":\"Polygon\",\"coordinates\":[[[%.4f,%.4f],[%.4f,%.4f],[%.4f,%.4f],"
             "[%.4f,%.4f],[%.4f,%.4f]]]}},"
             "{\"type\":\"Feature\",\"properties\":{\"zone\":\"Z2\",\"pop\":null},\"geometry\":{"
             "\"type\":\"MultiPolygon\",\"coordinates\":[[[[%.4f,%.4f],[%.4f,%.4f],[%.4f,%.4f],"
             "[%.4f,%.4f],[%.4f,%.4f]]]]}}]}",
             x0, y0, x0 + 100, y0, x0 + 100, y0 + 100, x0, y0 + 100, x0, y0, /* square */
             x0 + 200, y0, x0 + 220, y0, x0 + 220, y0 + 40, x0 + 200, y0 + 40, x0 + 200, y0);
    const char *fields[] = {"pop"};
    geo_features_source src = {.what = "population",
                               .path = write_file("zones.geojson", text, path),
                               .id = "zone",
                               .fields = fields,
                               .n_fields = 1,
                               .keep_geometry = 1};
    sim_warnings warn = {0};
    geo_features *f = load_ok(&src, &warn);
    if (f) {
        CHECK_EQ_U32(f->n, 2);
        CHECK_EQ_INT(f->polygons, 1);
        CHECK_STR_EQ(f->id[0], "Z1");
        CHECK_NEAR(f->x[0], x0 + 50, 1e-6);
        CHECK_NEAR(f->y[0], y0 + 50, 1e-6);
        CHECK_NEAR(f->x[1], x0 + 210, 1e-6);
        CHECK_NEAR(f->y[1], y0 + 20, 1e-6);
        /* lon/lat of the centroid: just east and north of (-51, -30) */
        CHECK(f->lon[0] > -51.0 && f->lon[0] < -50.999);
        CHECK(f->lat[0] > -30.0 && f->lat[0] < -29.999);
        CHECK_NEAR(f->values[0], 100.0, 0);
        CHECK_NEAR(f->values[1], 0.0, 0); /* null */
        CHECK_EQ_U32(warn.n, 1);
        /* envelope of the geometries (not of the centroids) */
        CHECK_NEAR(f->env[0], x0, 1e-6);
        CHECK_NEAR(f->env[1], y0, 1e-6);
        CHECK_NEAR(f->env[2], x0 + 220, 1e-6);
        CHECK_NEAR(f->env[3], y0 + 100, 1e-6);
        /* kept geometries: WGS84 WKB, little-endian; the square is a 5-point polygon whose first
         * vertex is (-51, -30) */
        CHECK(f->wkb != NULL && f->wkb_len != NULL);
        if (f->wkb && f->wkb[0]) {
            const unsigned char *w = f->wkb[0];
            CHECK_EQ_U32(f->wkb_len[0], 1 + 4 + 4 + 4 + 5 * 16);
            CHECK_EQ_INT(w[0], 1);           /* NDR */
            CHECK_EQ_U32(wkb_u32(w + 1), 3); /* Polygon */
            CHECK_EQ_U32(wkb_u32(w + 5), 1); /* one ring */
            CHECK_EQ_U32(wkb_u32(w + 9), 5); /* five points */
            CHECK_NEAR(wkb_f64(w + 13), -51.0, 1e-9);
            CHECK_NEAR(wkb_f64(w + 21), -30.0, 1e-9);
        }
        if (f->wkb && f->wkb[1]) CHECK_EQ_U32(wkb_u32(f->wkb[1] + 1), 6); /* MultiPolygon */
    }
    geo_features_destroy(f);
    sim_warnings_clear(&warn);
}

static void test_lines_and_wgs84_polygon(void) {
    char path[PATH_LEN];
    /* a WGS84 square, 0.002 deg wide: its centroid (computed in lon/lat) is the middle */
    geo_features_source src = {
        .what = "services",
        .path = write_file("wgs.geojson",
                           "{\"type\":\"FeatureCollection\",\"features\":["
                           "{\"type\":\"Feature\",\"properties\":{},\"geometry\":{\"type\":"
                           "\"Polygon\",\"coordinates\":[[[-51.001,-30.001],[-50.999,-30.001],"
                           "[-50.999,-29.999],[-51.001,-29.999],[-51.001,-30.001]]]}},"
                           "{\"type\":\"Feature\",\"properties\":{},\"geometry\":{\"type\":"
                           "\"LineString\",\"coordinates\":[[-51.0,-30.002],[-51.0,-29.998]]}}]}",
                           path)};
    geo_features *f = load_ok(&src, NULL);
    if (f) {
        CHECK_EQ_U32(f->n, 2);
        CHECK_EQ_U32(f->n_fields, 0);
        /* no id field: the source's FID, which GDAL's GeoJSON driver numbers from 0 */
        CHECK_STR_EQ(f->id[0], "0");
        CHECK_STR_EQ(f->id[1], "1");
        CHECK_NEAR(f->lon[0], -51.0, 1e-9);
        CHECK_NEAR(f->lat[0], -30.0, 1e-9);
        CHECK_NEAR(f->x[0], X_51_30, 1e-4);
        CHECK_NEAR(f->y[0], Y_51_30, 1e-3);
        /* the line's centroid is its middle */
        CHECK_NEAR(f->lon[1], -51.0, 1e-9);
        CHECK_NEAR(f->lat[1], -30.0, 1e-9);
    }
    geo_features_destroy(f);
}

static void test_layer_without_crs(void) {
    char path[PATH_LEN];
    tu_path(tmp_dir, "nocrs_points.shp", path, sizeof path);
    GDALDatasetH ds =
        GDALCreate(GDALGetDriverByName("ESRI Shapefile"), path, 0, 0, 0, GDT_Unknown, NULL);
    OGRLayerH lyr = ds ? GDALDatasetCreateLayer(ds, "nocrs_points", NULL, wkbPoint, NULL) : NULL;
    CHECK(lyr != NULL);
    if (!lyr) return;
    OGRFeatureH feat = OGR_F_Create(OGR_L_GetLayerDefn(lyr));
    OGRGeometryH g = OGR_G_CreateGeometry(wkbPoint);
    OGR_G_SetPoint_2D(g, 0, -51.0, -30.0);
    OGR_F_SetGeometryDirectly(feat, g);
    CHECK_EQ_INT(OGR_L_CreateFeature(lyr, feat), OGRERR_NONE);
    OGR_F_Destroy(feat);
    GDALClose(ds);
    geo_features_source src = {.what = "population", .path = path};
    expect_error(&src, SIM_EPARSE, path, "CRS", NULL, NULL);
    /* a layer name that does not exist */
    src.layer = "elsewhere";
    expect_error(&src, SIM_EPARSE, path, "elsewhere", NULL, NULL);
}

int main(void) {
    geo_init();
    if (!tu_temp_dir("accessim_test_features", tmp_dir, sizeof tmp_dir)) return 1;
    sim_error err = {0};
    if (geo_crs_create("EPSG:32722", &utm22s, &err) != SIM_OK) {
        fprintf(stderr, "EPSG:32722: %s\n", err.msg);
        return 1;
    }
    test_csv_points();
    test_csv_column_names();
    test_csv_ids_in_order();
    test_csv_value_errors();
    test_csv_blank_values();
    test_polygons();
    test_lines_and_wgs84_polygon();
    test_layer_without_crs();
    geo_crs_destroy(utm22s);
    tu_remove_tree(tmp_dir);
    return CHECK_DONE();
}
