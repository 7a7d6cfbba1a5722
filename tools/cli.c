#include "tools/cli.h"

#include <errno.h>
#include <math.h>
#include <omp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "geo/profile.h"
#include "scenarios/config.h"

static int progress_drawn = 0;

int cli_usage_error(const char *cmd, const char *fmt, ...) {
    va_list ap;
    fprintf(stderr, "accessim %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return CLI_EUSAGE;
}

int cli_fail(const char *cmd, const sim_error *e) {
    cli_progress_end();
    fprintf(stderr, "accessim %s: %s\n", cmd, e->msg[0] ? e->msg : sim_status_str(e->code));
    return sim_status_is_input_error(e->code) ? CLI_EUSAGE : CLI_EINTERNAL;
}

static int allowed_opt(const char *allowed, const char *name) {
    size_t n = strlen(name);
    for (const char *p = allowed; p && *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == n && strncmp(p, name, n) == 0) return 1;
        p = e ? e + 1 : NULL;
    }
    return 0;
}

int cli_parse(const char *cmd, int argc, char **argv, const char *allowed, cli_options *o) {
    memset(o, 0, sizeof *o);
    o->seed = 20261122ull;
    for (int i = 0; i < argc; ++i) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            o->help = 1;
            continue;
        }
        if (a[0] != '-' || !a[1]) {
            if (o->n_positional >= 256) return cli_usage_error(cmd, "too many arguments");
            o->positional[o->n_positional++] = a;
            continue;
        }
        const char *name = a[1] == '-' ? a + 2 : a + 1;
        if (!strcmp(name, "output")) name = "o";
        if (!allowed_opt(allowed, name))
            return cli_usage_error(cmd, "unknown option '%s' (see 'accessim %s --help')", a, cmd);
        if (!strcmp(name, "quiet")) {
            o->quiet = 1;
        } else if (!strcmp(name, "overwrite")) {
            o->overwrite = 1;
        } else if (!strcmp(name, "seconds")) {
            o->seconds = 1;
        } else if (!strcmp(name, "resume")) {
            o->resume = 1;
        } else if (!strcmp(name, "yes")) {
            o->yes = 1;
        } else {
            if (i + 1 >= argc) return cli_usage_error(cmd, "option '%s' needs a value", a);
            const char *v = argv[++i];
            if (!strcmp(name, "o")) {
                o->output = v;
            } else if (!strcmp(name, "mode")) {
                o->mode = v;
            } else if (!strcmp(name, "cutoff")) {
                o->cutoff = v;
            } else if (!strcmp(name, "to")) {
                o->to = v;
            } else if (!strcmp(name, "service")) {
                o->service = v;
            } else if (!strcmp(name, "direction")) {
                o->direction = v;
            } else if (!strcmp(name, "matrix")) {
                o->matrix = v;
            } else if (!strcmp(name, "time-column")) {
                o->time_column = v;
            } else if (!strcmp(name, "group")) {
                o->group = v;
            } else if (!strcmp(name, "threads") || !strcmp(name, "seed")) {
                char *end;
                errno = 0;
                unsigned long long n = strtoull(v, &end, 10);
                if (errno || *end || !*v || v[0] == '-' ||
                    (!strcmp(name, "threads") && (n < 1 || n > 1024)))
                    return cli_usage_error(cmd, "option '%s' needs a %s, not '%s'", a,
                                           !strcmp(name, "threads") ? "thread count from 1 to 1024"
                                                                    : "non-negative integer",
                                           v);
                if (!strcmp(name, "threads")) o->threads = (int)n;
                else o->seed = n;
            }
        }
    }
    return CLI_OK;
}

int cli_mode(const char *name) {
    for (int m = 0; m < GEO_MODE_COUNT; ++m)
        if (name && strcmp(name, scn_mode_name((scn_mode)m)) == 0) return m;
    return -1;
}

void cli_set_threads(int threads) {
    if (threads > 0) omp_set_num_threads(threads);
}

void cli_progress(void *ud, const char *stage, size_t done, size_t total) {
    (void)ud;
    if (!isatty(STDERR_FILENO)) return;
    if (total) fprintf(stderr, "\r\033[K  %s (%zu/%zu)", stage, done + 1 > total ? total : done + 1, total);
    else fprintf(stderr, "\r\033[K  %s ...", stage);
    fflush(stderr);
    progress_drawn = 1;
}

void cli_progress_end(void) {
    if (progress_drawn) fputs("\r\033[K", stderr);
    progress_drawn = 0;
}

void cli_print_warnings(const char *cmd, const sim_warnings *w) {
    for (size_t i = 0; w && i < w->n; ++i) {
        const sim_warning *it = &w->items[i];
        fprintf(stderr, "accessim %s: warning: %zu x %s", cmd, it->count, it->what);
        for (size_t e = 0; e < it->n_examples; ++e)
            fprintf(stderr, "%s%s", e ? ", " : " (e.g. ", it->examples[e]);
        fputs(it->n_examples ? (it->count > it->n_examples ? ", ...)\n" : ")\n") : "\n", stderr);
    }
}

void cli_print_headlines(const scn_headline *h, size_t n, const unsigned *thresholds,
                         size_t n_thresholds) {
    if (n_thresholds > 8) n_thresholds = 8;
    int gw = 12, mw = 5; /* the group and mode columns fit the longest name */
    for (size_t i = 0; i < n; ++i) {
        if ((int)strlen(h[i].group) > gw) gw = (int)strlen(h[i].group);
        if ((int)strlen(h[i].mode) > mw) mw = (int)strlen(h[i].mode);
    }
    printf("%-20s %-*s %-*s %12s", "service", mw, "mode", gw, "group", "mean_minutes");
    for (size_t q = 0; q < n_thresholds; ++q) printf("  within_%-3u", thresholds[q]);
    putchar('\n');
    for (size_t i = 0; i < n; ++i) {
        printf("%-20s %-*s %-*s ", h[i].service, mw, h[i].mode, gw, h[i].group);
        if (isnan(h[i].mean_minutes)) printf("%12s", "-");
        else printf("%12.1f", h[i].mean_minutes);
        for (size_t q = 0; q < n_thresholds; ++q) {
            double s = h[i].share_within[q];
            if (isnan(s)) printf("  %10s", "-");
            else printf("  %9.1f%%", 100.0 * s);
        }
        putchar('\n');
        /* After the last group of a service and mode: each later group against the first. */
#define SAME(a, b) (strcmp(h[a].service, h[b].service) == 0 && strcmp(h[a].mode, h[b].mode) == 0)
        int last = i + 1 == n || !SAME(i + 1, i);
        if (!last) continue;
        size_t first = i;
        while (first > 0 && SAME(first - 1, i)) --first;
#undef SAME
        for (size_t g = first + 1; g <= i; ++g) {
            printf("%-20s %-*s %-*s ", "", mw, "", gw, "gap");
            double d = h[g].mean_minutes - h[first].mean_minutes;
            if (isnan(d)) printf("%12s", "-");
            else printf("%+12.1f", d);
            for (size_t q = 0; q < n_thresholds; ++q) {
                double s = h[g].share_within[q] - h[first].share_within[q];
                if (isnan(s)) printf("  %10s", "-");
                else printf("  %+8.1fpp", 100.0 * s);
            }
            printf("   (%s - %s)\n", h[g].group, h[first].group);
        }
    }
}
