/*
 * accessim — node orders for memory locality.
 *
 * Dijkstra's cost on large graphs is dominated by cache misses on per-node arrays. Numbering
 * nodes so that nodes close in space are close in memory (here along a Hilbert curve, as
 * RoutingKit and OSRM do with space-filling or partition orders) keeps a search's frontier in
 * fewer cache lines. Compute an order with sim_order_hilbert(), invert it with
 * sim_order_invert(), and renumber a graph with sim_graph_permute() (sim/graph.h).
 */
#ifndef SIM_ORDER_H
#define SIM_ORDER_H

#include <stdint.h>

#include "sim/status.h"

/**
 * Sorts points along a Hilbert curve: order[k] is the original index of the k-th point.
 * The curve covers a 2^16 x 2^16 grid over the square spanned by the larger side of the points'
 * bounding box (so cells are square whatever the box's shape); points in one cell, and equal
 * points, keep their original index order, so the result is a pure function of the input.
 * Coordinates are in any planar unit (projected metres, or degrees for a small area).
 * `x`, `y` (n each) are only read; `order` (n slots) is caller-owned. Allocates O(n) work memory.
 * Returns SIM_OK, SIM_EINVAL (a NULL array with n > 0, or a NaN or infinite coordinate) or
 * SIM_ENOMEM. Thread-safe (no shared state).
 */
sim_status sim_order_hilbert(const double *x, const double *y, uint32_t n, uint32_t *order);

/**
 * Inverts a permutation: inv[perm[k]] = k for k < n. With perm = an order from
 * sim_order_hilbert(), inv is the `new_of_old` numbering that sim_graph_permute() takes.
 * Returns SIM_OK, or SIM_EINVAL if `perm` is not a permutation of 0..n-1 (then `inv` is
 * unspecified) or an array is NULL with n > 0.
 */
sim_status sim_order_invert(const uint32_t *perm, uint32_t n, uint32_t *inv);

#endif
