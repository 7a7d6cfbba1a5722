#include "geo/geo.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <strings.h>
#include <gdal.h>
#include <geos_c.h>
#include <proj.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "geo/geo_internal.h"

void geo_init(void) {
    GDALAllRegister();
    CPLSetConfigOption("OSM_USE_CUSTOM_INDEXING", "NO");
    CPLSetErrorHandler(CPLQuietErrorHandler);
}

void geo_versions(char *buf, size_t size) {
    PJ_INFO pi = proj_info();
    snprintf(buf, size, "GDAL %s, PROJ %s, GEOS %s", GDALVersionInfo("RELEASE_NAME"), pi.version,
             GEOSversion());
}

int geo__ends_with_ci(const char *s, const char *suffix) {
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

int geo__parse_number(const char *s, double *out) {
    while (isspace((unsigned char)*s)) ++s;
    if (!*s) return 0;
    char *end;
    double v = strtod(s, &end);
    while (isspace((unsigned char)*end)) ++end;
    if (*end || !isfinite(v)) return 0;
    *out = v;
    return 1;
}

void geo__list_fields(OGRFeatureDefnH defn, char *buf, size_t size) {
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < OGR_FD_GetFieldCount(defn) && used + 4 < size; ++i) {
        int w = snprintf(buf + used, size - used, "%s%s", i ? ", " : "",
                         OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i)));
        if (w < 0) break;
        used += (size_t)w;
    }
    if (used >= size) snprintf(buf + size - 5, 5, "...");
    if (!buf[0]) snprintf(buf, size, "none");
}

const char *geo__gdal_msg(void) {
    const char *m = CPLGetLastErrorMsg();
    return (m && *m) ? m : "unknown GDAL error";
}

sim_status geo__check_readable(const char *path, sim_error *err) {
    if (!path || !*path) return sim_error_set(err, SIM_EINVAL, "empty path");
    if (access(path, R_OK) != 0)
        return sim_error_set(err, SIM_EIO, "%s: cannot read: %s", path, strerror(errno));
    return SIM_OK;
}

sim_status geo__to_wgs84(OGRSpatialReferenceH srs, OGRCoordinateTransformationH *out,
                         const char *path, sim_error *err) {
    *out = NULL;
    OGRSpatialReferenceH src = OSRClone(srs), dst = OSRNewSpatialReference(NULL);
    sim_status rc = SIM_OK;
    if (!src || !dst || OSRImportFromEPSG(dst, 4326) != OGRERR_NONE) {
        rc = sim_error_set(err, SIM_EDEP, "%s: cannot set up WGS84: %s", path, geo__gdal_msg());
        goto done;
    }
    OSRSetAxisMappingStrategy(src, OAMS_TRADITIONAL_GIS_ORDER);
    OSRSetAxisMappingStrategy(dst, OAMS_TRADITIONAL_GIS_ORDER);
    *out = OCTNewCoordinateTransformation(src, dst);
    if (!*out)
        rc = sim_error_set(err, SIM_EDEP, "%s: cannot transform its CRS to WGS84: %s", path,
                           geo__gdal_msg());
done:
    if (src) OSRDestroySpatialReference(src);
    if (dst) OSRDestroySpatialReference(dst);
    return rc;
}
