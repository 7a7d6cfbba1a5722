#include "geo/network.h"

#include <errno.h>
#include <gdal.h>
#include <math.h>
#include <ogr_srs_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "geo/geo_internal.h"
#include "geo/osm_refs.h"
#include "geo/profile.h"
#include "sim/order.h"

/* ---- growable node/segment storage ---------------------------------------------------- */

/* Reallocates *p to `cap` elements of `elem` bytes; 0 when out of memory (*p unchanged). */
static int resize(void *p, size_t cap, size_t elem) {
    void *q = realloc(*(void **)p, cap * elem);
    if (!q) return 0;
    *(void **)p = q;
    return 1;
}

static uint32_t grown(uint32_t cap, uint32_t need) {
    uint32_t c = cap ? cap : 1024;
    while (c < need) c = c > UINT32_MAX / 2 ? UINT32_MAX : 2 * c;
    return c;
}

static int reserve_nodes(geo_network *n, uint32_t need) {
    if (need <= n->cap_nodes) return 1;
    uint32_t cap = grown(n->cap_nodes, need);
    if (!resize(&n->x, cap, sizeof *n->x) || !resize(&n->y, cap, sizeof *n->y) ||
        !resize(&n->lon, cap, sizeof *n->lon) || !resize(&n->lat, cap, sizeof *n->lat) ||
        !resize(&n->kind, cap, sizeof *n->kind) || !resize(&n->ref, cap, sizeof *n->ref))
        return 0;
    n->cap_nodes = cap;
    return 1;
}

static int reserve_segs(geo_network *n, uint32_t need) {
    if (need <= n->cap_segs) return 1;
    uint32_t cap = grown(n->cap_segs, need);
    if (!resize(&n->seg_u, cap, sizeof *n->seg_u) || !resize(&n->seg_v, cap, sizeof *n->seg_v) ||
        !resize(&n->seg_len_m, cap, sizeof *n->seg_len_m) ||
        !resize(&n->seg_way, cap, sizeof *n->seg_way) ||
        !resize(&n->seg_connector, cap, sizeof *n->seg_connector) ||
        !resize(&n->seg_access, cap, sizeof *n->seg_access) ||
        !resize(&n->seg_speed_kmh, (size_t)cap * GEO_MODE_COUNT, sizeof *n->seg_speed_kmh) ||
        !resize(&n->seg_time_s, cap, sizeof *n->seg_time_s) ||
        !resize(&n->seg_piece, cap, sizeof *n->seg_piece))
        return 0;
    n->cap_segs = cap;
    return 1;
}

uint32_t geo__network_add_node(geo_network *n, double x, double y, double lon, double lat,
                               uint8_t kind, uint32_t ref) {
    if (n->n_nodes == UINT32_MAX - 1 || !reserve_nodes(n, n->n_nodes + 1)) return SIM_INVALID_ID;
    uint32_t id = n->n_nodes++;
    n->x[id] = x;
    n->y[id] = y;
    n->lon[id] = lon;
    n->lat[id] = lat;
    n->kind[id] = kind;
    n->ref[id] = ref;
    return id;
}

uint32_t geo__network_add_seg(geo_network *n, uint32_t u, uint32_t v, double len_m, int64_t way,
                              uint8_t connector, uint8_t access, const float *speed_kmh,
                              float time_s) {
    if (n->n_segs == UINT32_MAX - 1 || !reserve_segs(n, n->n_segs + 1)) return SIM_INVALID_ID;
    uint32_t id = n->n_segs++;
    n->seg_u[id] = u;
    n->seg_v[id] = v;
    n->seg_len_m[id] = len_m;
    n->seg_way[id] = way;
    n->seg_connector[id] = connector;
    n->seg_access[id] = access;
    for (int m = 0; m < GEO_MODE_COUNT; ++m)
        n->seg_speed_kmh[(size_t)id * GEO_MODE_COUNT + (size_t)m] = speed_kmh ? speed_kmh[m] : 0.0f;
    n->seg_time_s[id] = time_s;
    n->seg_piece[id] = (geo_seg_piece){0.0, 1.0, len_m, time_s};
    return id;
}

void geo_network_destroy(geo_network *n) {
    if (!n) return;
    free(n->x);
    free(n->y);
    free(n->lon);
    free(n->lat);
    free(n->kind);
    free(n->ref);
    free(n->seg_u);
    free(n->seg_v);
    free(n->seg_len_m);
    free(n->seg_way);
    free(n->seg_connector);
    free(n->seg_access);
    free(n->seg_speed_kmh);
    free(n->seg_time_s);
    free(n->seg_piece);
    free(n);
}

/* A copy of the first `n` elements of `src` (`elem` bytes each) in a new array of max(n, 1)
 * elements, so that an empty array is still a valid pointer; NULL when out of memory. */
static void *dup_array(const void *src, size_t n, size_t elem) {
    void *p = malloc((n ? n : 1) * elem);
    if (p && n) memcpy(p, src, n * elem);
    return p;
}

sim_status geo_network_copy(const geo_network *net, geo_network **out, sim_error *err) {
    *out = NULL;
    geo_network *c = calloc(1, sizeof *c);
    if (!c) return sim_error_set(err, SIM_ENOMEM, "copying the network");
    size_t nn = net->n_nodes, ns = net->n_segs;
    c->n_nodes = net->n_nodes;
    c->cap_nodes = net->n_nodes ? net->n_nodes : 1;
    c->n_segs = net->n_segs;
    c->cap_segs = net->n_segs ? net->n_segs : 1;
    c->stats = net->stats;
    c->x = dup_array(net->x, nn, sizeof *c->x);
    c->y = dup_array(net->y, nn, sizeof *c->y);
    c->lon = dup_array(net->lon, nn, sizeof *c->lon);
    c->lat = dup_array(net->lat, nn, sizeof *c->lat);
    c->kind = dup_array(net->kind, nn, sizeof *c->kind);
    c->ref = dup_array(net->ref, nn, sizeof *c->ref);
    c->seg_u = dup_array(net->seg_u, ns, sizeof *c->seg_u);
    c->seg_v = dup_array(net->seg_v, ns, sizeof *c->seg_v);
    c->seg_len_m = dup_array(net->seg_len_m, ns, sizeof *c->seg_len_m);
    c->seg_way = dup_array(net->seg_way, ns, sizeof *c->seg_way);
    c->seg_connector = dup_array(net->seg_connector, ns, sizeof *c->seg_connector);
    c->seg_access = dup_array(net->seg_access, ns, sizeof *c->seg_access);
    /* reserve_segs keeps GEO_MODE_COUNT speeds per segment of capacity */
    c->seg_speed_kmh = malloc((size_t)c->cap_segs * GEO_MODE_COUNT * sizeof *c->seg_speed_kmh);
    if (c->seg_speed_kmh && ns)
        memcpy(c->seg_speed_kmh, net->seg_speed_kmh, ns * GEO_MODE_COUNT * sizeof *c->seg_speed_kmh);
    c->seg_time_s = dup_array(net->seg_time_s, ns, sizeof *c->seg_time_s);
    c->seg_piece = dup_array(net->seg_piece, ns, sizeof *c->seg_piece);
    if (!c->seg_piece || !c->x || !c->y || !c->lon || !c->lat || !c->kind || !c->ref || !c->seg_u || !c->seg_v ||
        !c->seg_len_m || !c->seg_way || !c->seg_connector || !c->seg_access ||
        !c->seg_speed_kmh || !c->seg_time_s) {
        geo_network_destroy(c);
        return sim_error_set(err, SIM_ENOMEM, "copying the network");
    }
    *out = c;
    return SIM_OK;
}

uint32_t geo_time_ds(double len_m, double speed_mps) {
    double t = len_m / speed_mps * 10.0;
    if (!(t >= 0)) return 0;
    if (t > 4.0e9) return 4000000000u;
    return (uint32_t)llround(t);
}

/* ---- polylines read from the source, in lon/lat --------------------------------------- */

typedef struct {
    double *lon, *lat; /* all vertices */
    size_t n_vert, cap_vert;
    size_t *first; /* n_lines + 1 offsets */
    int64_t *way;
    uint8_t *access; /* per line: GEO_ACCESS_* bits */
    float *speed;    /* per line: GEO_MODE_COUNT speeds (km/h) */
    size_t n_lines, cap_lines;
} polylines;

static void polylines_free(polylines *p) {
    free(p->lon);
    free(p->lat);
    free(p->first);
    free(p->way);
    free(p->access);
    free(p->speed);
}

static int polylines_add(polylines *p, const double *lon, const double *lat, size_t n,
                         int64_t way, uint8_t access, const float *speed) {
    if (n < 2) return 1;
    if (p->n_vert + n > p->cap_vert) {
        size_t cap = p->cap_vert ? p->cap_vert : 4096;
        while (cap < p->n_vert + n) cap *= 2;
        double *a = realloc(p->lon, cap * sizeof *a);
        if (!a) return 0;
        p->lon = a;
        double *b = realloc(p->lat, cap * sizeof *b);
        if (!b) return 0;
        p->lat = b;
        p->cap_vert = cap;
    }
    if (p->n_lines + 2 > p->cap_lines) {
        size_t cap = p->cap_lines ? p->cap_lines * 2 : 1024;
        size_t *f = realloc(p->first, cap * sizeof *f);
        if (!f) return 0;
        p->first = f;
        int64_t *w = realloc(p->way, cap * sizeof *w);
        if (!w) return 0;
        p->way = w;
        uint8_t *a = realloc(p->access, cap * sizeof *a);
        if (!a) return 0;
        p->access = a;
        float *sp = realloc(p->speed, cap * GEO_MODE_COUNT * sizeof *sp);
        if (!sp) return 0;
        p->speed = sp;
        p->cap_lines = cap;
    }
    if (p->n_lines == 0) p->first[0] = 0;
    memcpy(p->lon + p->n_vert, lon, n * sizeof *lon);
    memcpy(p->lat + p->n_vert, lat, n * sizeof *lat);
    p->n_vert += n;
    p->way[p->n_lines] = way;
    p->access[p->n_lines] = access;
    memcpy(p->speed + p->n_lines * GEO_MODE_COUNT, speed, GEO_MODE_COUNT * sizeof *speed);
    p->first[++p->n_lines] = p->n_vert;
    return 1;
}

/* ---- coordinate hash: exact lon/lat (OSM) or tolerance cells (other sources) ---------- */

typedef struct {
    uint64_t *keys;
    uint32_t *head; /* first node in the bucket's chain */
    uint32_t *next; /* per node: next node in the same cell */
    size_t mask;
} cell_hash;

static uint64_t mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static int cell_hash_init(cell_hash *h, size_t n_expected) {
    size_t size = 1024;
    while (size < 2 * n_expected) size *= 2;
    h->keys = malloc(size * sizeof *h->keys);
    h->head = malloc(size * sizeof *h->head);
    h->next = NULL;
    h->mask = size - 1;
    if (!h->keys || !h->head) return 0;
    for (size_t i = 0; i < size; ++i) h->head[i] = SIM_INVALID_ID;
    return 1;
}

static void cell_hash_free(cell_hash *h) {
    free(h->keys);
    free(h->head);
    free(h->next);
}

/* Returns the slot for `key` (existing, or empty to be filled). */
static size_t cell_slot(const cell_hash *h, uint64_t key) {
    size_t i = (size_t)mix64(key) & h->mask;
    while (h->head[i] != SIM_INVALID_ID && h->keys[i] != key) i = (i + 1) & h->mask;
    return i;
}

static uint64_t bits_of(double d) {
    uint64_t u;
    if (d == 0) d = 0; /* -0.0 and 0.0 are one place */
    memcpy(&u, &d, sizeof u);
    return u;
}

static uint64_t cell_key(int64_t cx, int64_t cy) {
    return mix64((uint64_t)cx) ^ ((uint64_t)cy * 0x9e3779b97f4a7c15ULL);
}

/* ---- tags ------------------------------------------------------------------------------ */

#define MAX_TAGS 64

/* Reads a feature's tags: every set field (OGR sources carry tags as fields: highway, oneway,
 * maxspeed, ...), and for OSM the `other_tags` hstore parsed into `buf`. A source without a
 * highway field gets highway=road, so plain line layers are ordinary streets for every mode. */
static size_t feature_tags(OGRFeatureH f, OGRFeatureDefnH defn, int is_osm, char *buf,
                           size_t bufsize, const char **keys, const char **vals) {
    size_t n = 0;
    int nf = OGR_FD_GetFieldCount(defn), other = -1, has_highway = 0;
    for (int i = 0; i < nf && n < MAX_TAGS; ++i) {
        const char *name = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i));
        if (is_osm && strcmp(name, "other_tags") == 0) {
            other = i;
            continue;
        }
        if (strcmp(name, "highway") == 0) has_highway = 1;
        if (!OGR_F_IsFieldSetAndNotNull(f, i)) continue;
        const char *v = OGR_F_GetFieldAsString(f, i);
        if (!v || !*v) continue;
        keys[n] = name;
        vals[n] = v;
        ++n;
    }
    if (other >= 0 && OGR_F_IsFieldSetAndNotNull(f, other)) {
        snprintf(buf, bufsize, "%s", OGR_F_GetFieldAsString(f, other));
        n += geo_hstore_parse(buf, keys + n, vals + n, MAX_TAGS - n);
    }
    if (!is_osm && !has_highway && n < MAX_TAGS) {
        keys[n] = "highway";
        vals[n] = "road";
        ++n;
    }
    return n;
}

/* ---- reading lines --------------------------------------------------------------------- */

typedef struct {
    const geo_network_source *src;
    OGRCoordinateTransformationH to_wgs84; /* NULL for OSM (already WGS84) */
    const geo_osm_gaps *gaps;
    int is_osm;
    polylines *lines;
    geo_network *net;
    sim_warnings *warn;
    double *bx, *by; /* scratch for one part's vertices */
    size_t cap_b;
    const geo_profile *profile;
    geo_profile_stats pstats;
    uint8_t access;                /* of the feature being read */
    float speed[GEO_MODE_COUNT];
} reader;

static sim_status add_part(reader *r, OGRGeometryH part, int64_t way, sim_error *err) {
    int np = OGR_G_GetPointCount(part);
    if (np < 2) {
        sim_warnings_add(r->warn, "line with fewer than 2 vertices skipped", "feature %lld",
                         (long long)way);
        return SIM_OK;
    }
    size_t n = (size_t)np;
    if (n > r->cap_b) {
        double *a = realloc(r->bx, n * sizeof *a);
        if (!a) return sim_error_set(err, SIM_ENOMEM, "%s", r->src->path);
        r->bx = a;
        double *b = realloc(r->by, n * sizeof *b);
        if (!b) return sim_error_set(err, SIM_ENOMEM, "%s", r->src->path);
        r->by = b;
        r->cap_b = n;
    }
    OGR_G_GetPoints(part, r->bx, sizeof(double), r->by, sizeof(double), NULL, 0);
    if (r->to_wgs84 && !OCTTransform(r->to_wgs84, np, r->bx, r->by, NULL))
        return sim_error_set(err, SIM_EDEP, "%s: feature %lld: cannot transform to WGS84: %s",
                             r->src->path, (long long)way, CPLGetLastErrorMsg());
    for (size_t i = 0; i < n; ++i)
        if (!isfinite(r->bx[i]) || !isfinite(r->by[i]) || fabs(r->by[i]) > 90.0)
            return sim_error_set(err, SIM_EPARSE, "%s: feature %lld: invalid coordinate",
                                 r->src->path, (long long)way);
    if (r->is_osm) {
        const uint32_t *gaps = NULL;
        uint32_t n_gaps = 0, n_present = 0;
        if (geo_osm_gaps_find(r->gaps, way, &gaps, &n_gaps, &n_present)) {
            ++r->net->stats.ways_truncated;
            sim_warnings_add(r->warn,
                             "OSM way truncated where its nodes are missing from the extract",
                             "way %lld", (long long)way);
            if (n_present != n) {
                sim_warnings_add(r->warn,
                                 "OSM way whose vertex count differs from readosm's; dropped",
                                 "way %lld", (long long)way);
                return SIM_OK;
            }
            size_t start = 0;
            for (uint32_t g = 0; g < n_gaps; ++g) {
                size_t end = (size_t)gaps[g] + 1; /* exclusive: cut between gaps[g] and +1 */
                if (!polylines_add(r->lines, r->bx + start, r->by + start, end - start, way,
                                   r->access, r->speed))
                    return sim_error_set(err, SIM_ENOMEM, "%s", r->src->path);
                start = end;
            }
            if (!polylines_add(r->lines, r->bx + start, r->by + start, n - start, way, r->access,
                               r->speed))
                return sim_error_set(err, SIM_ENOMEM, "%s", r->src->path);
            return SIM_OK;
        }
    }
    if (!polylines_add(r->lines, r->bx, r->by, n, way, r->access, r->speed))
        return sim_error_set(err, SIM_ENOMEM, "%s", r->src->path);
    return SIM_OK;
}

static sim_status add_feature(reader *r, OGRFeatureH f, OGRFeatureDefnH defn, sim_error *err) {
    char buf[8192];
    const char *keys[MAX_TAGS], *vals[MAX_TAGS];
    int64_t way = (int64_t)OGR_F_GetFID(f);
    if (r->is_osm) {
        int i = OGR_FD_GetFieldIndex(defn, "osm_id");
        if (i >= 0) way = (int64_t)strtoll(OGR_F_GetFieldAsString(f, i), NULL, 10);
    }
    ++r->net->stats.lines_read;
    geo_tags tags = {keys, vals, feature_tags(f, defn, r->is_osm, buf, sizeof buf, keys, vals)};
    const char *hw = geo_tags_get(&tags, "highway");
    if (hw && *hw && OGR_FD_GetFieldIndex(defn, "highway") >= 0) ++r->net->stats.highway_lines;
    if (!hw || !*hw) return SIM_OK; /* not a street: railway, waterway, ... */
    r->access = 0;
    for (int m = 0; m < GEO_MODE_COUNT; ++m) {
        geo_way_access acc;
        geo_way_access_for(&tags, (geo_mode)m, r->profile, &acc, &r->pstats);
        if (acc.fwd) r->access |= GEO_ACCESS_FWD(m);
        if (acc.bwd) r->access |= GEO_ACCESS_BWD(m);
        r->speed[m] = (float)acc.speed_kmh;
    }
    if (!r->access) return SIM_OK; /* no mode may use it */
    OGRGeometryH g = OGR_F_GetGeometryRef(f);
    if (!g || OGR_G_IsEmpty(g)) {
        sim_warnings_add(r->warn, "line feature without geometry skipped", "feature %lld",
                         (long long)way);
        return SIM_OK;
    }
    ++r->net->stats.lines_usable;
    if (r->access & GEO_ACCESS_ANY(GEO_MODE_WALK)) ++r->net->stats.lines_walkable;
    OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(g));
    if (t == wkbLineString) return add_part(r, g, way, err);
    if (t == wkbMultiLineString) {
        for (int i = 0; i < OGR_G_GetGeometryCount(g); ++i) {
            sim_status rc = add_part(r, OGR_G_GetGeometryRef(g, i), way, err);
            if (rc) return rc;
        }
        return SIM_OK;
    }
    sim_warnings_add(r->warn, "non-line geometry in the network layer skipped", "feature %lld",
                     (long long)way);
    return SIM_OK;
}

static int is_line_type(OGRwkbGeometryType t) {
    t = wkbFlatten(t);
    return t == wkbLineString || t == wkbMultiLineString;
}

static sim_status read_lines(const geo_network_source *src, geo_network *net, polylines *lines,
                             sim_warnings *warn, sim_error *err) {
    sim_status rc = SIM_OK;
    geo_osm_gaps *gaps = NULL;
    OGRSpatialReferenceH wgs84 = NULL;
    geo_profile defaults;
    geo_profile_defaults(&defaults);
    reader r = {.src = src, .lines = lines, .net = net, .warn = warn,
                .profile = src->profile ? src->profile : &defaults};
    GDALDatasetH ds = NULL;
    if ((rc = geo__check_readable(src->path, err))) return rc;
    ds = GDALOpenEx(src->path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    if (!ds) {
        rc = sim_error_set(err, SIM_EIO, "%s: cannot open as a vector data set: %s", src->path,
                           geo__gdal_msg());
        goto done;
    }
    const char *drv = GDALGetDriverShortName(GDALGetDatasetDriver(ds));
    snprintf(net->stats.driver, sizeof net->stats.driver, "%s", drv);
    r.is_osm = net->stats.is_osm = strcmp(drv, "OSM") == 0;
    if (r.is_osm) {
        if ((rc = geo_osm_gaps_load(src->path, &gaps, err))) goto done;
        r.gaps = gaps;
        size_t all_ways;
        geo_osm_gaps_counts(gaps, &all_ways, &net->stats.osm_highway_ways,
                            &net->stats.osm_highway_dropped);
        if (net->stats.osm_highway_dropped)
            sim_warnings_add_n(warn, net->stats.osm_highway_dropped,
                               "OSM highway ways with fewer than 2 nodes in the file dropped",
                               NULL);
        /* Interleaved reading over every layer, keeping the `lines` layer's features. */
        OGRLayerH lyr = NULL;
        OGRFeatureH f;
        while ((f = GDALDatasetGetNextFeature(ds, &lyr, NULL, NULL, NULL)) != NULL) {
            if (lyr && strcmp(OGR_L_GetName(lyr), "lines") == 0)
                rc = add_feature(&r, f, OGR_L_GetLayerDefn(lyr), err);
            OGR_F_Destroy(f);
            if (rc) goto done;
        }
    } else {
        OGRLayerH lyr = NULL;
        if (src->layer) {
            lyr = GDALDatasetGetLayerByName(ds, src->layer);
            if (!lyr) {
                rc = sim_error_set(err, SIM_EPARSE, "%s: no layer named '%s'", src->path,
                                   src->layer);
                goto done;
            }
        } else {
            for (int i = 0; i < GDALDatasetGetLayerCount(ds) && !lyr; ++i) {
                OGRLayerH l = GDALDatasetGetLayer(ds, i);
                if (is_line_type(OGR_L_GetGeomType(l))) lyr = l;
            }
            if (!lyr && GDALDatasetGetLayerCount(ds) == 1) lyr = GDALDatasetGetLayer(ds, 0);
            if (!lyr) {
                rc = sim_error_set(err, SIM_EPARSE, "%s: no line layer found (name one with "
                                   "network.layer)", src->path);
                goto done;
            }
        }
        OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(lyr);
        if (!srs) {
            rc = sim_error_set(err, SIM_EPARSE,
                               "%s: layer '%s' has no CRS; assign one (e.g. ogr2ogr -a_srs "
                               "EPSG:4326) so coordinates can be placed",
                               src->path, OGR_L_GetName(lyr));
            goto done;
        }
        if ((rc = geo__to_wgs84(srs, &r.to_wgs84, src->path, err))) goto done;
        OGR_L_ResetReading(lyr);
        OGRFeatureH f;
        OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr);
        while ((f = OGR_L_GetNextFeature(lyr)) != NULL) {
            rc = add_feature(&r, f, defn, err);
            OGR_F_Destroy(f);
            if (rc) goto done;
        }
        if (net->stats.lines_read == 0) {
            rc = sim_error_set(err, SIM_EPARSE, "%s: layer '%s' is empty", src->path,
                               OGR_L_GetName(lyr));
            goto done;
        }
    }
    if (lines->n_lines == 0) {
        rc = sim_error_set(err, SIM_EPARSE,
                           "%s: no street any mode may use among its %zu line features",
                           src->path, net->stats.lines_read);
        goto done;
    }
    if (r.pstats.maxspeed_unparsed)
        sim_warnings_add_n(warn, r.pstats.maxspeed_unparsed,
                           "maxspeed values not understood; the highway class speed used",
                           "'%s'", r.pstats.maxspeed_example);
done:
    (void)wgs84;
    free(r.bx);
    free(r.by);
    if (r.to_wgs84) OCTDestroyCoordinateTransformation(r.to_wgs84);
    geo_osm_gaps_destroy(gaps);
    if (ds) GDALClose(ds);
    return rc;
}

/* ---- topology -------------------------------------------------------------------------- */

/* Node for vertex (lon, lat, x, y): shared by exact coordinates (OSM, exact = 1) or within
 * `tol` metres of an existing endpoint (other sources), else new. */
static uint32_t node_for(geo_network *net, cell_hash *h, int exact, double tol, double lon,
                         double lat, double x, double y) {
    if (exact) {
        uint64_t key = mix64(bits_of(lon)) ^ bits_of(lat);
        size_t s = cell_slot(h, key);
        for (uint32_t v = h->head[s]; v != SIM_INVALID_ID; v = h->next[v])
            if (net->lon[v] == lon && net->lat[v] == lat) return v;
        uint32_t v = geo__network_add_node(net, x, y, lon, lat, GEO_NODE_STREET, SIM_INVALID_ID);
        if (v == SIM_INVALID_ID) return v;
        h->keys[s] = key;
        h->next[v] = h->head[s];
        h->head[s] = v;
        return v;
    }
    double cell = tol > 0 ? tol : 1e-6;
    int64_t cx = (int64_t)floor(x / cell), cy = (int64_t)floor(y / cell);
    uint32_t best = SIM_INVALID_ID;
    double best_d2 = tol * tol;
    for (int64_t dx = -1; dx <= 1; ++dx)
        for (int64_t dy = -1; dy <= 1; ++dy) {
            size_t s = cell_slot(h, cell_key(cx + dx, cy + dy));
            for (uint32_t v = h->head[s]; v != SIM_INVALID_ID; v = h->next[v]) {
                double ddx = net->x[v] - x, ddy = net->y[v] - y, d2 = ddx * ddx + ddy * ddy;
                if (d2 < best_d2 || (d2 == best_d2 && (best == SIM_INVALID_ID || v < best))) {
                    best = v;
                    best_d2 = d2;
                }
            }
        }
    if (best != SIM_INVALID_ID) return best;
    uint32_t v = geo__network_add_node(net, x, y, lon, lat, GEO_NODE_STREET, SIM_INVALID_ID);
    if (v == SIM_INVALID_ID) return v;
    uint64_t key = cell_key(cx, cy);
    size_t s = cell_slot(h, key);
    h->keys[s] = key;
    h->next[v] = h->head[s];
    h->head[s] = v;
    return v;
}

static sim_status build_topology(geo_network *net, const polylines *pl, const double *x,
                                 const double *y, double tol, sim_error *err) {
    cell_hash h = {0};
    sim_status rc = SIM_OK;
    int exact = net->stats.is_osm;
    if (!cell_hash_init(&h, pl->n_vert) || !(h.next = malloc(pl->n_vert * sizeof *h.next))) {
        rc = sim_error_set(err, SIM_ENOMEM, "street topology");
        goto done;
    }
    for (size_t l = 0; l < pl->n_lines; ++l) {
        size_t a = pl->first[l], b = pl->first[l + 1];
        uint32_t prev = SIM_INVALID_ID;
        for (size_t i = a; i < b; ++i) {
            uint32_t v;
            if (exact || i == a || i == b - 1) {
                v = node_for(net, &h, exact, tol, pl->lon[i], pl->lat[i], x[i], y[i]);
            } else {
                v = geo__network_add_node(net, x[i], y[i], pl->lon[i], pl->lat[i],
                                          GEO_NODE_STREET, SIM_INVALID_ID);
            }
            if (v == SIM_INVALID_ID) {
                rc = sim_error_set(err, SIM_ENOMEM, "street topology");
                goto done;
            }
            if (prev != SIM_INVALID_ID && prev != v) {
                double len = geo_geodesic_m(net->lon[prev], net->lat[prev], net->lon[v],
                                            net->lat[v]);
                if (geo__network_add_seg(net, prev, v, len, pl->way[l], 0, pl->access[l],
                                         pl->speed + l * GEO_MODE_COUNT,
                                         NAN) == SIM_INVALID_ID) {
                    rc = sim_error_set(err, SIM_ENOMEM, "street topology");
                    goto done;
                }
            }
            prev = v;
        }
    }
done:
    cell_hash_free(&h);
    return rc;
}

sim_status geo__choose_crs(const char *definition, const double *lon, const double *lat, size_t n,
                           geo_crs **out, sim_error *err) {
    if (definition) return geo_crs_create(definition, out, err);
    double lo0 = INFINITY, lo1 = -INFINITY, la0 = INFINITY, la1 = -INFINITY;
    for (size_t i = 0; i < n; ++i) {
        lo0 = fmin(lo0, lon[i]);
        lo1 = fmax(lo1, lon[i]);
        la0 = fmin(la0, lat[i]);
        la1 = fmax(la1, lat[i]);
    }
    char def[32];
    snprintf(def, sizeof def, "EPSG:%d", geo_crs_utm_epsg(0.5 * (lo0 + lo1), 0.5 * (la0 + la1)));
    return geo_crs_create(def, out, err);
}

sim_status geo_network_load(const geo_network_source *src, geo_network **out, geo_crs **crs_out,
                            sim_warnings *warn, sim_error *err) {
    sim_status rc = SIM_OK;
    polylines pl = {0};
    double *x = NULL, *y = NULL;
    geo_crs *crs = NULL;
    *out = NULL;
    *crs_out = NULL;
    geo_network *net = calloc(1, sizeof *net);
    if (!net) return sim_error_set(err, SIM_ENOMEM, "%s", src->path ? src->path : "network");
    if (src->tables) {
        if ((rc = geo__network_load_tables(src, net, &crs, warn, err))) goto done;
    } else {
        if ((rc = read_lines(src, net, &pl, warn, err))) goto done;
        if ((rc = geo__choose_crs(src->crs, pl.lon, pl.lat, pl.n_vert, &crs, err))) goto done;
        x = malloc(pl.n_vert * sizeof *x);
        y = malloc(pl.n_vert * sizeof *y);
        if (!x || !y) {
            rc = sim_error_set(err, SIM_ENOMEM, "%s", src->path);
            goto done;
        }
        memcpy(x, pl.lon, pl.n_vert * sizeof *x);
        memcpy(y, pl.lat, pl.n_vert * sizeof *y);
        if ((rc = geo_crs_forward(crs, x, y, pl.n_vert, err))) goto done;
        if ((rc = build_topology(net, &pl, x, y, src->join_tolerance_m, err))) goto done;
    }
    *out = net;
    *crs_out = crs;
    net = NULL;
    crs = NULL;
done:
    polylines_free(&pl);
    free(x);
    free(y);
    geo_crs_destroy(crs);
    geo_network_destroy(net);
    return rc;
}

/* ---- routing graph of one mode ------------------------------------------------------------ */

void geo_mode_graph_destroy(geo_mode_graph *g) {
    if (!g) return;
    sim_graph_destroy(g->fwd);
    sim_graph_destroy(g->rev);
    free(g->node_of);
    free(g->graph_of);
    free(g->arc_seg);
    free(g);
}

double geo_seg_time_ds(const geo_network *net, uint32_t s, geo_mode m) {
    float fixed = net->seg_time_s[s];
    if (isfinite(fixed)) return fmax(0.0, (double)fixed) * 10.0;
    double kmh = net->seg_speed_kmh[(size_t)s * GEO_MODE_COUNT + (size_t)m];
    if (!(kmh > 0)) return INFINITY;
    return net->seg_len_m[s] / (kmh / 3.6) * 10.0;
}

/* The arc time: geo_seg_time_ds (times `factor`) rounded once, as geo_time_ds rounds;
 * UINT32_MAX if unusable. */
static uint32_t seg_time_ds(const geo_network *net, uint32_t s, geo_mode m, double factor) {
    double t = geo_seg_time_ds(net, s, m) * factor;
    if (!isfinite(t)) return UINT32_MAX;
    const geo_seg_piece *p = &net->seg_piece[s];
    if (p->f0 != 0.0 || p->f1 != 1.0) {
        /* a piece: the uncut segment's rounded time at its far end minus at its near end, so
         * that the pieces of a segment add up to the segment's own rounded time */
        double full = isfinite(p->full_time_s)
                          ? fmax(0.0, (double)p->full_time_s) * 10.0
                          : p->full_len_m /
                                (net->seg_speed_kmh[(size_t)s * GEO_MODE_COUNT + (size_t)m] / 3.6) *
                                10.0;
        full *= factor;
        if (isfinite(full) && full <= 4.0e9)
            return (uint32_t)(llround(p->f1 * full) - llround(p->f0 * full));
    }
    return t > 4.0e9 ? 4000000000u : (uint32_t)llround(t);
}

sim_status geo_mode_graph_build(const geo_network *net, geo_mode m, geo_mode_graph **out,
                                sim_error *err) {
    return geo_mode_graph_build_scaled(net, m, 1.0, out, err);
}

sim_status geo_mode_graph_build_scaled(const geo_network *net, geo_mode m, double time_factor,
                                       geo_mode_graph **out, sim_error *err) {
    if (!(time_factor > 0) || !isfinite(time_factor))
        return sim_error_set(err, SIM_EINVAL, "routing graph: time factor %g", time_factor);
    sim_status rc = SIM_OK;
    sim_arc *arcs = NULL;
    uint32_t *arc_seg_in = NULL, *fill = NULL;
    *out = NULL;
    geo_mode_graph *g = calloc(1, sizeof *g);
    if (!g) return sim_error_set(err, SIM_ENOMEM, "routing graph");
    g->mode = m;
    g->n_net_nodes = net->n_nodes;
    g->graph_of = malloc((net->n_nodes ? net->n_nodes : 1) * sizeof *g->graph_of);
    if (!g->graph_of) {
        rc = sim_error_set(err, SIM_ENOMEM, "routing graph");
        goto done;
    }
    /* The mode's nodes: every node an arc of the mode touches, numbered in network order. */
    for (uint32_t v = 0; v < net->n_nodes; ++v) g->graph_of[v] = SIM_INVALID_ID;
    size_t n_arcs = 0;
    for (uint32_t s = 0; s < net->n_segs; ++s) {
        uint8_t a = net->seg_access[s];
        if (!(a & GEO_ACCESS_ANY(m)) || seg_time_ds(net, s, m, time_factor) == UINT32_MAX) continue;
        g->graph_of[net->seg_u[s]] = g->graph_of[net->seg_v[s]] = 0;
        n_arcs += (a & GEO_ACCESS_FWD(m)) != 0;
        n_arcs += (a & GEO_ACCESS_BWD(m)) != 0;
    }
    for (uint32_t v = 0; v < net->n_nodes; ++v)
        if (g->graph_of[v] == 0) g->graph_of[v] = g->n_nodes++;
    g->node_of = malloc((g->n_nodes ? g->n_nodes : 1) * sizeof *g->node_of);
    if (!g->node_of) {
        rc = sim_error_set(err, SIM_ENOMEM, "routing graph");
        goto done;
    }
    /* Renumber the mode's nodes along a Hilbert curve: nodes close in space get close ids, so
     * a search touches few cache lines (docs/PERFORMANCE.md measures the gain). */
    {
        double *hx = malloc((g->n_nodes ? g->n_nodes : 1) * sizeof *hx);
        double *hy = malloc((g->n_nodes ? g->n_nodes : 1) * sizeof *hy);
        uint32_t *order = malloc((g->n_nodes ? g->n_nodes : 1) * sizeof *order);
        sim_status orc = (!hx || !hy || !order) ? SIM_ENOMEM : SIM_OK;
        if (!orc) {
            for (uint32_t v = 0; v < net->n_nodes; ++v)
                if (g->graph_of[v] != SIM_INVALID_ID) {
                    hx[g->graph_of[v]] = net->x[v];
                    hy[g->graph_of[v]] = net->y[v];
                }
            orc = sim_order_hilbert(hx, hy, g->n_nodes, order);
        }
        if (!orc) {
            /* order[k] = compact id of the k-th node on the curve */
            uint32_t *compact_to_net = hx ? (uint32_t *)g->node_of : NULL;
            for (uint32_t v = 0; v < net->n_nodes; ++v)
                if (g->graph_of[v] != SIM_INVALID_ID) compact_to_net[g->graph_of[v]] = v;
            for (uint32_t k = 0; k < g->n_nodes; ++k) g->graph_of[compact_to_net[order[k]]] = k;
        }
        free(hx);
        free(hy);
        free(order);
        if (orc) {
            rc = sim_error_set(err, orc, "ordering graph nodes: %s", sim_status_str(orc));
            goto done;
        }
    }
    arcs = malloc((n_arcs ? n_arcs : 1) * sizeof *arcs);
    arc_seg_in = malloc((n_arcs ? n_arcs : 1) * sizeof *arc_seg_in);
    g->arc_seg = malloc((n_arcs ? n_arcs : 1) * sizeof *g->arc_seg);
    fill = calloc((size_t)g->n_nodes + 1, sizeof *fill);
    if (!arcs || !arc_seg_in || !g->arc_seg || !fill) {
        rc = sim_error_set(err, SIM_ENOMEM, "routing graph");
        goto done;
    }
    for (uint32_t v = 0; v < net->n_nodes; ++v)
        if (g->graph_of[v] != SIM_INVALID_ID) g->node_of[g->graph_of[v]] = v;
    size_t k = 0;
    for (uint32_t s = 0; s < net->n_segs; ++s) {
        uint8_t a = net->seg_access[s];
        if (!(a & GEO_ACCESS_ANY(m))) continue;
        uint32_t t = seg_time_ds(net, s, m, time_factor);
        if (t == UINT32_MAX) continue;
        uint32_t u = g->graph_of[net->seg_u[s]], v = g->graph_of[net->seg_v[s]];
        if (a & GEO_ACCESS_FWD(m)) {
            arc_seg_in[k] = s;
            arcs[k++] = (sim_arc){u, v, t};
        }
        if (a & GEO_ACCESS_BWD(m)) {
            arc_seg_in[k] = s;
            arcs[k++] = (sim_arc){v, u, t};
        }
    }
    if ((rc = sim_graph_build(g->n_nodes, arcs, n_arcs, &g->fwd)) ||
        (rc = sim_graph_reverse(g->fwd, &g->rev))) {
        rc = sim_error_set(err, rc, "building the routing graph: %s", sim_status_str(rc));
        goto done;
    }
    /* sim_graph_build buckets arcs by tail, keeping input order: replay it for arc -> segment */
    memcpy(fill, sim_graph_first_out(g->fwd), ((size_t)g->n_nodes + 1) * sizeof *fill);
    for (size_t i = 0; i < n_arcs; ++i) g->arc_seg[fill[arcs[i].from]++] = arc_seg_in[i];
    *out = g;
    g = NULL;
done:
    free(arcs);
    free(arc_seg_in);
    free(fill);
    geo_mode_graph_destroy(g);
    return rc;
}

sim_status geo_mode_graph_copy(const geo_mode_graph *g, geo_mode_graph **out, sim_error *err) {
    *out = NULL;
    geo_mode_graph *c = calloc(1, sizeof *c);
    if (!c) return sim_error_set(err, SIM_ENOMEM, "copying the routing graph");
    c->mode = g->mode;
    c->n_nodes = g->n_nodes;
    c->n_net_nodes = g->n_net_nodes;
    size_t n_arcs = sim_graph_arc_count(g->fwd);
    c->node_of = dup_array(g->node_of, g->n_nodes, sizeof *c->node_of);
    c->graph_of = dup_array(g->graph_of, g->n_net_nodes, sizeof *c->graph_of);
    c->arc_seg = dup_array(g->arc_seg, n_arcs, sizeof *c->arc_seg);
    if (!c->node_of || !c->graph_of || !c->arc_seg || sim_graph_copy(g->fwd, &c->fwd) ||
        sim_graph_copy(g->rev, &c->rev)) {
        geo_mode_graph_destroy(c);
        return sim_error_set(err, SIM_ENOMEM, "copying the routing graph");
    }
    *out = c;
    return SIM_OK;
}

sim_status geo_mode_graph_reweight(geo_mode_graph *g, const geo_network *net, double time_factor,
                                   sim_error *err) {
    if (!(time_factor > 0) || !isfinite(time_factor))
        return sim_error_set(err, SIM_EINVAL, "re-weighting the routing graph: time factor %g",
                             time_factor);
    geo_mode m = g->mode;
    uint32_t n_arcs = sim_graph_arc_count(g->fwd);
    const uint32_t *first_out = sim_graph_first_out(g->fwd), *head = sim_graph_head(g->fwd);
    /* The network must still give exactly the arcs g has: as many (seg, direction) pairs with a
     * finite time as a build would count, and each arc of g one of them, between the same nodes.
     * Arcs of g are distinct pairs (one per direction per segment), so equal counts make equal
     * sets; node numbering depends only on which nodes the arcs touch and where they lie. */
    size_t want = 0;
    for (uint32_t s = 0; s < net->n_segs; ++s) {
        uint8_t a = net->seg_access[s];
        if (!(a & GEO_ACCESS_ANY(m)) || seg_time_ds(net, s, m, time_factor) == UINT32_MAX) continue;
        want += (a & GEO_ACCESS_FWD(m)) != 0;
        want += (a & GEO_ACCESS_BWD(m)) != 0;
    }
    if (want != n_arcs)
        return sim_error_set(err, SIM_EINVAL,
                             "re-weighting the routing graph: the network now gives %zu arcs for "
                             "mode %d where the graph has %u (segments closed or added: rebuild it)",
                             want, (int)m, n_arcs);
    uint32_t *time = malloc((n_arcs ? n_arcs : 1) * sizeof *time);
    uint32_t *old = malloc((n_arcs ? n_arcs : 1) * sizeof *old);
    sim_graph *rev = NULL;
    sim_status rc = SIM_OK;
    if (!time || !old) {
        rc = sim_error_set(err, SIM_ENOMEM, "re-weighting the routing graph");
        goto done;
    }
    for (uint32_t v = 0; v < g->n_nodes; ++v) {
        for (uint32_t a = first_out[v]; a < first_out[v + 1]; ++a) {
            uint32_t s = g->arc_seg[a], tail = g->node_of[v], hd = g->node_of[head[a]];
            int ok = s < net->n_segs;
            if (ok) {
                uint8_t acc = net->seg_access[s];
                ok = (tail == net->seg_u[s] && hd == net->seg_v[s] && (acc & GEO_ACCESS_FWD(m))) ||
                     (tail == net->seg_v[s] && hd == net->seg_u[s] && (acc & GEO_ACCESS_BWD(m)));
            }
            if (ok) ok = (time[a] = seg_time_ds(net, s, m, time_factor)) != UINT32_MAX;
            if (!ok) {
                rc = sim_error_set(err, SIM_EINVAL,
                                   "re-weighting the routing graph: arc %u (segment %u) no longer "
                                   "matches the network (rebuild the graph)",
                                   a, s);
                goto done;
            }
        }
    }
    memcpy(old, sim_graph_time_ds(g->fwd), (size_t)n_arcs * sizeof *old);
    sim_graph_set_times(g->fwd, time);
    /* the reverse graph is a pure function of fwd, as in geo_mode_graph_build_scaled */
    if ((rc = sim_graph_reverse(g->fwd, &rev))) {
        sim_graph_set_times(g->fwd, old);
        rc = sim_error_set(err, rc, "re-weighting the routing graph: %s", sim_status_str(rc));
        goto done;
    }
    sim_graph_destroy(g->rev);
    g->rev = rev;
done:
    free(time);
    free(old);
    return rc;
}
