/*
 * accessim — shortest travel times on a sim_graph (Dijkstra with a 4-ary heap).
 *
 * Times are deciseconds; SIM_UNREACHABLE marks nodes not reached within the cutoff. Searches use
 * a caller-owned sim_scratch (one per thread, reused across searches, reset in O(1) by a
 * generation counter) so that hot paths never allocate.
 */
#ifndef SIM_ROUTE_H
#define SIM_ROUTE_H

#include <stdint.h>

#include "sim/graph.h"
#include "sim/status.h"

#define SIM_UNREACHABLE UINT32_MAX

typedef struct sim_scratch sim_scratch;

/** Workspace for searches on graphs of up to `n_nodes` nodes; NULL when out of memory. */
sim_scratch *sim_scratch_create(uint32_t n_nodes);

/** Frees `s`; NULL is a no-op. */
void sim_scratch_destroy(sim_scratch *s);

/**
 * Multi-source search: source i starts at node src_nodes[i] with initial time src_offset_ds[i]
 * (NULL means all 0). Fills, for every node v of `g`, time_ds[v] = the least time over all sources
 * (SIM_UNREACHABLE if above cutoff_ds or unreachable) and, if `nearest` is not NULL,
 * nearest[v] = the index i of the source achieving it (SIM_INVALID_ID when unreachable).
 * Ties are broken towards the lowest source index, so the result never depends on scheduling.
 * To get times *to* the nearest source along directed arcs, search the reverse graph.
 * `time_ds` and `nearest` are caller-owned with sim_graph_node_count(g) slots. `s` must have been
 * created for at least that many nodes and must not be shared between threads; `g` is only read.
 * Returns SIM_OK, or SIM_EINVAL if a source node is out of range or `s` is too small.
 */
sim_status sim_route_multi(const sim_graph *g, const uint32_t *src_nodes,
                           const uint32_t *src_offset_ds, uint32_t n_src, uint32_t cutoff_ds,
                           sim_scratch *s, uint32_t *time_ds, uint32_t *nearest);

/** Single-source form of sim_route_multi() (one source, offset 0, no `nearest`). */
sim_status sim_route_from(const sim_graph *g, uint32_t origin, uint32_t cutoff_ds, sim_scratch *s,
                          uint32_t *time_ds);

#endif
