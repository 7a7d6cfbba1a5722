#include "geo/osm_refs.h"

#include <cpl_conv.h>
#include <readosm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int64_t way_id;
    uint32_t first_gap, n_gaps, n_present;
} way_gaps;

struct geo_osm_gaps {
    way_gaps *ways; /* sorted by way_id */
    size_t n_ways;
    uint32_t *gaps;
    size_t ways_total, highway_ways, highway_dropped;
};

typedef struct {
    int64_t *node_ids;
    size_t n_nodes, cap_nodes;
    int64_t *way_ids;
    size_t *way_first; /* n_ways + 1 offsets into refs */
    size_t cap_first;
    size_t n_ways, cap_ways;
    int64_t *refs;
    size_t n_refs, cap_refs;
    uint8_t *highway; /* per way: 1 if a linear highway way (a line in GDAL's output) */
    size_t cap_hw;
    const char *area_rules; /* closed_ways_are_polygons: "k1,k2=v2,..." */
    int oom;
} collect;

static int grow(void **p, size_t *cap, size_t need, size_t elem) {
    if (need <= *cap) return 1;
    size_t c = *cap ? *cap : 1024;
    while (c < need) c *= 2;
    void *q = realloc(*p, c * elem);
    if (!q) return 0;
    *p = q;
    *cap = c;
    return 1;
}

static int on_node(const void *ud, const readosm_node *node) {
    collect *c = (collect *)ud;
    if (!grow((void **)&c->node_ids, &c->cap_nodes, c->n_nodes + 1, sizeof *c->node_ids)) {
        c->oom = 1;
        return READOSM_ABORT;
    }
    c->node_ids[c->n_nodes++] = node->id;
    return READOSM_OK;
}

/* Is tag k=v listed in `rules` ("key" entries match any value, "key=value" entries exactly)? */
static int is_area_tag(const char *rules, const char *k, const char *v) {
    size_t kl = strlen(k), vl = strlen(v);
    for (const char *p = rules; *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if ((len == kl && strncmp(p, k, kl) == 0) ||
            (len == kl + 1 + vl && strncmp(p, k, kl) == 0 && p[kl] == '=' &&
             strncmp(p + kl + 1, v, vl) == 0))
            return 1;
        if (!e) break;
        p = e + 1;
    }
    return 0;
}

/* Reads closed_ways_are_polygons from the osmconf.ini GDAL's OSM driver uses. */
static void load_area_rules(char *buf, size_t size) {
    static const char FALLBACK[] =
        "aeroway,amenity,boundary,building,craft,geological,historic,landuse,leisure,military,"
        "natural,office,place,shop,sport,tourism,highway=platform,public_transport=platform";
    snprintf(buf, size, "%s", FALLBACK);
    const char *path = CPLGetConfigOption("OSM_CONFIG_FILE", NULL);
    if (!path) path = CPLFindFile("gdal", "osmconf.ini");
    FILE *fp = path ? fopen(path, "r") : NULL;
    if (!fp) return;
    char line[4096];
    while (fgets(line, sizeof line, fp)) {
        if (line[0] == '[') break; /* the setting lives in the top, general section */
        if (strncmp(line, "closed_ways_are_polygons=", 25) == 0) {
            line[strcspn(line, "\r\n")] = '\0';
            snprintf(buf, size, "%s", line + 25);
            break;
        }
    }
    fclose(fp);
}

static int on_way(const void *ud, const readosm_way *way) {
    collect *c = (collect *)ud;
    size_t nr = (size_t)(way->node_ref_count > 0 ? way->node_ref_count : 0);
    if (!grow((void **)&c->highway, &c->cap_hw, c->n_ways + 1, sizeof *c->highway) ||
        !grow((void **)&c->way_ids, &c->cap_ways, c->n_ways + 1, sizeof *c->way_ids) ||
        !grow((void **)&c->way_first, &c->cap_first, c->n_ways + 2, sizeof *c->way_first) ||
        !grow((void **)&c->refs, &c->cap_refs, c->n_refs + nr, sizeof *c->refs)) {
        c->oom = 1;
        return READOSM_ABORT;
    }
    if (c->n_ways == 0) c->way_first[0] = 0;
    /* GDAL's OSM driver makes a *closed* way a polygon when it has area=yes, or a tag from
     * osmconf.ini's closed_ways_are_polygons (a key, or key=value) and not area=no; such ways
     * are not in its `lines` layer. */
    int hw = 0, area_yes = 0, area_no = 0, area_key = 0;
    for (int t = 0; t < way->tag_count; ++t) {
        const char *k = way->tags[t].key, *v = way->tags[t].value;
        if (strcmp(k, "highway") == 0 && v[0]) hw = 1;
        if (strcmp(k, "area") == 0) {
            if (strcmp(v, "yes") == 0) area_yes = 1;
            if (strcmp(v, "no") == 0) area_no = 1;
        }
        if (c->area_rules && is_area_tag(c->area_rules, k, v)) area_key = 1;
    }
    int closed = nr >= 3 && way->node_refs[0] == way->node_refs[nr - 1];
    int area = closed && (area_yes || (area_key && !area_no));
    c->highway[c->n_ways] = (uint8_t)(hw && !area);
    c->way_ids[c->n_ways] = way->id;
    if (nr) memcpy(c->refs + c->n_refs, way->node_refs, nr * sizeof *c->refs);
    c->n_refs += nr;
    c->way_first[++c->n_ways] = c->n_refs;
    return READOSM_OK;
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int cmp_way(const void *a, const void *b) {
    return cmp_i64(&((const way_gaps *)a)->way_id, &((const way_gaps *)b)->way_id);
}

static int has_node(const collect *c, int64_t id) {
    return bsearch(&id, c->node_ids, c->n_nodes, sizeof *c->node_ids, cmp_i64) != NULL;
}

static void collect_free(collect *c) {
    free(c->node_ids);
    free(c->way_ids);
    free(c->way_first);
    free(c->refs);
    free(c->highway);
}

void geo_osm_gaps_destroy(geo_osm_gaps *g) {
    if (!g) return;
    free(g->ways);
    free(g->gaps);
    free(g);
}

sim_status geo_osm_gaps_load(const char *path, geo_osm_gaps **out, sim_error *err) {
    sim_status rc = SIM_OK;
    collect c = {0};
    const void *h = NULL;
    *out = NULL;
    geo_osm_gaps *g = calloc(1, sizeof *g);
    if (!g) return sim_error_set(err, SIM_ENOMEM, "%s", path);
    char rules[4096];
    load_area_rules(rules, sizeof rules);
    c.area_rules = rules;
    int r = readosm_open(path, &h);
    if (r != READOSM_OK) {
        rc = sim_error_set(err, SIM_EIO, "%s: readosm cannot open the file (code %d)", path, r);
        goto done;
    }
    r = readosm_parse(h, &c, on_node, on_way, NULL);
    if (c.oom) {
        rc = sim_error_set(err, SIM_ENOMEM, "%s: reading node references", path);
        goto done;
    }
    if (r != READOSM_OK) {
        rc = sim_error_set(err, SIM_EPARSE, "%s: malformed OSM data (readosm code %d)", path, r);
        goto done;
    }
    if (c.n_nodes) qsort(c.node_ids, c.n_nodes, sizeof *c.node_ids, cmp_i64);
    size_t cap_w = 0, cap_g = 0, n_g = 0;
    for (size_t w = 0; w < c.n_ways; ++w) {
        size_t a = c.way_first[w], b = c.way_first[w + 1];
        uint32_t present = 0, first_gap = (uint32_t)n_g, ng = 0;
        int missing_any = 0, pending_gap = 0;
        for (size_t i = a; i < b; ++i) {
            if (has_node(&c, c.refs[i])) {
                if (pending_gap && present > 0) {
                    if (!grow((void **)&g->gaps, &cap_g, n_g + 1, sizeof *g->gaps)) {
                        rc = sim_error_set(err, SIM_ENOMEM, "%s", path);
                        goto done;
                    }
                    g->gaps[n_g++] = present - 1;
                    ++ng;
                }
                pending_gap = 0;
                ++present;
            } else {
                missing_any = 1;
                pending_gap = 1;
            }
        }
        g->ways_total++;
        g->highway_ways += c.highway[w];
        if (present < 2) g->highway_dropped += c.highway[w];
        if (!missing_any) continue;
        if (!grow((void **)&g->ways, &cap_w, g->n_ways + 1, sizeof *g->ways)) {
            rc = sim_error_set(err, SIM_ENOMEM, "%s", path);
            goto done;
        }
        g->ways[g->n_ways++] = (way_gaps){c.way_ids[w], first_gap, ng, present};
    }
    if (g->n_ways) qsort(g->ways, g->n_ways, sizeof *g->ways, cmp_way);
    *out = g;
    g = NULL;
done:
    if (h) readosm_close(h);
    collect_free(&c);
    geo_osm_gaps_destroy(g);
    return rc;
}

size_t geo_osm_gaps_way_count(const geo_osm_gaps *g) { return g ? g->n_ways : 0; }

void geo_osm_gaps_counts(const geo_osm_gaps *g, size_t *ways, size_t *highway_ways,
                         size_t *highway_dropped) {
    *ways = g ? g->ways_total : 0;
    *highway_ways = g ? g->highway_ways : 0;
    *highway_dropped = g ? g->highway_dropped : 0;
}

int geo_osm_gaps_find(const geo_osm_gaps *g, int64_t way_id, const uint32_t **gaps,
                      uint32_t *n_gaps, uint32_t *n_present) {
    *gaps = NULL;
    *n_gaps = 0;
    if (!g || !g->n_ways) return 0;
    way_gaps key = {.way_id = way_id};
    const way_gaps *w = bsearch(&key, g->ways, g->n_ways, sizeof *g->ways, cmp_way);
    if (!w) return 0;
    *n_gaps = w->n_gaps;
    *n_present = w->n_present;
    if (w->n_gaps) *gaps = g->gaps + w->first_gap;
    return 1;
}
