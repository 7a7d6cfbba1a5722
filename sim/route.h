/*
 * accessim — shortest travel times on a sim_graph (Dijkstra with a radix heap).
 *
 * Times are deciseconds; SIM_UNREACHABLE marks nodes not reached within the cutoff. Searches use
 * a caller-owned sim_scratch (one per thread, reused across searches, reset in O(1) by a
 * generation counter) so that hot paths never allocate once the scratch has warmed up.
 *
 * Two levels of API:
 *  - sim_search() + sim_scratch_settled(): costs time proportional to what the search settles
 *    (no O(node count) work per search); the building block for many-to-many matrices.
 *  - sim_route_multi() / sim_route_from(): fill dense per-node arrays (O(node count) per call).
 *
 * The queue is a radix heap on integer times (Ahuja, Mehlhorn, Orlin and Tarjan 1990): keys only
 * grow during a search, so each entry moves down at most 32 buckets. It was chosen over a 4-ary
 * heap by measurement on grid graphs of 1 to 3 million nodes (docs/PERFORMANCE.md).
 */
#ifndef SIM_ROUTE_H
#define SIM_ROUTE_H

#include <stdint.h>

#include "sim/graph.h"
#include "sim/status.h"

#define SIM_UNREACHABLE UINT32_MAX

typedef struct sim_scratch sim_scratch;

/**
 * Workspace for searches on graphs of up to `n_nodes` nodes; NULL when out of memory. About
 * 20 bytes per node plus the queue, which grows to the largest search seen and is then reused.
 */
sim_scratch *sim_scratch_create(uint32_t n_nodes);

/** Frees `s`; NULL is a no-op. */
void sim_scratch_destroy(sim_scratch *s);

/**
 * Multi-source search that records only what it settles. Source i starts at node src_nodes[i]
 * with initial time src_offset_ds[i] (NULL means all 0); a node's time is the least over all
 * sources of offset + path time, kept if it is at most `cutoff_ds` (inclusive; times never
 * exceed UINT32_MAX - 1, sums are never wrapped). Afterwards sim_scratch_settled() lists every
 * reached node exactly once, in settle order (non-decreasing time), and sim_scratch_time() looks
 * up one node. The cost is proportional to the nodes settled and their arcs: nothing is filled
 * per node of `g`, so a small cutoff on a huge graph is cheap.
 * Results live in `s` until its next search. `s` must have been created for at least
 * sim_graph_node_count(g) nodes and must not be shared between threads; `g` is only read.
 * Returns SIM_OK; SIM_EINVAL if an argument is NULL, a source node is out of range or `s` is too
 * small (the settled list is then empty); or SIM_ENOMEM if the queue could not grow (the
 * settled list then holds a prefix of the search, and `s` stays usable).
 */
sim_status sim_search(const sim_graph *g, const uint32_t *src_nodes, const uint32_t *src_offset_ds,
                      uint32_t n_src, uint32_t cutoff_ds, sim_scratch *s);

/**
 * The nodes settled by the last sim_search() on `s`, in settle order, with their times in
 * deciseconds: (*nodes)[k] was reached at (*times_ds)[k], and times are non-decreasing in k.
 * Returns the count; the arrays are owned by `s` and valid until its next search. Among nodes
 * with equal times the order is a deterministic function of the graph and the query. Either
 * pointer may be NULL when only the count is wanted. After a call other than sim_search() (e.g.
 * sim_route_multi()) the list is unspecified.
 */
uint32_t sim_scratch_settled(const sim_scratch *s, const uint32_t **nodes,
                             const uint32_t **times_ds);

/**
 * The time of node `v` in the last sim_search() on `s`, or SIM_UNREACHABLE if it was not reached
 * within the cutoff (or `v` is beyond the scratch). O(1).
 */
uint32_t sim_scratch_time(const sim_scratch *s, uint32_t v);

/**
 * Multi-source search: source i starts at node src_nodes[i] with initial time src_offset_ds[i]
 * (NULL means all 0). Fills, for every node v of `g`, time_ds[v] = the least time over all sources
 * (SIM_UNREACHABLE if above cutoff_ds or unreachable) and, if `nearest` is not NULL,
 * nearest[v] = the index i of the source achieving it (SIM_INVALID_ID when unreachable).
 * Ties are broken towards the lowest source index, so the result never depends on scheduling.
 * To get times *to* the nearest source along directed arcs, search the reverse graph.
 * `time_ds` and `nearest` are caller-owned with sim_graph_node_count(g) slots. `s` must have been
 * created for at least that many nodes and must not be shared between threads; `g` is only read.
 * Returns SIM_OK, SIM_EINVAL if a source node is out of range or `s` is too small (outputs are
 * then untouched), or SIM_ENOMEM if the scratch's queue could not grow.
 */
sim_status sim_route_multi(const sim_graph *g, const uint32_t *src_nodes,
                           const uint32_t *src_offset_ds, uint32_t n_src, uint32_t cutoff_ds,
                           sim_scratch *s, uint32_t *time_ds, uint32_t *nearest);

/** Single-source form of sim_route_multi() (one source, offset 0, no `nearest`). */
sim_status sim_route_from(const sim_graph *g, uint32_t origin, uint32_t cutoff_ds, sim_scratch *s,
                          uint32_t *time_ds);

#endif
