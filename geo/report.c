/*
 * accessim — the scenario comparison report (OUTDIR/report.html; docs/REPORT.md).
 *
 * Decisions, for the reader and for docs:
 * - The page is built in memory and written once, under a temporary name renamed into place, so
 *   a failure never leaves half a page. Nothing in it depends on the clock, the locale or the
 *   machine's state other than the installed fonts, so the same inputs give the same bytes.
 * - Images are cairo image surfaces written as PNG into memory (cairo_surface_write_to_png_stream)
 *   and embedded base64 (OpenSSL's EVP_EncodeBlock, already linked for SHA-256): one file to
 *   mail or archive, no external request of any kind.
 * - Rasters are read straight at the size they are shown (GDALRasterIO into a smaller or larger
 *   buffer, which GDAL samples nearest-neighbour), so a big raster costs a small read and memory
 *   stays bounded however many scenarios a sweep makes. The common colour scales (98th percentile
 *   of the minutes, largest absolute change) are taken over these displayed pixels, through a
 *   histogram, and the rasters are read a second time to draw them.
 * - comparison.csv is parsed strictly (same field count on every line, names of the allowed
 *   characters, numbers or empty fields): it is written by the runner, so anything else is a bug
 *   worth a loud error rather than a page that quietly shows something else.
 */
#include "geo/report.h"

#include <cairo.h>
#include <errno.h>
#include <gdal.h>
#include <math.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "geo/geo_internal.h"

#ifndef ACCESSIM_VERSION
#define ACCESSIM_VERSION "unknown"
#endif

#define PATH_LEN 4096

/* UTF-8 for the few non-ASCII characters drawn in images and written in the page. */
#define U_MINUS "\xe2\x88\x92" /* U+2212 minus sign */
#define U_GE "\xe2\x89\xa5"    /* U+2265 greater-than or equal to */

/* ---- a growing byte buffer ---------------------------------------------------------------- */

/* Appends never fail visibly: the first allocation failure sets `oom`, later appends do nothing,
 * and the caller checks `oom` once. Keeps the page-building code linear. */
typedef struct {
    char *s;
    size_t len, cap;
    int oom;
} sbuf;

static int sb_reserve(sbuf *b, size_t extra) {
    if (b->oom) return 0;
    if (extra > SIZE_MAX / 4 - b->len) {
        b->oom = 1;
        return 0;
    }
    if (b->len + extra + 1 <= b->cap) return 1;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + extra + 1) {
        if (cap > SIZE_MAX / 2) {
            b->oom = 1;
            return 0;
        }
        cap *= 2;
    }
    char *p = realloc(b->s, cap);
    if (!p) {
        b->oom = 1;
        return 0;
    }
    b->s = p;
    b->cap = cap;
    return 1;
}

static void sb_add(sbuf *b, const void *data, size_t n) {
    if (!sb_reserve(b, n)) return;
    memcpy(b->s + b->len, data, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void sb_puts(sbuf *b, const char *s) { sb_add(b, s, strlen(s)); }

static void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(sbuf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->oom = 1;
        return;
    }
    if (!sb_reserve(b, (size_t)n)) return;
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* `s` as HTML text or attribute value. */
static void sb_html(sbuf *b, const char *s) {
    const char *run = s;
    for (; *s; ++s) {
        const char *esc = NULL;
        switch (*s) {
        case '&':
            esc = "&amp;";
            break;
        case '<':
            esc = "&lt;";
            break;
        case '>':
            esc = "&gt;";
            break;
        case '"':
            esc = "&quot;";
            break;
        case '\'':
            esc = "&#39;";
            break;
        default:
            continue;
        }
        sb_add(b, run, (size_t)(s - run));
        sb_puts(b, esc);
        run = s + 1;
    }
    sb_add(b, run, (size_t)(s - run));
}

/* ---- number formatting -------------------------------------------------------------------- */

/* printf("%.*f") without "-0.0": a value that rounds to zero prints as zero; `plus` puts "+"
 * before a positive one. */
static void fmt_fixed(char *buf, size_t size, double v, int decimals, int plus) {
    snprintf(buf, size, "%.*f", decimals, v);
    int zero = strspn(buf, "-0.") == strlen(buf);
    if (zero && buf[0] == '-') memmove(buf, buf + 1, strlen(buf));
    if (!zero && plus && v > 0 && strlen(buf) + 2 <= size) {
        memmove(buf + 1, buf, strlen(buf) + 1);
        buf[0] = '+';
    }
}

/* Minutes for labels: one decimal below 10, whole minutes above. */
static void fmt_minutes(char *buf, size_t size, double v, int plus) {
    fmt_fixed(buf, size, v, fabs(v) < 10.0 ? 1 : 0, plus);
}

/* People (possibly fractional, from areal shares): whole numbers unless small and fractional. */
static void fmt_people(char *buf, size_t size, double v, int plus) {
    fmt_fixed(buf, size, v, (fabs(v) < 10.0 && v != floor(v)) ? 1 : 0, plus);
}

/* ---- comparison.csv ----------------------------------------------------------------------- */

typedef enum {
    COL_NAME,          /* scenario, service, mode, group */
    COL_NUMBER,        /* any other number, shown as in the file */
    COL_MINUTES_DELTA, /* ..._minutes_delta: fewer minutes is better */
    COL_SHARE,         /* within_<T>_share: a fraction, shown as a percentage */
    COL_SHARE_DELTA,   /* within_<T>_share_delta: a larger share is better */
    COL_GAIN,          /* gain_<T>: people gaining access, more is better */
    COL_LOSE           /* lose_<T>: people losing access, more is worse */
} col_kind;

typedef struct {
    char *text; /* the whole file; fields point into it */
    size_t n_cols, n_rows;
    char **name;    /* n_cols header fields */
    col_kind *kind; /* n_cols */
    double *thr;    /* n_cols: T of within_<T>_share(_delta), gain_<T>, lose_<T>; else NAN */
    char **cell;    /* n_rows * n_cols, row-major */
} cmp_table;

static void table_free(cmp_table *t) {
    free(t->text);
    free(t->name);
    free(t->kind);
    free(t->thr);
    free(t->cell);
    memset(t, 0, sizeof *t);
}

static int is_name(const char *s) {
    if (!*s) return 0;
    for (; *s; ++s)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '-'))
            return 0;
    return 1;
}

static int ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

/* 1 if `s` is prefix T suffix with T a non-negative number (into *t). */
static int parse_threshold(const char *s, const char *prefix, const char *suffix, double *t) {
    size_t n = strlen(s), p = strlen(prefix), q = strlen(suffix);
    if (n <= p + q || strncmp(s, prefix, p) || strcmp(s + n - q, suffix)) return 0;
    char mid[32];
    if (n - p - q >= sizeof mid) return 0;
    memcpy(mid, s + p, n - p - q);
    mid[n - p - q] = '\0';
    if (mid[0] < '0' || mid[0] > '9') return 0;
    return geo__parse_number(mid, t) && *t >= 0;
}

/* Splits `line` in place at commas into `fields` (room for `max`); returns the field count,
 * which may exceed `max` (then only the first `max` are stored). */
static size_t split_fields(char *line, char **fields, size_t max) {
    size_t n = 0;
    for (char *p = line;; ++p) {
        if (n < max) fields[n] = p;
        ++n;
        p = strchr(p, ',');
        if (!p) break;
        *p = '\0';
    }
    return n;
}

static size_t count_fields(const char *line) {
    size_t n = 1;
    for (; *line; ++line) n += *line == ',';
    return n;
}

static sim_status read_all(const char *path, char **out, sim_error *err) {
    *out = NULL;
    FILE *fp = fopen(path, "rb");
    if (!fp) return sim_error_set(err, SIM_EIO, "%s: cannot read: %s", path, strerror(errno));
    sbuf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0) sb_add(&b, chunk, n);
    int bad = ferror(fp);
    fclose(fp);
    if (!bad && !b.oom && !b.s) sb_add(&b, "", 0);
    if (bad || b.oom) {
        free(b.s);
        return bad ? sim_error_set(err, SIM_EIO, "%s: cannot read", path)
                   : sim_error_set(err, SIM_ENOMEM, "%s: out of memory", path);
    }
    *out = b.s;
    return SIM_OK;
}

static sim_status parse_header(char *line, const char *path, cmp_table *t, sim_error *err) {
    static const char *const FIRST[] = {"scenario", "service", "mode", "group"};
    t->n_cols = count_fields(line);
    t->name = malloc(t->n_cols * sizeof *t->name);
    t->kind = malloc(t->n_cols * sizeof *t->kind);
    t->thr = malloc(t->n_cols * sizeof *t->thr);
    if (!t->name || !t->kind || !t->thr)
        return sim_error_set(err, SIM_ENOMEM, "%s: out of memory", path);
    split_fields(line, t->name, t->n_cols);
    int has_mean = 0;
    for (size_t c = 0; c < t->n_cols; ++c) {
        const char *s = t->name[c];
        if (c < 4 && strcmp(s, FIRST[c]))
            return sim_error_set(err, SIM_EPARSE,
                                 "%s:1: expected a header starting scenario,service,mode,group; "
                                 "column %zu is '%s'",
                                 path, c + 1, s);
        if (!is_name(s))
            return sim_error_set(err, SIM_EPARSE, "%s:1: column %zu: bad column name '%s'", path,
                                 c + 1, s);
        for (size_t d = 0; d < c; ++d)
            if (!strcmp(t->name[d], s))
                return sim_error_set(err, SIM_EPARSE, "%s:1: column '%s' appears twice", path, s);
        double thr = NAN;
        col_kind k = COL_NUMBER;
        if (c < 4)
            k = COL_NAME;
        else if (parse_threshold(s, "within_", "_share", &thr))
            k = COL_SHARE;
        else if (parse_threshold(s, "within_", "_share_delta", &thr))
            k = COL_SHARE_DELTA;
        else if (parse_threshold(s, "gain_", "", &thr))
            k = COL_GAIN;
        else if (parse_threshold(s, "lose_", "", &thr))
            k = COL_LOSE;
        else if (ends_with(s, "_minutes_delta"))
            k = COL_MINUTES_DELTA;
        has_mean |= !strcmp(s, "mean_minutes");
        t->kind[c] = k;
        t->thr[c] = thr;
    }
    if (!has_mean) return sim_error_set(err, SIM_EPARSE, "%s:1: no column mean_minutes", path);
    return SIM_OK;
}

/* Reads and checks comparison.csv into `t` (zeroed by the caller; table_free in any case). */
static sim_status table_read(const char *path, cmp_table *t, sim_error *err) {
    sim_status rc = read_all(path, &t->text, err);
    if (rc) return rc;
    size_t cap_rows = 0;
    long line_no = 0;
    int have_header = 0;
    char *p = t->text;
    while (*p) {
        char *line = p, *nl = strchr(p, '\n');
        if (nl) {
            *nl = '\0';
            p = nl + 1;
        } else {
            p += strlen(p);
        }
        ++line_no;
        size_t len = strlen(line);
        if (len && line[len - 1] == '\r') line[--len] = '\0';
        if (!len) continue; /* blank lines, e.g. a final empty one, carry nothing */
        if (!have_header) {
            if ((rc = parse_header(line, path, t, err))) return rc;
            have_header = 1;
            continue;
        }
        size_t n = count_fields(line);
        if (n != t->n_cols)
            return sim_error_set(err, SIM_EPARSE, "%s:%ld: expected %zu fields, found %zu", path,
                                 line_no, t->n_cols, n);
        if (t->n_rows == cap_rows) {
            cap_rows = cap_rows ? 2 * cap_rows : 64;
            char **cell = realloc(t->cell, cap_rows * t->n_cols * sizeof *cell);
            if (!cell) return sim_error_set(err, SIM_ENOMEM, "%s: out of memory", path);
            t->cell = cell;
        }
        char **f = t->cell + t->n_rows * t->n_cols;
        split_fields(line, f, t->n_cols);
        for (size_t c = 0; c < t->n_cols; ++c) {
            double v;
            if (t->kind[c] == COL_NAME) {
                if (!is_name(f[c]))
                    return sim_error_set(err, SIM_EPARSE,
                                         "%s:%ld: %s: '%s' is not a name ([A-Za-z0-9_-]+)", path,
                                         line_no, t->name[c], f[c]);
            } else if (f[c][0] && !geo__parse_number(f[c], &v)) {
                return sim_error_set(err, SIM_EPARSE, "%s:%ld: %s: '%s' is not a number", path,
                                     line_no, t->name[c], f[c]);
            }
        }
        ++t->n_rows;
    }
    if (!have_header) return sim_error_set(err, SIM_EPARSE, "%s: empty file", path);
    if (!t->n_rows) return sim_error_set(err, SIM_EPARSE, "%s: a header but no rows", path);
    return SIM_OK;
}

/* ---- the report's model ------------------------------------------------------------------- */

typedef struct {
    const char *outdir, *csv_path, *html_path;
    cmp_table t;
    size_t n_scen;
    const char **scen;                  /* scenario names in order of first appearance */
    size_t *row_scen;                   /* n_rows: scenario index of each row */
    const char *service, *mode, *group; /* the key layer and the headline group */
    size_t n_groups;
    const char **groups; /* groups of the key layer, in order of first appearance */
    long *key_row;       /* n_scen * n_groups: row of (scenario, group) in the key layer, or -1 */
    int col_mean, col_mean_delta, col_share, col_share_delta, col_gain, col_lose;
    double share_t, gain_t;
} report;

static int find_col(const cmp_table *t, const char *name) {
    for (size_t c = 0; c < t->n_cols; ++c)
        if (!strcmp(t->name[c], name)) return (int)c;
    return -1;
}

/* Column of kind `k` for threshold `thr`, or -1. */
static int find_thr_col(const cmp_table *t, col_kind k, double thr) {
    for (size_t c = 0; c < t->n_cols; ++c)
        if (t->kind[c] == k && t->thr[c] == thr) return (int)c;
    return -1;
}

static const char *cell(const report *r, size_t row, int col) {
    return r->t.cell[row * r->t.n_cols + (size_t)col];
}

/* The value of `col` for scenario `s` and group `g` of the key layer; NAN when not defined. */
static double key_value(const report *r, size_t s, size_t g, int col) {
    long row = r->key_row[s * r->n_groups + g];
    double v;
    if (row < 0 || col < 0 || !geo__parse_number(cell(r, (size_t)row, col), &v)) return NAN;
    return v;
}

static sim_status report_build(report *r, sim_error *err) {
    cmp_table *t = &r->t;
    r->scen = malloc(t->n_rows * sizeof *r->scen);
    r->row_scen = malloc(t->n_rows * sizeof *r->row_scen);
    r->groups = malloc(t->n_rows * sizeof *r->groups);
    if (!r->scen || !r->row_scen || !r->groups)
        return sim_error_set(err, SIM_ENOMEM, "%s: out of memory", r->csv_path);
    r->service = cell(r, 0, 1);
    r->mode = cell(r, 0, 2);
    r->group = cell(r, 0, 3);
    for (size_t i = 0; i < t->n_rows; ++i) {
        const char *s = cell(r, i, 0);
        size_t k = r->n_scen;
        /* rows come in blocks per scenario: try the latest first */
        if (k && !strcmp(r->scen[k - 1], s))
            k = k - 1;
        else
            for (size_t j = 0; j < r->n_scen; ++j)
                if (!strcmp(r->scen[j], s)) {
                    k = j;
                    break;
                }
        if (k == r->n_scen) r->scen[r->n_scen++] = s;
        r->row_scen[i] = k;
        if (strcmp(cell(r, i, 1), r->service) || strcmp(cell(r, i, 2), r->mode)) continue;
        size_t g = 0;
        while (g < r->n_groups && strcmp(r->groups[g], cell(r, i, 3))) ++g;
        if (g == r->n_groups) r->groups[r->n_groups++] = cell(r, i, 3);
    }
    r->key_row = malloc(r->n_scen * r->n_groups * sizeof *r->key_row);
    if (!r->key_row) return sim_error_set(err, SIM_ENOMEM, "%s: out of memory", r->csv_path);
    for (size_t k = 0; k < r->n_scen * r->n_groups; ++k) r->key_row[k] = -1;
    for (size_t i = 0; i < t->n_rows; ++i) {
        if (strcmp(cell(r, i, 1), r->service) || strcmp(cell(r, i, 2), r->mode)) continue;
        size_t g = 0;
        while (strcmp(r->groups[g], cell(r, i, 3))) ++g;
        long *slot = &r->key_row[r->row_scen[i] * r->n_groups + g];
        if (*slot < 0) *slot = (long)i;
    }
    r->col_mean = find_col(t, "mean_minutes");
    r->col_mean_delta = find_col(t, "mean_minutes_delta");
    /* the headline share: 30 minutes, else the second threshold, else the only one */
    double thr[3] = {NAN, NAN, NAN};
    size_t n_thr = 0;
    for (size_t c = 0; c < t->n_cols; ++c)
        if (t->kind[c] == COL_SHARE && n_thr < 2) thr[n_thr++] = t->thr[c];
    r->share_t = find_thr_col(t, COL_SHARE, 30.0) >= 0 ? 30.0 : n_thr >= 2 ? thr[1] : thr[0];
    r->col_share = find_thr_col(t, COL_SHARE, r->share_t);
    r->col_share_delta = find_thr_col(t, COL_SHARE_DELTA, r->share_t);
    /* people gaining access: at the headline threshold, else 30 minutes, else the first */
    r->gain_t = NAN;
    if (find_thr_col(t, COL_GAIN, r->share_t) >= 0)
        r->gain_t = r->share_t;
    else if (find_thr_col(t, COL_GAIN, 30.0) >= 0)
        r->gain_t = 30.0;
    else
        for (size_t c = 0; c < t->n_cols && isnan(r->gain_t); ++c)
            if (t->kind[c] == COL_GAIN) r->gain_t = t->thr[c];
    r->col_gain = find_thr_col(t, COL_GAIN, r->gain_t);
    r->col_lose = find_thr_col(t, COL_LOSE, r->gain_t);
    return SIM_OK;
}

static void report_free(report *r) {
    free(r->scen);
    free(r->row_scen);
    free(r->groups);
    free(r->key_row);
    table_free(&r->t);
}

/* ---- images ------------------------------------------------------------------------------- */

static cairo_status_t png_sink(void *closure, const unsigned char *data, unsigned int length) {
    sbuf *b = closure;
    sb_add(b, data, length);
    return b->oom ? CAIRO_STATUS_NO_MEMORY : CAIRO_STATUS_SUCCESS;
}

/* Appends <img src="data:image/png;base64,..."> of the surface `s` (not consumed). */
static sim_status embed_png(sbuf *html, cairo_surface_t *s, const char *alt, const char *where,
                            sim_error *err) {
    sbuf png = {0};
    cairo_surface_flush(s);
    cairo_status_t st = cairo_surface_status(s);
    if (st == CAIRO_STATUS_SUCCESS) st = cairo_surface_write_to_png_stream(s, png_sink, &png);
    if (st == CAIRO_STATUS_SUCCESS && png.len > INT32_MAX / 2) st = CAIRO_STATUS_NO_MEMORY;
    if (st != CAIRO_STATUS_SUCCESS) {
        free(png.s);
        return sim_error_set(err, st == CAIRO_STATUS_NO_MEMORY ? SIM_ENOMEM : SIM_EINTERNAL,
                             "%s: cannot draw %s: %s", where, alt, cairo_status_to_string(st));
    }
    sb_puts(html, "<img src=\"data:image/png;base64,");
    size_t n64 = 4 * ((png.len + 2) / 3);
    if (sb_reserve(html, n64)) { /* EVP_EncodeBlock adds a NUL: sb_reserve keeps room for it */
        int k = EVP_EncodeBlock((unsigned char *)html->s + html->len, (unsigned char *)png.s,
                                (int)png.len);
        html->len += (size_t)k;
    }
    sb_printf(html, "\" width=\"%d\" height=\"%d\" alt=\"", cairo_image_surface_get_width(s),
              cairo_image_surface_get_height(s));
    sb_html(html, alt);
    sb_puts(html, "\">");
    free(png.s);
    return SIM_OK;
}

static void set_rgb(cairo_t *cr, uint32_t rgb) {
    cairo_set_source_rgb(cr, ((rgb >> 16) & 255) / 255.0, ((rgb >> 8) & 255) / 255.0,
                         (rgb & 255) / 255.0);
}

/* Draws `s` with its baseline at y; `align` 0 puts x at its left, 0.5 centre, 1 right. */
static void text_at(cairo_t *cr, double x, double y, const char *s, double align) {
    cairo_text_extents_t e;
    cairo_text_extents(cr, s, &e);
    cairo_move_to(cr, round(x - align * e.x_advance), round(y));
    cairo_show_text(cr, s);
}

static double text_width(cairo_t *cr, const char *s) {
    cairo_text_extents_t e;
    cairo_text_extents(cr, s, &e);
    return e.x_advance;
}

static void set_font(cairo_t *cr, double size, int bold) {
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
}

/* A white RGB image of w x h pixels and its context (both NULL-safe to destroy). */
static cairo_t *new_canvas(int w, int h, cairo_surface_t **out) {
    *out = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
    cairo_t *cr = cairo_create(*out);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    return cr;
}

/* ---- the chart of headline figures -------------------------------------------------------- */

/* Okabe & Ito (2008): distinguishable with every common colour-vision deficiency. */
static const uint32_t GROUP_RGB[] = {0x0072B2, 0xE69F00, 0x009E73, 0xD55E00,
                                     0xCC79A7, 0x56B4E9, 0xF0E442, 0x000000};
#define N_GROUP_RGB (sizeof GROUP_RGB / sizeof GROUP_RGB[0])

enum {
    CHART_W = 780,
    CHART_PAD = 12,
    LEGEND_H = 28,
    TITLE_H = 24,
    BAR_H = 14,
    BAR_GAP = 2,
    SCEN_GAP = 10,
    AXIS_H = 44,
    PANEL_GAP = 18,
    VALUE_W = 78,
    CHART_MAX_H = 30000
};

typedef enum { UNIT_MINUTES, UNIT_PERCENT, UNIT_PEOPLE } chart_unit;

typedef struct {
    char title[160], axis[200];
    int col;
    chart_unit unit;
} panel;

static double panel_value(const report *r, const panel *p, size_t s, size_t g) {
    double v = key_value(r, s, g, p->col);
    return p->unit == UNIT_PERCENT ? 100.0 * v : v;
}

static void fmt_value(char *buf, size_t size, double v, chart_unit unit) {
    if (isnan(v)) {
        snprintf(buf, size, "n/a");
    } else if (unit == UNIT_PERCENT) {
        fmt_fixed(buf, size, v, 1, 0);
        strncat(buf, "%", size - strlen(buf) - 1);
    } else if (unit == UNIT_PEOPLE) {
        fmt_people(buf, size, v, 0);
    } else {
        fmt_fixed(buf, size, v, 1, 0);
    }
}

/* A round tick step giving about five intervals over `range` (> 0). */
static double nice_step(double range) {
    double raw = range / 5.0, p = pow(10.0, floor(log10(raw))), f = raw / p;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * p;
}

/* Draws one panel with its top at y0 for the first n_scen scenarios; returns its height. */
static double draw_panel(cairo_t *cr, const report *r, const panel *p, size_t n_scen, double y0,
                         double label_w) {
    double lo = 0, hi = 0;
    for (size_t s = 0; s < n_scen; ++s)
        for (size_t g = 0; g < r->n_groups; ++g) {
            double v = panel_value(r, p, s, g);
            if (isnan(v)) continue;
            lo = fmin(lo, v);
            hi = fmax(hi, v);
        }
    if (hi - lo <= 0) hi = lo + 1;
    double step = nice_step(hi - lo);
    double klo = floor(lo / step + 1e-9), khi = ceil(hi / step - 1e-9);
    lo = klo * step;
    hi = khi * step;
    int decimals = 0; /* as many as the step needs: 0.25 -> 2, 5 -> 0 */
    while (decimals < 6 && fabs(step * pow(10, decimals) - round(step * pow(10, decimals))) > 1e-6)
        ++decimals;
    double x0 = CHART_PAD + label_w + 8, x1 = CHART_W - CHART_PAD - VALUE_W;
#define XV(v) (x0 + ((v)-lo) / (hi - lo) * (x1 - x0))
    double cluster_h = (double)r->n_groups * (BAR_H + BAR_GAP) - BAR_GAP;
    double top = y0 + TITLE_H, bottom = top + (double)n_scen * (cluster_h + SCEN_GAP);

    set_font(cr, 13, 1);
    set_rgb(cr, 0x222222);
    text_at(cr, CHART_PAD, y0 + 16, p->title, 0);

    /* grid, ticks and their labels */
    set_font(cr, 11, 0);
    cairo_set_line_width(cr, 1);
    for (double k = klo; k <= khi + 1e-9; ++k) {
        double v = k * step, x = round(XV(v)) + 0.5;
        set_rgb(cr, k == 0 ? 0x555555 : 0xDDDDDD);
        cairo_move_to(cr, x, top);
        cairo_line_to(cr, x, bottom);
        cairo_stroke(cr);
        char lab[48];
        fmt_fixed(lab, sizeof lab, v, decimals, 0);
        if (p->unit == UNIT_PERCENT) strncat(lab, "%", sizeof lab - strlen(lab) - 1);
        set_rgb(cr, 0x444444);
        text_at(cr, x, bottom + 14, lab, 0.5);
    }
    text_at(cr, (x0 + x1) / 2, bottom + 34, p->axis, 0.5);

    /* bars, clustered by scenario, one per group, values at their ends */
    for (size_t s = 0; s < n_scen; ++s) {
        double ys = top + (double)s * (cluster_h + SCEN_GAP) + SCEN_GAP / 2.0;
        set_font(cr, 12, 0);
        set_rgb(cr, 0x222222);
        char name[256];
        snprintf(name, sizeof name, "%s", r->scen[s]);
        /* a name too long for the label column loses its end, marked by "..." */
        for (size_t n = strlen(name); n > 4 && text_width(cr, name) > label_w; --n)
            memcpy(name + n - 4, "...", 4);
        text_at(cr, CHART_PAD + label_w, ys + cluster_h / 2 + 4, name, 1);
        set_font(cr, 11, 0);
        for (size_t g = 0; g < r->n_groups; ++g) {
            double v = panel_value(r, p, s, g), y = ys + (double)g * (BAR_H + BAR_GAP);
            double xz = round(XV(0.0));
            char lab[48];
            fmt_value(lab, sizeof lab, v, p->unit);
            if (!isnan(v)) {
                double xv = round(XV(v));
                set_rgb(cr, GROUP_RGB[g % N_GROUP_RGB]);
                cairo_rectangle(cr, fmin(xz, xv), y, fabs(xv - xz), BAR_H);
                cairo_fill(cr);
                set_rgb(cr, 0x222222);
                if (v >= 0)
                    text_at(cr, xv + 4, y + BAR_H - 3, lab, 0);
                else
                    text_at(cr, xv - 4, y + BAR_H - 3, lab, 1);
            } else {
                set_rgb(cr, 0x777777);
                text_at(cr, xz + 4, y + BAR_H - 3, lab, 0);
            }
        }
    }
#undef XV
    return bottom - y0 + AXIS_H;
}

static sim_status draw_chart(const report *r, sbuf *html, const char *where, sim_error *err) {
    panel panels[3];
    size_t n_panels = 0;
    panel *p = &panels[n_panels++];
    snprintf(p->title, sizeof p->title, "Mean minutes to the nearest %s (%s)", r->service, r->mode);
    snprintf(p->axis, sizeof p->axis, "minutes, mean over the people who reach one");
    p->col = r->col_mean;
    p->unit = UNIT_MINUTES;
    if (r->col_share >= 0) {
        p = &panels[n_panels++];
        snprintf(p->title, sizeof p->title, "Share within %g min of a %s (%s)", r->share_t,
                 r->service, r->mode);
        snprintf(p->axis, sizeof p->axis, "%% of the group's people");
        p->col = r->col_share;
        p->unit = UNIT_PERCENT;
    }
    if (r->col_gain >= 0) {
        p = &panels[n_panels++];
        snprintf(p->title, sizeof p->title, "People gaining access within %g min (%s, %s)",
                 r->gain_t, r->service, r->mode);
        snprintf(p->axis, sizeof p->axis,
                 "people within %g min in the scenario and not in the baseline", r->gain_t);
        p->col = r->col_gain;
        p->unit = UNIT_PEOPLE;
    }

    /* scenario labels take the width of the longest name, within limits */
    cairo_surface_t *probe_s;
    cairo_t *probe = new_canvas(1, 1, &probe_s);
    set_font(probe, 12, 0);
    double label_w = 60;
    for (size_t s = 0; s < r->n_scen; ++s) label_w = fmax(label_w, text_width(probe, r->scen[s]));
    label_w = fmin(ceil(label_w), 220);
    cairo_destroy(probe);
    cairo_surface_destroy(probe_s);

    /* a sweep of many scenarios: the chart shows as many as fit in one image */
    double cluster = (double)r->n_groups * (BAR_H + BAR_GAP) - BAR_GAP + SCEN_GAP;
    double fixed = 2.0 * CHART_PAD + LEGEND_H + (double)n_panels * (TITLE_H + AXIS_H) +
                   (double)(n_panels - 1) * PANEL_GAP;
    size_t n_shown = r->n_scen;
    while (n_shown > 1 && fixed + (double)n_panels * (double)n_shown * cluster > CHART_MAX_H)
        --n_shown;
    int h = (int)ceil(fixed + (double)n_panels * (double)n_shown * cluster);

    cairo_surface_t *surf;
    cairo_t *cr = new_canvas(CHART_W, h, &surf);
    /* legend: one swatch per group */
    set_font(cr, 12, 0);
    double x = CHART_PAD;
    for (size_t g = 0; g < r->n_groups; ++g) {
        set_rgb(cr, GROUP_RGB[g % N_GROUP_RGB]);
        cairo_rectangle(cr, x, CHART_PAD + 2, 14, 14);
        cairo_fill(cr);
        set_rgb(cr, 0x222222);
        text_at(cr, x + 19, CHART_PAD + 14, r->groups[g], 0);
        x += 19 + text_width(cr, r->groups[g]) + 18;
    }
    double y = CHART_PAD + LEGEND_H;
    for (size_t i = 0; i < n_panels; ++i)
        y += draw_panel(cr, r, &panels[i], n_shown, y, label_w) + PANEL_GAP;
    cairo_destroy(cr);

    char alt[512];
    snprintf(alt, sizeof alt,
             "Bar charts of every scenario's headline figures for %s by %s, per group: mean "
             "minutes, share within the threshold, people gaining access",
             r->service, r->mode);
    sim_status rc = embed_png(html, surf, alt, where, err);
    cairo_surface_destroy(surf);
    if (!rc && n_shown < r->n_scen)
        sb_printf(html,
                  "<p class=\"note\">The chart shows the first %zu of %zu scenarios; the "
                  "table below has them all.</p>\n",
                  n_shown, r->n_scen);
    return rc;
}

/* ---- maps --------------------------------------------------------------------------------- */

enum {
    MAP_MAX_W = 420,
    MAP_MAX_H = 480,
    MAP_PAD = 6,
    MAP_LEGEND_W = 320,
    MAP_LEGEND_H = 48,
    RAMP_W = 200
};
#define NODATA_RGB 0xCCCCCCu

/* Viridis (matplotlib), 9 samples: perceptually uniform, readable in grey and by colour-blind
 * readers. Blue-white-red (ColorBrewer RdBu, reversed), 9 samples, white in the middle. */
static const uint32_t VIRIDIS[9] = {0x440154, 0x472D7B, 0x3B528B, 0x2C728E, 0x21918C,
                                    0x28AE80, 0x5EC962, 0xADDC30, 0xFDE725};
static const uint32_t BLUE_RED[9] = {0x2166AC, 0x4393C3, 0x92C5DE, 0xD1E5F0, 0xFFFFFF,
                                     0xFDDBC7, 0xF4A582, 0xD6604D, 0xB2182B};

/* Colour at t in [0, 1] (clamped), linear between the 9 stops. */
static uint32_t ramp(const uint32_t *stops, double t) {
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    double f = t * 8;
    int i = (int)floor(f);
    if (i >= 8) return stops[8];
    f -= i;
    uint32_t a = stops[i], b = stops[i + 1], out = 0;
    for (int sh = 0; sh <= 16; sh += 8) {
        double ca = (a >> sh) & 255, cb = (b >> sh) & 255;
        out |= (uint32_t)lround(ca + (cb - ca) * f) << sh;
    }
    return out;
}

/* A raster read at its display size: NAN where nodata. */
typedef struct {
    float *v;
    int w, h;
} pixels;

/* The display size of a w x h raster with cells pw x ph (ground units): the largest that fits
 * MAP_MAX_W x MAP_MAX_H keeping the ground's aspect; a small raster with square cells is
 * enlarged by a whole factor, so each cell is an even block of pixels. */
static void display_size(int w, int h, double pw, double ph, int *dw, int *dh) {
    if (fabs(pw - ph) <= 1e-9 * fmax(pw, ph) && w <= MAP_MAX_W && h <= MAP_MAX_H) {
        int k = MAP_MAX_W / w < MAP_MAX_H / h ? MAP_MAX_W / w : MAP_MAX_H / h;
        *dw = w * k;
        *dh = h * k;
        return;
    }
    double gw = w * pw, gh = h * ph, s = fmin(MAP_MAX_W / gw, MAP_MAX_H / gh);
    *dw = (int)fmax(1, round(gw * s));
    *dh = (int)fmax(1, round(gh * s));
}

/* Reads `path` at display size into *out. *found is 0 (and SIM_OK) if there is no such file. */
static sim_status read_pixels(const char *path, int *found, pixels *out, sim_error *err) {
    memset(out, 0, sizeof *out);
    *found = 0;
    struct stat st;
    if (stat(path, &st) != 0 && errno == ENOENT) return SIM_OK;
    *found = 1;
    sim_status rc = SIM_OK;
    CPLErrorReset();
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_RASTER | GDAL_OF_READONLY, NULL, NULL, NULL);
    if (!ds) return sim_error_set(err, SIM_EIO, "%s: cannot open: %s", path, geo__gdal_msg());
    int w = GDALGetRasterXSize(ds), h = GDALGetRasterYSize(ds);
    if (GDALGetRasterCount(ds) < 1 || w < 1 || h < 1) {
        rc = sim_error_set(err, SIM_EIO, "%s: no raster band", path);
        goto done;
    }
    double gt[6];
    double pw = 1, ph = 1;
    if (GDALGetGeoTransform(ds, gt) == CE_None && gt[1] != 0 && gt[5] != 0) {
        pw = fabs(gt[1]);
        ph = fabs(gt[5]);
    }
    display_size(w, h, pw, ph, &out->w, &out->h);
    out->v = malloc((size_t)out->w * (size_t)out->h * sizeof *out->v);
    if (!out->v) {
        rc = sim_error_set(err, SIM_ENOMEM, "%s: out of memory", path);
        goto done;
    }
    GDALRasterBandH b = GDALGetRasterBand(ds, 1);
    if (GDALRasterIO(b, GF_Read, 0, 0, w, h, out->v, out->w, out->h, GDT_Float32, 0, 0) !=
        CE_None) {
        rc = sim_error_set(err, SIM_EIO, "%s: cannot read: %s", path, geo__gdal_msg());
        goto done;
    }
    int has_nodata = 0;
    double nd = GDALGetRasterNoDataValue(b, &has_nodata);
    float ndf = (float)nd;
    for (size_t i = 0; i < (size_t)out->w * (size_t)out->h; ++i)
        if (!isfinite(out->v[i]) || (has_nodata && out->v[i] == ndf)) out->v[i] = NAN;
done:
    GDALClose(ds);
    if (rc) {
        free(out->v);
        memset(out, 0, sizeof *out);
    }
    return rc;
}

/* Histogram of minutes for the 98th percentile: bounded memory however many scenarios. */
#define HIST_BIN_MIN 0.1
#define HIST_BINS 100000 /* up to 10 000 minutes; beyond, the largest value is used */

typedef struct {
    uint64_t *count; /* HIST_BINS + 1: the last one counts everything beyond */
    uint64_t n;
    double max;
} histogram;

static void hist_add(histogram *hg, const pixels *px) {
    for (size_t i = 0; i < (size_t)px->w * (size_t)px->h; ++i) {
        double v = px->v[i];
        if (isnan(v)) continue;
        double b = floor(fmax(v, 0) / HIST_BIN_MIN);
        hg->count[b >= HIST_BINS ? HIST_BINS : (size_t)b]++;
        hg->n++;
        hg->max = fmax(hg->max, v);
    }
}

/* The upper edge of the bin holding the 98th percentile, at most the largest value. */
static double hist_p98(const histogram *hg) {
    if (!hg->n) return 0;
    uint64_t rank = (uint64_t)ceil(0.98 * (double)hg->n), seen = 0;
    for (size_t b = 0; b < HIST_BINS; ++b) {
        seen += hg->count[b];
        if (seen >= rank) return fmin((double)(b + 1) * HIST_BIN_MIN, hg->max);
    }
    return hg->max;
}

typedef struct {
    double minutes_top; /* sequential scale 0..minutes_top */
    int capped;         /* some minutes exceed minutes_top */
    double delta_max;   /* diverging scale -delta_max..+delta_max */
} map_scales;

/* Draws the map and its legend and appends it as <img>. */
static sim_status draw_map(sbuf *html, const pixels *px, int diverging, const map_scales *sc,
                           const char *alt, const char *where, sim_error *err) {
    int w = (px->w > MAP_LEGEND_W ? px->w : MAP_LEGEND_W) + 2 * MAP_PAD;
    int h = px->h + 2 * MAP_PAD + 8 + MAP_LEGEND_H;
    cairo_surface_t *surf;
    cairo_t *cr = new_canvas(w, h, &surf);
    if (cairo_surface_status(surf) == CAIRO_STATUS_SUCCESS) {
        cairo_surface_flush(surf);
        unsigned char *data = cairo_image_surface_get_data(surf);
        int stride = cairo_image_surface_get_stride(surf);
        for (int y = 0; y < px->h; ++y) {
            uint32_t *row = (uint32_t *)(void *)(data + (size_t)(y + MAP_PAD) * (size_t)stride);
            for (int x = 0; x < px->w; ++x) {
                double v = px->v[(size_t)y * (size_t)px->w + (size_t)x];
                uint32_t c = isnan(v)    ? NODATA_RGB
                             : diverging ? ramp(BLUE_RED, 0.5 + v / (2 * sc->delta_max))
                                         : ramp(VIRIDIS, v / sc->minutes_top);
                row[x + MAP_PAD] = 0xFF000000u | c;
            }
        }
        cairo_surface_mark_dirty(surf);
    }
    /* frame */
    cairo_set_line_width(cr, 1);
    set_rgb(cr, 0x888888);
    cairo_rectangle(cr, MAP_PAD - 0.5, MAP_PAD - 0.5, px->w + 1, px->h + 1);
    cairo_stroke(cr);
    /* legend: caption, colour ramp with its end labels, and the no-data swatch */
    double y = MAP_PAD + px->h + 8;
    set_font(cr, 11, 0);
    set_rgb(cr, 0x222222);
    text_at(cr, MAP_PAD, y + 11,
            diverging ? "change in minutes (blue: faster, red: slower)" : "minutes", 0);
    for (int i = 0; i < RAMP_W; ++i) {
        double t = (i + 0.5) / RAMP_W;
        set_rgb(cr, ramp(diverging ? BLUE_RED : VIRIDIS, t));
        cairo_rectangle(cr, MAP_PAD + i, y + 16, 1, 12);
        cairo_fill(cr);
    }
    set_rgb(cr, 0x222222);
    char lo[64], hi[64], num[48];
    if (diverging) {
        fmt_minutes(num, sizeof num, sc->delta_max, 0);
        snprintf(lo, sizeof lo, U_MINUS "%s", num);
        snprintf(hi, sizeof hi, "+%s min", num);
        text_at(cr, MAP_PAD + RAMP_W / 2.0, y + 42, "0", 0.5);
    } else {
        fmt_minutes(num, sizeof num, sc->minutes_top, 0);
        snprintf(lo, sizeof lo, "0");
        snprintf(hi, sizeof hi, "%s%s min", sc->capped ? U_GE " " : "", num);
    }
    text_at(cr, MAP_PAD, y + 42, lo, 0);
    text_at(cr, MAP_PAD + RAMP_W, y + 42, hi, 1);
    set_rgb(cr, NODATA_RGB);
    cairo_rectangle(cr, MAP_PAD + RAMP_W + 20, y + 16, 12, 12);
    cairo_fill(cr);
    set_rgb(cr, 0x222222);
    text_at(cr, MAP_PAD + RAMP_W + 37, y + 27, "no data", 0);
    cairo_destroy(cr);
    sim_status rc = embed_png(html, surf, alt, where, err);
    cairo_surface_destroy(surf);
    return rc;
}

static int map_path(char *buf, const report *r, size_t s, const char *suffix) {
    int n = snprintf(buf, PATH_LEN, "%s/%s/%s_%s_%s", r->outdir, r->scen[s], r->service, r->mode,
                     suffix);
    return n >= 0 && n < PATH_LEN;
}

static int is_baseline(const char *scenario) { return !strcmp(scenario, "baseline"); }

/* The delta raster of scenario s: <service>_<mode>_delta_minutes.tif, or the name of the runner's
 * design notes, <service>_<mode>_minutes_delta.tif, if only that one exists. */
static int delta_path(char *buf, const report *r, size_t s) {
    if (!map_path(buf, r, s, "delta_minutes.tif")) return 0;
    if (access(buf, F_OK) == 0) return 1;
    if (map_path(buf, r, s, "minutes_delta.tif") && access(buf, F_OK) == 0) return 1;
    return map_path(buf, r, s, "delta_minutes.tif");
}

/* Pass 1 over the key rasters: the common colour scales. */
static sim_status map_scales_compute(const report *r, map_scales *sc, sim_error *err) {
    sim_status rc = SIM_OK;
    histogram hg = {calloc(HIST_BINS + 1, sizeof(uint64_t)), 0, 0};
    double dmax = 0;
    if (!hg.count) return sim_error_set(err, SIM_ENOMEM, "report: out of memory");
    for (size_t s = 0; s < r->n_scen && !rc; ++s) {
        char path[PATH_LEN];
        pixels px;
        int found;
        if (!map_path(path, r, s, "minutes.tif")) continue;
        if ((rc = read_pixels(path, &found, &px, err))) break;
        if (found) hist_add(&hg, &px);
        free(px.v);
        if (is_baseline(r->scen[s]) || !delta_path(path, r, s)) continue;
        if ((rc = read_pixels(path, &found, &px, err))) break;
        for (size_t i = 0; found && i < (size_t)px.w * (size_t)px.h; ++i)
            if (!isnan(px.v[i])) dmax = fmax(dmax, fabs(px.v[i]));
        free(px.v);
    }
    double top = hist_p98(&hg);
    sc->minutes_top = top > 0 ? top : fmax(hg.max, 1.0);
    sc->capped = hg.max > sc->minutes_top;
    sc->delta_max = fmax(dmax, 1.0);
    free(hg.count);
    return rc;
}

/* One map figure (or "no map") for scenario s; `delta` chooses the change map. */
static sim_status map_figure(const report *r, sbuf *html, size_t s, int delta, const map_scales *sc,
                             sim_error *err) {
    char path[PATH_LEN], alt[512];
    int ok = delta ? delta_path(path, r, s) : map_path(path, r, s, "minutes.tif");
    const char *rel = ok ? path + strlen(r->outdir) + 1 : "";
    pixels px = {0};
    int found = 0;
    sim_status rc = ok ? read_pixels(path, &found, &px, err) : SIM_OK;
    if (rc) return rc;
    sb_puts(html, "<figure>");
    if (found) {
        snprintf(alt, sizeof alt, "Map of %s: %s for %s by %s", r->scen[s],
                 delta ? "change in minutes" : "minutes", r->service, r->mode);
        rc = draw_map(html, &px, delta, sc, alt, r->html_path, err);
    } else {
        sb_puts(html, "<div class=\"nomap\">no map: <code>");
        sb_html(html, rel);
        sb_puts(html, "</code> is missing</div>");
    }
    free(px.v);
    sb_puts(html, "<figcaption>");
    if (delta)
        sb_puts(html, "Change in minutes against the baseline (blue: faster, red: slower)");
    else
        sb_printf(html, "Minutes to the nearest %s by %s", r->service, r->mode);
    sb_puts(html, "</figcaption></figure>");
    return rc;
}

/* ---- the page ----------------------------------------------------------------------------- */

static const char CSS[] =
    "body{font-family:sans-serif;color:#222;max-width:1120px;margin:1.5em auto;padding:0 1em;"
    "line-height:1.45}\n"
    "h1{font-size:1.7em;margin-bottom:.3em}h2{margin-top:1.8em;border-bottom:1px solid #ccc}\n"
    "img{max-width:100%;height:auto}\n"
    ".key{background:#f3f3f3;padding:.6em .9em;border-radius:4px}\n"
    ".maps{display:flex;flex-wrap:wrap;gap:1.2em}\n"
    "figure{margin:0}figcaption{font-size:.9em;color:#444;max-width:432px}\n"
    ".nomap{width:420px;height:120px;display:flex;align-items:center;justify-content:center;"
    "background:#eee;color:#555;border:1px dashed #aaa}\n"
    ".note{color:#555;font-size:.9em}\n"
    ".tablewrap{overflow-x:auto}\n"
    "table{border-collapse:collapse;font-size:.85em}\n"
    "th,td{border:1px solid #ddd;padding:.25em .5em;white-space:nowrap}\n"
    "th{background:#f3f3f3;position:sticky;top:0}\n"
    "td.num{text-align:right;font-variant-numeric:tabular-nums}\n"
    "td.better{background:#cdebd3}td.worse{background:#f6cfc9}\n"
    "footer{margin-top:2em;color:#777;font-size:.85em}\n";

/* "+1.2 min", "+2.3 pp", "120"... for the headline list; empty when undefined. */
static void headline_item(const report *r, sbuf *html, size_t s) {
    size_t g = 0;
    while (g < r->n_groups && strcmp(r->groups[g], r->group)) ++g;
    char a[48], b[48];
    sb_printf(html, "<li><a href=\"#scenario-%s\"><strong>%s</strong></a>: ", r->scen[s],
              r->scen[s]);
    double mean = key_value(r, s, g, r->col_mean);
    double dmean = key_value(r, s, g, r->col_mean_delta);
    if (isnan(mean)) {
        sb_printf(html, "nobody reaches a %s", r->service);
    } else {
        fmt_fixed(a, sizeof a, mean, 1, 0);
        sb_printf(html, "%s min on average", a);
        if (!is_baseline(r->scen[s]) && !isnan(dmean)) {
            fmt_fixed(b, sizeof b, dmean, 1, 1);
            sb_printf(html, " (%s min)", b);
        }
    }
    if (r->col_share >= 0) {
        double sh = key_value(r, s, g, r->col_share);
        double dsh = key_value(r, s, g, r->col_share_delta);
        if (!isnan(sh)) {
            fmt_fixed(a, sizeof a, 100 * sh, 1, 0);
            sb_printf(html, "; %s%% within %g min", a, r->share_t);
            if (!is_baseline(r->scen[s]) && !isnan(dsh)) {
                fmt_fixed(b, sizeof b, 100 * dsh, 1, 1);
                sb_printf(html, " (%s pp)", b);
            }
        }
    }
    if (!is_baseline(r->scen[s]) && r->col_gain >= 0) {
        double gain = key_value(r, s, g, r->col_gain), lose = key_value(r, s, g, r->col_lose);
        if (!isnan(gain)) {
            fmt_people(a, sizeof a, gain, 0);
            sb_printf(html, "; %s people gain", a);
            if (!isnan(lose)) {
                fmt_people(b, sizeof b, lose, 0);
                sb_printf(html, " and %s lose", b);
            }
            sb_printf(html, " access within %g min", r->gain_t);
        }
    }
    sb_puts(html, "</li>\n");
}

/* One table cell: shares as percentages, other numbers as in the file; changes coloured. */
static void table_cell(const report *r, sbuf *html, size_t row, size_t c) {
    const char *s = cell(r, row, (int)c);
    col_kind k = r->t.kind[c];
    if (k == COL_NAME) {
        sb_printf(html, "<td>%s</td>", s);
        return;
    }
    double v = 0;
    int has = s[0] && geo__parse_number(s, &v);
    int better = 0; /* +1 better for the people, -1 worse */
    if (has && v != 0) {
        if (k == COL_MINUTES_DELTA) better = v < 0 ? 1 : -1;
        if (k == COL_SHARE_DELTA || k == COL_GAIN) better = v > 0 ? 1 : -1;
        if (k == COL_LOSE) better = v > 0 ? -1 : 1;
    }
    sb_printf(html, "<td class=\"num%s\">", better > 0 ? " better" : better < 0 ? " worse" : "");
    char buf[64];
    if (has && k == COL_SHARE) {
        fmt_fixed(buf, sizeof buf, 100 * v, 1, 0);
        sb_printf(html, "%s%%", buf);
    } else if (has && k == COL_SHARE_DELTA) {
        fmt_fixed(buf, sizeof buf, 100 * v, 1, 1);
        sb_printf(html, "%s pp", buf);
    } else {
        sb_html(html, s);
    }
    sb_puts(html, "</td>");
}

static sim_status build_page(const report *r, const char *title, sbuf *html, sim_error *err) {
    sim_status rc = SIM_OK;
    const char *heading = title && *title ? title : "Scenario comparison";
    sb_puts(html, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                  "<title>");
    sb_html(html, heading);
    sb_puts(html, " \xe2\x80\x94 scenario comparison</title>\n<style>\n");
    sb_puts(html, CSS);
    sb_puts(html, "</style>\n</head>\n<body>\n<h1>");
    sb_html(html, heading);
    sb_puts(html, "</h1>\n");
    size_t n_alt = r->n_scen - (is_baseline(r->scen[0]) ? 1 : 0);
    sb_printf(html,
              "<p>This report compares %zu scenario%s with the baseline: how long people need to "
              "reach the nearest service, and how that changes. Times are minutes, averaged over "
              "the people who can reach a service; shares count the whole group, people who "
              "cannot reach one included. People gaining (losing) access reach a service within "
              "the threshold in the scenario but not in the baseline (or the other way round). "
              "Changes are the scenario minus the baseline; in the table, green is better for "
              "the people (fewer minutes, a larger share, more people gaining access, a smaller "
              "gap) and red is worse.</p>\n",
              n_alt, n_alt == 1 ? "" : "s");
    sb_printf(html,
              "<p class=\"key\">Key layer: <strong>%s</strong> by <strong>%s</strong> (minutes "
              "to the nearest %s); headline figures for the group <strong>%s</strong>.</p>\n",
              r->service, r->mode, r->service, r->group);

    sb_puts(html, "<h2>Headline figures</h2>\n<ul>\n");
    for (size_t s = 0; s < r->n_scen; ++s) headline_item(r, html, s);
    sb_puts(html, "</ul>\n<figure class=\"chart\">");
    if ((rc = draw_chart(r, html, r->html_path, err))) return rc;
    sb_printf(html,
              "<figcaption>Every group of the key layer (%s by %s), per scenario. Mean minutes "
              "are over the people who reach a service; n/a: not defined.</figcaption></figure>\n",
              r->service, r->mode);

    map_scales sc;
    if ((rc = map_scales_compute(r, &sc, err))) return rc;
    char top[48], dmax[48];
    fmt_minutes(top, sizeof top, sc.minutes_top, 0);
    fmt_minutes(dmax, sizeof dmax, sc.delta_max, 0);
    sb_printf(html,
              "<h2>Maps</h2>\n<p>Minutes to the nearest %s by %s on one scale for every "
              "scenario, 0 to %s minutes (the 98th percentile of all maps%s); changes on one "
              "scale from %s%s to +%s minutes. North is up; grey cells have no data (nobody "
              "can get there, or outside the study area).</p>\n",
              r->service, r->mode, top, sc.capped ? "; longer times have its colour" : "", U_MINUS,
              dmax, dmax);
    for (size_t s = 0; s < r->n_scen && !rc; ++s) {
        sb_printf(html, "<section id=\"scenario-%s\">\n<h3>%s</h3>\n<div class=\"maps\">",
                  r->scen[s], r->scen[s]);
        rc = map_figure(r, html, s, 0, &sc, err);
        if (!rc && !is_baseline(r->scen[s])) rc = map_figure(r, html, s, 1, &sc, err);
        sb_puts(html, "</div>\n</section>\n");
    }
    if (rc) return rc;

    sb_puts(html, "<h2>All figures</h2>\n<p>Every row of <code>comparison.csv</code>; shares "
                  "as percentages, their changes in percentage points (pp), other numbers as in "
                  "the file. <code>gap_minutes</code> is the group's mean minus the rest of the "
                  "population's (positive: the group is worse off).</p>\n"
                  "<div class=\"tablewrap\"><table>\n<thead><tr>");
    for (size_t c = 0; c < r->t.n_cols; ++c) sb_printf(html, "<th>%s</th>", r->t.name[c]);
    sb_puts(html, "</tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < r->t.n_rows; ++i) {
        sb_puts(html, "<tr>");
        for (size_t c = 0; c < r->t.n_cols; ++c) table_cell(r, html, i, c);
        sb_puts(html, "</tr>\n");
    }
    sb_puts(html, "</tbody>\n</table></div>\n<footer><p>Made by accessim " ACCESSIM_VERSION
                  " from comparison.csv and the minutes rasters.</p></footer>\n</body>\n</html>\n");
    return SIM_OK;
}

/* Writes `html` to `final` through a temporary file beside it, renamed into place. */
static sim_status write_atomic(const char *final, const sbuf *html, sim_error *err) {
    char tmp[PATH_LEN];
    int n = snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", final);
    if (n < 0 || n >= PATH_LEN) return sim_error_set(err, SIM_EINVAL, "%s: path too long", final);
    int fd = mkstemp(tmp);
    if (fd < 0) return sim_error_set(err, SIM_EIO, "%s: cannot create: %s", tmp, strerror(errno));
    FILE *fp = fdopen(fd, "wb");
    if (!fp) {
        int e = errno;
        close(fd);
        unlink(tmp);
        return sim_error_set(err, SIM_EIO, "%s: cannot write: %s", tmp, strerror(e));
    }
    /* mkstemp makes the file private; the report is as readable as the other outputs */
    int e = fchmod(fd, 0644) != 0 ? errno : 0;
    errno = 0;
    if (fwrite(html->s, 1, html->len, fp) != html->len && !e) e = errno ? errno : EIO;
    if (fflush(fp) != 0 && !e) e = errno;
    if (fclose(fp) != 0 && !e) e = errno;
    if (!e && rename(tmp, final) != 0) e = errno;
    if (e) {
        unlink(tmp);
        return sim_error_set(err, SIM_EIO, "%s: cannot write: %s", final, strerror(e));
    }
    return SIM_OK;
}

sim_status geo_report_write(const char *outdir, const char *title, sim_error *err) {
    if (!outdir || !*outdir) return sim_error_set(err, SIM_EINVAL, "report: no output folder");
    char csv_path[PATH_LEN], html_path[PATH_LEN];
    int n1 = snprintf(csv_path, sizeof csv_path, "%s/comparison.csv", outdir);
    int n2 = snprintf(html_path, sizeof html_path, "%s/report.html", outdir);
    if (n1 < 0 || n1 >= PATH_LEN || n2 < 0 || n2 >= PATH_LEN)
        return sim_error_set(err, SIM_EINVAL, "%s: path too long", outdir);
    report r = {0};
    r.outdir = outdir;
    r.csv_path = csv_path;
    r.html_path = html_path;
    sbuf html = {0};
    sim_status rc = table_read(csv_path, &r.t, err);
    if (!rc) rc = report_build(&r, err);
    if (!rc) rc = build_page(&r, title, &html, err);
    if (!rc && html.oom) rc = sim_error_set(err, SIM_ENOMEM, "%s: out of memory", html_path);
    if (!rc) rc = write_atomic(html_path, &html, err);
    free(html.s);
    report_free(&r);
    return rc;
}
