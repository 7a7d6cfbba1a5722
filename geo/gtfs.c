/* GDAL's VSIStatBufL is a struct stat64 on glibc, declared only with this (before any header). */
#define _LARGEFILE64_SOURCE 1

#include "geo/gtfs.h"

#include <cpl_string.h>
#include <cpl_vsi.h>
#include <csv.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NO_TIME INT32_MIN
#define DAY_S 86400
#define NO_OFFSET SIZE_MAX

/* ---- growable arrays, string arena ----------------------------------------------------------- */

/* Grows the array whose pointer is at `pp` to hold `need` elements of `elem` bytes (doubling).
 * The pointer is passed as void * and copied with memcpy so that any element type works without
 * type-punned casts. Returns 0 when out of memory (the array is then unchanged). */
static int grow_(void *pp, size_t *cap, size_t need, size_t elem) {
    if (need <= *cap) return 1;
    size_t c = *cap ? *cap : 16;
    while (c < need) {
        if (c > SIZE_MAX / 2 / elem) return 0;
        c *= 2;
    }
    void *p;
    memcpy(&p, pp, sizeof p);
    void *q = realloc(p, c * elem);
    if (!q) return 0;
    memcpy(pp, &q, sizeof q);
    *cap = c;
    return 1;
}
#define GROW(arr, cap, need) grow_(&(arr), &(cap), (need), sizeof *(arr))

typedef struct arena_block {
    struct arena_block *next;
    size_t used, size;
    char data[];
} arena_block;

typedef struct {
    arena_block *head;
} arena;

static char *arena_alloc(arena *a, size_t n) {
    if (!a->head || a->head->size - a->head->used < n) {
        size_t size = n > 65536 ? n : 65536;
        arena_block *b = malloc(sizeof *b + size);
        if (!b) return NULL;
        b->next = a->head;
        b->used = 0;
        b->size = size;
        a->head = b;
    }
    char *p = a->head->data + a->head->used;
    a->head->used += n;
    return p;
}

/* "a" + "b" + "c" copied into the arena (b and c may be NULL). */
static const char *arena_cat(arena *a, const char *s1, const char *s2, const char *s3) {
    size_t n1 = strlen(s1), n2 = s2 ? strlen(s2) : 0, n3 = s3 ? strlen(s3) : 0;
    char *p = arena_alloc(a, n1 + n2 + n3 + 1);
    if (!p) return NULL;
    memcpy(p, s1, n1);
    if (n2) memcpy(p + n1, s2, n2);
    if (n3) memcpy(p + n1 + n2, s3, n3);
    p[n1 + n2 + n3] = '\0';
    return p;
}

static void arena_free(arena *a) {
    while (a->head) {
        arena_block *next = a->head->next;
        free(a->head);
        a->head = next;
    }
}

/* ---- hash map: string -> uint32, and a set of 64-bit hashes ---------------------------------- */

static uint64_t hash_str(const char *s, size_t len) {
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (size_t i = 0; i < len; ++i) h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    h ^= h >> 29; /* spread the high bits into the low ones used for the slot */
    return h ? h : 1;
}

typedef struct {
    uint64_t *hash; /* 0: empty slot */
    uint32_t *val;
    size_t *key; /* offset of the NUL-terminated key in `keys` */
    char *keys;
    size_t keys_len, keys_cap;
    size_t n, cap; /* cap: a power of two */
} strmap;

static void strmap_free(strmap *m) {
    free(m->hash);
    free(m->val);
    free(m->key);
    free(m->keys);
    memset(m, 0, sizeof *m);
}

static size_t strmap_slot(const strmap *m, uint64_t h, const char *s, size_t len) {
    size_t mask = m->cap - 1, i = (size_t)h & mask;
    while (m->hash[i]) {
        if (m->hash[i] == h) {
            const char *k = m->keys + m->key[i];
            if (memcmp(k, s, len) == 0 && k[len] == '\0') return i;
        }
        i = (i + 1) & mask;
    }
    return i;
}

static uint32_t strmap_get(const strmap *m, const char *s, size_t len) {
    if (!m->cap) return SIM_INVALID_ID;
    size_t i = strmap_slot(m, hash_str(s, len), s, len);
    return m->hash[i] ? m->val[i] : SIM_INVALID_ID;
}

static int strmap_rehash(strmap *m, size_t cap) {
    uint64_t *hash = calloc(cap, sizeof *hash);
    uint32_t *val = malloc(cap * sizeof *val);
    size_t *key = malloc(cap * sizeof *key);
    if (!hash || !val || !key) {
        free(hash);
        free(val);
        free(key);
        return 0;
    }
    for (size_t i = 0; i < m->cap; ++i) {
        if (!m->hash[i]) continue;
        size_t j = (size_t)m->hash[i] & (cap - 1);
        while (hash[j]) j = (j + 1) & (cap - 1);
        hash[j] = m->hash[i];
        val[j] = m->val[i];
        key[j] = m->key[i];
    }
    free(m->hash);
    free(m->val);
    free(m->key);
    m->hash = hash;
    m->val = val;
    m->key = key;
    m->cap = cap;
    return 1;
}

/* Adds s -> val. Returns 1 if added, 0 if `s` was already there (its value is kept), -1 when out
 * of memory. */
static int strmap_put(strmap *m, const char *s, size_t len, uint32_t val) {
    if ((m->n + 1) * 2 > m->cap && !strmap_rehash(m, m->cap ? 2 * m->cap : 64)) return -1;
    uint64_t h = hash_str(s, len);
    size_t i = strmap_slot(m, h, s, len);
    if (m->hash[i]) return 0;
    if (!GROW(m->keys, m->keys_cap, m->keys_len + len + 1)) return -1;
    memcpy(m->keys + m->keys_len, s, len);
    m->keys[m->keys_len + len] = '\0';
    m->hash[i] = h;
    m->val[i] = val;
    m->key[i] = m->keys_len;
    m->keys_len += len + 1;
    ++m->n;
    return 1;
}

typedef struct {
    uint64_t *slot; /* 0: empty */
    size_t n, cap;
} hashset;

static int hashset_has(const hashset *s, uint64_t h) {
    if (!s->cap) return 0;
    for (size_t i = (size_t)h & (s->cap - 1); s->slot[i]; i = (i + 1) & (s->cap - 1))
        if (s->slot[i] == h) return 1;
    return 0;
}

static int hashset_add(hashset *s, uint64_t h) {
    if ((s->n + 1) * 2 > s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 64;
        uint64_t *slot = calloc(cap, sizeof *slot);
        if (!slot) return 0;
        for (size_t i = 0; i < s->cap; ++i) {
            if (!s->slot[i]) continue;
            size_t j = (size_t)s->slot[i] & (cap - 1);
            while (slot[j]) j = (j + 1) & (cap - 1);
            slot[j] = s->slot[i];
        }
        free(s->slot);
        s->slot = slot;
        s->cap = cap;
    }
    size_t i = (size_t)h & (s->cap - 1);
    for (; s->slot[i]; i = (i + 1) & (s->cap - 1))
        if (s->slot[i] == h) return 1;
    s->slot[i] = h;
    ++s->n;
    return 1;
}

/* ---- dates and values ------------------------------------------------------------------------ */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
static int32_t days_from_civil(int y, int m, int d) {
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t)(era * 146097 + doe - 719468);
}

/* The inverse of days_from_civil. */
static void civil_parts(int32_t z, int *y, int *m, int *d) {
    z += 719468;
    int32_t era = (z >= 0 ? z : z - 146096) / 146097;
    int32_t doe = z - era * 146097;
    int32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int32_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp + (mp < 10 ? 3 : -9));
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

/* "YYYY-MM-DD" (years 0-9999, which is all that parse_date accepts). */
static void civil_from_days(int32_t z, char out[11]) {
    int y, m, d;
    civil_parts(z, &y, &m, &d);
    snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
             (unsigned)d % 100u);
}

/* Monday = 0 ... Sunday = 6 (1970-01-01 was a Thursday). */
static int weekday(int32_t day) { return (int)(((day + 3) % 7 + 7) % 7); }

static int digits(const char *s, int n, int *out) {
    int v = 0;
    for (int i = 0; i < n; ++i) {
        if (s[i] < '0' || s[i] > '9') return 0;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 1;
}

/* "YYYYMMDD" (GTFS, sep 0) or "YYYY-MM-DD" (sep '-'): 1 and the day number if valid. */
static int parse_date(const char *s, char sep, int32_t *day) {
    int y, m, d, step = sep ? 1 : 0;
    if (strlen(s) != (size_t)(8 + 2 * step)) return 0;
    if (sep && (s[4] != sep || s[7] != sep)) return 0;
    if (!digits(s, 4, &y) || !digits(s + 4 + step, 2, &m) || !digits(s + 6 + 2 * step, 2, &d))
        return 0;
    if (m < 1 || m > 12 || d < 1 || d > 31) return 0;
    int32_t z = days_from_civil(y, m, d);
    int y2, m2, d2;
    civil_parts(z, &y2, &m2, &d2);
    if (y2 != y || m2 != m || d2 != d) return 0; /* 2019-02-30 */
    *day = z;
    return 1;
}

static const char *skip_blanks(const char *s) {
    while (*s == ' ' || *s == '\t') ++s;
    return s;
}

/* "H:MM:SS", "HH:MM:SS" (hours may pass 24). 1 parsed, 0 empty, -1 malformed. */
static int parse_time(const char *s, int32_t *out) {
    s = skip_blanks(s);
    if (!*s) return 0;
    int32_t h = 0;
    int nd = 0;
    while (*s >= '0' && *s <= '9') {
        if (++nd > 4) return -1;
        h = h * 10 + (*s++ - '0');
    }
    int m, sec;
    if (!nd || s[0] != ':' || !digits(s + 1, 2, &m) || s[3] != ':' || !digits(s + 4, 2, &sec))
        return -1;
    if (m > 59 || sec > 59 || *skip_blanks(s + 6)) return -1;
    *out = h * 3600 + m * 60 + sec;
    return 1;
}

/* A non-negative integer below 2^31. 1 parsed, 0 empty, -1 malformed. */
static int parse_uint(const char *s, uint32_t *out) {
    s = skip_blanks(s);
    if (!*s) return 0;
    uint64_t v = 0;
    int nd = 0;
    while (*s >= '0' && *s <= '9') {
        v = v * 10 + (uint64_t)(*s++ - '0');
        if (++nd > 10 || v > INT32_MAX) return -1;
    }
    if (!nd || *skip_blanks(s)) return -1;
    *out = (uint32_t)v;
    return 1;
}

/* A finite number. 1 parsed, 0 empty, -1 malformed. */
static int parse_double(const char *s, double *out) {
    s = skip_blanks(s);
    if (!*s) return 0;
    char *end;
    double v = strtod(s, &end);
    if (end == s || *skip_blanks(end) || !isfinite(v)) return -1;
    *out = v;
    return 1;
}

static double haversine_m(double lon1, double lat1, double lon2, double lat2) {
    const double rad = 3.14159265358979323846 / 180.0;
    double dlat = (lat2 - lat1) * rad, dlon = (lon2 - lon1) * rad;
    double a = sin(dlat / 2) * sin(dlat / 2) +
               cos(lat1 * rad) * cos(lat2 * rad) * sin(dlon / 2) * sin(dlon / 2);
    return 2.0 * 6371008.8 * asin(sqrt(a < 1.0 ? a : 1.0));
}

/* ---- streaming CSV through libcsv ------------------------------------------------------------ */

#define CSV_MAX_SLOTS 16
#define CSV_CHUNK (1u << 20)

typedef struct {
    const char *name;
    int required;
} col_spec;

typedef struct csv_in csv_in;
typedef sim_status (*row_fn)(void *ctx, csv_in *c);

/* One table being read: the wanted columns ("slots"), the values of the current row, the line. */
struct csv_in {
    const char *label, *file; /* feed path and file name, for messages */
    const col_spec *cols;
    int n_cols;
    row_fn on_row;
    void *ctx;
    sim_error *err;
    sim_status rc; /* first failure; later callbacks do nothing */

    int header_done;
    int *slot_of; /* per header field: its slot, or -1 */
    size_t n_hdr, slot_cap;
    char *hdr_names; /* "a, b, c" for messages */
    size_t hdr_len, hdr_cap;
    int field_of[CSV_MAX_SLOTS]; /* per slot: its header field, or -1 */

    size_t field; /* index of the next field of the current row */
    char *vals;
    size_t vals_len, vals_cap;
    size_t off[CSV_MAX_SLOTS];
    uint32_t have; /* bit per slot: a value was read in this row */
    unsigned long line, row_line;
    int in_row;
};

static const char *csv_val(const csv_in *c, int slot) {
    return (c->have >> slot) & 1u ? c->vals + c->off[slot] : "";
}

static sim_status csv_bad(csv_in *c, int slot, const char *problem) {
    return sim_error_set(c->err, SIM_EPARSE, "%s: %s:%lu: %s '%s' %s", c->label, c->file,
                         c->row_line, c->cols[slot].name, csv_val(c, slot), problem);
}

static sim_status csv_empty(csv_in *c, int slot) {
    return sim_error_set(c->err, SIM_EPARSE, "%s: %s:%lu: %s is empty", c->label, c->file,
                         c->row_line, c->cols[slot].name);
}

static int append_bytes(char **buf, size_t *len, size_t *cap, const char *s, size_t n) {
    if (!GROW(*buf, *cap, *len + n + 1)) return 0;
    if (n) memcpy(*buf + *len, s, n);
    *len += n;
    (*buf)[*len] = '\0';
    return 1;
}

static void csv_on_field(void *s, size_t len, void *data) {
    csv_in *c = data;
    if (c->rc) return;
    if (!c->in_row) {
        c->in_row = 1;
        c->row_line = c->line;
    }
    size_t f = c->field++;
    if (!c->header_done) {
        if (!GROW(c->slot_of, c->slot_cap, f + 1) ||
            (f && !append_bytes(&c->hdr_names, &c->hdr_len, &c->hdr_cap, ", ", 2)) ||
            !append_bytes(&c->hdr_names, &c->hdr_len, &c->hdr_cap, s, len)) {
            c->rc = sim_error_set(c->err, SIM_ENOMEM, "%s: %s", c->label, c->file);
            return;
        }
        c->slot_of[f] = -1;
        c->n_hdr = f + 1;
        for (int k = 0; k < c->n_cols; ++k) {
            if (c->field_of[k] < 0 && strlen(c->cols[k].name) == len &&
                memcmp(c->cols[k].name, s, len) == 0) {
                c->field_of[k] = (int)f;
                c->slot_of[f] = k;
                break;
            }
        }
        return;
    }
    if (f >= c->n_hdr || c->slot_of[f] < 0) return; /* a column nobody reads */
    int k = c->slot_of[f];
    c->off[k] = c->vals_len;
    if (!append_bytes(&c->vals, &c->vals_len, &c->vals_cap, s, len)) {
        c->rc = sim_error_set(c->err, SIM_ENOMEM, "%s: %s", c->label, c->file);
        return;
    }
    ++c->vals_len; /* keep the NUL */
    c->have |= 1u << k;
}

static void csv_on_row(int term, void *data) {
    (void)term;
    csv_in *c = data;
    if (c->rc) return;
    if (!c->header_done) {
        c->header_done = 1;
        for (int k = 0; k < c->n_cols; ++k)
            if (c->cols[k].required && c->field_of[k] < 0) {
                c->rc = sim_error_set(
                    c->err, SIM_EPARSE, "%s: %s: missing required column '%s' (columns: %s)",
                    c->label, c->file, c->cols[k].name, c->hdr_names ? c->hdr_names : "none");
                return;
            }
    } else {
        c->rc = c->on_row(c->ctx, c);
    }
    c->field = 0;
    c->vals_len = 0;
    c->have = 0;
    c->in_row = 0;
}

static void csv_in_free(csv_in *c) {
    free(c->slot_of);
    free(c->hdr_names);
    free(c->vals);
}

/*
 * Streams the table at VFS path `vpath` (a folder file or a /vsizip/ member) through `c`. The
 * file is read in chunks and fed to libcsv one line at a time, so that messages can name the line
 * (a row spanning lines, through a quoted newline, is named by the line where it starts).
 * *found is 0 (and SIM_OK returned) when the file does not exist.
 */
static sim_status csv_stream(const char *vpath, csv_in *c, int *found) {
    sim_status rc = SIM_OK;
    struct csv_parser p;
    int parser_ready = 0;
    char *buf = NULL;
    *found = 0;
    VSILFILE *fp = VSIFOpenL(vpath, "rb");
    if (!fp) return SIM_OK;
    *found = 1;
    for (int k = 0; k < CSV_MAX_SLOTS; ++k) c->field_of[k] = -1;
    c->line = 1;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0 || !(buf = malloc(CSV_CHUNK))) {
        rc = sim_error_set(c->err, SIM_ENOMEM, "%s: %s", c->label, c->file);
        goto done;
    }
    parser_ready = 1;
    int first = 1;
    size_t n;
    while (!c->rc && (n = VSIFReadL(buf, 1, CSV_CHUNK, fp)) > 0) {
        const char *q = buf, *end = buf + n;
        if (first && n >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) q += 3; /* UTF-8 BOM */
        first = 0;
        while (q < end && !c->rc) {
            const char *nl = memchr(q, '\n', (size_t)(end - q));
            size_t len = (size_t)((nl ? nl + 1 : end) - q);
            if (csv_parse(&p, q, len, csv_on_field, csv_on_row, c) != len) {
                rc = sim_error_set(c->err, SIM_EPARSE, "%s: %s:%lu: malformed CSV (%s)", c->label,
                                   c->file, c->line, csv_strerror(csv_error(&p)));
                goto done;
            }
            q += len;
            if (nl) ++c->line;
        }
    }
    if (c->rc) {
        rc = c->rc;
        goto done;
    }
    if (csv_fini(&p, csv_on_field, csv_on_row, c) != 0) {
        rc = sim_error_set(c->err, SIM_EPARSE,
                           "%s: %s:%lu: a quoted field is not closed before the end of the file",
                           c->label, c->file, c->in_row ? c->row_line : c->line);
        goto done;
    }
    if (c->rc) {
        rc = c->rc;
        goto done;
    }
    if (!c->header_done) {
        for (int k = 0; k < c->n_cols; ++k)
            if (c->cols[k].required) {
                rc = sim_error_set(c->err, SIM_EPARSE, "%s: %s: empty file (no header line)",
                                   c->label, c->file);
                goto done;
            }
    }
done:
    if (parser_ready) csv_free(&p);
    free(buf);
    VSIFCloseL(fp);
    return rc;
}

/* ---- the result ------------------------------------------------------------------------------ */

typedef struct {
    size_t stops_off, times_off, flags_off; /* into tt_stops, tt_arr/tt_dep, tt_pick/tt_drop */
    uint32_t n, route;
} trip_rec;

struct geo_gtfs {
    char date[11];
    arena strings;
    geo_gtfs_feed_info *feeds;
    size_t n_feeds;
    geo_gtfs_stop *stops, *stations;
    size_t n_stops, stops_cap, n_stations, stations_cap;
    geo_gtfs_route *routes;
    size_t n_routes, routes_cap;
    strmap stop_ids; /* namespaced id -> routing stop */

    uint32_t *tt_stops;
    size_t n_tt_stops, tt_stops_cap;
    int32_t *tt_arr, *tt_dep;
    size_t n_tt_times, tt_arr_cap, tt_dep_cap;
    uint8_t *tt_pick, *tt_drop;
    size_t n_tt_flags, tt_pick_cap, tt_drop_cap;
    trip_rec *recs;
    size_t n_recs, recs_cap;
    geo_gtfs_trip_info *infos;
    size_t infos_cap;
    sim_trip *trips;

    sim_transfer *transfers, *forbidden;
    size_t n_transfers, transfers_cap, n_forbidden, forbidden_cap;
};

/* ---- one feed being read --------------------------------------------------------------------- */

#define SVC_DAY 1u  /* runs on the service date */
#define SVC_PREV 2u /* runs on the day before */

/* stops map values: the kind in the top two bits, an index below */
#define KIND_MASK (3u << 30)
#define KIND_STOP (0u << 30)
#define KIND_STATION (1u << 30)
#define KIND_OTHER (2u << 30)

typedef struct {
    uint32_t trip; /* local active trip */
    uint32_t seq;
    uint32_t stop; /* routing stop */
    int32_t arr, dep;
    float dist;    /* shape_dist_traveled, NAN if none */
    uint8_t flags; /* bit 0: pickup allowed, bit 1: drop-off allowed */
} st_row;

typedef struct {
    uint32_t trip;
    int32_t start, end, headway;
} freq_row;

typedef struct {
    geo_gtfs *g;
    uint32_t feed;
    const char *path, *name;
    char *prefix; /* "<folder>/" or "/vsizip/<zip>/" */
    int32_t day;
    sim_warnings *warn;
    sim_error *err;
    geo_gtfs_counts *counts;

    strmap services;
    uint8_t *svc;
    size_t n_svc, svc_cap;
    int32_t first_day, last_day;

    strmap stops;
    size_t stop0, station0; /* this feed's first routing stop and station */
    uint32_t *pending_stop; /* routing stops with a parent_station to resolve */
    size_t *pending_off;    /* ... its id in pending_ids */
    size_t n_pending, pending_stop_cap, pending_off_cap;
    char *pending_ids;
    size_t pending_len, pending_cap;

    strmap routes;

    strmap trips; /* active trip_id -> local index */
    hashset inactive;
    uint32_t *trip_route;
    uint8_t *trip_svc;
    const char **trip_id;
    size_t n_trips, trip_route_cap, trip_svc_cap, trip_id_cap;

    freq_row *freqs;
    size_t n_freqs, freqs_cap;

    st_row *rows;
    size_t n_rows, rows_cap;
    char last_trip[256];
    size_t last_trip_len;
    uint32_t last_trip_val; /* local index, or SIM_INVALID_ID */
    int last_trip_known;    /* exists in trips.txt (maybe inactive) */
    int have_last_trip;
} feed;

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static void
feed_warn(feed *F, const char *file, const char *problem, const char *example_fmt, ...) {
    if (!F->warn) return;
    char what[160], ex[96];
    snprintf(what, sizeof what, "%s: %s: %s", F->name, file, problem);
    va_list ap;
    va_start(ap, example_fmt);
    vsnprintf(ex, sizeof ex, example_fmt, ap);
    va_end(ap);
    sim_warnings_add(F->warn, what, "%s", ex);
}

static sim_status nomem(feed *F, const char *file) {
    return sim_error_set(F->err, SIM_ENOMEM, "%s: %s", F->path, file);
}

static void feed_free(feed *F) {
    free(F->prefix);
    strmap_free(&F->services);
    free(F->svc);
    strmap_free(&F->stops);
    free(F->pending_stop);
    free(F->pending_off);
    free(F->pending_ids);
    strmap_free(&F->routes);
    strmap_free(&F->trips);
    free(F->inactive.slot);
    free(F->trip_route);
    free(F->trip_svc);
    free(F->trip_id);
    free(F->freqs);
    free(F->rows);
}

/* Why a required file may be missing, for the message: the feed's files sit one folder down
 * (what zipping a folder gives), or what the feed holds instead. */
static void missing_hint(const feed *F, const char *file, char *out, size_t size) {
    out[0] = '\0';
    char **list = VSIReadDir(F->prefix);
    int n = CSLCount(list);
    for (int i = 0; i < n; ++i) {
        char probe[4400];
        VSIStatBufL st;
        snprintf(probe, sizeof probe, "%s%s/%s", F->prefix, list[i], file);
        if (VSIStatL(probe, &st) == 0) {
            snprintf(out, size, " at its top level: it is inside the folder '%s/' (zip the files "
                                "themselves, not their folder)",
                     list[i]);
            CSLDestroy(list);
            return;
        }
    }
    if (n > 0) {
        size_t w = (size_t)snprintf(out, size, " (the feed holds:");
        for (int i = 0; i < n && i < 8 && w < size; ++i)
            w += (size_t)snprintf(out + w, size - w, " %s", list[i]);
        if (w < size) snprintf(out + w, size - w, "%s)", n > 8 ? " ..." : "");
    }
    CSLDestroy(list);
}

/* Streams `file` of the feed; *found says whether it exists. A missing `required` file is an
 * error. */
static sim_status feed_table(feed *F, const char *file, const col_spec *cols, int n_cols, row_fn fn,
                             int required, int *found) {
    size_t n = strlen(F->prefix) + strlen(file) + 1;
    char *vpath = malloc(n);
    if (!vpath) return nomem(F, file);
    snprintf(vpath, n, "%s%s", F->prefix, file);
    csv_in c;
    memset(&c, 0, sizeof c);
    c.label = F->path;
    c.file = file;
    c.cols = cols;
    c.n_cols = n_cols;
    c.on_row = fn;
    c.ctx = F;
    c.err = F->err;
    int here = 0;
    sim_status rc = csv_stream(vpath, &c, &here);
    csv_in_free(&c);
    free(vpath);
    if (found) *found = here;
    if (!rc && !here && required) {
        char hint[600];
        missing_hint(F, file, hint, sizeof hint);
        rc = sim_error_set(F->err, SIM_EPARSE, "%s: required file %s is missing%s", F->path, file,
                           hint);
    }
    return rc;
}

/* ---- calendar.txt, calendar_dates.txt -------------------------------------------------------- */

static void extend_range(feed *F, int32_t day) {
    if (day < F->first_day) F->first_day = day;
    if (day > F->last_day) F->last_day = day;
}

/* The service's index (added with no days if new), or SIM_INVALID_ID when out of memory. */
static uint32_t service_index(feed *F, const char *id, int *added) {
    size_t len = strlen(id);
    uint32_t s = strmap_get(&F->services, id, len);
    *added = 0;
    if (s != SIM_INVALID_ID) return s;
    if (!GROW(F->svc, F->svc_cap, F->n_svc + 1)) return SIM_INVALID_ID;
    s = (uint32_t)F->n_svc;
    if (strmap_put(&F->services, id, len, s) < 0) return SIM_INVALID_ID;
    F->svc[F->n_svc++] = 0;
    *added = 1;
    return s;
}

enum { CAL_ID, CAL_MON, CAL_START = CAL_MON + 7, CAL_END, CAL_N };
static const col_spec CAL_COLS[CAL_N] = {
    {"service_id", 1}, {"monday", 1},   {"tuesday", 1}, {"wednesday", 1},  {"thursday", 1},
    {"friday", 1},     {"saturday", 1}, {"sunday", 1},  {"start_date", 1}, {"end_date", 1}};

static sim_status calendar_row(void *ctx, csv_in *c) {
    feed *F = ctx;
    const char *id = csv_val(c, CAL_ID);
    if (!*id) return csv_empty(c, CAL_ID);
    int32_t start, end;
    if (!parse_date(csv_val(c, CAL_START), 0, &start))
        return csv_bad(c, CAL_START, "is not a date YYYYMMDD");
    if (!parse_date(csv_val(c, CAL_END), 0, &end))
        return csv_bad(c, CAL_END, "is not a date YYYYMMDD");
    unsigned days = 0;
    for (int k = 0; k < 7; ++k) {
        uint32_t v;
        if (parse_uint(csv_val(c, CAL_MON + k), &v) != 1 || v > 1)
            return csv_bad(c, CAL_MON + k, "is not 0 or 1");
        days |= v << k;
    }
    int added;
    uint32_t s = service_index(F, id, &added);
    if (s == SIM_INVALID_ID) return nomem(F, c->file);
    if (!added) {
        feed_warn(F, c->file, "duplicate service_id; the first row is used", "%s (line %lu)", id,
                  c->row_line);
        return SIM_OK;
    }
    extend_range(F, start);
    extend_range(F, end);
    for (int32_t d = F->day - 1; d <= F->day; ++d)
        if (d >= start && d <= end && ((days >> weekday(d)) & 1u))
            F->svc[s] |= d == F->day ? SVC_DAY : SVC_PREV;
    return SIM_OK;
}

enum { CD_ID, CD_DATE, CD_TYPE, CD_N };
static const col_spec CD_COLS[CD_N] = {{"service_id", 1}, {"date", 1}, {"exception_type", 1}};

static sim_status calendar_dates_row(void *ctx, csv_in *c) {
    feed *F = ctx;
    const char *id = csv_val(c, CD_ID);
    if (!*id) return csv_empty(c, CD_ID);
    int32_t date;
    uint32_t type;
    if (!parse_date(csv_val(c, CD_DATE), 0, &date))
        return csv_bad(c, CD_DATE, "is not a date YYYYMMDD");
    if (parse_uint(csv_val(c, CD_TYPE), &type) != 1 || type < 1 || type > 2)
        return csv_bad(c, CD_TYPE, "is not 1 (added) or 2 (removed)");
    int added;
    uint32_t s = service_index(F, id, &added);
    if (s == SIM_INVALID_ID) return nomem(F, c->file);
    extend_range(F, date);
    unsigned bit = date == F->day ? SVC_DAY : date == F->day - 1 ? SVC_PREV : 0u;
    if (bit && type == 1) F->svc[s] = (uint8_t)(F->svc[s] | bit);
    if (bit && type == 2) F->svc[s] = (uint8_t)(F->svc[s] & ~bit);
    return SIM_OK;
}

/* ---- stops.txt ------------------------------------------------------------------------------- */

enum { STOP_ID, STOP_NAME, STOP_LAT, STOP_LON, STOP_TYPE, STOP_PARENT, STOP_N };
static const col_spec STOP_COLS[STOP_N] = {{"stop_id", 1},       {"stop_name", 0},
                                           {"stop_lat", 1},      {"stop_lon", 1},
                                           {"location_type", 0}, {"parent_station", 0}};

static sim_status stops_row(void *ctx, csv_in *c) {
    feed *F = ctx;
    geo_gtfs *g = F->g;
    const char *id = csv_val(c, STOP_ID);
    if (!*id) return csv_empty(c, STOP_ID);
    uint32_t type = 0;
    if (parse_uint(csv_val(c, STOP_TYPE), &type) < 0 || type > 4)
        return csv_bad(c, STOP_TYPE, "is not a location_type 0-4");
    size_t len = strlen(id);
    if (strmap_get(&F->stops, id, len) != SIM_INVALID_ID) {
        feed_warn(F, c->file, "duplicate stop_id; the first row is used", "%s (line %lu)", id,
                  c->row_line);
        return SIM_OK;
    }
    if (type > 1) /* entrance, generic node, boarding area: not a place to board */
        return strmap_put(&F->stops, id, len, KIND_OTHER) < 0 ? nomem(F, c->file) : SIM_OK;
    double lat, lon;
    if (parse_double(csv_val(c, STOP_LAT), &lat) != 1 || lat < -90 || lat > 90)
        return *csv_val(c, STOP_LAT) ? csv_bad(c, STOP_LAT, "is not a latitude")
                                     : csv_empty(c, STOP_LAT);
    if (parse_double(csv_val(c, STOP_LON), &lon) != 1 || lon < -180 || lon > 180)
        return *csv_val(c, STOP_LON) ? csv_bad(c, STOP_LON, "is not a longitude")
                                     : csv_empty(c, STOP_LON);
    geo_gtfs_stop st = {arena_cat(&g->strings, F->name, ":", id),
                        arena_cat(&g->strings, csv_val(c, STOP_NAME), NULL, NULL),
                        lon,
                        lat,
                        SIM_INVALID_ID,
                        F->feed};
    if (!st.id || !st.name) return nomem(F, c->file);
    if (type == 1) {
        if (g->n_stations >= (KIND_STATION - 1) ||
            !GROW(g->stations, g->stations_cap, g->n_stations + 1) ||
            strmap_put(&F->stops, id, len, KIND_STATION | (uint32_t)g->n_stations) < 0)
            return nomem(F, c->file);
        g->stations[g->n_stations++] = st;
        return SIM_OK;
    }
    if (g->n_stops >= (KIND_STATION - 1) || !GROW(g->stops, g->stops_cap, g->n_stops + 1) ||
        strmap_put(&F->stops, id, len, KIND_STOP | (uint32_t)g->n_stops) < 0)
        return nomem(F, c->file);
    const char *parent = csv_val(c, STOP_PARENT);
    if (*parent) {
        if (!GROW(F->pending_stop, F->pending_stop_cap, F->n_pending + 1) ||
            !GROW(F->pending_off, F->pending_off_cap, F->n_pending + 1))
            return nomem(F, c->file);
        F->pending_stop[F->n_pending] = (uint32_t)g->n_stops;
        F->pending_off[F->n_pending++] = F->pending_len;
        if (!append_bytes(&F->pending_ids, &F->pending_len, &F->pending_cap, parent,
                          strlen(parent) + 1))
            return nomem(F, c->file);
    }
    g->stops[g->n_stops++] = st;
    return SIM_OK;
}

/* Parents are resolved once every row is read: a station may come after its platforms. */
static void resolve_parents(feed *F) {
    for (size_t i = 0; i < F->n_pending; ++i) {
        const char *pid = F->pending_ids + F->pending_off[i];
        uint32_t v = strmap_get(&F->stops, pid, strlen(pid));
        geo_gtfs_stop *st = &F->g->stops[F->pending_stop[i]];
        if (v != SIM_INVALID_ID && (v & KIND_MASK) == KIND_STATION)
            st->parent = v & ~KIND_MASK;
        else
            feed_warn(F, "stops.txt", "parent_station is not a station (location_type 1); ignored",
                      "stop %s, parent %s", st->id, pid);
    }
}

/* ---- routes.txt, trips.txt, frequencies.txt -------------------------------------------------- */

enum { ROUTE_ID, ROUTE_SHORT, ROUTE_LONG, ROUTE_TYPE, ROUTE_N };
static const col_spec ROUTE_COLS[ROUTE_N] = {
    {"route_id", 1}, {"route_short_name", 0}, {"route_long_name", 0}, {"route_type", 1}};

static sim_status routes_row(void *ctx, csv_in *c) {
    feed *F = ctx;
    geo_gtfs *g = F->g;
    const char *id = csv_val(c, ROUTE_ID);
    if (!*id) return csv_empty(c, ROUTE_ID);
    uint32_t type;
    int t = parse_uint(csv_val(c, ROUTE_TYPE), &type);
    if (t == 0) return csv_empty(c, ROUTE_TYPE);
    if (t < 0) return csv_bad(c, ROUTE_TYPE, "is not a route_type");
    int added = strmap_put(&F->routes, id, strlen(id), (uint32_t)g->n_routes);
    if (added < 0) return nomem(F, c->file);
    if (!added) {
        feed_warn(F, c->file, "duplicate route_id; the first row is used", "%s (line %lu)", id,
                  c->row_line);
        return SIM_OK;
    }
    if (!GROW(g->routes, g->routes_cap, g->n_routes + 1)) return nomem(F, c->file);
    geo_gtfs_route r = {arena_cat(&g->strings, F->name, ":", id),
                        arena_cat(&g->strings, csv_val(c, ROUTE_SHORT), NULL, NULL),
                        arena_cat(&g->strings, csv_val(c, ROUTE_LONG), NULL, NULL), (int)type,
                        F->feed};
    if (!r.id || !r.short_name || !r.long_name) return nomem(F, c->file);
    g->routes[g->n_routes++] = r;
    ++F->counts->routes;
    return SIM_OK;
}

enum { TRIP_ROUTE, TRIP_SERVICE, TRIP_ID, TRIP_N };
static const col_spec TRIP_COLS[TRIP_N] = {{"route_id", 1}, {"service_id", 1}, {"trip_id", 1}};

static sim_status trips_row(void *ctx, csv_in *c) {
    feed *F = ctx;
    const char *id = csv_val(c, TRIP_ID), *sid = csv_val(c, TRIP_SERVICE);
    const char *rid = csv_val(c, TRIP_ROUTE);
    if (!*id) return csv_empty(c, TRIP_ID);
    size_t len = strlen(id);
    uint64_t h = hash_str(id, len);
    uint32_t s = strmap_get(&F->services, sid, strlen(sid));
    uint32_t r = strmap_get(&F->routes, rid, strlen(rid));
    uint8_t days = s == SIM_INVALID_ID ? 0 : F->svc[s];
    if (s == SIM_INVALID_ID)
        feed_warn(F, c->file, "service_id in neither calendar file; trip dropped",
                  "trip %s, service %s", id, sid);
    else if (days && r == SIM_INVALID_ID)
        feed_warn(F, c->file, "route_id not in routes.txt; trip dropped", "trip %s, route %s", id,
                  rid);
    if (!days || r == SIM_INVALID_ID) /* known, so its stop_times are skipped in silence */
        return hashset_add(&F->inactive, h) ? SIM_OK : nomem(F, c->file);
    if (F->n_trips >= SIM_INVALID_ID - 1) return nomem(F, c->file);
    int added = strmap_put(&F->trips, id, len, (uint32_t)F->n_trips);
    if (added < 0) return nomem(F, c->file);
    if (!added) {
        feed_warn(F, c->file, "duplicate trip_id; the first row is used", "%s (line %lu)", id,
                  c->row_line);
        return SIM_OK;
    }
    if (!GROW(F->trip_route, F->trip_route_cap, F->n_trips + 1) ||
        !GROW(F->trip_svc, F->trip_svc_cap, F->n_trips + 1) ||
        !GROW(F->trip_id, F->trip_id_cap, F->n_trips + 1) ||
        !(F->trip_id[F->n_trips] = arena_cat(&F->g->strings, F->name, ":", id)))
        return nomem(F, c->file);
    F->trip_route[F->n_trips] = r;
    F->trip_svc[F->n_trips] = days;
    ++F->n_trips;
    return SIM_OK;
}

/* The local index of active trip `id`; SIM_INVALID_ID if it does not run (then *known says
 * whether trips.txt has it). */
static uint32_t trip_lookup(feed *F, const char *id, int *known) {
    size_t len = strlen(id);
    uint32_t t = strmap_get(&F->trips, id, len);
    *known = t != SIM_INVALID_ID || hashset_has(&F->inactive, hash_str(id, len));
    return t;
}

enum { FREQ_TRIP, FREQ_START, FREQ_END, FREQ_HEADWAY, FREQ_EXACT, FREQ_N };
static const col_spec FREQ_COLS[FREQ_N] = {
    {"trip_id", 1}, {"start_time", 1}, {"end_time", 1}, {"headway_secs", 1}, {"exact_times", 0}};

static sim_status frequencies_row(void *ctx, csv_in *c) {
    feed *F = ctx;
    const char *id = csv_val(c, FREQ_TRIP);
    int known;
    uint32_t t = trip_lookup(F, id, &known);
    if (t == SIM_INVALID_ID) {
        if (!known)
            feed_warn(F, c->file, "trip_id not in trips.txt; row ignored", "%s (line %lu)", id,
                      c->row_line);
        return SIM_OK;
    }
    int32_t start, end;
    uint32_t headway, exact = 0;
    int r = parse_time(csv_val(c, FREQ_START), &start);
    if (r <= 0)
        return r ? csv_bad(c, FREQ_START, "is not a time H:MM:SS") : csv_empty(c, FREQ_START);
    r = parse_time(csv_val(c, FREQ_END), &end);
    if (r <= 0) return r ? csv_bad(c, FREQ_END, "is not a time H:MM:SS") : csv_empty(c, FREQ_END);
    if (parse_uint(csv_val(c, FREQ_HEADWAY), &headway) != 1 || headway == 0)
        return csv_bad(c, FREQ_HEADWAY, "is not a positive number of seconds");
    if (parse_uint(csv_val(c, FREQ_EXACT), &exact) < 0 || exact > 1)
        return csv_bad(c, FREQ_EXACT, "is not 0 or 1");
    if (end <= start) {
        feed_warn(F, c->file, "end_time not after start_time; row ignored", "trip %s (line %lu)",
                  id, c->row_line);
        return SIM_OK;
    }
    if (!GROW(F->freqs, F->freqs_cap, F->n_freqs + 1)) return nomem(F, c->file);
    F->freqs[F->n_freqs++] = (freq_row){t, start, end, (int32_t)headway};
    return SIM_OK;
}

/* ---- stop_times.txt -------------------------------------------------------------------------- */

enum { ST_TRIP, ST_ARR, ST_DEP, ST_STOP, ST_SEQ, ST_PICK, ST_DROP, ST_DIST, ST_N };
static const col_spec ST_COLS[ST_N] = {
    {"trip_id", 1},       {"arrival_time", 1}, {"departure_time", 1}, {"stop_id", 1},
    {"stop_sequence", 1}, {"pickup_type", 0},  {"drop_off_type", 0},  {"shape_dist_traveled", 0}};

static sim_status stop_times_row(void *ctx, csv_in *c) {
    feed *F = ctx;
    const char *tid = csv_val(c, ST_TRIP);
    size_t tlen = strlen(tid);
    /* rows usually come trip by trip: remember the last trip's lookup */
    if (!F->have_last_trip || tlen != F->last_trip_len || memcmp(tid, F->last_trip, tlen) != 0) {
        F->last_trip_val = trip_lookup(F, tid, &F->last_trip_known);
        F->have_last_trip = tlen < sizeof F->last_trip;
        if (F->have_last_trip) {
            memcpy(F->last_trip, tid, tlen + 1);
            F->last_trip_len = tlen;
        }
        if (F->last_trip_val == SIM_INVALID_ID && !F->last_trip_known) {
            feed_warn(F, c->file, "trip_id not in trips.txt; stop_time dropped", "%s (line %lu)",
                      tid, c->row_line);
            return SIM_OK;
        }
    } else if (F->last_trip_val == SIM_INVALID_ID && !F->last_trip_known) {
        char what[160];
        snprintf(what, sizeof what, "%s: %s: %s", F->name, c->file,
                 "trip_id not in trips.txt; stop_time dropped");
        sim_warnings_add(F->warn, what, NULL);
        return SIM_OK;
    }
    uint32_t t = F->last_trip_val;
    if (t == SIM_INVALID_ID) return SIM_OK; /* a trip that does not run on the date */

    st_row row = {t, 0, 0, NO_TIME, NO_TIME, NAN, 3};
    int r = parse_uint(csv_val(c, ST_SEQ), &row.seq);
    if (r <= 0) return r ? csv_bad(c, ST_SEQ, "is not a stop_sequence") : csv_empty(c, ST_SEQ);
    if (parse_time(csv_val(c, ST_ARR), &row.arr) < 0)
        return csv_bad(c, ST_ARR, "is not a time H:MM:SS");
    if (parse_time(csv_val(c, ST_DEP), &row.dep) < 0)
        return csv_bad(c, ST_DEP, "is not a time H:MM:SS");
    uint32_t v;
    if ((r = parse_uint(csv_val(c, ST_PICK), &v)) < 0 || (r && v > 3))
        return csv_bad(c, ST_PICK, "is not a pickup_type 0-3");
    if (r && v == 1) row.flags &= (uint8_t)~1u;
    if ((r = parse_uint(csv_val(c, ST_DROP), &v)) < 0 || (r && v > 3))
        return csv_bad(c, ST_DROP, "is not a drop_off_type 0-3");
    if (r && v == 1) row.flags &= (uint8_t)~2u;
    double dist;
    if ((r = parse_double(csv_val(c, ST_DIST), &dist)) < 0)
        return csv_bad(c, ST_DIST, "is not a number");
    if (r) row.dist = (float)dist;

    const char *sid = csv_val(c, ST_STOP);
    uint32_t s = strmap_get(&F->stops, sid, strlen(sid));
    if (s == SIM_INVALID_ID || (s & KIND_MASK) != KIND_STOP) {
        feed_warn(F, c->file,
                  s == SIM_INVALID_ID ? "stop_id not in stops.txt; stop_time dropped"
                                      : "stop_id is a station or entrance; stop_time dropped",
                  "trip %s, stop %s (line %lu)", tid, sid, c->row_line);
        return SIM_OK;
    }
    row.stop = s;
    if (!GROW(F->rows, F->rows_cap, F->n_rows + 1)) return nomem(F, c->file);
    F->rows[F->n_rows++] = row;
    return SIM_OK;
}

/* ---- from rows to trips ---------------------------------------------------------------------- */

static int cmp_seq(const void *a, const void *b) {
    uint32_t x = ((const st_row *)a)->seq, y = ((const st_row *)b)->seq;
    return (x > y) - (x < y);
}

static int cmp_freq(const void *a, const void *b) {
    const freq_row *x = a, *y = b;
    if (x->trip != y->trip) return (x->trip > y->trip) - (x->trip < y->trip);
    return (x->start > y->start) - (x->start < y->start);
}

/*
 * Groups the rows by trip (a stable counting sort, skipped when the file is already in order),
 * then orders each trip's rows by stop_sequence. first[t]..first[t+1] are trip t's rows.
 */
static sim_status group_rows(feed *F, size_t *first) {
    size_t n = F->n_rows;
    int grouped = 1, ordered = 1;
    for (size_t i = 1; i < n && grouped; ++i) {
        if (F->rows[i].trip < F->rows[i - 1].trip)
            grouped = 0;
        else if (F->rows[i].trip == F->rows[i - 1].trip && F->rows[i].seq < F->rows[i - 1].seq)
            ordered = 0;
    }
    memset(first, 0, (F->n_trips + 1) * sizeof *first);
    for (size_t i = 0; i < n; ++i) ++first[F->rows[i].trip + 1];
    for (size_t t = 0; t < F->n_trips; ++t) first[t + 1] += first[t];
    if (!grouped) {
        st_row *sorted = malloc((n ? n : 1) * sizeof *sorted);
        size_t *next = malloc((F->n_trips + 1) * sizeof *next);
        if (!sorted || !next) {
            free(sorted);
            free(next);
            return nomem(F, "stop_times.txt");
        }
        memcpy(next, first, (F->n_trips + 1) * sizeof *next);
        for (size_t i = 0; i < n; ++i) sorted[next[F->rows[i].trip]++] = F->rows[i];
        free(next);
        free(F->rows);
        F->rows = sorted;
        F->rows_cap = n;
        ordered = 0;
    }
    if (!ordered)
        for (size_t t = 0; t < F->n_trips; ++t) {
            st_row *r = F->rows + first[t];
            size_t m = first[t + 1] - first[t];
            for (size_t i = 1; i < m; ++i)
                if (r[i].seq < r[i - 1].seq) {
                    qsort(r, m, sizeof *r, cmp_seq);
                    break;
                }
        }
    return SIM_OK;
}

/*
 * Fills the times of the stops between two timed stops, as R5 does (gtfs-lib's
 * GTFSFeed.getInterpolatedStopTimesForTrip): linearly in distance from the departure at the
 * timed stop before to the arrival at the timed stop after, arrival = departure, rounded down.
 * R5 measures great-circle distances between consecutive stops; here shape_dist_traveled is
 * used instead when every stop_time of the stretch has one and they do not decrease. A stretch of
 * zero length is spread evenly by stop count. `cum` is scratch with n slots.
 */
static void interpolate(const st_row *r, uint32_t n, const geo_gtfs_stop *stops, int32_t *arr,
                        int32_t *dep, double *cum) {
    for (uint32_t i = 1; i + 1 < n; ++i) {
        if (dep[i] != NO_TIME) continue;
        uint32_t b = i - 1, j = i + 1;
        while (dep[j] == NO_TIME) ++j; /* the last stop has a time */
        int shape = 1;
        for (uint32_t k = b; k <= j && shape; ++k)
            if (isnan(r[k].dist) || (k > b && r[k].dist < r[k - 1].dist)) shape = 0;
        if (shape && !(r[j].dist > r[b].dist)) shape = 0;
        double total = 0;
        for (uint32_t k = b + 1; k <= j; ++k) {
            if (shape) {
                total = (double)r[k].dist - (double)r[b].dist;
            } else {
                const geo_gtfs_stop *p = &stops[r[k - 1].stop], *q = &stops[r[k].stop];
                total += haversine_m(p->lon, p->lat, q->lon, q->lat);
            }
            cum[k] = total;
        }
        if (!(total > 0)) {
            for (uint32_t k = b + 1; k <= j; ++k) cum[k] = k - b;
            total = j - b;
        }
        double span = (double)arr[j] - (double)dep[b];
        for (uint32_t k = i; k < j; ++k)
            arr[k] = dep[k] = dep[b] + (int32_t)floor(span * cum[k] / total + 1e-6);
        i = j;
    }
}

/* Appends one instance of a trip, its times shifted by `shift_s`. */
static sim_status add_instance(feed *F, const trip_rec *tpl, const int32_t *arr, const int32_t *dep,
                               int32_t shift_s, uint32_t t, int prev_day, int freq) {
    geo_gtfs *g = F->g;
    size_t n = tpl->n;
    if (!GROW(g->tt_arr, g->tt_arr_cap, g->n_tt_times + n) ||
        !GROW(g->tt_dep, g->tt_dep_cap, g->n_tt_times + n) ||
        !GROW(g->recs, g->recs_cap, g->n_recs + 1) || !GROW(g->infos, g->infos_cap, g->n_recs + 1))
        return nomem(F, "stop_times.txt");
    trip_rec rec = *tpl;
    rec.times_off = g->n_tt_times;
    for (size_t i = 0; i < n; ++i) {
        g->tt_arr[g->n_tt_times + i] = arr[i] + shift_s;
        g->tt_dep[g->n_tt_times + i] = dep[i] + shift_s;
    }
    g->n_tt_times += n;
    g->infos[g->n_recs] = (geo_gtfs_trip_info){F->trip_id[t], F->feed, (int8_t)(prev_day ? -1 : 0),
                                               (uint8_t)(freq ? 1 : 0)};
    g->recs[g->n_recs++] = rec;
    ++F->counts->trips;
    F->counts->stop_times += n;
    if (prev_day) ++F->counts->previous_day_trips;
    if (freq) ++F->counts->frequency_trips;
    return SIM_OK;
}

/* Every instance of trip t: once per frequencies row start, once per day it runs. */
static sim_status emit_trip(feed *F, uint32_t t, const st_row *r, uint32_t n, const int32_t *arr,
                            const int32_t *dep, const freq_row *fq, size_t n_fq) {
    geo_gtfs *g = F->g;
    trip_rec tpl = {g->n_tt_stops, 0, NO_OFFSET, n, F->trip_route[t]};
    if (!GROW(g->tt_stops, g->tt_stops_cap, g->n_tt_stops + n)) return nomem(F, "stop_times.txt");
    int all_allowed = 1;
    for (uint32_t i = 0; i < n; ++i) {
        g->tt_stops[g->n_tt_stops + i] = r[i].stop;
        all_allowed &= r[i].flags == 3;
    }
    g->n_tt_stops += n;
    if (!all_allowed) {
        if (!GROW(g->tt_pick, g->tt_pick_cap, g->n_tt_flags + n) ||
            !GROW(g->tt_drop, g->tt_drop_cap, g->n_tt_flags + n))
            return nomem(F, "stop_times.txt");
        tpl.flags_off = g->n_tt_flags;
        for (uint32_t i = 0; i < n; ++i) {
            g->tt_pick[g->n_tt_flags + i] = r[i].flags & 1u;
            g->tt_drop[g->n_tt_flags + i] = (r[i].flags >> 1) & 1u;
        }
        g->n_tt_flags += n;
    }
    sim_status rc = SIM_OK;
    uint8_t days = F->trip_svc[t];
    for (int prev = 1; prev >= 0 && !rc; --prev) {
        if (!(days & (prev ? SVC_PREV : SVC_DAY))) continue;
        int32_t back = prev ? -DAY_S : 0;
        if (!n_fq) {
            if (!prev || arr[n - 1] >= DAY_S)
                rc = add_instance(F, &tpl, arr, dep, back, t, prev, 0);
            continue;
        }
        for (size_t k = 0; k < n_fq && !rc; ++k)
            for (int32_t s = fq[k].start; s < fq[k].end && !rc; s += fq[k].headway) {
                int32_t shift = s - dep[0];
                if (!prev || arr[n - 1] + shift >= DAY_S)
                    rc = add_instance(F, &tpl, arr, dep, shift + back, t, prev, 1);
            }
    }
    return rc;
}

static sim_status build_trips(feed *F) {
    sim_status rc = SIM_OK;
    size_t *first = malloc((F->n_trips + 1) * sizeof *first);
    size_t *ffirst = calloc(F->n_trips + 1, sizeof *ffirst);
    int32_t *arr = NULL, *dep = NULL;
    double *cum = NULL;
    size_t scratch = 0;
    if (!first || !ffirst) {
        rc = nomem(F, "stop_times.txt");
        goto done;
    }
    if ((rc = group_rows(F, first))) goto done;
    if (F->n_freqs) qsort(F->freqs, F->n_freqs, sizeof *F->freqs, cmp_freq);
    for (size_t k = 0; k < F->n_freqs; ++k) ++ffirst[F->freqs[k].trip + 1];
    for (size_t t = 0; t < F->n_trips; ++t) ffirst[t + 1] += ffirst[t];

    const char *file = "stop_times.txt";
    for (uint32_t t = 0; t < F->n_trips; ++t) {
        size_t m = first[t + 1] - first[t];
        const char *id = F->trip_id[t] + strlen(F->name) + 1;
        if (m < 2) {
            feed_warn(F, file, "trip with fewer than two stop_times dropped", "%s", id);
            continue;
        }
        const st_row *r = F->rows + first[t];
        if (m > UINT32_MAX / 2) {
            rc = nomem(F, file);
            goto done;
        }
        uint32_t n = (uint32_t)m, dup = 0;
        for (uint32_t i = 1; i < n && !dup; ++i)
            if (r[i].seq == r[i - 1].seq) dup = i;
        if (dup) {
            feed_warn(F, file, "trip with a duplicate stop_sequence dropped", "%s, sequence %u", id,
                      (unsigned)r[dup].seq);
            continue;
        }
        if (n > scratch) {
            free(arr);
            free(dep);
            free(cum);
            arr = malloc(n * sizeof *arr);
            dep = malloc(n * sizeof *dep);
            cum = malloc(n * sizeof *cum);
            scratch = n;
            if (!arr || !dep || !cum) {
                rc = nomem(F, file);
                goto done;
            }
        }
        for (uint32_t i = 0; i < n; ++i) {
            arr[i] = r[i].arr != NO_TIME ? r[i].arr : r[i].dep;
            dep[i] = r[i].dep != NO_TIME ? r[i].dep : r[i].arr;
        }
        if (dep[0] == NO_TIME || dep[n - 1] == NO_TIME) {
            feed_warn(F, file, "trip without a time at its first or last stop dropped", "%s", id);
            continue;
        }
        interpolate(r, n, F->g->stops, arr, dep, cum);
        uint32_t back = 0;
        for (uint32_t i = 0; i < n && !back; ++i)
            if (arr[i] > dep[i] || (i + 1 < n && dep[i] > arr[i + 1])) back = i + 1;
        if (back) {
            feed_warn(F, file, "trip whose times go backwards dropped", "%s, sequence %u", id,
                      (unsigned)r[back - 1].seq);
            continue;
        }
        if ((rc = emit_trip(F, t, r, n, arr, dep, F->freqs + ffirst[t], ffirst[t + 1] - ffirst[t])))
            goto done;
    }
done:
    free(first);
    free(ffirst);
    free(arr);
    free(dep);
    free(cum);
    return rc;
}

/* ---- transfers.txt --------------------------------------------------------------------------- */

enum {
    TR_FROM,
    TR_TO,
    TR_TYPE,
    TR_MIN,
    TR_FROM_TRIP,
    TR_TO_TRIP,
    TR_FROM_ROUTE,
    TR_TO_ROUTE,
    TR_N
};
static const col_spec TR_COLS[TR_N] = {
    {"from_stop_id", 1}, {"to_stop_id", 1}, {"transfer_type", 0}, {"min_transfer_time", 0},
    {"from_trip_id", 0}, {"to_trip_id", 0}, {"from_route_id", 0}, {"to_route_id", 0}};

typedef struct {
    feed *F;
    uint32_t *child_first; /* this feed's stations: child stops CSR */
    uint32_t *children;
} transfer_ctx;

/* The routing stops a transfers.txt stop id stands for: itself, or a station's children. */
static size_t transfer_side(transfer_ctx *x, const char *id, uint32_t *one, const uint32_t **list) {
    feed *F = x->F;
    uint32_t v = strmap_get(&F->stops, id, strlen(id));
    if (v == SIM_INVALID_ID) return 0;
    if ((v & KIND_MASK) == KIND_STOP) {
        *one = v;
        *list = one;
        return 1;
    }
    if ((v & KIND_MASK) != KIND_STATION) return 0;
    size_t s = (v & ~KIND_MASK) - F->station0;
    *list = x->children + x->child_first[s];
    return x->child_first[s + 1] - x->child_first[s];
}

static sim_status transfers_row(void *ctx, csv_in *c) {
    transfer_ctx *x = ctx;
    feed *F = x->F;
    geo_gtfs *g = F->g;
    uint32_t type = 0, min_s = 0;
    if (parse_uint(csv_val(c, TR_TYPE), &type) < 0 || type > 5)
        return csv_bad(c, TR_TYPE, "is not a transfer_type 0-5");
    int has_min = parse_uint(csv_val(c, TR_MIN), &min_s);
    if (has_min < 0) return csv_bad(c, TR_MIN, "is not a number of seconds");
    if (type != 2 && type != 3) {
        if (type > 3)
            feed_warn(F, c->file, "in-seat transfer (transfer_type 4 or 5) ignored", "line %lu",
                      c->row_line);
        return SIM_OK;
    }
    if (*csv_val(c, TR_FROM_TRIP) || *csv_val(c, TR_TO_TRIP) || *csv_val(c, TR_FROM_ROUTE) ||
        *csv_val(c, TR_TO_ROUTE)) {
        feed_warn(F, c->file, "transfer restricted to trips or routes ignored", "line %lu",
                  c->row_line);
        return SIM_OK;
    }
    if (type == 2 && !has_min) {
        feed_warn(F, c->file, "transfer_type 2 without min_transfer_time ignored", "line %lu",
                  c->row_line);
        return SIM_OK;
    }
    const char *from = csv_val(c, TR_FROM), *to = csv_val(c, TR_TO);
    uint32_t one_a, one_b;
    const uint32_t *a, *b;
    size_t na = transfer_side(x, from, &one_a, &a), nb = transfer_side(x, to, &one_b, &b);
    if (!na || !nb) {
        feed_warn(F, c->file,
                  "stop without routing stops (unknown, or a station without "
                  "platforms); transfer ignored",
                  "%s -> %s (line %lu)", from, to, c->row_line);
        return SIM_OK;
    }
    for (size_t i = 0; i < na; ++i)
        for (size_t j = 0; j < nb; ++j) {
            if (a[i] == b[j]) continue;
            sim_transfer tr = {a[i], b[j], type == 2 ? min_s : 0};
            if (type == 2) {
                if (!GROW(g->transfers, g->transfers_cap, g->n_transfers + 1))
                    return nomem(F, c->file);
                g->transfers[g->n_transfers++] = tr;
                ++F->counts->transfers;
            } else {
                if (!GROW(g->forbidden, g->forbidden_cap, g->n_forbidden + 1))
                    return nomem(F, c->file);
                g->forbidden[g->n_forbidden++] = tr;
                ++F->counts->forbidden_transfers;
            }
        }
    return SIM_OK;
}

static sim_status read_transfers(feed *F) {
    geo_gtfs *g = F->g;
    size_t ns = g->n_stations - F->station0;
    transfer_ctx x = {F, calloc(ns + 2, sizeof(uint32_t)), NULL};
    size_t nchild = 0;
    for (size_t i = F->stop0; i < g->n_stops; ++i)
        if (g->stops[i].parent != SIM_INVALID_ID) ++nchild;
    x.children = malloc((nchild ? nchild : 1) * sizeof(uint32_t));
    sim_status rc = SIM_OK;
    if (!x.child_first || !x.children) {
        rc = nomem(F, "transfers.txt");
        goto done;
    }
    for (size_t i = F->stop0; i < g->n_stops; ++i)
        if (g->stops[i].parent != SIM_INVALID_ID)
            ++x.child_first[g->stops[i].parent - F->station0 + 2];
    for (size_t s = 0; s < ns; ++s) x.child_first[s + 2] += x.child_first[s + 1];
    for (size_t i = F->stop0; i < g->n_stops; ++i)
        if (g->stops[i].parent != SIM_INVALID_ID)
            x.children[x.child_first[g->stops[i].parent - F->station0 + 1]++] = (uint32_t)i;
    size_t vlen = strlen(F->prefix) + sizeof "transfers.txt";
    char *vpath = malloc(vlen);
    if (!vpath) {
        rc = nomem(F, "transfers.txt");
        goto done;
    }
    snprintf(vpath, vlen, "%stransfers.txt", F->prefix);
    csv_in c;
    memset(&c, 0, sizeof c);
    c.label = F->path;
    c.file = "transfers.txt";
    c.cols = TR_COLS;
    c.n_cols = TR_N;
    c.on_row = transfers_row;
    c.ctx = &x;
    c.err = F->err;
    int found;
    rc = csv_stream(vpath, &c, &found);
    csv_in_free(&c);
    free(vpath);
done:
    free(x.child_first);
    free(x.children);
    return rc;
}

/* ---- one feed -------------------------------------------------------------------------------- */

static sim_status feed_load(feed *F) {
    sim_status rc;
    geo_gtfs *g = F->g;
    VSIStatBufL st;
    if (VSIStatL(F->path, &st) != 0)
        return sim_error_set(F->err, SIM_EIO, "%s: cannot read: no such file or folder", F->path);
    size_t n = strlen(F->path) + sizeof "/vsizip//";
    if (!(F->prefix = malloc(n))) return nomem(F, "");
    if (VSI_ISDIR(st.st_mode)) {
        snprintf(F->prefix, n, "%s/", F->path);
    } else {
        snprintf(F->prefix, n, "/vsizip/%s", F->path);
        if (VSIStatL(F->prefix, &st) != 0 || !VSI_ISDIR(st.st_mode))
            return sim_error_set(F->err, SIM_EIO,
                                 "%s: cannot read as a GTFS feed (neither a zip file nor a folder)",
                                 F->path);
        snprintf(F->prefix, n, "/vsizip/%s/", F->path);
    }

    /* calendars first: they decide which trips are kept */
    int have_cal, have_dates;
    F->first_day = INT32_MAX;
    F->last_day = INT32_MIN;
    if ((rc = feed_table(F, "calendar.txt", CAL_COLS, CAL_N, calendar_row, 0, &have_cal)) ||
        (rc = feed_table(F, "calendar_dates.txt", CD_COLS, CD_N, calendar_dates_row, 0,
                         &have_dates)))
        return rc;
    if (!have_cal && !have_dates) {
        char hint[600];
        missing_hint(F, "calendar.txt", hint, sizeof hint);
        return sim_error_set(F->err, SIM_EPARSE,
                             "%s: required file calendar.txt or calendar_dates.txt is missing%s",
                             F->path, hint);
    }
    if (F->first_day > F->last_day)
        return sim_error_set(F->err, SIM_EPARSE,
                             "%s: calendar.txt and calendar_dates.txt list no service", F->path);
    geo_gtfs_feed_info *info = &g->feeds[F->feed];
    civil_from_days(F->first_day, info->first_date);
    civil_from_days(F->last_day, info->last_date);
    if (F->day < F->first_day || F->day > F->last_day)
        return sim_error_set(F->err, SIM_EINVAL, "%s: %s is outside the feed's calendar (%s to %s)",
                             F->path, g->date, info->first_date, info->last_date);

    F->stop0 = g->n_stops;
    F->station0 = g->n_stations;
    if ((rc = feed_table(F, "stops.txt", STOP_COLS, STOP_N, stops_row, 1, NULL))) return rc;
    resolve_parents(F);
    F->counts->stops = g->n_stops - F->stop0;
    F->counts->stations = g->n_stations - F->station0;
    if ((rc = feed_table(F, "routes.txt", ROUTE_COLS, ROUTE_N, routes_row, 1, NULL)) ||
        (rc = feed_table(F, "trips.txt", TRIP_COLS, TRIP_N, trips_row, 1, NULL)) ||
        (rc = feed_table(F, "frequencies.txt", FREQ_COLS, FREQ_N, frequencies_row, 0, NULL)) ||
        (rc = feed_table(F, "stop_times.txt", ST_COLS, ST_N, stop_times_row, 1, NULL)))
        return rc;
    /* the lookups are done: free them before the trips are built */
    strmap_free(&F->trips);
    free(F->inactive.slot);
    memset(&F->inactive, 0, sizeof F->inactive);
    if ((rc = build_trips(F))) return rc;
    free(F->rows);
    F->rows = NULL;
    return read_transfers(F);
}

/* "poa_eptc" from ".../poa_eptc.zip" or ".../folder/". */
static const char *default_name(arena *a, const char *path) {
    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/') --len;
    size_t start = len;
    while (start > 0 && path[start - 1] != '/') --start;
    size_t n = len - start;
    if (n > 4 && strncasecmp(path + len - 4, ".zip", 4) == 0) n -= 4;
    char *s = arena_alloc(a, n + 1);
    if (!s) return NULL;
    memcpy(s, path + start, n);
    s[n] = '\0';
    return s;
}

/* ---- public API ------------------------------------------------------------------------------ */

void geo_gtfs_destroy(geo_gtfs *g) {
    if (!g) return;
    arena_free(&g->strings);
    free(g->feeds);
    free(g->stops);
    free(g->stations);
    free(g->routes);
    strmap_free(&g->stop_ids);
    free(g->tt_stops);
    free(g->tt_arr);
    free(g->tt_dep);
    free(g->tt_pick);
    free(g->tt_drop);
    free(g->recs);
    free(g->infos);
    free(g->trips);
    free(g->transfers);
    free(g->forbidden);
    free(g);
}

sim_status geo_gtfs_load_named(const char *const *paths, const char *const *names, size_t n_paths,
                               const char *service_date, sim_warnings *warn, geo_gtfs **out,
                               sim_error *err) {
    sim_status rc = SIM_OK;
    int32_t day;
    *out = NULL;
    if (!paths || !n_paths) return sim_error_set(err, SIM_EINVAL, "no GTFS feed given");
    if (!service_date || !parse_date(service_date, '-', &day))
        return sim_error_set(err, SIM_EINVAL, "service date '%s' is not a date YYYY-MM-DD",
                             service_date ? service_date : "(none)");
    geo_gtfs *g = calloc(1, sizeof *g);
    if (!g || !(g->feeds = calloc(n_paths, sizeof *g->feeds))) {
        free(g);
        return sim_error_set(err, SIM_ENOMEM, "GTFS feeds");
    }
    civil_from_days(day, g->date);
    g->n_feeds = n_paths;
    for (size_t i = 0; i < n_paths; ++i) {
        if (!paths[i] || !*paths[i]) {
            rc = sim_error_set(err, SIM_EINVAL, "GTFS feed %zu: empty path", i + 1);
            goto done;
        }
        const char *name = names && names[i] ? arena_cat(&g->strings, names[i], NULL, NULL)
                                             : default_name(&g->strings, paths[i]);
        g->feeds[i].path = arena_cat(&g->strings, paths[i], NULL, NULL);
        if (!name || !g->feeds[i].path) {
            rc = sim_error_set(err, SIM_ENOMEM, "GTFS feeds");
            goto done;
        }
        if (!*name || strchr(name, ':')) {
            rc = sim_error_set(err, SIM_EINVAL, "%s: feed name '%s' is empty or contains ':'",
                               paths[i], name);
            goto done;
        }
        for (size_t j = 0; j < i; ++j)
            if (strcmp(g->feeds[j].name, name) == 0) {
                rc = sim_error_set(err, SIM_EINVAL,
                                   "%s and %s are both named '%s'; give the feeds distinct names",
                                   g->feeds[j].path, paths[i], name);
                goto done;
            }
        g->feeds[i].name = name;
    }
    for (size_t i = 0; i < n_paths; ++i) {
        feed F;
        memset(&F, 0, sizeof F);
        F.g = g;
        F.feed = (uint32_t)i;
        F.path = g->feeds[i].path;
        F.name = g->feeds[i].name;
        F.day = day;
        F.warn = warn;
        F.err = err;
        F.counts = &g->feeds[i].counts;
        rc = feed_load(&F);
        feed_free(&F);
        if (rc) goto done;
    }
    /* the arrays are complete: point the trips into them */
    if (!(g->trips = malloc((g->n_recs ? g->n_recs : 1) * sizeof *g->trips))) {
        rc = sim_error_set(err, SIM_ENOMEM, "GTFS trips");
        goto done;
    }
    for (size_t i = 0; i < g->n_recs; ++i) {
        const trip_rec *r = &g->recs[i];
        int fl = r->flags_off != NO_OFFSET;
        g->trips[i] = (sim_trip){g->tt_stops + r->stops_off,
                                 g->tt_arr + r->times_off,
                                 g->tt_dep + r->times_off,
                                 fl ? g->tt_pick + r->flags_off : NULL,
                                 fl ? g->tt_drop + r->flags_off : NULL,
                                 r->n,
                                 r->route};
    }
    for (size_t i = 0; i < g->n_stops; ++i)
        if (strmap_put(&g->stop_ids, g->stops[i].id, strlen(g->stops[i].id), (uint32_t)i) < 0) {
            rc = sim_error_set(err, SIM_ENOMEM, "GTFS stops");
            goto done;
        }
    *out = g;
    g = NULL;
done:
    geo_gtfs_destroy(g);
    return rc;
}

sim_status geo_gtfs_load(const char *const *paths, size_t n_paths, const char *service_date,
                         sim_warnings *warn, geo_gtfs **out, sim_error *err) {
    return geo_gtfs_load_named(paths, NULL, n_paths, service_date, warn, out, err);
}

const char *geo_gtfs_service_date(const geo_gtfs *g) { return g->date; }

const geo_gtfs_feed_info *geo_gtfs_feeds(const geo_gtfs *g, size_t *n_feeds) {
    *n_feeds = g->n_feeds;
    return g->feeds;
}

geo_gtfs_counts geo_gtfs_total_counts(const geo_gtfs *g) {
    geo_gtfs_counts t = {0};
    for (size_t i = 0; i < g->n_feeds; ++i) {
        const geo_gtfs_counts *c = &g->feeds[i].counts;
        t.stops += c->stops;
        t.stations += c->stations;
        t.routes += c->routes;
        t.trips += c->trips;
        t.frequency_trips += c->frequency_trips;
        t.previous_day_trips += c->previous_day_trips;
        t.stop_times += c->stop_times;
        t.transfers += c->transfers;
        t.forbidden_transfers += c->forbidden_transfers;
    }
    return t;
}

uint32_t geo_gtfs_stop_count(const geo_gtfs *g) { return (uint32_t)g->n_stops; }

const geo_gtfs_stop *geo_gtfs_stops(const geo_gtfs *g) { return g->stops; }

uint32_t geo_gtfs_stop_find(const geo_gtfs *g, const char *id) {
    return id ? strmap_get(&g->stop_ids, id, strlen(id)) : SIM_INVALID_ID;
}

uint32_t geo_gtfs_station_count(const geo_gtfs *g) { return (uint32_t)g->n_stations; }

const geo_gtfs_stop *geo_gtfs_stations(const geo_gtfs *g) { return g->stations; }

uint32_t geo_gtfs_route_count(const geo_gtfs *g) { return (uint32_t)g->n_routes; }

const geo_gtfs_route *geo_gtfs_routes(const geo_gtfs *g) { return g->routes; }

size_t geo_gtfs_trip_count(const geo_gtfs *g) { return g->n_recs; }

const sim_trip *geo_gtfs_trips(const geo_gtfs *g) { return g->trips; }

const geo_gtfs_trip_info *geo_gtfs_trip_infos(const geo_gtfs *g) { return g->infos; }

const sim_transfer *geo_gtfs_transfers(const geo_gtfs *g, size_t *n) {
    *n = g->n_transfers;
    return g->transfers;
}

const sim_transfer *geo_gtfs_forbidden_transfers(const geo_gtfs *g, size_t *n) {
    *n = g->n_forbidden;
    return g->forbidden;
}
