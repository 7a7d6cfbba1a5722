/*
 * tests/geo/test_demo_city.c — geo/demo_city.c: the demo city's files, their contracts (counts,
 * CRS, topology, river, population, services, the bus feed) and determinism. Writes into a
 * mkdtemp folder and removes it. Distances are plain Euclidean metres in EPSG:32633.
 */
#define _POSIX_C_SOURCE 200809L

#include "check.h"
#include "geo/demo_city.h"
#include "geo/gtfs.h"
#include "test_util.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cpl_conv.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#define CITY_W 497000.0
#define CITY_E 503000.0
#define CITY_S 5797500.0
#define CITY_N 5802500.0

static const char *const KINDS[] = {"clinic", "school", "language_course", "legal_aid",
                                    "employment_office"};
static const int KIND_MIN[] = {12, 20, 4, 3, 3}, KIND_MAX[] = {20, 30, 8, 5, 5};
#define N_KINDS 5

/* ---- small helpers ------------------------------------------------------------------------ */

static char *join(const char *a, const char *b) {
    size_t n = strlen(a) + strlen(b) + 2;
    char *p = malloc(n);
    snprintf(p, n, "%s/%s", a, b);
    return p;
}

/** Opens dir/inputs/<stem>.gpkg read-only; *layer is the layer named <stem>. */
static GDALDatasetH open_layer(const char *dir, const char *stem, OGRLayerH *layer) {
    char path[1024];
    snprintf(path, sizeof path, "%s/inputs/%s.gpkg", dir, stem);
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    *layer = ds ? GDALDatasetGetLayerByName(ds, stem) : NULL;
    if (!*layer) fprintf(stderr, "cannot open %s layer %s: %s\n", path, stem, CPLGetLastErrorMsg());
    return ds;
}

static void check_crs(OGRLayerH layer) {
    OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(layer);
    CHECK(srs != NULL);
    if (!srs) return;
    CHECK(OSRIsProjected(srs));
    CHECK_STR_EQ(OSRGetAuthorityName(srs, NULL), "EPSG");
    CHECK_STR_EQ(OSRGetAuthorityCode(srs, NULL), "32633");
}

/** Every feature of a layer as text: fields (or <null>) and WKT, one line each. */
static char *layer_dump(const char *dir, const char *stem) {
    OGRLayerH layer;
    GDALDatasetH ds = open_layer(dir, stem, &layer);
    size_t len = 0, cap = 1 << 16;
    char *out = malloc(cap);
    out[0] = '\0';
    if (layer) {
        OGRFeatureH f;
        OGR_L_ResetReading(layer);
        while ((f = OGR_L_GetNextFeature(layer))) {
            char line[4096];
            int n = 0;
            for (int k = 0; k < OGR_F_GetFieldCount(f); ++k)
                n += snprintf(line + n, sizeof line - (size_t)n, "%s|",
                              OGR_F_IsFieldSetAndNotNull(f, k) ? OGR_F_GetFieldAsString(f, k)
                                                               : "<null>");
            char *wkt = NULL;
            OGR_G_ExportToWkt(OGR_F_GetGeometryRef(f), &wkt);
            size_t need = len + (size_t)n + strlen(wkt) + 2;
            while (need + 1 > cap) out = realloc(out, cap *= 2);
            len += (size_t)sprintf(out + len, "%s%s\n", line, wkt);
            CPLFree(wkt);
            OGR_F_Destroy(f);
        }
    }
    if (ds) GDALClose(ds);
    return out;
}

static char *city_dump(const char *dir) {
    static const char *const STEMS[] = {"streets", "neighbourhoods", "services", "river"};
    size_t len = 0;
    char *all = NULL;
    for (int k = 0; k < 4; ++k) {
        char *d = layer_dump(dir, STEMS[k]);
        size_t n = strlen(d);
        all = realloc(all, len + n + 1);
        memcpy(all + len, d, n + 1);
        len += n;
        free(d);
    }
    return all;
}

/* ---- the street network ------------------------------------------------------------------- */

typedef struct {
    double x, y;
} pt;

typedef struct {
    pt a, b;
    int line, index; /* feature, and segment number within it */
} seg;

typedef struct {
    pt *v; /* vertices */
    int n;
    char highway[16], name[64];
    int bridge;
    int river_bridge;
} line;

typedef struct {
    line *lines;
    int n_lines;
    seg *segs;
    int n_segs;
} network;

static void network_free(network *net) {
    for (int k = 0; k < net->n_lines; ++k) free(net->lines[k].v);
    free(net->lines);
    free(net->segs);
}

static OGRGeometryH read_river(const char *dir) {
    OGRLayerH layer;
    GDALDatasetH ds = open_layer(dir, "river", &layer);
    OGRGeometryH river = NULL;
    if (layer) {
        CHECK_EQ_INT(OGR_L_GetFeatureCount(layer, TRUE), 1);
        check_crs(layer);
        OGRFeatureH f = OGR_L_GetNextFeature(layer);
        if (f) {
            river = OGR_G_Clone(OGR_F_GetGeometryRef(f));
            CHECK_EQ_INT(wkbFlatten(OGR_G_GetGeometryType(river)), wkbPolygon);
            CHECK(OGR_G_IsValid(river));
            OGR_F_Destroy(f);
        }
    }
    if (ds) GDALClose(ds);
    return river;
}

/** Reads the streets, checking attributes and the river crossings on the way. */
static void read_streets(const char *dir, OGRGeometryH river, network *net) {
    static const char *const HIGHWAYS[] = {"primary",     "secondary", "tertiary",
                                           "residential", "footway",   "service"};
    memset(net, 0, sizeof *net);
    OGRLayerH layer;
    GDALDatasetH ds = open_layer(dir, "streets", &layer);
    if (!layer) return;
    check_crs(layer);
    CHECK_EQ_INT(wkbFlatten(OGR_L_GetGeomType(layer)), wkbLineString);
    long long n = OGR_L_GetFeatureCount(layer, TRUE);
    CHECK(n >= 4000 && n <= 10000);
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    int f_id = OGR_FD_GetFieldIndex(defn, "id"), f_hw = OGR_FD_GetFieldIndex(defn, "highway");
    int f_name = OGR_FD_GetFieldIndex(defn, "name"), f_br = OGR_FD_GetFieldIndex(defn, "bridge");
    CHECK(f_id >= 0 && f_hw >= 0 && f_name >= 0 && f_br >= 0);
    if (f_id < 0 || f_hw < 0 || f_name < 0 || f_br < 0) goto done;
    CHECK_EQ_INT(OGR_Fld_GetType(OGR_FD_GetFieldDefn(defn, f_id)), OFTInteger);

    net->lines = calloc((size_t)n, sizeof *net->lines);
    size_t cap_segs = 4 * (size_t)n;
    net->segs = malloc(cap_segs * sizeof *net->segs);
    int bad_hw = 0, bad_bridge = 0, bad_id = 0, crossing = 0, outside = 0, hw_seen[6] = {0};
    OGRFeatureH f;
    OGR_L_ResetReading(layer);
    while ((f = OGR_L_GetNextFeature(layer)) && net->n_lines < n) {
        line *l = &net->lines[net->n_lines];
        bad_id += OGR_F_GetFieldAsInteger(f, f_id) != net->n_lines + 1;
        snprintf(l->highway, sizeof l->highway, "%s", OGR_F_GetFieldAsString(f, f_hw));
        int known = 0;
        for (int k = 0; k < 6; ++k)
            if (!strcmp(l->highway, HIGHWAYS[k])) known = 1, hw_seen[k] = 1;
        bad_hw += !known;
        if (OGR_F_IsFieldSetAndNotNull(f, f_name))
            snprintf(l->name, sizeof l->name, "%s", OGR_F_GetFieldAsString(f, f_name));
        if (OGR_F_IsFieldSetAndNotNull(f, f_br)) {
            l->bridge = 1;
            bad_bridge += strcmp(OGR_F_GetFieldAsString(f, f_br), "yes") != 0;
        }
        OGRGeometryH g = OGR_F_GetGeometryRef(f);
        l->n = OGR_G_GetPointCount(g);
        l->v = malloc((size_t)l->n * sizeof *l->v);
        for (int k = 0; k < l->n; ++k) {
            l->v[k].x = OGR_G_GetX(g, k);
            l->v[k].y = OGR_G_GetY(g, k);
            outside += l->v[k].x < CITY_W || l->v[k].x > CITY_E || l->v[k].y < CITY_S ||
                       l->v[k].y > CITY_N;
        }
        if (river && OGR_G_Intersects(g, river)) {
            if (l->bridge)
                l->river_bridge = 1;
            else
                ++crossing;
        }
        for (int k = 0; k + 1 < l->n; ++k) {
            if ((size_t)net->n_segs == cap_segs)
                net->segs = realloc(net->segs, (cap_segs *= 2) * sizeof *net->segs);
            net->segs[net->n_segs++] = (seg){l->v[k], l->v[k + 1], net->n_lines, k};
        }
        ++net->n_lines;
        OGR_F_Destroy(f);
    }
    CHECK_EQ_INT(net->n_lines, n);
    CHECK_EQ_INT(bad_id, 0);
    CHECK_EQ_INT(bad_hw, 0);
    CHECK_EQ_INT(bad_bridge, 0);
    CHECK_EQ_INT(outside, 0);
    CHECK_EQ_INT(crossing, 0); /* no street but a bridge touches the river */
    for (int k = 0; k < 6; ++k) CHECK(hw_seen[k]);
    int river_bridges = 0;
    for (int k = 0; k < net->n_lines; ++k) river_bridges += net->lines[k].river_bridge;
    CHECK(river_bridges >= 3 && river_bridges <= 4);
done:
    GDALClose(ds);
}

static double orient(pt a, pt b, pt p) {
    return (b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x);
}

static int on_box(pt a, pt b, pt p) {
    return fmin(a.x, b.x) <= p.x && p.x <= fmax(a.x, b.x) && fmin(a.y, b.y) <= p.y &&
           p.y <= fmax(a.y, b.y);
}

static int meet(pt a, pt b, pt p, pt q) {
    double d1 = orient(p, q, a), d2 = orient(p, q, b), d3 = orient(a, b, p), d4 = orient(a, b, q);
    if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)))
        return 1;
    return (d1 == 0 && on_box(p, q, a)) || (d2 == 0 && on_box(p, q, b)) ||
           (d3 == 0 && on_box(a, b, p)) || (d4 == 0 && on_box(a, b, q));
}

static int same_pt(pt a, pt b) { return a.x == b.x && a.y == b.y; }

static int is_line_end(const line *l, pt p) {
    return same_pt(l->v[0], p) || same_pt(l->v[l->n - 1], p);
}

/** Whether segments s and t (which meet) meet legally: at a shared vertex that ends both lines,
 * and nowhere else (not collinear). */
static int legal_meeting(const network *net, const seg *s, const seg *t) {
    if (s->line == t->line) return abs(s->index - t->index) == 1; /* consecutive */
    const line *ls = &net->lines[s->line], *lt = &net->lines[t->line];
    pt shared;
    if (same_pt(s->a, t->a) || same_pt(s->a, t->b))
        shared = s->a;
    else if (same_pt(s->b, t->a) || same_pt(s->b, t->b))
        shared = s->b;
    else
        return 0;
    pt s_other = same_pt(s->a, shared) ? s->b : s->a, t_other = same_pt(t->a, shared) ? t->b : t->a;
    if (orient(shared, s_other, t_other) == 0) return 0; /* collinear: they overlap */
    return is_line_end(ls, shared) && is_line_end(lt, shared);
}

#define BUCKET_M 100.0
#define BUCKETS_X ((int)((CITY_E - CITY_W) / BUCKET_M) + 1)
#define BUCKETS_Y ((int)((CITY_N - CITY_S) / BUCKET_M) + 1)

static int bucket_of(double v, double lo, int n) {
    int b = (int)floor((v - lo) / BUCKET_M);
    return b < 0 ? 0 : b >= n ? n - 1 : b;
}

/** Lines meet only at their endpoints, except bridges. */
static void check_planar(const network *net) {
    int nb = BUCKETS_X * BUCKETS_Y;
    int *count = calloc((size_t)nb + 1, sizeof *count), *fill = calloc((size_t)nb, sizeof *fill);
    for (int pass = 0; pass < 2; ++pass) {
        int *items = pass ? malloc((size_t)count[nb] * sizeof *items) : NULL;
        for (int k = 0; k < net->n_segs; ++k) {
            const seg *s = &net->segs[k];
            int x0 = bucket_of(fmin(s->a.x, s->b.x), CITY_W, BUCKETS_X);
            int x1 = bucket_of(fmax(s->a.x, s->b.x), CITY_W, BUCKETS_X);
            int y0 = bucket_of(fmin(s->a.y, s->b.y), CITY_S, BUCKETS_Y);
            int y1 = bucket_of(fmax(s->a.y, s->b.y), CITY_S, BUCKETS_Y);
            for (int by = y0; by <= y1; ++by)
                for (int bx = x0; bx <= x1; ++bx) {
                    int b = by * BUCKETS_X + bx;
                    if (pass)
                        items[count[b] + fill[b]++] = k;
                    else
                        ++count[b + 1];
                }
        }
        if (!pass) {
            for (int b = 0; b < nb; ++b) count[b + 1] += count[b];
            continue;
        }
        int illegal = 0;
        for (int b = 0; b < nb; ++b)
            for (int p = count[b]; p < count[b + 1]; ++p)
                for (int q = p + 1; q < count[b + 1]; ++q) {
                    const seg *s = &net->segs[items[p]], *t = &net->segs[items[q]];
                    if (net->lines[s->line].bridge || net->lines[t->line].bridge) continue;
                    if (!meet(s->a, s->b, t->a, t->b) || legal_meeting(net, s, t)) continue;
                    if (illegal++ < 3)
                        fprintf(stderr, "lines %d and %d meet illegally near %.2f %.2f\n",
                                s->line + 1, t->line + 1, s->a.x, s->a.y);
                }
        CHECK_EQ_INT(illegal, 0);
        free(items);
    }
    free(count);
    free(fill);
}

typedef struct {
    pt p;
    int line, end; /* end 0: first vertex, 1: last */
} line_end;

static int end_cmp(const void *pa, const void *pb) {
    const line_end *a = pa, *b = pb;
    if (a->p.x != b->p.x) return a->p.x < b->p.x ? -1 : 1;
    if (a->p.y != b->p.y) return a->p.y < b->p.y ? -1 : 1;
    return a->line - b->line;
}

static int uf_find(int *parent, int x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
}

static int same_attrs(const line *a, const line *b) {
    return !strcmp(a->highway, b->highway) && !strcmp(a->name, b->name) && a->bridge == b->bridge;
}

/** Endpoints: distinct ones at least 0.5 m apart; one connected network; lines merged through
 * pass-through points (two lines with the same attributes never meet end to end alone). */
static void check_endpoints(const network *net) {
    int n = 2 * net->n_lines;
    line_end *e = malloc((size_t)n * sizeof *e);
    for (int k = 0; k < net->n_lines; ++k) {
        e[2 * k] = (line_end){net->lines[k].v[0], k, 0};
        e[2 * k + 1] = (line_end){net->lines[k].v[net->lines[k].n - 1], k, 1};
    }
    qsort(e, (size_t)n, sizeof *e, end_cmp);
    int *parent = malloc((size_t)net->n_lines * sizeof *parent);
    for (int k = 0; k < net->n_lines; ++k) parent[k] = k;
    int too_close = 0, unmerged = 0;
    for (int k = 0; k < n;) {
        int m = k;
        while (m < n && same_pt(e[m].p, e[k].p)) ++m; /* [k, m): one point */
        for (int q = k + 1; q < m; ++q)
            parent[uf_find(parent, e[q].line)] = uf_find(parent, e[k].line);
        for (int q = m; q < n && e[q].p.x - e[k].p.x < 0.5; ++q)
            too_close += hypot(e[q].p.x - e[k].p.x, e[q].p.y - e[k].p.y) < 0.5;
        if (m - k == 2 && e[k].line != e[k + 1].line) {
            const line *a = &net->lines[e[k].line], *b = &net->lines[e[k + 1].line];
            /* A loop split in two shares both ends; anything else should have been merged. */
            int both = (same_pt(a->v[0], b->v[0]) && same_pt(a->v[a->n - 1], b->v[b->n - 1])) ||
                       (same_pt(a->v[0], b->v[b->n - 1]) && same_pt(a->v[a->n - 1], b->v[0]));
            unmerged += same_attrs(a, b) && !both;
        }
        k = m;
    }
    int components = 0, closed = 0;
    for (int k = 0; k < net->n_lines; ++k) {
        components += uf_find(parent, k) == k;
        closed += same_pt(net->lines[k].v[0], net->lines[k].v[net->lines[k].n - 1]);
    }
    CHECK_EQ_INT(too_close, 0);
    CHECK_EQ_INT(components, 1);
    CHECK_EQ_INT(unmerged, 0);
    CHECK_EQ_INT(closed, 0);
    free(e);
    free(parent);
}

static double point_segment_m(pt p, pt a, pt b) {
    double dx = b.x - a.x, dy = b.y - a.y, l2 = dx * dx + dy * dy;
    double t = l2 > 0 ? ((p.x - a.x) * dx + (p.y - a.y) * dy) / l2 : 0;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    return hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
}

/* ---- neighbourhoods and services ---------------------------------------------------------- */

typedef struct {
    char id[16];
    int pop_total, pop_migrant;
    pt centroid;
    double area_m2;
    OGRGeometryH geom;
    int arrival;
} area;

typedef struct {
    int kind;
    pt p;
    OGRGeometryH geom;
} service;

static int read_areas(const char *dir, area **out) {
    OGRLayerH layer;
    GDALDatasetH ds = open_layer(dir, "neighbourhoods", &layer);
    *out = NULL;
    if (!layer) return 0;
    check_crs(layer);
    int n = (int)OGR_L_GetFeatureCount(layer, TRUE);
    CHECK(n >= 20 && n <= 40);
    area *a = calloc((size_t)n, sizeof *a);
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    int f_id = OGR_FD_GetFieldIndex(defn, "area_id"), f_name = OGR_FD_GetFieldIndex(defn, "name");
    int f_tot = OGR_FD_GetFieldIndex(defn, "pop_total"),
        f_mig = OGR_FD_GetFieldIndex(defn, "pop_migrant");
    CHECK(f_id >= 0 && f_name >= 0 && f_tot >= 0 && f_mig >= 0);
    CHECK_EQ_INT(OGR_Fld_GetType(OGR_FD_GetFieldDefn(defn, f_tot)), OFTInteger);
    CHECK_EQ_INT(OGR_Fld_GetType(OGR_FD_GetFieldDefn(defn, f_mig)), OFTInteger);
    OGRFeatureH f;
    int k = 0, bad_pop = 0, bad_geom = 0;
    OGR_L_ResetReading(layer);
    while (k < n && (f = OGR_L_GetNextFeature(layer))) {
        snprintf(a[k].id, sizeof a[k].id, "%s", OGR_F_GetFieldAsString(f, f_id));
        char want[16];
        snprintf(want, sizeof want, "N%02d", k + 1);
        CHECK_STR_EQ(a[k].id, want);
        CHECK(strlen(OGR_F_GetFieldAsString(f, f_name)) > 0);
        a[k].pop_total = OGR_F_GetFieldAsInteger(f, f_tot);
        a[k].pop_migrant = OGR_F_GetFieldAsInteger(f, f_mig);
        bad_pop += a[k].pop_total <= 0 || a[k].pop_migrant < 0 || a[k].pop_migrant > a[k].pop_total;
        a[k].geom = OGR_G_Clone(OGR_F_GetGeometryRef(f));
        bad_geom +=
            wkbFlatten(OGR_G_GetGeometryType(a[k].geom)) != wkbPolygon || !OGR_G_IsValid(a[k].geom);
        a[k].area_m2 = OGR_G_Area(a[k].geom);
        OGRGeometryH c = OGR_G_CreateGeometry(wkbPoint);
        OGR_G_Centroid(a[k].geom, c);
        a[k].centroid = (pt){OGR_G_GetX(c, 0), OGR_G_GetY(c, 0)};
        OGR_G_DestroyGeometry(c);
        a[k].arrival = a[k].pop_migrant >= 0.35 * a[k].pop_total;
        OGR_F_Destroy(f);
        ++k;
    }
    CHECK_EQ_INT(k, n);
    CHECK_EQ_INT(bad_pop, 0);
    CHECK_EQ_INT(bad_geom, 0);
    GDALClose(ds);
    *out = a;
    return k;
}

static int read_services(const char *dir, service **out) {
    OGRLayerH layer;
    GDALDatasetH ds = open_layer(dir, "services", &layer);
    *out = NULL;
    if (!layer) return 0;
    check_crs(layer);
    CHECK_EQ_INT(wkbFlatten(OGR_L_GetGeomType(layer)), wkbPoint);
    int n = (int)OGR_L_GetFeatureCount(layer, TRUE);
    service *s = calloc((size_t)n, sizeof *s);
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    int f_id = OGR_FD_GetFieldIndex(defn, "service_id"),
        f_kind = OGR_FD_GetFieldIndex(defn, "kind");
    int f_name = OGR_FD_GetFieldIndex(defn, "name"), f_cap = OGR_FD_GetFieldIndex(defn, "capacity");
    CHECK(f_id >= 0 && f_kind >= 0 && f_name >= 0 && f_cap >= 0);
    CHECK_EQ_INT(OGR_Fld_GetType(OGR_FD_GetFieldDefn(defn, f_cap)), OFTInteger);
    int per_kind[N_KINDS] = {0}, bad_kind = 0, bad_cap = 0, bad_id = 0, k = 0;
    OGRFeatureH f;
    OGR_L_ResetReading(layer);
    while (k < n && (f = OGR_L_GetNextFeature(layer))) {
        const char *kind = OGR_F_GetFieldAsString(f, f_kind);
        s[k].kind = -1;
        for (int q = 0; q < N_KINDS; ++q)
            if (!strcmp(kind, KINDS[q])) s[k].kind = q;
        bad_kind += s[k].kind < 0;
        if (s[k].kind >= 0) {
            char want[48];
            snprintf(want, sizeof want, "%s-%02d", KINDS[s[k].kind], ++per_kind[s[k].kind]);
            bad_id += strcmp(OGR_F_GetFieldAsString(f, f_id), want) != 0;
        }
        bad_cap += OGR_F_GetFieldAsInteger(f, f_cap) <= 0;
        CHECK(strlen(OGR_F_GetFieldAsString(f, f_name)) > 0);
        s[k].geom = OGR_G_Clone(OGR_F_GetGeometryRef(f));
        s[k].p = (pt){OGR_G_GetX(s[k].geom, 0), OGR_G_GetY(s[k].geom, 0)};
        OGR_F_Destroy(f);
        ++k;
    }
    CHECK_EQ_INT(bad_kind, 0);
    CHECK_EQ_INT(bad_cap, 0);
    CHECK_EQ_INT(bad_id, 0);
    for (int q = 0; q < N_KINDS; ++q) {
        if (per_kind[q] < KIND_MIN[q] || per_kind[q] > KIND_MAX[q])
            fprintf(stderr, "%s: %d services\n", KINDS[q], per_kind[q]);
        CHECK(per_kind[q] >= KIND_MIN[q] && per_kind[q] <= KIND_MAX[q]);
    }
    GDALClose(ds);
    *out = s;
    return k;
}

static int by_distance_from_centre(const void *pa, const void *pb) {
    const area *a = pa, *b = pb;
    double ra = hypot(a->centroid.x - 500000.0, a->centroid.y - 5800000.0);
    double rb = hypot(b->centroid.x - 500000.0, b->centroid.y - 5800000.0);
    return (ra > rb) - (ra < rb);
}

static void check_people_and_services(const char *dir, const network *net, OGRGeometryH river) {
    area *a;
    service *s;
    int na = read_areas(dir, &a), ns = read_services(dir, &s);
    if (!na || !ns) goto done;

    /* The areas tile the 6 x 5 km city: areas add up, and so does their union (no overlaps). */
    double sum = 0;
    OGRGeometryH all = OGR_G_CreateGeometry(wkbMultiPolygon);
    for (int k = 0; k < na; ++k) {
        sum += a[k].area_m2;
        OGR_G_AddGeometry(all, a[k].geom);
    }
    OGRGeometryH u = OGR_G_UnionCascaded(all);
    CHECK_NEAR(sum, 30e6, 30e6 * 1e-3);
    CHECK(u != NULL);
    if (u) CHECK_NEAR(OGR_G_Area(u), 30e6, 30e6 * 1e-3);
    OGR_G_DestroyGeometry(u);
    OGR_G_DestroyGeometry(all);

    /* Migrant shares: 3-5 arrival areas at >= 35%, the rest at most 20%. */
    int arrivals = 0, high_elsewhere = 0;
    for (int k = 0; k < na; ++k) {
        arrivals += a[k].arrival;
        high_elsewhere += !a[k].arrival && a[k].pop_migrant > 0.20 * a[k].pop_total;
    }
    CHECK(arrivals >= 3 && arrivals <= 5);
    CHECK_EQ_INT(high_elsewhere, 0);

    /* Denser in the centre: the five most central areas vs the five least. */
    area *sorted = malloc((size_t)na * sizeof *sorted);
    memcpy(sorted, a, (size_t)na * sizeof *sorted);
    qsort(sorted, (size_t)na, sizeof *sorted, by_distance_from_centre);
    double inner = 0, outer = 0;
    for (int k = 0; k < 5; ++k) {
        inner += sorted[k].pop_total / sorted[k].area_m2 / 5;
        outer += sorted[na - 1 - k].pop_total / sorted[na - 1 - k].area_m2 / 5;
    }
    CHECK(inner > 1.5 * outer);
    free(sorted);

    /* Services: near a street, in the city, not in the river; arrival areas get only schools. */
    int far = 0, wet = 0, outside = 0, in_arrival = 0;
    for (int k = 0; k < ns; ++k) {
        double best = INFINITY;
        for (int q = 0; q < net->n_segs; ++q)
            best = fmin(best, point_segment_m(s[k].p, net->segs[q].a, net->segs[q].b));
        far += best > 30.0;
        wet += river && OGR_G_Intersects(s[k].geom, river);
        outside +=
            s[k].p.x <= CITY_W || s[k].p.x >= CITY_E || s[k].p.y <= CITY_S || s[k].p.y >= CITY_N;
        for (int q = 0; q < na; ++q)
            in_arrival += a[q].arrival && s[k].kind != 1 && OGR_G_Contains(a[q].geom, s[k].geom);
    }
    CHECK_EQ_INT(far, 0);
    CHECK_EQ_INT(wet, 0);
    CHECK_EQ_INT(outside, 0);
    CHECK_EQ_INT(in_arrival, 0);

    /* Arrival areas are farther from a clinic than the city's average resident. */
    double weighted = 0, pop = 0, arrival_mean = 0;
    for (int k = 0; k < na; ++k) {
        double d = INFINITY;
        for (int q = 0; q < ns; ++q)
            if (s[q].kind == 0)
                d = fmin(d, hypot(s[q].p.x - a[k].centroid.x, s[q].p.y - a[k].centroid.y));
        weighted += d * a[k].pop_total;
        pop += a[k].pop_total;
        if (a[k].arrival) arrival_mean += d / arrivals;
    }
    weighted /= pop;
    CHECK(arrival_mean > weighted);
done:
    for (int k = 0; k < na; ++k) OGR_G_DestroyGeometry(a[k].geom);
    for (int k = 0; k < ns; ++k) OGR_G_DestroyGeometry(s[k].geom);
    free(a);
    free(s);
}

static void check_scenario_file(const char *dir, uint64_t seed) {
    char *path = join(dir, "demo.yaml");
    char *text = tu_read_file(path);
    CHECK(text != NULL);
    if (text) {
        char seed_text[64];
        snprintf(seed_text, sizeof seed_text, "seed %llu", (unsigned long long)seed);
        CHECK(text[0] == '#');
        CHECK_STR_CONTAINS(text, seed_text);
        CHECK_STR_CONTAINS(text, "\nname: demo\n");
        CHECK_STR_CONTAINS(text, "network: { source: inputs/streets.gpkg, layer: streets, "
                                 "modes: [walk, bike, car, transit] }");
        CHECK_STR_CONTAINS(text, "population:\n  source: inputs/neighbourhoods.gpkg\n  layer: "
                                 "neighbourhoods\n  id: area_id\n  groups:\n    everyone: "
                                 "pop_total\n    migrants: { field: pop_migrant, modes: [walk, "
                                 "bike, transit] }\n");
        CHECK_STR_CONTAINS(text,
                           "\ntransit:\n  feeds: [inputs/gtfs]\n  date: " GEO_DEMO_CITY_SERVICE_DATE
                           " # a Tuesday\n  window: \"08:00-09:00\"\n  percentiles: [50]\n");
        CHECK_STR_CONTAINS(text, "#   line 3, ");
        CHECK(strstr(text, "an arrival neighbourhood)\n") ||
              strstr(text, "arrival neighbourhoods)\n"));
        CHECK_STR_CONTAINS(text,
                           "services: { source: inputs/services.gpkg, layer: services, "
                           "type_field: kind, id: service_id, capacity: capacity, kinds: "
                           "[clinic, school, language_course, legal_aid, employment_office] }");
        CHECK_STR_CONTAINS(text, "output: { grid_m: 100, thresholds_min: [15, 30] }");
    }
    free(text);
    free(path);
}

/* ---- the bus feed ------------------------------------------------------------------------- */

static const char *const GTFS_FILES[] = {"agency.txt",         "stops.txt",      "routes.txt",
                                         "trips.txt",          "stop_times.txt", "calendar.txt",
                                         "calendar_dates.txt", "frequencies.txt"};
#define N_GTFS_FILES 8
#define N_LINES 3

/* The service demo_city.h promises, per line (both directions alike): periods in minutes after
 * midnight, with departures at start, start + headway, ... before end. */
static const struct {
    int start_min, end_min, headway_min;
} PERIODS[N_LINES][2] = {
    {{6 * 60, 20 * 60, 8}, {20 * 60, 23 * 60, 15}},
    {{6 * 60, 20 * 60, 10}, {20 * 60, 23 * 60, 20}},
    {{6 * 60, 22 * 60, 30}, {0, 0, 0}},
};
static const int FROM_FREQUENCIES[N_LINES] = {0, 1, 0};

/** Trips of line `l` on a weekday, both directions. */
static size_t line_trips(int l) {
    size_t n = 0;
    for (int p = 0; p < 2; ++p)
        if (PERIODS[l][p].headway_min) {
            int span = PERIODS[l][p].end_min - PERIODS[l][p].start_min;
            n += (size_t)((span + PERIODS[l][p].headway_min - 1) / PERIODS[l][p].headway_min);
        }
    return 2 * n;
}

/** Loads dir/inputs/gtfs for `date`; *n_warnings gets the number of warnings. */
static sim_status load_feed(const char *dir, const char *date, geo_gtfs **out, size_t *n_warnings) {
    char path[1024];
    snprintf(path, sizeof path, "%s/inputs/gtfs", dir);
    const char *paths[1] = {path};
    sim_warnings warn = {0};
    sim_error err = {0};
    sim_status rc = geo_gtfs_load(paths, 1, date, &warn, out, &err);
    if (rc != SIM_OK && rc != SIM_EINVAL) fprintf(stderr, "%s: %s\n", path, err.msg);
    *n_warnings = warn.n;
    for (size_t k = 0; k < warn.n; ++k)
        fprintf(stderr, "%s: warning: %s (%zu)\n", path, warn.items[k].what, warn.items[k].count);
    sim_warnings_clear(&warn);
    return rc;
}

/** The feed's files, its trips on the service date (as many as the headways give), the days it
 * does not run, stops on the streets, speeds, spacing, and line 3 in the largest arrival area. */
static void check_gtfs(const char *dir, const network *net) {
    char gtfs_dir[1024];
    snprintf(gtfs_dir, sizeof gtfs_dir, "%s/inputs/gtfs", dir);
    CHECK_EQ_INT(tu_count_entries(gtfs_dir, NULL, 0), N_GTFS_FILES); /* no temporaries */
    for (int k = 0; k < N_GTFS_FILES; ++k) {
        char *path = join(gtfs_dir, GTFS_FILES[k]);
        char *text = tu_read_file(path);
        CHECK(text != NULL && strchr(text, '\n') != NULL && !strchr(text, '\r'));
        free(text);
        free(path);
    }

    geo_gtfs *g = NULL;
    size_t n_warn = 0;
    CHECK_EQ_INT(load_feed(dir, GEO_DEMO_CITY_SERVICE_DATE, &g, &n_warn), SIM_OK);
    if (!g) return;
    CHECK_EQ_INT(n_warn, 0);
    size_t n_feeds = 0;
    const geo_gtfs_feed_info *fi = geo_gtfs_feeds(g, &n_feeds);
    CHECK_EQ_INT(n_feeds, 1);
    CHECK_STR_EQ(fi[0].name, "gtfs");
    CHECK_STR_EQ(fi[0].first_date, GEO_DEMO_CITY_FEED_START);
    CHECK_STR_EQ(fi[0].last_date, GEO_DEMO_CITY_FEED_END);
    geo_gtfs_counts n = geo_gtfs_total_counts(g);
    size_t want_trips = 0, want_freq = 0;
    for (int l = 0; l < N_LINES; ++l) {
        want_trips += line_trips(l);
        if (FROM_FREQUENCIES[l]) want_freq += line_trips(l);
    }
    CHECK_EQ_INT(want_trips, 484); /* as demo_city.h says */
    CHECK_EQ_INT(n.trips, want_trips);
    CHECK_EQ_INT(n.frequency_trips, want_freq);
    CHECK_EQ_INT(n.previous_day_trips, 0);
    CHECK_EQ_INT(n.routes, N_LINES);
    CHECK_EQ_INT(n.stations, 0);
    CHECK(n.stops >= 25 && n.stops <= 80);

    /* Routes "gtfs:1".."gtfs:3", buses, with their own trips. */
    const geo_gtfs_route *routes = geo_gtfs_routes(g);
    int line_of_route[N_LINES] = {-1, -1, -1};
    for (uint32_t r = 0; r < geo_gtfs_route_count(g) && r < N_LINES; ++r) {
        CHECK_EQ_INT(routes[r].route_type, 3);
        CHECK(strlen(routes[r].long_name) > 0);
        for (int l = 0; l < N_LINES; ++l) {
            char id[16];
            snprintf(id, sizeof id, "gtfs:%d", l + 1);
            if (!strcmp(routes[r].id, id)) line_of_route[r] = l;
        }
        CHECK(line_of_route[r] >= 0);
    }

    /* Stops, in EPSG:32633, each on a street (within 1 m: the feed rounds to 1e-7 degrees). */
    uint32_t ns = geo_gtfs_stop_count(g);
    const geo_gtfs_stop *stops = geo_gtfs_stops(g);
    pt *at = calloc(ns ? ns : 1, sizeof *at);
    OGRSpatialReferenceH wgs = OSRNewSpatialReference(NULL), utm = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(wgs, 4326);
    OSRImportFromEPSG(utm, GEO_DEMO_CITY_EPSG);
    OSRSetAxisMappingStrategy(wgs, OAMS_TRADITIONAL_GIS_ORDER);
    OSRSetAxisMappingStrategy(utm, OAMS_TRADITIONAL_GIS_ORDER);
    OGRCoordinateTransformationH ct = OCTNewCoordinateTransformation(wgs, utm);
    CHECK(ct != NULL);
    int off_street = 0;
    for (uint32_t s = 0; s < ns && ct; ++s) {
        double x = stops[s].lon, y = stops[s].lat;
        CHECK(OCTTransform(ct, 1, &x, &y, NULL));
        at[s] = (pt){x, y};
        double best = INFINITY;
        for (int q = 0; q < net->n_segs; ++q)
            best = fmin(best, point_segment_m(at[s], net->segs[q].a, net->segs[q].b));
        if (best > 1.0) {
            fprintf(stderr, "stop %s is %.2f m from the nearest street\n", stops[s].id, best);
            ++off_street;
        }
    }
    CHECK_EQ_INT(off_street, 0);

    /* Trips: per line as many as the headways give; about 20 km/h door to door (straight lines
     * between stops, so a little less than along the streets); stops 300-500 m apart on average,
     * none closer than 100 m or farther than 900 m (a bridge). */
    size_t nt = geo_gtfs_trip_count(g), per_line[N_LINES] = {0};
    const sim_trip *trips = geo_gtfs_trips(g);
    const geo_gtfs_trip_info *info = geo_gtfs_trip_infos(g);
    int slow = 0, badly_spaced = 0, shared_1_2 = 0, bad_times = 0;
    for (size_t k = 0; k < nt; ++k) {
        const sim_trip *tr = &trips[k];
        int l = tr->route_ref < N_LINES ? line_of_route[tr->route_ref] : -1;
        CHECK(l >= 0);
        if (l < 0) continue;
        ++per_line[l];
        bad_times += info[k].from_frequency != FROM_FREQUENCIES[l];
        double len_m = 0, min_m = INFINITY, max_m = 0;
        for (uint32_t q = 0; q + 1 < tr->n_stops; ++q) {
            pt a = at[tr->stops[q]], b = at[tr->stops[q + 1]];
            double d = hypot(b.x - a.x, b.y - a.y);
            len_m += d;
            min_m = fmin(min_m, d);
            max_m = fmax(max_m, d);
            bad_times += tr->dep_s[q] < tr->arr_s[q] || tr->arr_s[q + 1] <= tr->dep_s[q];
        }
        double kmh = len_m / (tr->arr_s[tr->n_stops - 1] - tr->dep_s[0]) * 3.6;
        double mean_m = len_m / (tr->n_stops - 1);
        if (kmh < 16 || kmh > 22) {
            if (slow++ < 3) fprintf(stderr, "trip %s: %.1f km/h\n", info[k].id, kmh);
        }
        if (mean_m < 300 || mean_m > 500 || min_m < 100 || max_m > 900) {
            if (badly_spaced++ < 3)
                fprintf(stderr, "trip %s: stops %.0f m apart on average, %.0f to %.0f m\n",
                        info[k].id, mean_m, min_m, max_m);
        }
        CHECK(tr->n_stops >= 8);
        CHECK(tr->dep_s[0] >= 6 * 3600 && tr->arr_s[tr->n_stops - 1] < 24 * 3600);
    }
    for (int l = 0; l < N_LINES; ++l) CHECK_EQ_INT(per_line[l], line_trips(l));
    CHECK_EQ_INT(slow, 0);
    CHECK_EQ_INT(badly_spaced, 0);
    CHECK_EQ_INT(bad_times, 0);

    /* Lines 1 and 2 share a stop at the central crossing; line 3 starts (direction 0: its first
     * trip) in the arrival neighbourhood with the most migrants. */
    const sim_trip *first[N_LINES] = {NULL};
    for (size_t k = 0; k < nt; ++k) {
        int l = trips[k].route_ref < N_LINES ? line_of_route[trips[k].route_ref] : -1;
        if (l >= 0 && !first[l]) first[l] = &trips[k];
    }
    if (first[0] && first[1])
        for (uint32_t a = 0; a < first[0]->n_stops; ++a)
            for (uint32_t b = 0; b < first[1]->n_stops; ++b) {
                pt p = at[first[0]->stops[a]];
                shared_1_2 += first[0]->stops[a] == first[1]->stops[b] &&
                              hypot(p.x - 500000.0, p.y - 5800000.0) < 150.0;
            }
    CHECK_EQ_INT(shared_1_2, 1); /* at the central crossing */
    area *areas;
    int na = read_areas(dir, &areas), most = -1;
    for (int k = 0; k < na; ++k)
        if (areas[k].arrival && (most < 0 || areas[k].pop_migrant > areas[most].pop_migrant))
            most = k;
    CHECK(most >= 0 && first[2] != NULL);
    if (most >= 0 && first[2]) {
        pt p = at[first[2]->stops[0]];
        OGRGeometryH point = OGR_G_CreateGeometry(wkbPoint);
        OGR_G_SetPoint_2D(point, 0, p.x, p.y);
        OGRGeometryH near = OGR_G_Buffer(areas[most].geom, 100.0, 8); /* the stop is on a street */
        CHECK(OGR_G_Contains(near, point));
        OGR_G_DestroyGeometry(near);
        OGR_G_DestroyGeometry(point);
    }
    for (int k = 0; k < na; ++k) OGR_G_DestroyGeometry(areas[k].geom);
    free(areas);
    geo_gtfs_destroy(g);

    /* No buses on Christmas Day (calendar_dates.txt) nor on a Saturday; none after the year. */
    g = NULL;
    CHECK_EQ_INT(load_feed(dir, "2026-12-25", &g, &n_warn), SIM_OK);
    if (g) CHECK_EQ_INT(geo_gtfs_trip_count(g), 0);
    geo_gtfs_destroy(g);
    g = NULL;
    CHECK_EQ_INT(load_feed(dir, "2026-11-28", &g, &n_warn), SIM_OK);
    if (g) CHECK_EQ_INT(geo_gtfs_trip_count(g), 0);
    geo_gtfs_destroy(g);
    g = NULL;
    CHECK_EQ_INT(load_feed(dir, "2027-01-05", &g, &n_warn), SIM_EINVAL);
    CHECK(g == NULL);

    OCTDestroyCoordinateTransformation(ct);
    OSRDestroySpatialReference(wgs);
    OSRDestroySpatialReference(utm);
    free(at);
}

/* ---- the tests ---------------------------------------------------------------------------- */

/** Writes the city for `seed` into `dir` and checks every contract of geo/demo_city.h. */
static void check_city(const char *dir, uint64_t seed) {
    sim_error err = {0};
    CHECK_EQ_INT(geo_demo_city_write(dir, seed, &err), SIM_OK);
    if (err.code != SIM_OK) {
        fprintf(stderr, "seed %llu: %s\n", (unsigned long long)seed, err.msg);
        return;
    }
    char *inputs = join(dir, "inputs");
    CHECK_EQ_INT(tu_count_entries(dir, NULL, 0), 2);    /* demo.yaml, inputs/ */
    CHECK_EQ_INT(tu_count_entries(inputs, NULL, 0), 5); /* four .gpkg, gtfs/; no temporaries */
    free(inputs);
    check_scenario_file(dir, seed);
    OGRGeometryH river = read_river(dir);
    network net;
    read_streets(dir, river, &net);
    check_planar(&net);
    check_endpoints(&net);
    check_people_and_services(dir, &net, river);
    check_gtfs(dir, &net);
    network_free(&net);
    OGR_G_DestroyGeometry(river);
}

static void test_cities(const char *tmp) {
    static const uint64_t SEEDS[] = {42, 7, UINT64_MAX};
    for (size_t k = 0; k < sizeof SEEDS / sizeof SEEDS[0]; ++k) {
        char name[64];
        snprintf(name, sizeof name, "seed%zu/made/here", k); /* parents are created too */
        char *dir = join(tmp, name);
        check_city(dir, SEEDS[k]);
        free(dir);
    }
}

static void test_same_seed_same_city(const char *tmp) {
    char *a = join(tmp, "same_a"), *b = join(tmp, "same_b"), *c = join(tmp, "other");
    sim_error err = {0};
    CHECK_EQ_INT(geo_demo_city_write(a, 2024, &err), SIM_OK);
    CHECK_EQ_INT(geo_demo_city_write(b, 2024, &err), SIM_OK);
    CHECK_EQ_INT(geo_demo_city_write(c, 2025, &err), SIM_OK);
    char *da = city_dump(a), *db = city_dump(b), *dc = city_dump(c);
    CHECK(strlen(da) > 100000);
    CHECK(strcmp(da, db) == 0);
    CHECK(strcmp(da, dc) != 0);
    free(da);
    free(db);
    free(dc);
    char *ya = join(a, "demo.yaml"), *yb = join(b, "demo.yaml");
    char *ta = tu_read_file(ya), *tb = tu_read_file(yb);
    CHECK(ta && tb && strcmp(ta, tb) == 0);
    free(ta);
    free(tb);
    free(ya);
    free(yb);
    /* The bus feed too, byte for byte; another seed moves the stops. */
    for (int k = 0; k < N_GTFS_FILES; ++k) {
        char name[64];
        snprintf(name, sizeof name, "inputs/gtfs/%s", GTFS_FILES[k]);
        char *fa = join(a, name), *fb = join(b, name), *fc = join(c, name);
        char *xa = tu_read_file(fa), *xb = tu_read_file(fb), *xc = tu_read_file(fc);
        CHECK(xa && xb && strcmp(xa, xb) == 0);
        if (!strcmp(GTFS_FILES[k], "stops.txt")) CHECK(xa && xc && strcmp(xa, xc) != 0);
        free(xa);
        free(xb);
        free(xc);
        free(fa);
        free(fb);
        free(fc);
    }

    /* Writing again over an existing city replaces it whole and leaves no temporaries. */
    CHECK_EQ_INT(geo_demo_city_write(a, 2025, &err), SIM_OK);
    char *d2 = city_dump(a), *d3 = city_dump(c);
    CHECK(strcmp(d2, d3) == 0);
    free(d2);
    free(d3);
    char *inputs = join(a, "inputs"), *gtfs = join(a, "inputs/gtfs");
    CHECK_EQ_INT(tu_count_entries(inputs, NULL, 0), 5);
    CHECK_EQ_INT(tu_count_entries(gtfs, NULL, 0), N_GTFS_FILES);
    free(inputs);
    free(gtfs);
    free(a);
    free(b);
    free(c);
}

static void test_errors(const char *tmp) {
    sim_error err = {0};
    CHECK_EQ_INT(geo_demo_city_write(NULL, 1, &err), SIM_EINVAL);
    CHECK_EQ_INT(geo_demo_city_write("", 1, NULL), SIM_EINVAL);

    /* A regular file where a folder should be: an I/O error naming the path. */
    char *file = join(tmp, "not_a_folder");
    FILE *f = fopen(file, "w");
    CHECK(f != NULL);
    if (f) fclose(f);
    char *dir = join(file, "city");
    sim_error err2 = {0};
    CHECK_EQ_INT(geo_demo_city_write(dir, 1, &err2), SIM_EIO);
    CHECK_STR_CONTAINS(err2.msg, "not_a_folder");

    /* GDAL cannot create the streets file (a non-empty folder is in the way of its temporary):
     * the error names the file and carries GDAL's message; nothing is left half-written. */
    char *blocked = join(tmp, "blocked"), *inputs = join(blocked, "inputs");
    char *in_way = join(inputs, "streets.tmp.gpkg"), *inside = join(in_way, "keep");
    mkdir(blocked, 0755);
    mkdir(inputs, 0755);
    mkdir(in_way, 0755);
    f = fopen(inside, "w");
    if (f) fclose(f);
    sim_error err3 = {0};
    sim_status rc = geo_demo_city_write(blocked, 1, &err3);
    CHECK(rc == SIM_EIO || rc == SIM_EDEP);
    CHECK_STR_CONTAINS(err3.msg, "streets.tmp.gpkg");
    CHECK(strlen(err3.msg) > strlen(in_way) + 20);       /* GDAL said something */
    CHECK_EQ_INT(tu_count_entries(inputs, NULL, 0), 1);  /* only what was in the way */
    CHECK_EQ_INT(tu_count_entries(blocked, NULL, 0), 1); /* no demo.yaml */
    free(blocked);
    free(inputs);
    free(in_way);
    free(inside);
    free(dir);
    free(file);
}

int main(void) {
    GDALAllRegister();
    char tmp[1024];
    if (!tu_temp_dir("accessim_demo_city", tmp, sizeof tmp)) return 1;
    test_errors(tmp);
    test_cities(tmp);
    test_same_seed_same_city(tmp);
    tu_remove_tree(tmp);
    struct stat st;
    CHECK(stat(tmp, &st) != 0); /* cleaned up */
    return CHECK_DONE();
}
