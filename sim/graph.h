/*
 * accessim — directed street graph in CSR form (RoutingKit style), read-only once built.
 *
 * Nodes are dense 0-based uint32_t ids. Arc traversal times are integer deciseconds, so an hour's
 * path accumulates less than a second of rounding. Arcs leaving a node are stored contiguously:
 * for (a = first_out[v]; a < first_out[v + 1]; ++a) -> head[a], time_ds[a].
 */
#ifndef SIM_GRAPH_H
#define SIM_GRAPH_H

#include <stddef.h>
#include <stdint.h>

#include "sim/status.h"

/** One directed arc as given to sim_graph_build(). */
typedef struct {
    uint32_t from, to;
    uint32_t time_ds; /* traversal time, deciseconds */
} sim_arc;

typedef struct sim_graph sim_graph;

/**
 * Builds a CSR graph with `n_nodes` nodes from `n_arcs` arcs (any order; duplicates and loops are
 * kept as given). Arcs leaving one node keep their input order, so the result is a pure function
 * of the input. `arcs` is only read. On success *out owns a new graph (free with
 * sim_graph_destroy); on failure *out is NULL.
 * Returns SIM_OK, SIM_EINVAL (an endpoint >= n_nodes, or more than UINT32_MAX - 1 arcs) or
 * SIM_ENOMEM.
 */
sim_status sim_graph_build(uint32_t n_nodes, const sim_arc *arcs, size_t n_arcs,
                           sim_graph **out);

/** Builds the reverse graph (every arc u->v becomes v->u with the same time). */
sim_status sim_graph_reverse(const sim_graph *g, sim_graph **out);

/**
 * Renumbers the nodes of `g`: node v of `g` becomes node new_of_old[v] of *out, with the same
 * arcs (heads renumbered likewise, times unchanged, each node's arcs in their original order).
 * Travel times between renumbered nodes are therefore exactly those of `g`. Use it with an order
 * from sim/order.h to lay out a graph for memory locality. `g` and `new_of_old`
 * (sim_graph_node_count(g) entries) are only read; on success *out owns a new graph, on failure
 * it is NULL. Returns SIM_OK, SIM_EINVAL (NULL argument, or new_of_old is not a permutation of
 * 0..n-1) or SIM_ENOMEM.
 */
sim_status sim_graph_permute(const sim_graph *g, const uint32_t *new_of_old, sim_graph **out);

/**
 * Deep copy of `g` (same nodes, arcs in the same order, same times). `g` is only read; on
 * success *out owns a new graph, on failure it is NULL. Returns SIM_OK, SIM_EINVAL (NULL
 * argument) or SIM_ENOMEM.
 */
sim_status sim_graph_copy(const sim_graph *g, sim_graph **out);

/**
 * Replaces every arc's traversal time: arc a (in CSR order, as sim_graph_head() lists them) gets
 * time_ds[a] deciseconds; topology is unchanged. `time_ds` has sim_graph_arc_count(g) entries
 * and is only read. The graph is modified in place, so no search may run on it meanwhile; a
 * reverse graph made before (sim_graph_reverse) keeps the old times. Returns SIM_OK or
 * SIM_EINVAL (NULL argument).
 */
sim_status sim_graph_set_times(sim_graph *g, const uint32_t *time_ds);

/** Frees `g`; NULL is a no-op. */
void sim_graph_destroy(sim_graph *g);

uint32_t sim_graph_node_count(const sim_graph *g);
uint32_t sim_graph_arc_count(const sim_graph *g);

/** CSR arrays, owned by `g`: first_out has node_count + 1 entries, head/time_ds arc_count. */
const uint32_t *sim_graph_first_out(const sim_graph *g);
const uint32_t *sim_graph_head(const sim_graph *g);
const uint32_t *sim_graph_time_ds(const sim_graph *g);

/** Checks the CSR invariants (monotone first_out, heads in range). SIM_OK or SIM_EINTERNAL. */
sim_status sim_graph_validate(const sim_graph *g);

#endif
