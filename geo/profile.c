#include "geo/profile.h"

#include <string.h>

const char *geo_tags_get(const geo_tags *t, const char *key) {
    for (size_t i = 0; i < t->n; ++i)
        if (t->keys[i] && strcmp(t->keys[i], key) == 0) return t->values[i];
    return NULL;
}

static int in_list(const char *v, const char *const *list) {
    if (!v) return 0;
    for (; *list; ++list)
        if (strcmp(v, *list) == 0) return 1;
    return 0;
}

static const char *const WALK_HIGHWAYS[] = {
    "primary", "primary_link", "secondary", "secondary_link", "tertiary", "tertiary_link",
    "unclassified", "residential", "road", "living_street", "service", "track", "path", "steps",
    "pedestrian", "footway", "pier", "platform", "corridor", "cycleway", "bridleway", "busway",
    NULL};
static const char *const FAST_HIGHWAYS[] = {"motorway", "motorway_link", "trunk", "trunk_link",
                                            NULL};
static const char *const FOOT_YES[] = {"yes", "designated", "permissive", "official", NULL};
static const char *const FOOT_NO[] = {"no", "use_sidepath", "private", "discouraged", NULL};
static const char *const ACCESS_NO[] = {"no", "private", "agricultural", "forestry", "delivery",
                                        "military", NULL};

geo_walk_verdict geo_walk_allowed(const geo_tags *t) {
    const char *hw = geo_tags_get(t, "highway");
    if (!hw || !*hw) return GEO_WALK_NO_HIGHWAY;
    const char *foot = geo_tags_get(t, "foot");
    if (in_list(foot, FOOT_NO)) return GEO_WALK_FORBIDDEN;
    int foot_yes = in_list(foot, FOOT_YES);
    if (in_list(hw, FAST_HIGHWAYS)) return foot_yes ? GEO_WALK_OK : GEO_WALK_HIGHWAY_KIND;
    if (!in_list(hw, WALK_HIGHWAYS)) return GEO_WALK_HIGHWAY_KIND;
    if (!foot_yes && in_list(geo_tags_get(t, "access"), ACCESS_NO)) return GEO_WALK_FORBIDDEN;
    return GEO_WALK_OK;
}

/* Reads one quoted token starting at *p (which must point at '"'); returns its start. */
static char *hstore_token(char **p) {
    char *s = *p;
    if (*s != '"') return NULL;
    char *start = ++s, *w = s;
    while (*s && *s != '"') {
        if (*s == '\\' && s[1]) ++s;
        *w++ = *s++;
    }
    if (*s != '"') return NULL;
    *w = '\0';
    *p = s + 1;
    return start;
}

size_t geo_hstore_parse(char *text, const char **keys, const char **values, size_t max) {
    size_t n = 0;
    char *p = text;
    while (p && *p) {
        while (*p == ' ' || *p == ',') ++p;
        if (!*p) break;
        char *k = hstore_token(&p);
        if (!k) break;
        while (*p == ' ') ++p;
        if (p[0] != '=' || p[1] != '>') break;
        p += 2;
        while (*p == ' ') ++p;
        char *v = NULL;
        if (strncmp(p, "NULL", 4) == 0) {
            p += 4;
        } else if (!(v = hstore_token(&p))) {
            break;
        }
        if (n < max) {
            keys[n] = k;
            values[n] = v;
            ++n;
        }
    }
    return n;
}
