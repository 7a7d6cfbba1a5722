/*
 * accessim — measures from a travel-time matrix made elsewhere (`accessim measure`): reads an
 * r5r-style CSV, joins it to the scenario's origins and services by id, and writes the run
 * outputs with the mode "matrix" (scenarios/runner.h: scn_city_measure_matrix).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "geo/crs.h"
#include "geo/write.h"
#include "scenarios/outdir.h"
#include "scenarios/runner_internal.h"
#include "sim/equity.h"
#include "sim/measures.h"

#ifndef ACCESSIM_VERSION
#define ACCESSIM_VERSION "unknown"
#endif

/* ---- measures from an external travel-time matrix ------------------------------------------ */

typedef struct {
    uint32_t origin, local, line;
    double minutes;
} ext_entry;

static int cmp_ext(const void *a, const void *b) {
    const ext_entry *p = a, *q = b;
    if (p->origin != q->origin) return p->origin < q->origin ? -1 : 1;
    if (p->local != q->local) return p->local < q->local ? -1 : 1;
    return (p->line > q->line) - (p->line < q->line);
}

typedef struct {
    const char *id;
    uint32_t index;
} id_ref;

static int cmp_id_ref(const void *a, const void *b) {
    const id_ref *p = a, *q = b;
    int c = strcmp(p->id, q->id);
    return c ? c : (p->index > q->index) - (p->index < q->index);
}

/* Minutes as every output prints them: to 0.01, half up (a hair of slack, 1e-9 min, so that a
 * time given as seconds / 60 rounds as its deciseconds would). */
static double round_minutes(double v) {
    return isfinite(v) ? floor(v * 100.0 + 0.5 + 1e-7) / 100.0 : v;
}

/* The global indexes of kind k's services, in their order (a kind's "local" numbering). */
static uint32_t *r_kind_services(const scn_city *c, size_t k) {
    uint32_t *out = malloc((c->n_svc ? c->n_svc : 1) * sizeof *out), n = 0;
    if (!out) return NULL;
    for (size_t j = 0; j < c->n_svc; ++j)
        if (c->svc_kind[j] == k) out[n++] = (uint32_t)j;
    return out;
}

/* Position of the first entry of `ref` (sorted by id) whose id is >= `id`. */
static size_t first_with_id(const id_ref *ref, size_t n, const char *id) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(ref[mid].id, id) < 0) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* Splits a CSV line in place (RFC 4180 quotes; no newlines inside fields): up to max fields. */
static size_t csv_split(char *line, char **field, size_t max) {
    size_t n = 0;
    char *p = line;
    line[strcspn(line, "\r\n")] = '\0';
    while (n < max) {
        char *w = p, *start = p;
        if (*p == '"') {
            ++p;
            while (*p) {
                if (*p == '"' && p[1] == '"') {
                    *w++ = '"';
                    p += 2;
                } else if (*p == '"') {
                    ++p;
                    break;
                } else {
                    *w++ = *p++;
                }
            }
            while (*p && *p != ',') ++p;
        } else {
            while (*p && *p != ',') *w++ = *p++;
        }
        int more = *p == ',';
        *w = '\0';
        field[n++] = start;
        if (!more) break;
        p = p + 1;
    }
    return n;
}

sim_status scn_city_measure_matrix(scn_city *c, const char *path, const char *time_col,
                                   const char *dir, const sim_warnings *warn_in,
                                   scn_headline **heads, size_t *n_heads, sim_error *err) {
    const scn_config *cfg = c->cfg;
    size_t no = c->pop->n, nk = c->n_kinds, ng = cfg->n_groups, nmeas = cfg->n_measures;
    sim_status rc = SIM_OK;
    FILE *in = NULL, *fp = NULL;
    char *line = NULL, opath[4200];
    size_t cap_line = 0;
    id_ref *oref = NULL, *sref = NULL;
    ext_entry **ent = calloc(nk ? nk : 1, sizeof *ent);
    size_t *n_ent = calloc(nk ? nk : 1, sizeof *n_ent), *cap_ent = calloc(nk ? nk : 1, sizeof *cap_ent);
    uint32_t *local = malloc((c->n_svc ? c->n_svc : 1) * sizeof *local);
    uint32_t *n_local = calloc(nk ? nk : 1, sizeof *n_local);
    sim_warnings warn = {0};
    double t0 = scn__now_s();
    *heads = NULL;
    *n_heads = 0;
    if (!ent || !n_ent || !cap_ent || !local || !n_local) goto oom;
    for (size_t j = 0; j < c->n_svc; ++j) local[j] = n_local[c->svc_kind[j]]++;
    if (warn_in)
        for (size_t i = 0; i < warn_in->n; ++i)
            sim_warnings_add_n(&warn, warn_in->items[i].count, warn_in->items[i].what, NULL);
    /* ids, sorted for lookups */
    oref = malloc((no ? no : 1) * sizeof *oref);
    sref = malloc((c->n_svc ? c->n_svc : 1) * sizeof *sref);
    if (!oref || !sref) goto oom;
    for (size_t i = 0; i < no; ++i) oref[i] = (id_ref){c->pop->id[i], (uint32_t)i};
    for (size_t j = 0; j < c->n_svc; ++j) sref[j] = (id_ref){c->svc_id[j], (uint32_t)j};
    qsort(oref, no, sizeof *oref, cmp_id_ref);
    qsort(sref, c->n_svc, sizeof *sref, cmp_id_ref);
    for (size_t i = 1; i < no; ++i)
        if (strcmp(oref[i].id, oref[i - 1].id) == 0) {
            rc = sim_error_set(err, SIM_EPARSE, "%s: origin id '%s' appears twice; matrix rows "
                               "are joined by id", cfg->population.source, oref[i].id);
            goto done;
        }

    if (!(in = fopen(path, "r"))) {
        rc = sim_error_set(err, SIM_EIO, "%s: cannot read: %s", path, strerror(errno));
        goto done;
    }
    char *field[256];
    ssize_t got = getline(&line, &cap_line, in);
    if (got <= 0) {
        rc = sim_error_set(err, SIM_EPARSE, "%s: empty file (expected a header with from_id, "
                           "to_id and a time column)", path);
        goto done;
    }
    char *hdr = line;
    if ((unsigned char)hdr[0] == 0xEF && (unsigned char)hdr[1] == 0xBB && (unsigned char)hdr[2] == 0xBF)
        hdr += 3; /* UTF-8 BOM */
    size_t nf = csv_split(hdr, field, 256);
    long c_from = -1, c_to = -1, c_time = -1;
    static const char *const TIME_COLS[] = {"travel_time_p50", "travel_time", "minutes",
                                            "travel_time_minutes", "time", NULL};
    for (size_t f = 0; f < nf; ++f) {
        if (!strcmp(field[f], "from_id")) c_from = (long)f;
        if (!strcmp(field[f], "to_id")) c_to = (long)f;
        if (time_col && !strcmp(field[f], time_col)) c_time = (long)f;
    }
    for (const char *const *t = TIME_COLS; !time_col && c_time < 0 && *t; ++t)
        for (size_t f = 0; f < nf; ++f)
            if (!strcmp(field[f], *t)) c_time = (long)f;
    if (c_from < 0 || c_to < 0 || c_time < 0) {
        char cols[300] = "";
        for (size_t f = 0; f < nf && strlen(cols) < 250; ++f)
            snprintf(cols + strlen(cols), sizeof cols - strlen(cols), "%s%s", f ? ", " : "",
                     field[f]);
        rc = sim_error_set(err, SIM_EPARSE,
                           "%s: needs columns from_id, to_id and %s (columns: %s)", path,
                           time_col ? time_col : "a time in minutes (travel_time_p50, "
                                                 "travel_time, minutes or time)",
                           cols);
        goto done;
    }
    char time_name[128];
    snprintf(time_name, sizeof time_name, "%s", field[c_time]); /* `line` is reused below */
    size_t lineno = 1, unknown_from = 0, unknown_to = 0, skipped = 0;
    while ((got = getline(&line, &cap_line, in)) > 0) {
        ++lineno;
        size_t n = csv_split(line, field, 256);
        if (n == 1 && !field[0][0]) continue; /* blank line */
        if (n <= (size_t)c_from || n <= (size_t)c_to || n <= (size_t)c_time) {
            rc = sim_error_set(err, SIM_EPARSE, "%s:%zu: %zu fields, the header has %zu", path,
                               lineno, n, nf);
            goto done;
        }
        const char *tv = field[c_time];
        if (!*tv || !strcmp(tv, "NA") || !strcmp(tv, "NaN") || !strcmp(tv, "nan")) {
            ++skipped; /* r5r writes NA for unreachable pairs */
            continue;
        }
        char *end;
        double minutes = strtod(tv, &end);
        if (end == tv || *end || !isfinite(minutes) || minutes < 0) {
            rc = sim_error_set(err, SIM_EPARSE, "%s:%zu: %s '%s' is not a travel time in "
                               "minutes (a number >= 0)", path, lineno, time_name, tv);
            goto done;
        }
        size_t oi = first_with_id(oref, no, field[c_from]);
        const id_ref *o = oi < no && !strcmp(oref[oi].id, field[c_from]) ? &oref[oi] : NULL;
        if (!o) {
            if (++unknown_from <= 3)
                sim_warnings_add(&warn, "matrix rows whose from_id is not an origin skipped",
                                 "line %zu: '%s'", lineno, field[c_from]);
            else
                sim_warnings_add(&warn, "matrix rows whose from_id is not an origin skipped", NULL);
            continue;
        }
        /* every service with this id (several kinds may share ids) */
        size_t lo = first_with_id(sref, c->n_svc, field[c_to]);
        if (lo >= c->n_svc || strcmp(sref[lo].id, field[c_to]) != 0) {
            ++unknown_to; /* destinations that are not services: other origins, jobs, ... */
            continue;
        }
        for (; lo < c->n_svc && !strcmp(sref[lo].id, field[c_to]); ++lo) {
            uint32_t j = sref[lo].index, k = c->svc_kind[j];
            if (n_ent[k] == cap_ent[k]) {
                size_t ncap = cap_ent[k] ? 2 * cap_ent[k] : 4096;
                ext_entry *p = realloc(ent[k], ncap * sizeof *p);
                if (!p) goto oom;
                ent[k] = p;
                cap_ent[k] = ncap;
            }
            ent[k][n_ent[k]++] = (ext_entry){o->index, local[j], (uint32_t)lineno, minutes};
        }
    }
    if (ferror(in)) {
        rc = sim_error_set(err, SIM_EIO, "%s: read error", path);
        goto done;
    }
    if (unknown_to)
        sim_warnings_add_n(&warn, unknown_to, "matrix rows whose to_id is no service skipped",
                           NULL);
    if (skipped) sim_warnings_add_n(&warn, skipped, "matrix rows without a time (NA) skipped", NULL);
    (void)ng;

    /* per kind: a sorted matrix, the nearest service, every measure */
    double **nearest = calloc(nk ? nk : 1, sizeof *nearest);
    uint32_t **near_id = calloc(nk ? nk : 1, sizeof *near_id);
    double **vals = calloc((nk ? nk : 1) * (nmeas ? nmeas : 1), sizeof *vals);
    double *cap = malloc((c->n_svc ? c->n_svc : 1) * sizeof *cap);
    double *ones = malloc((c->n_svc ? c->n_svc : 1) * sizeof *ones);
    uint64_t *first = malloc((no + 1) * sizeof *first);
    uint32_t *to = NULL;
    double *mins = NULL;
    if (!nearest || !near_id || !vals || !cap || !ones || !first) goto oom2;
    for (size_t j = 0; j < c->n_svc; ++j) ones[j] = 1.0;
    for (size_t k = 0; k < nk && !rc; ++k) {
        if (n_ent[k]) qsort(ent[k], n_ent[k], sizeof *ent[k], cmp_ext);
        /* a pair listed twice with the same time is one pair (a destination id that is a service
         * of several kinds comes back once per kind); different times are an error */
        size_t kept = n_ent[k] ? 1 : 0;
        for (size_t e = 1; e < n_ent[k]; ++e) {
            ext_entry *prev = &ent[k][kept - 1];
            if (ent[k][e].origin == prev->origin && ent[k][e].local == prev->local &&
                ent[k][e].minutes == prev->minutes)
                continue;
            ent[k][kept++] = ent[k][e];
        }
        n_ent[k] = kept;
        for (size_t e = 1; e < n_ent[k]; ++e)
            if (ent[k][e].origin == ent[k][e - 1].origin && ent[k][e].local == ent[k][e - 1].local) {
                rc = sim_error_set(err, SIM_EPARSE, "%s:%u: origin '%s' to the same %s as on line "
                                   "%u, with another time", path, ent[k][e].line,
                                   c->pop->id[ent[k][e].origin], c->kinds[k], ent[k][e - 1].line);
                goto out;
            }
        free(to);
        free(mins);
        to = malloc((n_ent[k] ? n_ent[k] : 1) * sizeof *to);
        mins = malloc((n_ent[k] ? n_ent[k] : 1) * sizeof *mins);
        nearest[k] = malloc((no ? no : 1) * sizeof **nearest);
        near_id[k] = malloc((no ? no : 1) * sizeof **near_id);
        if (!to || !mins || !nearest[k] || !near_id[k]) goto oom2;
        size_t e = 0;
        for (size_t i = 0; i <= no; ++i) {
            first[i] = e;
            while (i < no && e < n_ent[k] && ent[k][e].origin == i) {
                to[e] = ent[k][e].local;
                mins[e] = ent[k][e].minutes;
                ++e;
            }
        }
        sim_ttm ttm = {(uint32_t)no, n_local[k], first, to, mins, NULL};
        uint32_t nj = 0;
        for (size_t j = 0; j < c->n_svc; ++j)
            if (c->svc_kind[j] == k) cap[nj++] = c->svc_cap[j];
        for (size_t i = 0; i < no; ++i) { /* nearest: smallest time, ties to the first service */
            double best = INFINITY;
            uint32_t arg = SIM_INVALID_ID;
            for (uint64_t a = first[i]; a < first[i + 1]; ++a)
                if (mins[a] < best) {
                    best = mins[a];
                    arg = to[a];
                }
            nearest[k][i] = best;
            near_id[k][i] = arg;
        }
        for (size_t m = 0; m < nmeas && !rc; ++m) {
            const scn_measure *ms = &cfg->measures[m];
            if (!(vals[k * nmeas + m] = malloc((no ? no : 1) * sizeof(double)))) goto oom2;
            if (ms->kind == SCN_MEASURE_NEAREST && ms->k <= 1) {
                for (size_t i = 0; i < no; ++i)
                    vals[k * nmeas + m][i] = isfinite(nearest[k][i]) ? nearest[k][i] : NAN;
                continue;
            }
            sim_status st = scn__measure_one(c, ms, &ttm, cap, ones, vals[k * nmeas + m]);
            if (!st && ms->kind == SCN_MEASURE_NEAREST)
                for (size_t i = 0; i < no; ++i)
                    vals[k * nmeas + m][i] = round_minutes(vals[k * nmeas + m][i]);
            if (st)
                rc = sim_error_set(err, st, "measure %s for %s: %s", ms->name, c->kinds[k],
                                   sim_status_str(st));
        }
    }
    if (rc) goto out;

    /* origins.csv and areas.geojson */
    {
        size_t ncol = 1 + ng + nk * (2 + nmeas), n1 = no ? no : 1;
        geo_column *cols = calloc(ncol, sizeof *cols);
        char **names = calloc(ncol, sizeof *names);
        const char **txt = malloc((1 + nk) * n1 * sizeof *txt);
        double *nm_out = malloc(nk * n1 * sizeof *nm_out);
        size_t nc = 0, nn = 0;
        if (!cols || !names || !txt || !nm_out) {
            free(cols);
            free(names);
            free(txt);
            free(nm_out);
            goto oom2;
        }
        for (size_t i = 0; i < no; ++i) txt[i] = c->pop->id[i];
        cols[nc++] = (geo_column){.name = "origin_id", .is_text = 1, .text = txt};
        for (size_t g = 0; g < ng; ++g)
            cols[nc++] = (geo_column){.name = cfg->groups[g].name, .real = c->pop_cols + g * no,
                                      .decimals = -1};
        for (size_t k = 0; k < nk; ++k) {
            const char **ids = txt + (1 + k) * n1;
            double *mv = nm_out + k * n1;
            uint32_t *kind_svc = r_kind_services(c, k);
            for (size_t i = 0; i < no; ++i) {
                mv[i] = isfinite(nearest[k][i]) ? round_minutes(nearest[k][i]) : NAN;
                ids[i] = near_id[k][i] == SIM_INVALID_ID || !kind_svc
                             ? NULL
                             : c->svc_id[kind_svc[near_id[k][i]]];
            }
            free(kind_svc);
            size_t len = strlen(c->kinds[k]) + 64;
            for (size_t m = 0; m < 2 + nmeas; ++m) {
                if (m >= 2) {
                    const scn_measure *ms = &cfg->measures[m - 2];
                    if (ms->kind == SCN_MEASURE_NEAREST && ms->k <= 1) continue;
                    len = strlen(c->kinds[k]) + strlen(ms->name) + 16;
                }
                if (!(names[nn] = malloc(len))) break;
                if (m == 0) {
                    snprintf(names[nn], len, "%s_matrix_minutes", c->kinds[k]);
                    cols[nc++] = (geo_column){.name = names[nn++], .real = mv, .decimals = 2};
                } else if (m == 1) {
                    snprintf(names[nn], len, "%s_matrix_nearest_id", c->kinds[k]);
                    cols[nc++] = (geo_column){.name = names[nn++], .is_text = 1, .text = ids};
                } else {
                    const scn_measure *ms = &cfg->measures[m - 2];
                    snprintf(names[nn], len, "%s_matrix_%s", c->kinds[k], ms->name);
                    cols[nc++] = (geo_column){.name = names[nn++], .real = vals[k * nmeas + m - 2],
                                              .decimals = ms->kind == SCN_MEASURE_NEAREST ? 2 : -1};
                }
            }
        }
        char bdir[4200];
        if (snprintf(bdir, sizeof bdir, "%s/baseline", dir) >= (int)sizeof bdir ||
            scn_mkdirs(bdir) != 0) {
            rc = sim_error_set(err, SIM_EIO, "%s: cannot create", bdir);
        } else if ((fp = scn__open_out(bdir, "origins.csv", opath, sizeof opath, err))) {
            for (size_t j = 0; j < nc; ++j) {
                if (j) fputc(',', fp);
                scn__csv_str(fp, cols[j].name);
            }
            fputc('\n', fp);
            for (size_t i = 0; i < no; ++i) {
                for (size_t j = 0; j < nc; ++j) {
                    if (j) fputc(',', fp);
                    if (cols[j].is_text) {
                        if (cols[j].text[i]) scn__csv_str(fp, cols[j].text[i]);
                    } else {
                        scn__csv_num(fp, cols[j].real[i], cols[j].decimals);
                    }
                }
                fputc('\n', fp);
            }
            rc = scn__close_file(fp, opath, err);
            fp = NULL;
            if (!rc && snprintf(opath, sizeof opath, "%s/baseline/areas.geojson", dir) <
                           (int)sizeof opath)
                rc = geo_write_areas(opath, (const unsigned char *const *)c->pop->wkb,
                                     c->pop->wkb_len, no, cols, nc, err);
        } else {
            rc = err ? err->code : SIM_EIO;
        }
        for (size_t i = 0; i < nn; ++i) free(names[i]);
        free(names);
        free(cols);
        free(txt);
        free(nm_out);
    }
    if (rc) goto out;

    /* summary.csv: the nearest time's statistics, then the equity rows */
    if (!(fp = scn__open_out(dir, "summary.csv", opath, sizeof opath, err))) {
        rc = err ? err->code : SIM_EIO;
        goto out;
    }
    fputs("scenario,service,mode,group,measure,value,baseline,delta\n", fp);
    {
        double *owned = NULL, *x = malloc((no ? no : 1) * sizeof *x);
        const double *rank_by = scn__rank_by(c, &owned);
        size_t n_h = nk * ng;
        scn_headline *h = calloc(n_h ? n_h : 1, sizeof *h);
        if (!x || !h) {
            free(x);
            free(owned);
            free(h);
            goto oom2;
        }
        for (size_t k = 0; k < nk && !rc; ++k) {
            for (size_t g = 0; g < ng; ++g) {
                const double *w = c->pop_cols + g * no;
                scn_headline *hl = &h[k * ng + g];
                double v;
                hl->service = c->kinds[k];
                hl->mode = "matrix";
                hl->group = cfg->groups[g].name;
#define ROW(meas, value, dec)                                                                      \
    scn__summary_row(fp, c->kinds[k], "matrix", cfg->groups[g].name, meas, value, dec)
                sim_equity_mean(nearest[k], w, no, &v); /* over people who reach a service */
                hl->mean_minutes = v;
                ROW("mean_minutes", v, 4);
                for (size_t i = 0; i < no; ++i) x[i] = isfinite(nearest[k][i]) ? w[i] : 0.0;
                sim_equity_median(nearest[k], x, no, &v);
                ROW("median_minutes", v, 4);
                for (size_t q = 0; q < cfg->n_thresholds; ++q) {
                    char name[48];
                    sim_equity_share_at_most(nearest[k], w, no, cfg->thresholds_min[q], &v);
                    if (q < 8) hl->share_within[q] = v;
                    snprintf(name, sizeof name, "share_within_%u", (unsigned)cfg->thresholds_min[q]);
                    ROW(name, v, 6);
                }
                double tot = 0, unr = 0;
                for (size_t i = 0; i < no; ++i) {
                    tot += w[i];
                    if (!isfinite(nearest[k][i])) unr += w[i];
                }
                v = tot > 0 ? unr / tot : NAN;
                ROW("unreachable_share", v, 6);
#undef ROW
            }
            memcpy(x, nearest[k], no * sizeof *x);
            rc = scn__layer_equity_rows(fp, c, c->kinds[k], "matrix", NULL, x,
                                        nmeas ? vals + k * nmeas : NULL, NULL, NULL, rank_by, err);
        }
        free(x);
        free(owned);
        if (!rc) {
            *heads = h;
            *n_heads = nk * ng;
        } else {
            free(h);
        }
    }
    if (!rc) rc = scn__close_file(fp, opath, err);
    else fclose(fp);
    fp = NULL;
    if (rc) goto out;

    /* manifest.json */
    if (!(fp = scn__open_out(dir, "manifest.json", opath, sizeof opath, err))) {
        rc = err ? err->code : SIM_EIO;
        goto out;
    }
    scn__add_input(c, path, "matrix");
    {
        char hex[65];
        uint64_t size = 0;
        fputs("{\n  \"tool\": \"accessim\",\n  \"version\": \"" ACCESSIM_VERSION "\",\n", fp);
        fputs("  \"command\": \"measure\",\n  \"scenario\": {\"path\": ", fp);
        scn__json_str(fp, cfg->path);
        if (!(rc = geo_sha256_file(cfg->path, hex, &size, err)))
            fprintf(fp, ", \"size\": %llu, \"sha256\": \"%s\"},\n  \"inputs\": [\n",
                    (unsigned long long)size, hex);
        for (size_t i = 0; !rc && i < c->n_inputs; ++i) {
            if ((rc = geo_sha256_file(c->inputs[i], hex, &size, err))) break;
            fputs("    {\"role\": ", fp);
            scn__json_str(fp, c->input_role[i]);
            fputs(", \"path\": ", fp);
            scn__json_str(fp, c->inputs[i]);
            fprintf(fp, ", \"size\": %llu, \"sha256\": \"%s\"}%s\n", (unsigned long long)size, hex,
                    i + 1 < c->n_inputs ? "," : "");
        }
        if (!rc) {
            fprintf(fp, "  ],\n  \"crs\": {\"name\": ");
            scn__json_str(fp, geo_crs_name(c->crs));
            fprintf(fp, ", \"epsg\": %d},\n  \"counts\": {\"origins\": %zu, \"services\": %zu, "
                        "\"matrix_rows\": %zu, \"stops\": 0, \"trips\": 0},\n  \"warnings\": [",
                    geo_crs_epsg(c->crs), no, c->n_svc, lineno - 1);
            for (size_t w = 0; w < warn.n; ++w) {
                fputs(w ? ", " : "", fp);
                fputs("{\"what\": ", fp);
                scn__json_str(fp, warn.items[w].what);
                fprintf(fp, ", \"count\": %zu}", warn.items[w].count);
            }
            fprintf(fp, "],\n  \"timings\": {\"load_s\": %.3f, \"measure_s\": %.3f}\n}\n",
                    c->load_s, scn__now_s() - t0);
        }
        if (!rc) rc = scn__close_file(fp, opath, err);
        else fclose(fp);
        fp = NULL;
    }
    goto out;
oom2:
    rc = sim_error_set(err, SIM_ENOMEM, "measures from %s", path);
out:
    for (size_t k = 0; k < nk; ++k) {
        if (nearest) free(nearest[k]);
        if (near_id) free(near_id[k]);
        for (size_t m = 0; vals && m < nmeas; ++m) free(vals[k * nmeas + m]);
    }
    free(nearest);
    free(near_id);
    free(vals);
    free(cap);
    free(ones);
    free(first);
    free(to);
    free(mins);
    goto done;
oom:
    rc = sim_error_set(err, SIM_ENOMEM, "measures from %s", path);
done:
    if (rc) {
        free(*heads);
        *heads = NULL;
        *n_heads = 0;
    }
    if (fp) fclose(fp);
    if (in) fclose(in);
    free(line);
    free(oref);
    free(sref);
    for (size_t k = 0; ent && k < nk; ++k) free(ent[k]);
    free(ent);
    free(n_ent);
    free(cap_ent);
    free(local);
    free(n_local);
    sim_warnings_clear(&warn);
    return rc;
}
