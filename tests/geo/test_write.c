/*
 * Tests for geo/write.c: each writer's output is reopened with GDAL/OGR and checked against the
 * contract (format, georeferencing, layout, values); file hashes against published SHA-256 test
 * vectors (FIPS 180-2 "abc", and the empty message).
 */
#include "geo/write.h"

#include <gdal.h>
#include <math.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "geo/geo.h"
#include "test_util.h"

static char tmp_dir[256];
static geo_crs *utm22s;

#define PATH_LEN 512

static const char *tmp_path(const char *name, char *path) {
    return tu_path(tmp_dir, name, path, PATH_LEN);
}

/* ---- GeoTIFF --------------------------------------------------------------------------------- */

static void test_float_tiff(void) {
    char path[PATH_LEN];
    /* 300 x 3 cells of 100 m: wider than one 256-pixel tile */
    geo_grid grid = {.x0 = 480000.0, .y0 = 6690000.0, .cell_m = 100.0, .nx = 300, .ny = 3};
    size_t n = (size_t)grid.nx * grid.ny;
    float *v = malloc(n * sizeof *v);
    for (size_t i = 0; i < n; ++i) v[i] = (float)i * 0.25f - 10.0f;
    v[5] = -9999.0f;
    v[n - 1] = 1.0e6f;
    sim_error err = {0};
    CHECK_EQ_INT(geo_write_float_tiff(tmp_path("access.tif", path), &grid, v, -9999.0f, utm22s,
                                      "minutes to the nearest clinic", "min", &err),
                 SIM_OK);

    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_RASTER | GDAL_OF_READONLY, NULL, NULL, NULL);
    CHECK(ds != NULL);
    if (!ds) goto done;
    CHECK_STR_EQ(GDALGetDriverShortName(GDALGetDatasetDriver(ds)), "GTiff");
    CHECK_EQ_INT(GDALGetRasterXSize(ds), 300);
    CHECK_EQ_INT(GDALGetRasterYSize(ds), 3);
    CHECK_EQ_INT(GDALGetRasterCount(ds), 1);
    double gt[6] = {0};
    CHECK_EQ_INT(GDALGetGeoTransform(ds, gt), CE_None);
    CHECK_NEAR(gt[0], 480000.0, 0);
    CHECK_NEAR(gt[1], 100.0, 0);
    CHECK_NEAR(gt[2], 0.0, 0);
    CHECK_NEAR(gt[3], 6690000.0, 0);
    CHECK_NEAR(gt[4], 0.0, 0);
    CHECK_NEAR(gt[5], -100.0, 0);
    /* CRS: EPSG:32722 */
    OGRSpatialReferenceH srs = GDALGetSpatialRef(ds);
    CHECK(srs != NULL);
    if (srs) {
        const char *code = OSRGetAuthorityCode(srs, NULL);
        const char *auth = OSRGetAuthorityName(srs, NULL);
        CHECK_STR_EQ(auth, "EPSG");
        CHECK_STR_EQ(code, "32722");
        CHECK_EQ_INT(OSRIsProjected(srs), 1);
    }
    /* layout: tiled 256 x 256, DEFLATE with the floating-point predictor */
    CHECK_STR_EQ(GDALGetMetadataItem(ds, "COMPRESSION", "IMAGE_STRUCTURE"), "DEFLATE");
    CHECK_STR_EQ(GDALGetMetadataItem(ds, "PREDICTOR", "IMAGE_STRUCTURE"), "3");
    GDALRasterBandH b = GDALGetRasterBand(ds, 1);
    int bx = 0, by = 0;
    GDALGetBlockSize(b, &bx, &by);
    CHECK_EQ_INT(bx, 256);
    CHECK_EQ_INT(by, 256);
    CHECK_EQ_INT(GDALGetRasterDataType(b), GDT_Float32);
    int has_nodata = 0;
    CHECK_NEAR(GDALGetRasterNoDataValue(b, &has_nodata), -9999.0, 0);
    CHECK_EQ_INT(has_nodata, 1);
    CHECK_STR_EQ(GDALGetDescription(b), "minutes to the nearest clinic");
    CHECK_STR_EQ(GDALGetRasterUnitType(b), "min");
    /* values, bit for bit (predictor 3 and DEFLATE are lossless) */
    float *back = malloc(n * sizeof *back);
    CHECK_EQ_INT(GDALRasterIO(b, GF_Read, 0, 0, 300, 3, back, 300, 3, GDT_Float32, 0, 0), CE_None);
    CHECK_EQ_INT(memcmp(back, v, n * sizeof *v), 0);
    CHECK_NEAR(back[301], 301 * 0.25 - 10.0, 0); /* row 1, col 1 */
    CHECK_NEAR(back[5], -9999.0, 0);
    free(back);
    GDALClose(ds);

    /* a folder that does not exist: SIM_EIO naming the path */
    sim_error e2 = {0};
    tmp_path("no_such_folder/access.tif", path);
    CHECK_EQ_INT(geo_write_float_tiff(path, &grid, v, -9999.0f, utm22s, "d", "u", &e2), SIM_EIO);
    CHECK_STR_CONTAINS(e2.msg, path);
done:
    free(v);
}

/* ---- GeoJSON areas ----------------------------------------------------------------------------
 */

/* WKB (little-endian) of a polygon ring given as n lon/lat pairs; caller frees. */
static unsigned char *polygon_wkb(const double *ring, int n, size_t *len) {
    OGRGeometryH r = OGR_G_CreateGeometry(wkbLinearRing), p = OGR_G_CreateGeometry(wkbPolygon);
    for (int i = 0; i < n; ++i) OGR_G_AddPoint_2D(r, ring[2 * i], ring[2 * i + 1]);
    OGR_G_AddGeometryDirectly(p, r);
    *len = (size_t)OGR_G_WkbSize(p);
    unsigned char *w = malloc(*len);
    OGR_G_ExportToWkb(p, wkbNDR, w);
    OGR_G_DestroyGeometry(p);
    return w;
}

static void test_areas(void) {
    char path[PATH_LEN];
    double ring0[] = {-51.123456789, -30.0, -51.1, -30.0, -51.1, -29.9, -51.123456789, -30.0};
    double ring1[] = {-51.0, -30.0, -50.9, -30.0, -50.9, -29.9, -51.0, -30.0};
    size_t len[2];
    unsigned char *w[2] = {polygon_wkb(ring0, 4, &len[0]), polygon_wkb(ring1, 4, &len[1])};
    const double access[2] = {1.23456, NAN}, people[2] = {41.6, 7.0}, big[2] = {9.87654, 0.5};
    const char *names[2] = {"zone A", NULL};
    geo_column cols[] = {
        {.name = "access", .real = access, .decimals = 2},
        {.name = "people", .real = people, .decimals = 0},
        {.name = "big", .real = big, .decimals = 3},
        {.name = "name", .is_text = 1, .text = names},
    };
    sim_error err = {0};
    CHECK_EQ_INT(geo_write_areas(tmp_path("areas.geojson", path), (const unsigned char *const *)w,
                                 len, 2, cols, 4, &err),
                 SIM_OK);

    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    CHECK(ds != NULL);
    if (!ds) goto done;
    CHECK_STR_EQ(GDALGetDriverShortName(GDALGetDatasetDriver(ds)), "GeoJSON");
    OGRLayerH lyr = GDALDatasetGetLayer(ds, 0);
    OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(lyr);
    CHECK(srs != NULL);
    if (srs) { /* RFC 7946: WGS84 lon/lat, which GDAL reports as EPSG:4326 */
        CHECK_STR_EQ(OSRGetAuthorityName(srs, NULL), "EPSG");
        CHECK_STR_EQ(OSRGetAuthorityCode(srs, NULL), "4326");
    }
    CHECK_EQ_INT(OGR_L_GetFeatureCount(lyr, TRUE), 2);
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr);
    CHECK_EQ_INT(OGR_FD_GetFieldCount(defn), 4);
    int ia = OGR_FD_GetFieldIndex(defn, "access"), ip = OGR_FD_GetFieldIndex(defn, "people"),
        ib = OGR_FD_GetFieldIndex(defn, "big"), in = OGR_FD_GetFieldIndex(defn, "name");
    CHECK(ia >= 0 && ip >= 0 && ib >= 0 && in >= 0);
    if (ia < 0 || ip < 0 || ib < 0 || in < 0) goto close;
    CHECK_EQ_INT(OGR_Fld_GetType(OGR_FD_GetFieldDefn(defn, in)), OFTString);
    OGRFeatureH f0 = OGR_L_GetNextFeature(lyr), f1 = OGR_L_GetNextFeature(lyr);
    CHECK(f0 && f1);
    if (f0 && f1) {
        CHECK_NEAR(OGR_F_GetFieldAsDouble(f0, ia), 1.23, 1e-12);
        CHECK_NEAR(OGR_F_GetFieldAsDouble(f0, ip), 42.0, 1e-12);
        CHECK_NEAR(OGR_F_GetFieldAsDouble(f0, ib), 9.877, 1e-12);
        CHECK_STR_EQ(OGR_F_GetFieldAsString(f0, in), "zone A");
        CHECK(OGR_F_IsFieldNull(f1, ia)); /* NAN */
        CHECK(!OGR_F_IsFieldNull(f1, ip));
        CHECK_NEAR(OGR_F_GetFieldAsDouble(f1, ip), 7.0, 0);
        CHECK_NEAR(OGR_F_GetFieldAsDouble(f1, ib), 0.5, 0);
        CHECK(OGR_F_IsFieldNull(f1, in)); /* NULL text */
        /* geometry: the polygon back, coordinates rounded to 7 decimals */
        OGRGeometryH g = OGR_F_GetGeometryRef(f0);
        CHECK(g != NULL);
        if (g) {
            CHECK_EQ_INT(wkbFlatten(OGR_G_GetGeometryType(g)), wkbPolygon);
            OGRGeometryH r = OGR_G_GetGeometryRef(g, 0);
            CHECK_NEAR(OGR_G_GetX(r, 0), -51.1234568, 1e-12);
            CHECK_NEAR(OGR_G_GetY(r, 0), -30.0, 0);
            CHECK_NEAR(OGR_G_GetX(r, 2), -51.1, 1e-12);
            CHECK_NEAR(OGR_G_GetY(r, 2), -29.9, 1e-12);
        }
    }
    if (f0) OGR_F_Destroy(f0);
    if (f1) OGR_F_Destroy(f1);
close:
    GDALClose(ds);
    /* the text itself: RFC 7946 (no "crs" member), 7-decimal coordinates, rounded values */
    char *text = tu_read_file(path);
    CHECK(text != NULL);
    if (text) {
        CHECK(strstr(text, "\"crs\"") == NULL);
        CHECK_STR_CONTAINS(text, "-51.1234568");
        CHECK(strstr(text, "-51.12345678") == NULL);
        CHECK_STR_CONTAINS(text, "1.23");
        CHECK(strstr(text, "1.2345") == NULL);
        CHECK(strstr(text, "41.6") == NULL);
        free(text);
    }

    /* a folder that does not exist */
    sim_error e2 = {0};
    tmp_path("no_such_folder/areas.geojson", path);
    CHECK_EQ_INT(geo_write_areas(path, (const unsigned char *const *)w, len, 2, cols, 4, &e2),
                 SIM_EIO);
    CHECK_STR_CONTAINS(e2.msg, path);
done:
    free(w[0]);
    free(w[1]);
}

/* ---- GeoPackage edges -------------------------------------------------------------------------
 */

static void test_edges_gpkg(void) {
    /* three nodes; arcs 0->1 and 1->0 along a street, 2->0 a connector */
    double lon[3] = {-51.0, -51.0, -50.999}, lat[3] = {-30.0, -29.999, -30.0};
    uint32_t from[3] = {0, 1, 2}, to[3] = {1, 0, 0}, t_ds[3] = {887, 887, 772};
    uint8_t conn[3] = {0, 0, 1};
    char path[PATH_LEN];
    sim_error err = {0};
    CHECK_EQ_INT(geo_write_edges_gpkg(tmp_path("edges.gpkg", path), lon, lat, from, to, t_ds,
                                      conn, 3, &err),
                 SIM_OK);
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    CHECK(ds != NULL);
    if (!ds) return;
    OGRLayerH lyr = GDALDatasetGetLayerByName(ds, "edges");
    CHECK(lyr != NULL);
    if (lyr) {
        CHECK_EQ_INT(OGR_L_GetFeatureCount(lyr, TRUE), 3);
        OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(lyr);
        CHECK(srs && OSRGetAuthorityCode(srs, NULL) &&
              !strcmp(OSRGetAuthorityCode(srs, NULL), "4326"));
        OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr);
        int ifrom = OGR_FD_GetFieldIndex(defn, "from"), ito = OGR_FD_GetFieldIndex(defn, "to"),
            isec = OGR_FD_GetFieldIndex(defn, "seconds"),
            ikind = OGR_FD_GetFieldIndex(defn, "kind");
        CHECK(ifrom >= 0 && ito >= 0 && isec >= 0 && ikind >= 0);
        OGR_L_ResetReading(lyr);
        OGRFeatureH f;
        int k = 0;
        while ((f = OGR_L_GetNextFeature(lyr)) != NULL && ifrom >= 0 && ito >= 0 && isec >= 0 &&
               ikind >= 0) {
            if (k < 3) {
                CHECK_EQ_INT(OGR_F_GetFieldAsInteger(f, ifrom), from[k]);
                CHECK_EQ_INT(OGR_F_GetFieldAsInteger(f, ito), to[k]);
                CHECK_NEAR(OGR_F_GetFieldAsDouble(f, isec), t_ds[k] / 10.0, 1e-9);
                CHECK_STR_EQ(OGR_F_GetFieldAsString(f, ikind), k == 2 ? "connector" : "street");
                OGRGeometryH g = OGR_F_GetGeometryRef(f);
                CHECK(g != NULL);
                if (g) {
                    CHECK_EQ_INT(OGR_G_GetPointCount(g), 2);
                    CHECK_NEAR(OGR_G_GetX(g, 0), lon[from[k]], 1e-12);
                    CHECK_NEAR(OGR_G_GetY(g, 1), lat[to[k]], 1e-12);
                }
            }
            ++k;
            OGR_F_Destroy(f);
        }
        if (f) OGR_F_Destroy(f);
        CHECK_EQ_INT(k, 3);
    }
    GDALClose(ds);
}

/* ---- SHA-256 ----------------------------------------------------------------------------------
 */

static void test_sha256(void) {
    char path[PATH_LEN], hex[65];
    uint64_t size = 99;
    sim_error err = {0};
    tu_write_file(tmp_dir, "abc.txt", "abc", path, sizeof path);
    CHECK_EQ_INT(geo_sha256_file(path, hex, &size, &err), SIM_OK);
    /* FIPS 180-2, appendix B.1 */
    CHECK_STR_EQ(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK_EQ_U32(size, 3);
    CHECK_EQ_INT(geo_sha256_file(path, hex, NULL, &err), SIM_OK); /* size is optional */

    tu_write_file(tmp_dir, "empty.txt", "", path, sizeof path);
    CHECK_EQ_INT(geo_sha256_file(path, hex, &size, &err), SIM_OK);
    CHECK_STR_EQ(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK_EQ_U32(size, 0);

    /* one million 'a' (FIPS 180-2, appendix B.3): more than one 64 KiB read */
    char *million = malloc(1000000 + 1);
    if (!million) abort();
    memset(million, 'a', 1000000);
    million[1000000] = '\0';
    tu_write_file(tmp_dir, "million.txt", million, path, sizeof path);
    free(million);
    CHECK_EQ_INT(geo_sha256_file(path, hex, &size, &err), SIM_OK);
    CHECK_STR_EQ(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    CHECK_EQ_U32(size, 1000000);

    sim_error e2 = {0};
    CHECK_EQ_INT(geo_sha256_file(tmp_path("missing.txt", path), hex, &size, &e2), SIM_EIO);
    CHECK_STR_CONTAINS(e2.msg, path);
}

int main(void) {
    geo_init();
    if (!tu_temp_dir("accessim_test_write", tmp_dir, sizeof tmp_dir)) return 1;
    sim_error err = {0};
    if (geo_crs_create("EPSG:32722", &utm22s, &err) != SIM_OK) {
        fprintf(stderr, "EPSG:32722: %s\n", err.msg);
        return 1;
    }
    test_float_tiff();
    test_areas();
    test_edges_gpkg();
    test_sha256();
    geo_crs_destroy(utm22s);
    tu_remove_tree(tmp_dir);
    return CHECK_DONE();
}
