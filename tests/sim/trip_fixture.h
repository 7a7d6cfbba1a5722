/*
 * Trip fixtures for the timetable and RAPTOR tests: a trip owning its arrays, written as text.
 * Header-only (static functions), included by tests/sim/test_timetable.c and test_raptor.c.
 */
#ifndef TESTS_SIM_TRIP_FIXTURE_H
#define TESTS_SIM_TRIP_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/timetable.h"

#define MAX_TRIP_STOPS 16

/* A trip owning its arrays, parsed from "stop@arr[/dep][-p][-d] ..." (e.g. "0@100 1@200/210-d
 * 2@300"): times in seconds (may be negative), "-p" forbids pickup, "-d" drop-off there. */
typedef struct {
    uint32_t stops[MAX_TRIP_STOPS];
    int32_t arr[MAX_TRIP_STOPS], dep[MAX_TRIP_STOPS];
    uint8_t pick[MAX_TRIP_STOPS], drop[MAX_TRIP_STOPS];
    uint32_t n;
} fx_trip;

static inline void fx_parse(fx_trip *f, const char *spec) {
    memset(f, 0, sizeof *f);
    const char *p = spec;
    for (;;) {
        while (*p == ' ') ++p;
        if (!*p) break;
        char *end;
        if (f->n == MAX_TRIP_STOPS) goto bad;
        uint32_t i = f->n++;
        f->stops[i] = (uint32_t)strtoul(p, &end, 10);
        if (end == p || *end != '@') goto bad;
        p = end + 1;
        f->arr[i] = f->dep[i] = (int32_t)strtol(p, &end, 10);
        if (end == p) goto bad;
        p = end;
        if (*p == '/') {
            f->dep[i] = (int32_t)strtol(p + 1, &end, 10);
            p = end;
        }
        f->pick[i] = f->drop[i] = 1;
        while (*p == '-') {
            for (++p; *p == 'p' || *p == 'd'; ++p) *(*p == 'p' ? &f->pick[i] : &f->drop[i]) = 0;
        }
        if (*p && *p != ' ') goto bad;
    }
    return;
bad:
    fprintf(stderr, "bad trip fixture: %s\n", spec);
    exit(2);
}

/* Views of `n` parsed trips (route_ref = index), flags included. */
static inline void fx_views(fx_trip *f, sim_trip *t, size_t n) {
    for (size_t j = 0; j < n; ++j)
        t[j] =
            (sim_trip){f[j].stops, f[j].arr, f[j].dep, f[j].pick, f[j].drop, f[j].n, (uint32_t)j};
}

#endif
