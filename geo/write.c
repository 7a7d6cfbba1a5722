#include "geo/write.h"

#include <cpl_string.h>
#include <dirent.h>
#include <errno.h>
#include <gdal.h>
#include <math.h>
#include <ogr_srs_api.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "geo/geo_internal.h"

/* Closes `ds`; GDALClose is void in GDAL 3.6, so a failed flush shows as a recorded error. */
static sim_status close_dataset(GDALDatasetH ds, const char *path, sim_status rc, sim_error *err) {
    CPLErrorReset();
    GDALClose(ds);
    if (!rc && CPLGetLastErrorType() >= CE_Failure)
        rc = sim_error_set(err, SIM_EIO, "%s: cannot finish writing: %s", path, geo__gdal_msg());
    return rc;
}

sim_status geo_write_float_tiff(const char *path, const geo_grid *grid, const float *values,
                                float nodata, const geo_crs *crs, const char *description,
                                const char *unit, sim_error *err) {
    sim_status rc = SIM_OK;
    GDALDriverH drv = GDALGetDriverByName("GTiff");
    if (!drv) return sim_error_set(err, SIM_EDEP, "GDAL has no GTiff driver");
    char **opts = NULL;
    opts = CSLSetNameValue(opts, "TILED", "YES");
    opts = CSLSetNameValue(opts, "BLOCKXSIZE", "256");
    opts = CSLSetNameValue(opts, "BLOCKYSIZE", "256");
    opts = CSLSetNameValue(opts, "COMPRESS", "DEFLATE");
    opts = CSLSetNameValue(opts, "PREDICTOR", "3");
    GDALDatasetH ds = GDALCreate(drv, path, (int)grid->nx, (int)grid->ny, 1, GDT_Float32, opts);
    CSLDestroy(opts);
    if (!ds) return sim_error_set(err, SIM_EIO, "%s: cannot create: %s", path, geo__gdal_msg());
    double gt[6] = {grid->x0, grid->cell_m, 0, grid->y0, 0, -grid->cell_m};
    GDALRasterBandH b = GDALGetRasterBand(ds, 1);
    if (GDALSetGeoTransform(ds, gt) != CE_None ||
        GDALSetProjection(ds, geo_crs_wkt(crs)) != CE_None ||
        GDALSetRasterNoDataValue(b, nodata) != CE_None) {
        rc = sim_error_set(err, SIM_EIO, "%s: cannot set georeferencing: %s", path, geo__gdal_msg());
        goto done;
    }
    GDALSetDescription(b, description);
    GDALSetRasterUnitType(b, unit);
    GDALSetMetadataItem(ds, "AREA_OR_POINT", "Area", NULL);
    if (GDALRasterIO(b, GF_Write, 0, 0, (int)grid->nx, (int)grid->ny, (void *)values,
                     (int)grid->nx, (int)grid->ny, GDT_Float32, 0, 0) != CE_None) {
        rc = sim_error_set(err, SIM_EIO, "%s: cannot write: %s", path, geo__gdal_msg());
        goto done;
    }
done:
    return close_dataset(ds, path, rc, err);
}

sim_status geo_write_areas(const char *path, const unsigned char *const *wkb, const size_t *wkb_len,
                           size_t n, const geo_column *cols, size_t n_cols, sim_error *err) {
    sim_status rc = SIM_OK;
    GDALDriverH drv = GDALGetDriverByName("GeoJSON");
    if (!drv) return sim_error_set(err, SIM_EDEP, "GDAL has no GeoJSON driver");
    GDALDatasetH ds = GDALCreate(drv, path, 0, 0, 0, GDT_Unknown, NULL);
    if (!ds) return sim_error_set(err, SIM_EIO, "%s: cannot create: %s", path, geo__gdal_msg());
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(srs, 4326);
    OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
    char **lco = NULL;
    lco = CSLSetNameValue(lco, "RFC7946", "YES");
    lco = CSLSetNameValue(lco, "COORDINATE_PRECISION", "7");
    lco = CSLSetNameValue(lco, "WRITE_NAME", "NO");
    OGRLayerH lyr = GDALDatasetCreateLayer(ds, "areas", srs, wkbUnknown, lco);
    CSLDestroy(lco);
    OSRDestroySpatialReference(srs);
    if (!lyr) {
        rc = sim_error_set(err, SIM_EIO, "%s: cannot create layer: %s", path, geo__gdal_msg());
        goto done;
    }
    for (size_t c = 0; c < n_cols; ++c) {
        OGRFieldDefnH fd = OGR_Fld_Create(cols[c].name, cols[c].is_text ? OFTString : OFTReal);
        OGRErr e = OGR_L_CreateField(lyr, fd, TRUE);
        OGR_Fld_Destroy(fd);
        if (e != OGRERR_NONE) {
            rc = sim_error_set(err, SIM_EIO, "%s: cannot create field %s", path, cols[c].name);
            goto done;
        }
    }
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr);
    for (size_t i = 0; i < n; ++i) {
        OGRFeatureH f = OGR_F_Create(defn);
        OGRGeometryH g = NULL;
        if (OGR_G_CreateFromWkb(wkb[i], NULL, &g, (int)wkb_len[i]) == OGRERR_NONE)
            OGR_F_SetGeometryDirectly(f, g);
        for (size_t c = 0; c < n_cols; ++c) {
            if (cols[c].is_text) {
                if (cols[c].text[i]) OGR_F_SetFieldString(f, (int)c, cols[c].text[i]);
                else OGR_F_SetFieldNull(f, (int)c);
            } else {
                double v = cols[c].real[i];
                if (isnan(v)) {
                    OGR_F_SetFieldNull(f, (int)c);
                } else if (cols[c].decimals < 0) {
                    OGR_F_SetFieldDouble(f, (int)c, v);
                } else {
                    double p = pow(10.0, cols[c].decimals);
                    OGR_F_SetFieldDouble(f, (int)c, round(v * p) / p);
                }
            }
        }
        OGRErr e = OGR_L_CreateFeature(lyr, f);
        OGR_F_Destroy(f);
        if (e != OGRERR_NONE) {
            rc = sim_error_set(err, SIM_EIO, "%s: cannot write feature %zu: %s", path, i + 1,
                               geo__gdal_msg());
            goto done;
        }
    }
done:
    return close_dataset(ds, path, rc, err);
}

sim_status geo_write_edges_gpkg(const char *path, const double *lon, const double *lat,
                                const uint32_t *from, const uint32_t *to, const uint32_t *time_ds,
                                const uint8_t *connector, size_t n_arcs, sim_error *err) {
    sim_status rc = SIM_OK;
    GDALDriverH drv = GDALGetDriverByName("GPKG");
    if (!drv) return sim_error_set(err, SIM_EDEP, "GDAL has no GPKG driver");
    GDALDatasetH ds = GDALCreate(drv, path, 0, 0, 0, GDT_Unknown, NULL);
    if (!ds) return sim_error_set(err, SIM_EIO, "%s: cannot create: %s", path, geo__gdal_msg());
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(srs, 4326);
    OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
    OGRLayerH lyr = GDALDatasetCreateLayer(ds, "edges", srs, wkbLineString, NULL);
    OSRDestroySpatialReference(srs);
    if (!lyr) {
        rc = sim_error_set(err, SIM_EIO, "%s: cannot create layer: %s", path, geo__gdal_msg());
        goto done;
    }
    static const char *const NAMES[] = {"from", "to", "seconds", "kind"};
    static const OGRFieldType TYPES[] = {OFTInteger, OFTInteger, OFTReal, OFTString};
    for (int c = 0; c < 4; ++c) {
        OGRFieldDefnH fd = OGR_Fld_Create(NAMES[c], TYPES[c]);
        OGR_L_CreateField(lyr, fd, TRUE);
        OGR_Fld_Destroy(fd);
    }
    GDALDatasetStartTransaction(ds, FALSE);
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr);
    for (size_t a = 0; a < n_arcs; ++a) {
        OGRFeatureH f = OGR_F_Create(defn);
        OGRGeometryH g = OGR_G_CreateGeometry(wkbLineString);
        OGR_G_AddPoint_2D(g, lon[from[a]], lat[from[a]]);
        OGR_G_AddPoint_2D(g, lon[to[a]], lat[to[a]]);
        OGR_F_SetGeometryDirectly(f, g);
        OGR_F_SetFieldInteger(f, 0, (int)from[a]);
        OGR_F_SetFieldInteger(f, 1, (int)to[a]);
        OGR_F_SetFieldDouble(f, 2, time_ds[a] / 10.0);
        OGR_F_SetFieldString(f, 3, connector[a] ? "connector" : "street");
        OGRErr e = OGR_L_CreateFeature(lyr, f);
        OGR_F_Destroy(f);
        if (e != OGRERR_NONE) {
            rc = sim_error_set(err, SIM_EIO, "%s: cannot write edge %zu: %s", path, a,
                               geo__gdal_msg());
            goto done;
        }
    }
    GDALDatasetCommitTransaction(ds);
done:
    return close_dataset(ds, path, rc, err);
}

static int cmp_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A folder: its regular files' names and hashes, in name order, hashed again. */
static sim_status sha256_dir(const char *path, char hex[65], uint64_t *size, sim_error *err) {
    DIR *d = opendir(path);
    if (!d) return sim_error_set(err, SIM_EIO, "%s: cannot read: %s", path, strerror(errno));
    char **names = NULL;
    size_t n = 0, cap = 0;
    sim_status rc = SIM_OK;
    struct dirent *e;
    while (!rc && (e = readdir(d))) {
        char full[4200];
        struct stat st;
        if (e->d_name[0] == '.' ||
            snprintf(full, sizeof full, "%s/%s", path, e->d_name) >= (int)sizeof full ||
            stat(full, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 16;
            char **grown = realloc(names, cap * sizeof *names);
            if (!grown) {
                rc = sim_error_set(err, SIM_ENOMEM, "%s: listing", path);
                break;
            }
            names = grown;
        }
        if (!(names[n] = strdup(e->d_name))) rc = sim_error_set(err, SIM_ENOMEM, "%s", path);
        else ++n;
    }
    closedir(d);
    if (!rc && n) qsort(names, n, sizeof *names, cmp_name);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (!rc && (!md || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1))
        rc = sim_error_set(err, SIM_EDEP, "OpenSSL SHA-256 unavailable");
    uint64_t total = 0;
    for (size_t i = 0; !rc && i < n; ++i) {
        char full[4200], h[65];
        uint64_t sz = 0;
        snprintf(full, sizeof full, "%s/%s", path, names[i]);
        if ((rc = geo_sha256_file(full, h, &sz, err))) break;
        total += sz;
        EVP_DigestUpdate(md, names[i], strlen(names[i]) + 1);
        EVP_DigestUpdate(md, h, 64);
        EVP_DigestUpdate(md, "\n", 1);
    }
    if (!rc) {
        unsigned char dig[EVP_MAX_MD_SIZE];
        unsigned int dlen = 0;
        EVP_DigestFinal_ex(md, dig, &dlen);
        for (unsigned int i = 0; i < dlen && i < 32; ++i) snprintf(hex + 2 * i, 3, "%02x", dig[i]);
        hex[64] = '\0';
        if (size) *size = total;
    }
    EVP_MD_CTX_free(md);
    for (size_t i = 0; i < n; ++i) free(names[i]);
    free(names);
    return rc;
}

sim_status geo_sha256_file(const char *path, char hex[65], uint64_t *size, sim_error *err) {
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) return sha256_dir(path, hex, size, err);
    FILE *fp = fopen(path, "rb");
    if (!fp) return sim_error_set(err, SIM_EIO, "%s: cannot read: %s", path, strerror(errno));
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    sim_status rc = SIM_OK;
    unsigned char buf[1 << 16], dig[EVP_MAX_MD_SIZE];
    unsigned int dlen = 0;
    uint64_t total = 0;
    if (!md || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
        rc = sim_error_set(err, SIM_EDEP, "OpenSSL SHA-256 unavailable");
        goto done;
    }
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, fp)) > 0) {
        EVP_DigestUpdate(md, buf, got);
        total += got;
    }
    if (ferror(fp)) {
        rc = sim_error_set(err, SIM_EIO, "%s: read error: %s", path, strerror(errno));
        goto done;
    }
    EVP_DigestFinal_ex(md, dig, &dlen);
    for (unsigned int i = 0; i < dlen && i < 32; ++i) snprintf(hex + 2 * i, 3, "%02x", dig[i]);
    hex[64] = '\0';
    if (size) *size = total;
done:
    EVP_MD_CTX_free(md);
    fclose(fp);
    return rc;
}
