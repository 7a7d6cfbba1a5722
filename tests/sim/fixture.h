/*
 * Fixtures for the sim tests: inline graphs ("0>1:10 1>3:10 0>2:5" is arcs from>to:deciseconds)
 * and a seeded random sequence for generated ones.
 */
#ifndef ACCESSIM_TESTS_SIM_FIXTURE_H
#define ACCESSIM_TESTS_SIM_FIXTURE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "sim/graph.h"

/* Parses "from>to:time_ds ..." into `arcs` (at most `cap`); returns the arc count, or -1 on a
 * malformed fixture. *n_nodes becomes 1 + the largest node id seen (0 for an empty spec). */
static inline long parse_arcs(const char *spec, sim_arc *arcs, size_t cap, uint32_t *n_nodes) {
    size_t m = 0;
    *n_nodes = 0;
    const char *p = spec;
    for (;;) {
        while (*p == ' ') ++p;
        if (!*p) break;
        char *end;
        unsigned long from = strtoul(p, &end, 10);
        if (end == p || *end != '>') return -1;
        p = end + 1;
        unsigned long to = strtoul(p, &end, 10);
        if (end == p || *end != ':') return -1;
        p = end + 1;
        unsigned long t = strtoul(p, &end, 10);
        if (end == p || m == cap) return -1;
        p = end;
        arcs[m++] = (sim_arc){(uint32_t)from, (uint32_t)to, (uint32_t)t};
        if (from + 1 > *n_nodes) *n_nodes = (uint32_t)from + 1;
        if (to + 1 > *n_nodes) *n_nodes = (uint32_t)to + 1;
    }
    return (long)m;
}

/* Graph with at least `min_nodes` nodes from an inline fixture such as "0>1:10 1>3:10"
 * (from>to:deciseconds); exits the test program on a malformed fixture or a failed build, which
 * are bugs in the test itself. */
static inline sim_graph *fixture_graph_n(uint32_t min_nodes, const char *spec) {
    sim_arc arcs[64];
    uint32_t n;
    long m = parse_arcs(spec, arcs, 64, &n);
    sim_graph *g = NULL;
    if (n < min_nodes) n = min_nodes;
    if (m < 0 || sim_graph_build(n, arcs, (size_t)m, &g) != SIM_OK) {
        fprintf(stderr, "bad fixture: %s\n", spec);
        exit(2);
    }
    return g;
}

/* fixture_graph_n() with just the nodes the arcs name. */
static inline sim_graph *fixture_graph(const char *spec) { return fixture_graph_n(0, spec); }

/* Random test data: splitmix64 from a seed set by the test (rng_state = ...), so every run and
 * every platform sees the same sequence. */
static uint64_t rng_state;

static inline uint64_t rng_next(void) {
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* A number in [0, n) (n > 0). */
static inline uint32_t rng_below(uint32_t n) { return (uint32_t)(rng_next() % n); }

#endif
