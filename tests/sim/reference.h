/*
 * The naive reference the sim tests compare against: a plain O(n^2 + n m) Dijkstra on the raw
 * arc list with 64-bit sums and no cutoff. Deliberately shares nothing with sim/ (no CSR, no
 * heap, no scratch), so a bug there cannot hide in both.
 */
#ifndef ACCESSIM_TESTS_SIM_REFERENCE_H
#define ACCESSIM_TESTS_SIM_REFERENCE_H

#include <stddef.h>
#include <stdint.h>

#include "sim/graph.h"

#define REF_INF UINT64_MAX

/* dist[v] = offset + d(src, v), or REF_INF where v cannot be reached; done[] is n bytes of
 * scratch. */
static inline void ref_single(uint32_t n, const sim_arc *arcs, size_t m, uint32_t src,
                              uint64_t offset, uint64_t *dist, unsigned char *done) {
    for (uint32_t v = 0; v < n; ++v) {
        dist[v] = REF_INF;
        done[v] = 0;
    }
    dist[src] = offset;
    for (;;) {
        uint32_t u = UINT32_MAX;
        for (uint32_t v = 0; v < n; ++v)
            if (!done[v] && dist[v] != REF_INF && (u == UINT32_MAX || dist[v] < dist[u])) u = v;
        if (u == UINT32_MAX) break;
        done[u] = 1;
        for (size_t a = 0; a < m; ++a)
            if (arcs[a].from == u && dist[u] + arcs[a].time_ds < dist[arcs[a].to])
                dist[arcs[a].to] = dist[u] + arcs[a].time_ds;
    }
}

#endif
