/*
 * accessim — street networks given as node and edge tables (geo_table_source), as OSMnx and
 * pandana users have them: a nodes table (id, lon, lat) and an edges table (from, to, length or
 * time, and OSM-style tag columns). Any OGR source works; CSV is the common case.
 *
 * Decisions, for the reader and for docs:
 * - Node ids are matched as text in a canonical form, so that one id agrees across the two tables
 *   whatever types the drivers gave them: integers (Integer/Integer64 fields, integral Reals and
 *   texts such as "0012" or "12.0") become plain decimals without leading zeros; other texts are
 *   trimmed. 64-bit OSM ids never go through a double.
 * - Nodes come in table order: network node i is the nodes table's i-th row. Nodes no edge uses
 *   are kept (unconnected; they carry no segment, so nothing attaches to them) and counted in a
 *   warning, as they often mean the two tables do not belong together.
 * - Every edge row is checked (ids, length, time) before deciding whether to keep it, so a
 *   malformed table fails the same way whatever its tags say. An unknown node id is an error.
 * - One segment per row, drawn from `from` to `to`; the access bits carry the direction. pandana
 *   files list each street once; OSMnx files list a two-way street twice (u->v and v->u), which
 *   gives two parallel segments, harmless for routing.
 * - The segment's way id is the edge's OGR FID (for CSV, the data row number from 1).
 * - Every column other than the ids, length, time and a WKT geometry column is a tag, keyed by
 *   its lower-case name. Values are read as text; empty and null ones are left out. OSMnx's
 *   Python renderings are undone: "True"/"False" (and boolean fields) become "yes"/"no", and a
 *   list such as "['residential', 'tertiary']" (edges merged by simplification) gives its first
 *   item.
 * - An edges table without a highway column is a plain street table: every edge is taken as
 *   highway=road (open to every mode in both directions unless other tags say otherwise), as
 *   network.c does for OGR line layers without a highway field.
 * - Edges CSV files are read without type detection, so that every value is the text in the file:
 *   a malformed length is an error naming it rather than a silently unset field.
 */
#include <assert.h>
#include <cpl_string.h>
#include <ctype.h>
#include <gdal.h>
#include <math.h>
#include <ogr_srs_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "geo/geo_internal.h"
#include "geo/network.h"
#include "geo/profile.h"

/* Also declared in geo/geo_internal.h; geo_network_load calls it when src->tables != NULL. */
sim_status geo__network_load_tables(const geo_network_source *src, geo_network *net,
                                    geo_crs **crs_out, sim_warnings *warn, sim_error *err);

#define ID_MAX 512         /* longest node id, in bytes, plus one */
#define VALUE_MAX 256      /* longest rewritten tag value (first item of a list), plus one */
#define MAX_LENGTH_M 4.0e7 /* an edge longer than the equator is a typing error */
#define MAX_TIME_S 1.0e9   /* about 30 years; keeps times well inside a float */

/* ---- small helpers ------------------------------------------------------------------------ */


/* Index of the first of `names` (NULL-terminated) the layer has (case-insensitive), or -1. */
static int find_field(OGRFeatureDefnH defn, const char *const *names) {
    for (; *names; ++names) {
        int i = OGR_FD_GetFieldIndex(defn, *names);
        if (i >= 0) return i;
    }
    return -1;
}

/* The column `name` (given by the user) or the first of `defaults`; SIM_EPARSE naming the file,
 * what the column is for and the columns there are when none exists. */
static sim_status require_field(const char *path, OGRFeatureDefnH defn, const char *what,
                                const char *name, const char *const *defaults, int *idx,
                                sim_error *err) {
    const char *one[] = {name, NULL};
    *idx = find_field(defn, name ? one : defaults);
    if (*idx >= 0) return SIM_OK;
    char wanted[96] = "", fields[256];
    const char *const *n = name ? one : defaults;
    for (size_t used = 0; *n && used < sizeof wanted; ++n) {
        int w = snprintf(wanted + used, sizeof wanted - used, "%s'%s'", used ? " or " : "", *n);
        if (w < 0) break;
        used += (size_t)w;
    }
    geo__list_fields(defn, fields, sizeof fields);
    return sim_error_set(err, SIM_EPARSE, "%s: no %s column %s (columns: %s)", path, what, wanted,
                         fields);
}

/* A field's number: 0 when read into *out, 1 when null or empty, 2 when not a finite number. */
static int field_number(OGRFeatureH f, int idx, double *out) {
    if (!OGR_F_IsFieldSetAndNotNull(f, idx)) return 1;
    OGRFieldType t = OGR_Fld_GetType(OGR_F_GetFieldDefnRef(f, idx));
    if (t == OFTInteger || t == OFTInteger64 || t == OFTReal) {
        *out = OGR_F_GetFieldAsDouble(f, idx);
        return isfinite(*out) ? 0 : 2;
    }
    const char *s = OGR_F_GetFieldAsString(f, idx);
    const char *p = s;
    while (isspace((unsigned char)*p)) ++p;
    if (!*p) return 1;
    return geo__parse_number(s, out) ? 0 : 2;
}

/* The canonical text of an id field into `buf` (ID_MAX bytes): see the top of the file.
 * Returns 0, 1 for a null or empty value, 2 for an id too long to hold. */
static int id_text(OGRFeatureH f, int idx, char *buf) {
    if (!OGR_F_IsFieldSetAndNotNull(f, idx)) return 1;
    OGRFieldType t = OGR_Fld_GetType(OGR_F_GetFieldDefnRef(f, idx));
    if (t == OFTInteger || t == OFTInteger64) {
        snprintf(buf, ID_MAX, "%lld", (long long)OGR_F_GetFieldAsInteger64(f, idx));
        return 0;
    }
    if (t == OFTReal) {
        double d = OGR_F_GetFieldAsDouble(f, idx);
        if (isfinite(d) && d == floor(d) && fabs(d) < 9007199254740992.0)
            snprintf(buf, ID_MAX, "%lld", (long long)d);
        else
            snprintf(buf, ID_MAX, "%.17g", d);
        return 0;
    }
    const char *s = OGR_F_GetFieldAsString(f, idx);
    while (isspace((unsigned char)*s)) ++s;
    size_t len = strlen(s);
    while (len > 0 && isspace((unsigned char)s[len - 1])) --len;
    if (len == 0) return 1;
    /* an integer, possibly written "+0012" or "12.000": sign and digits without leading zeros */
    size_t i = (s[0] == '+' || s[0] == '-') ? 1 : 0, d0 = i;
    while (i < len && isdigit((unsigned char)s[i])) ++i;
    size_t d1 = i;
    if (d1 > d0 && i < len && s[i] == '.') {
        ++i;
        while (i < len && s[i] == '0') ++i;
    }
    if (d1 > d0 && i == len) {
        while (d0 + 1 < d1 && s[d0] == '0') ++d0;
        int neg = s[0] == '-' && !(d1 - d0 == 1 && s[d0] == '0');
        if (d1 - d0 + 2 > ID_MAX) return 2;
        snprintf(buf, ID_MAX, "%s%.*s", neg ? "-" : "", (int)(d1 - d0), s + d0);
        return 0;
    }
    if (len + 1 > ID_MAX) return 2;
    memcpy(buf, s, len);
    buf[len] = '\0';
    return 0;
}

/* "row N" and, for CSV, the file's line (the header is line 1, assuming no quoted newlines). */
static void row_name(char *buf, size_t size, size_t row, int is_csv) {
    if (is_csv)
        snprintf(buf, size, "row %zu (line %zu)", row, row + 1);
    else
        snprintf(buf, size, "row %zu", row);
}

/* ---- node ids -> node index ---------------------------------------------------------------- */

typedef struct {
    char *text; /* NUL-terminated ids, one after the other */
    size_t len, cap;
    size_t *off;    /* per node: offset of its id in `text` */
    size_t *row;    /* per node: its row in the nodes table */
    uint32_t *slot; /* open addressing: node index or SIM_INVALID_ID */
    size_t mask;
} id_map;

static void id_map_free(id_map *m) {
    free(m->text);
    free(m->off);
    free(m->row);
    free(m->slot);
}

static uint64_t hash_text(const char *s) {
    uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a, then a final mix */
    for (; *s; ++s) h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    return h ^ (h >> 33);
}

/* Appends the id of node `node` (which must be the next index); 0 when out of memory. */
static int id_map_push(id_map *m, uint32_t node, const char *id, size_t row, size_t *cap_nodes) {
    size_t n = strlen(id) + 1;
    if (m->len + n > m->cap) {
        size_t cap = m->cap ? m->cap : 1 << 16;
        while (cap < m->len + n) cap *= 2;
        char *t = realloc(m->text, cap);
        if (!t) return 0;
        m->text = t;
        m->cap = cap;
    }
    if (node >= *cap_nodes) {
        size_t cap = *cap_nodes ? 2 * *cap_nodes : 4096;
        size_t *o = realloc(m->off, cap * sizeof *o);
        if (!o) return 0;
        m->off = o;
        size_t *r = realloc(m->row, cap * sizeof *r);
        if (!r) return 0;
        m->row = r;
        *cap_nodes = cap;
    }
    memcpy(m->text + m->len, id, n);
    m->off[node] = m->len;
    m->row[node] = row;
    m->len += n;
    return 1;
}

/* Hashes the n ids pushed so far. Returns 0 when out of memory; otherwise 1, and *dup the index
 * of a node whose id repeats an earlier one's (SIM_INVALID_ID if none). */
static int id_map_index(id_map *m, uint32_t n, uint32_t *dup) {
    size_t size = 1024;
    while (size < 2 * (size_t)n) size *= 2;
    *dup = SIM_INVALID_ID;
    if (!(m->slot = malloc(size * sizeof *m->slot))) return 0;
    m->mask = size - 1;
    for (size_t i = 0; i < size; ++i) m->slot[i] = SIM_INVALID_ID;
    for (uint32_t v = 0; v < n; ++v) {
        const char *id = m->text + m->off[v];
        size_t s = (size_t)hash_text(id) & m->mask;
        for (; m->slot[s] != SIM_INVALID_ID; s = (s + 1) & m->mask)
            if (strcmp(m->text + m->off[m->slot[s]], id) == 0) {
                *dup = v;
                return 1;
            }
        m->slot[s] = v;
    }
    return 1;
}

static uint32_t id_map_find(const id_map *m, const char *id) {
    for (size_t s = (size_t)hash_text(id) & m->mask; m->slot[s] != SIM_INVALID_ID;
         s = (s + 1) & m->mask)
        if (strcmp(m->text + m->off[m->slot[s]], id) == 0) return m->slot[s];
    return SIM_INVALID_ID;
}

/* ---- opening a table ------------------------------------------------------------------------ */

/* Opens `path` and picks its layer: `layer` by name, else one named `preferred` ("nodes",
 * "edges": OSMnx's GeoPackage holds both), else the first. CSV files get `csv_opts`. */
static sim_status open_table(const char *path, const char *layer, const char *preferred,
                             const char *what, char **csv_opts, GDALDatasetH *ds_out,
                             OGRLayerH *lyr_out, sim_error *err) {
    sim_status rc;
    *ds_out = NULL;
    *lyr_out = NULL;
    if (!path) return sim_error_set(err, SIM_EINVAL, "the %s table has no path", what);
    if ((rc = geo__check_readable(path, err))) return rc;
    GDALDatasetH ds =
        GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL,
                   geo__ends_with_ci(path, ".csv") ? (const char *const *)csv_opts : NULL, NULL);
    if (!ds)
        return sim_error_set(err, SIM_EIO, "%s: cannot open the %s table: %s", path, what,
                             geo__gdal_msg());
    OGRLayerH lyr = NULL;
    if (layer) {
        lyr = GDALDatasetGetLayerByName(ds, layer);
        if (!lyr) {
            GDALClose(ds);
            return sim_error_set(err, SIM_EPARSE, "%s: no layer named '%s' for the %s", path, layer,
                                 what);
        }
    } else {
        if (GDALDatasetGetLayerCount(ds) > 1) lyr = GDALDatasetGetLayerByName(ds, preferred);
        if (!lyr && GDALDatasetGetLayerCount(ds) > 0) lyr = GDALDatasetGetLayer(ds, 0);
        if (!lyr) {
            GDALClose(ds);
            return sim_error_set(err, SIM_EPARSE, "%s: no layer to read the %s from", path, what);
        }
    }
    *ds_out = ds;
    *lyr_out = lyr;
    return SIM_OK;
}

/* ---- nodes ------------------------------------------------------------------------------------
 */

typedef struct {
    double *lon, *lat;
    uint32_t n;
    size_t cap;
    id_map ids;
    size_t cap_ids;
} node_rows;

static void node_rows_free(node_rows *r) {
    free(r->lon);
    free(r->lat);
    id_map_free(&r->ids);
}

static int node_rows_push(node_rows *r, const char *id, size_t row, double lon, double lat) {
    if (r->n == UINT32_MAX - 1) return 0;
    if (r->n >= r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 4096;
        double *a = realloc(r->lon, cap * sizeof *a);
        if (!a) return 0;
        r->lon = a;
        double *b = realloc(r->lat, cap * sizeof *b);
        if (!b) return 0;
        r->lat = b;
        r->cap = cap;
    }
    if (!id_map_push(&r->ids, r->n, id, row, &r->cap_ids)) return 0;
    r->lon[r->n] = lon;
    r->lat[r->n] = lat;
    ++r->n;
    return 1;
}

static const char *const LON_NAMES[] = {"lon", "lng", "long", "longitude", "x", NULL};
static const char *const LAT_NAMES[] = {"lat", "latitude", "y", NULL};
static const char *const ID_NAMES[] = {"id", "osmid", NULL}; /* osmid: OSMnx */

/*
 * Reads the nodes table into `out` (lon/lat in WGS84). Coordinates come from the layer's point
 * geometry, transformed from its CRS (a CSV has none: its lon/lat columns are WGS84), or, for a
 * table without geometry, from its lon/lat columns taken as WGS84.
 */
static sim_status read_nodes(const geo_table_source *ts, node_rows *out, sim_error *err) {
    sim_status rc = SIM_OK;
    GDALDatasetH ds = NULL;
    OGRLayerH lyr = NULL;
    OGRFeatureH f = NULL;
    OGRCoordinateTransformationH to_wgs84 = NULL;
    char **opts = NULL, xn[160], yn[160], id[ID_MAX], where[64];
    const char *path = ts->nodes;
    snprintf(xn, sizeof xn, "X_POSSIBLE_NAMES=%s",
             ts->node_lon ? ts->node_lon : "lon,lng,long,longitude,x");
    snprintf(yn, sizeof yn, "Y_POSSIBLE_NAMES=%s", ts->node_lat ? ts->node_lat : "lat,latitude,y");
    opts = CSLAddString(opts, xn);
    opts = CSLAddString(opts, yn);
    opts = CSLAddString(opts, "KEEP_GEOM_COLUMNS=YES");
    opts = CSLAddString(opts, "AUTODETECT_TYPE=YES");
    if ((rc = open_table(path, ts->nodes_layer, "nodes", "nodes", opts, &ds, &lyr, err))) goto done;
    int is_csv = strcmp(GDALGetDriverShortName(GDALGetDatasetDriver(ds)), "CSV") == 0;
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr);
    int id_idx, lon_idx = -1, lat_idx = -1;
    const char *const *id_default = ID_NAMES;
    if ((rc = require_field(path, defn, "node id", ts->node_id, id_default, &id_idx, err)))
        goto done;
    OGRwkbGeometryType gt = wkbFlatten(OGR_L_GetGeomType(lyr));
    /* A CSV's geometry is made from its lon/lat columns; another source's point geometry is
     * used unless lon/lat columns are named explicitly. */
    int use_geom = gt == wkbPoint && (is_csv || (!ts->node_lon && !ts->node_lat));
    if (!use_geom) {
        if ((rc = require_field(path, defn, "longitude", ts->node_lon, LON_NAMES, &lon_idx, err)) ||
            (rc = require_field(path, defn, "latitude", ts->node_lat, LAT_NAMES, &lat_idx, err)))
            goto done;
    } else {
        OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(lyr);
        if (srs) {
            if ((rc = geo__to_wgs84(srs, &to_wgs84, path, err))) goto done;
        } else if (!is_csv) {
            rc = sim_error_set(err, SIM_EPARSE,
                               "%s: layer '%s' has no CRS; assign one (e.g. ogr2ogr -a_srs "
                               "EPSG:4326) so the nodes can be placed",
                               path, OGR_L_GetName(lyr));
            goto done;
        }
    }
    OGR_L_ResetReading(lyr);
    size_t row = 0;
    while ((f = OGR_L_GetNextFeature(lyr)) != NULL) {
        ++row;
        row_name(where, sizeof where, row, is_csv);
        int idr = id_text(f, id_idx, id);
        if (idr) {
            rc = sim_error_set(err, SIM_EPARSE, "%s: %s: %s node id in column '%s'", path, where,
                               idr == 1 ? "no" : "overlong",
                               OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, id_idx)));
            goto done;
        }
        double lon = NAN, lat = NAN;
        if (use_geom) {
            OGRGeometryH g = OGR_F_GetGeometryRef(f);
            if (g && !OGR_G_IsEmpty(g) && wkbFlatten(OGR_G_GetGeometryType(g)) == wkbPoint) {
                lon = OGR_G_GetX(g, 0);
                lat = OGR_G_GetY(g, 0);
                if (to_wgs84 && !OCTTransform(to_wgs84, 1, &lon, &lat, NULL)) lon = lat = NAN;
            } else if (is_csv) {
                rc = sim_error_set(err, SIM_EPARSE,
                                   "%s: %s: node '%s': longitude or latitude missing or not a "
                                   "number",
                                   path, where, id);
                goto done;
            } else {
                rc = sim_error_set(err, SIM_EPARSE, "%s: %s: node '%s' has no point geometry", path,
                                   where, id);
                goto done;
            }
        } else if (field_number(f, lon_idx, &lon) || field_number(f, lat_idx, &lat)) {
            rc = sim_error_set(err, SIM_EPARSE,
                               "%s: %s: node '%s': '%s' or '%s' missing or not a number", path,
                               where, id, OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, lon_idx)),
                               OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, lat_idx)));
            goto done;
        }
        if (!isfinite(lon) || !isfinite(lat) || fabs(lon) > 180.0 || fabs(lat) > 90.0) {
            rc = sim_error_set(err, SIM_EPARSE,
                               "%s: %s: node '%s': (%.9g, %.9g) is not a WGS84 longitude/"
                               "latitude%s",
                               path, where, id, lon, lat,
                               to_wgs84 ? " after transformation from the layer's CRS"
                                        : " (projected coordinates need a source with a CRS)");
            goto done;
        }
        if (!node_rows_push(out, id, row, lon, lat)) {
            rc = sim_error_set(err, SIM_ENOMEM, "%s", path);
            goto done;
        }
        OGR_F_Destroy(f);
        f = NULL;
    }
    if (out->n == 0) {
        rc = sim_error_set(err, SIM_EPARSE, "%s: the nodes table '%s' is empty", path,
                           OGR_L_GetName(lyr));
        goto done;
    }
    uint32_t dup;
    if (!id_map_index(&out->ids, out->n, &dup)) {
        rc = sim_error_set(err, SIM_ENOMEM, "%s", path);
        goto done;
    }
    if (dup != SIM_INVALID_ID) {
        const char *d = out->ids.text + out->ids.off[dup];
        uint32_t first = id_map_find(&out->ids, d);
        rc = sim_error_set(err, SIM_EPARSE, "%s: node id '%s' appears twice (rows %zu and %zu)",
                           path, d, out->ids.row[first], out->ids.row[dup]);
        goto done;
    }
done:
    if (f) OGR_F_Destroy(f);
    if (to_wgs84) OCTDestroyCoordinateTransformation(to_wgs84);
    if (ds) GDALClose(ds);
    CSLDestroy(opts);
    return rc;
}

/* ---- edges ------------------------------------------------------------------------------------
 */

/* The value to give the profiles for a tag, undoing OSMnx's Python renderings (see the top). */
static const char *tag_value(OGRFeatureH f, int idx, char *buf) {
    OGRFieldDefnH fd = OGR_F_GetFieldDefnRef(f, idx);
    if (OGR_Fld_GetSubType(fd) == OFSTBoolean)
        return OGR_F_GetFieldAsInteger(f, idx) ? "yes" : "no";
    const char *v = OGR_F_GetFieldAsString(f, idx);
    if (!v || !*v) return NULL;
    if (strcasecmp(v, "true") == 0) return "yes";
    if (strcasecmp(v, "false") == 0) return "no";
    if (v[0] == '[') { /* "['a', 'b']": the first item */
        const char *p = v + 1;
        while (isspace((unsigned char)*p)) ++p;
        char q = (*p == '\'' || *p == '"') ? *p++ : '\0';
        size_t n = 0;
        while (p[n] && (q ? p[n] != q : (p[n] != ',' && p[n] != ']')) && n + 1 < VALUE_MAX) ++n;
        while (!q && n > 0 && isspace((unsigned char)p[n - 1])) --n;
        memcpy(buf, p, n);
        buf[n] = '\0';
        if (strcasecmp(buf, "true") == 0) return "yes";
        if (strcasecmp(buf, "false") == 0) return "no";
        return n ? buf : NULL;
    }
    return v;
}

/* Columns of the edges table that are not tags, besides the ids, length and time. */
static int is_geometry_column(const char *name) {
    return strcasecmp(name, "geometry") == 0 || strcasecmp(name, "wkt") == 0 ||
           strcasecmp(name, "geom") == 0;
}

typedef struct {
    int from, to, length, time; /* field indices; -1 for none */
    int n_tags, has_highway;
    int *tag_field;            /* n_tags field indices */
    char **tag_key;            /* n_tags lower-case names */
    char *value_buf;           /* n_tags x VALUE_MAX */
    const char **keys, **vals; /* n_tags + 1 (highway=road) */
} edge_columns;

static void edge_columns_free(edge_columns *c) {
    for (int i = 0; i < c->n_tags; ++i) free(c->tag_key[i]);
    free(c->tag_field);
    free(c->tag_key);
    free(c->value_buf);
    free(c->keys);
    free(c->vals);
}

static sim_status edge_columns_find(const geo_table_source *ts, OGRFeatureDefnH defn,
                                    edge_columns *c, sim_error *err) {
    static const char *const FROM[] = {"from", "u", NULL}, *const TO[] = {"to", "v", NULL};
    static const char *const LENGTH[] = {"length", "distance", NULL};
    const char *path = ts->edges;
    sim_status rc;
    if ((rc = require_field(path, defn, "edge start ('from')", ts->edge_from, FROM, &c->from,
                            err)) ||
        (rc = require_field(path, defn, "edge end ('to')", ts->edge_to, TO, &c->to, err)))
        return rc;
    c->length = c->time = -1;
    if (ts->edge_length &&
        (rc = require_field(path, defn, "edge length", ts->edge_length, NULL, &c->length, err)))
        return rc;
    if (!ts->edge_length) c->length = find_field(defn, LENGTH);
    if (ts->edge_time &&
        (rc = require_field(path, defn, "edge time", ts->edge_time, NULL, &c->time, err)))
        return rc;
    int nf = OGR_FD_GetFieldCount(defn);
    c->tag_field = malloc(((size_t)nf + 1) * sizeof *c->tag_field);
    c->tag_key = calloc((size_t)nf + 1, sizeof *c->tag_key);
    c->value_buf = malloc(((size_t)nf + 1) * VALUE_MAX);
    c->keys = malloc(((size_t)nf + 1) * sizeof *c->keys);
    c->vals = malloc(((size_t)nf + 1) * sizeof *c->vals);
    if (!c->tag_field || !c->tag_key || !c->value_buf || !c->keys || !c->vals)
        return sim_error_set(err, SIM_ENOMEM, "%s", path);
    for (int i = 0; i < nf; ++i) {
        const char *name = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i));
        if (i == c->from || i == c->to || i == c->length || i == c->time ||
            is_geometry_column(name))
            continue;
        char *key = strdup(name);
        if (!key) return sim_error_set(err, SIM_ENOMEM, "%s", path);
        for (char *p = key; *p; ++p) *p = (char)tolower((unsigned char)*p);
        if (strcmp(key, "highway") == 0) c->has_highway = 1;
        c->tag_key[c->n_tags] = key;
        c->tag_field[c->n_tags++] = i;
    }
    return SIM_OK;
}

/* Fills c->keys/vals with the feature's tags; returns how many. */
static size_t edge_tags(const edge_columns *c, OGRFeatureH f) {
    size_t n = 0;
    for (int k = 0; k < c->n_tags; ++k) {
        int i = c->tag_field[k];
        if (!OGR_F_IsFieldSetAndNotNull(f, i)) continue;
        const char *v = tag_value(f, i, c->value_buf + (size_t)k * VALUE_MAX);
        if (!v || !*v) continue;
        c->keys[n] = c->tag_key[k];
        c->vals[n] = v;
        ++n;
    }
    /* A plain street table (no highway column): every edge is an ordinary road for every mode. */
    if (!c->has_highway) {
        c->keys[n] = "highway";
        c->vals[n] = "road";
        ++n;
    }
    return n;
}

/* Reads the edge's node id in column `idx` and finds its node. */
static sim_status edge_node(const geo_table_source *ts, const id_map *ids, OGRFeatureH f, int idx,
                            const char *where, uint32_t *node, char *id, sim_error *err) {
    const char *col = OGR_Fld_GetNameRef(OGR_F_GetFieldDefnRef(f, idx));
    int r = id_text(f, idx, id);
    if (r)
        return sim_error_set(err, SIM_EPARSE, "%s: edge %s: %s node id in column '%s'", ts->edges,
                             where, r == 1 ? "no" : "overlong", col);
    *node = id_map_find(ids, id);
    if (*node == SIM_INVALID_ID)
        return sim_error_set(err, SIM_EPARSE,
                             "%s: edge %s: node id '%s' (column '%s') is not in %s", ts->edges,
                             where, id, col, ts->nodes);
    return SIM_OK;
}

/* A length or time value: finite, >= 0 and at most `max` (times are stored as floats). */
static sim_status edge_number(const geo_table_source *ts, OGRFeatureH f, int idx, const char *where,
                              const char *unit, double max, double *out, sim_error *err) {
    const char *col = OGR_Fld_GetNameRef(OGR_F_GetFieldDefnRef(f, idx));
    int r = field_number(f, idx, out);
    if (r == 1)
        return sim_error_set(err, SIM_EPARSE, "%s: edge %s: no value in column '%s'", ts->edges,
                             where, col);
    if (r == 2 || *out < 0 || *out > max)
        return sim_error_set(err, SIM_EPARSE,
                             "%s: edge %s: column '%s' is '%s', not a number from 0 to %g (%s)",
                             ts->edges, where, col, OGR_F_GetFieldAsString(f, idx), max, unit);
    return SIM_OK;
}

sim_status geo__network_load_tables(const geo_network_source *src, geo_network *net,
                                    geo_crs **crs_out, sim_warnings *warn, sim_error *err) {
    sim_status rc = SIM_OK;
    const geo_table_source *ts = src->tables;
    node_rows nodes = {0};
    edge_columns cols = {.from = -1, .to = -1, .length = -1, .time = -1};
    geo_crs *crs = NULL;
    double *x = NULL, *y = NULL;
    uint8_t *used = NULL;
    GDALDatasetH ds = NULL;
    OGRFeatureH f = NULL;
    char **opts = NULL;
    geo_profile defaults;
    const geo_profile *profile = src->profile;
    if (!profile) {
        geo_profile_defaults(&defaults);
        profile = &defaults;
    }
    *crs_out = NULL;
    assert(net->n_nodes == 0 && net->n_segs == 0);
    if (!ts->nodes || !ts->edges)
        return sim_error_set(err, SIM_EINVAL,
                             "a network given as tables needs both a nodes and "
                             "an edges table");

    /* Nodes, the working CRS, and the nodes in it. */
    if ((rc = read_nodes(ts, &nodes, err))) goto done;
    if ((rc = geo__choose_crs(src->crs, nodes.lon, nodes.lat, nodes.n, &crs, err))) goto done;
    x = malloc(nodes.n * sizeof *x);
    y = malloc(nodes.n * sizeof *y);
    used = calloc(nodes.n, 1);
    if (!x || !y || !used) {
        rc = sim_error_set(err, SIM_ENOMEM, "%s", ts->nodes);
        goto done;
    }
    memcpy(x, nodes.lon, nodes.n * sizeof *x);
    memcpy(y, nodes.lat, nodes.n * sizeof *y);
    if ((rc = geo_crs_forward(crs, x, y, nodes.n, err))) goto done;
    for (uint32_t i = 0; i < nodes.n; ++i)
        if (geo__network_add_node(net, x[i], y[i], nodes.lon[i], nodes.lat[i], GEO_NODE_STREET,
                                  SIM_INVALID_ID) != i) {
            rc = sim_error_set(err, SIM_ENOMEM, "%s", ts->nodes);
            goto done;
        }

    /* Edges: every value as the text in the file (see the top). */
    OGRLayerH lyr;
    opts = CSLAddString(opts, "AUTODETECT_TYPE=NO");
    if ((rc = open_table(ts->edges, ts->edges_layer, "edges", "edges", opts, &ds, &lyr, err)))
        goto done;
    snprintf(net->stats.driver, sizeof net->stats.driver, "%s",
             GDALGetDriverShortName(GDALGetDatasetDriver(ds)));
    net->stats.is_osm = 0;
    int is_csv = strcmp(net->stats.driver, "CSV") == 0;
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr);
    if ((rc = edge_columns_find(ts, defn, &cols, err))) goto done;
    if (!cols.has_highway)
        sim_warnings_add(warn,
                         "edges table without a 'highway' column: every edge taken as "
                         "highway=road",
                         "%s", ts->edges);
    size_t row = 0, maxspeed_unparsed = 0;
    char maxspeed_example[64] = "";
    char where[64], id_u[ID_MAX], id_v[ID_MAX];
    OGR_L_ResetReading(lyr);
    while ((f = OGR_L_GetNextFeature(lyr)) != NULL) {
        ++row;
        row_name(where, sizeof where, row, is_csv);
        GIntBig fid = OGR_F_GetFID(f);
        int64_t way = fid != OGRNullFID ? (int64_t)fid : (int64_t)row;
        uint32_t u, v;
        double len_m = NAN, time_s = NAN;
        if ((rc = edge_node(ts, &nodes.ids, f, cols.from, where, &u, id_u, err)) ||
            (rc = edge_node(ts, &nodes.ids, f, cols.to, where, &v, id_v, err)))
            goto done;
        if (cols.length >= 0 &&
            (rc = edge_number(ts, f, cols.length, where, "metres", MAX_LENGTH_M, &len_m, err)))
            goto done;
        if (cols.time >= 0 &&
            (rc = edge_number(ts, f, cols.time, where, "seconds", MAX_TIME_S, &time_s, err)))
            goto done;
        ++net->stats.lines_read;
        geo_tags tags = {cols.keys, cols.vals, edge_tags(&cols, f)};
        const char *hw = geo_tags_get(&tags, "highway");
        if (cols.has_highway && hw) ++net->stats.highway_lines;
        if (u == v) {
            sim_warnings_add(warn, "self-loop edges (from == to) skipped", "%s: node '%s'", where,
                             id_u);
            goto next;
        }
        uint8_t access = 0;
        float speed[GEO_MODE_COUNT];
        int unparsed = 0;
        for (int m = 0; m < GEO_MODE_COUNT; ++m) {
            /* per mode, so that an edge counts once however many profiles read its maxspeed */
            geo_profile_stats ps = {0};
            geo_way_access acc = {0};
            geo_way_access_for(&tags, (geo_mode)m, profile, &acc, &ps);
            if (acc.fwd) access |= GEO_ACCESS_FWD(m);
            if (acc.bwd) access |= GEO_ACCESS_BWD(m);
            speed[m] = (float)acc.speed_kmh;
            if (ps.maxspeed_unparsed && !unparsed) {
                unparsed = 1;
                if (!maxspeed_example[0])
                    snprintf(maxspeed_example, sizeof maxspeed_example, "%s", ps.maxspeed_example);
            }
        }
        maxspeed_unparsed += (size_t)unparsed;
        if (!access) {
            sim_warnings_add(warn, "edges no mode may use skipped", "%s: highway=%s", where,
                             hw ? hw : "(none)");
            goto next;
        }
        if (cols.length < 0)
            len_m = geo_geodesic_m(nodes.lon[u], nodes.lat[u], nodes.lon[v], nodes.lat[v]);
        if (geo__network_add_seg(net, u, v, len_m, way, 0, access, speed, (float)time_s) ==
            SIM_INVALID_ID) {
            rc = sim_error_set(err, SIM_ENOMEM, "%s", ts->edges);
            goto done;
        }
        used[u] = used[v] = 1;
        ++net->stats.lines_usable;
        if (access & GEO_ACCESS_ANY(GEO_MODE_WALK)) ++net->stats.lines_walkable;
    next:
        OGR_F_Destroy(f);
        f = NULL;
    }
    if (row == 0) {
        rc = sim_error_set(err, SIM_EPARSE, "%s: the edges table '%s' is empty", ts->edges,
                           OGR_L_GetName(lyr));
        goto done;
    }
    if (net->n_segs == 0) {
        rc = sim_error_set(err, SIM_EPARSE, "%s: no edge among its %zu that any mode may use",
                           ts->edges, row);
        goto done;
    }
    if (maxspeed_unparsed)
        sim_warnings_add_n(warn, maxspeed_unparsed,
                           "maxspeed values not understood; the highway class speed used", "'%s'",
                           maxspeed_example);
    size_t unused = 0;
    uint32_t first_unused = SIM_INVALID_ID;
    for (uint32_t i = 0; i < nodes.n; ++i)
        if (!used[i]) {
            if (!unused++) first_unused = i;
        }
    if (unused)
        sim_warnings_add_n(warn, unused, "nodes no usable edge reaches (kept, unconnected)",
                           "node '%s'", nodes.ids.text + nodes.ids.off[first_unused]);
    *crs_out = crs;
    crs = NULL;
done:
    if (f) OGR_F_Destroy(f);
    if (ds) GDALClose(ds);
    CSLDestroy(opts);
    edge_columns_free(&cols);
    node_rows_free(&nodes);
    free(x);
    free(y);
    free(used);
    geo_crs_destroy(crs);
    return rc;
}
