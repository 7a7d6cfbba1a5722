/*
 * accessim — the walks around public transit, on the street graph: stop-to-stop transfers,
 * egress walks from stops to destinations, and the access walks (and direct walks) of one origin.
 *
 * Everything is a bounded Dijkstra (sim_search) on the walking graph, so walks follow streets,
 * never straight lines. Times come out of the graph in deciseconds and go to RAPTOR in whole
 * seconds, rounded to nearest (sim_walk_s), one rule for every walk so that a transfer, an access
 * and an egress of equal street length take the same time. Pure: arrays in, arrays out; the
 * table builders run their searches in parallel with OpenMP and assemble the results in a fixed
 * order, so they never depend on the thread count.
 */
#ifndef SIM_STOPLINKS_H
#define SIM_STOPLINKS_H

#include <stddef.h>
#include <stdint.h>

#include "sim/graph.h"
#include "sim/raptor.h"
#include "sim/route.h"
#include "sim/status.h"
#include "sim/timetable.h"

/** Deciseconds to whole seconds, rounded to nearest (halves up); SIM_UNREACHABLE stays. */
static inline uint32_t sim_walk_s(uint32_t ds) {
    return ds == SIM_UNREACHABLE ? SIM_UNREACHABLE : (uint32_t)(((uint64_t)ds + 5) / 10);
}

/**
 * Walking transfers between stops: for every stop s with stop_node[s] != SIM_INVALID_ID, a
 * search on `fwd` from its node within max_ds deciseconds; every other stop whose node it settles
 * gets a transfer {s, t, sim_walk_s(time)}. The result, sorted by (from, to), is a new array in
 * *out (free()) with *n_out entries (*out may be NULL when there are none). Node numbers are
 * `fwd`'s; stop nodes must be distinct. Returns SIM_OK, SIM_EINVAL (NULL argument, node out of
 * range) or SIM_ENOMEM.
 */
sim_status sim_stoplinks_transfers(const sim_graph *fwd, const uint32_t *stop_node, uint32_t n_stops,
                                   uint32_t max_ds, sim_transfer **out, size_t *n_out);

/** Egress walks in the CSR form of sim_raptor_egress, owning its arrays. */
typedef struct {
    uint32_t n_stops, n_dest;
    uint32_t *first;  /* n_stops + 1 */
    uint32_t *dest;   /* first[n_stops] entries, ascending within a stop */
    uint32_t *walk_s; /* parallel to dest */
} sim_egress_table;

/**
 * Egress walks: for every destination d with dest_node[d] != SIM_INVALID_ID, a search on `rev`
 * (the reverse walking graph: times *to* the destination) within max_ds; every stop whose node it
 * settles gets the entry (stop, d, sim_walk_s(time)). *out is overwritten (free it with
 * sim_egress_table_free). Returns SIM_OK, SIM_EINVAL or SIM_ENOMEM (then *out is empty).
 */
sim_status sim_stoplinks_egress(const sim_graph *rev, const uint32_t *stop_node, uint32_t n_stops,
                                const uint32_t *dest_node, uint32_t n_dest, uint32_t max_ds,
                                sim_egress_table *out);

void sim_egress_table_free(sim_egress_table *t);

/** A borrowed sim_raptor_egress over `t`. */
sim_raptor_egress sim_egress_table_view(const sim_egress_table *t);

/**
 * One origin's walks: a search on `fwd` from `origin_node` within max(max_access_ds,
 * max_direct_ds). Every stop (stop_at_node[v] != SIM_INVALID_ID for graph node v) settled within
 * max_access_ds is written to access[] (settle order; `access` has room for every stop) and the
 * count returned. direct_ds[d] (n_dest slots, may be NULL) gets the walk to dest_node[d] in
 * deciseconds, unrounded (as the street modes report it), when within max_direct_ds, else
 * SIM_UNREACHABLE. `s` is the caller's scratch for `fwd`.
 * An origin_node of SIM_INVALID_ID reaches nothing (returns 0, direct all SIM_UNREACHABLE).
 * *rc gets SIM_OK or the search's error (then nothing is reached).
 */
uint32_t sim_stoplinks_access(const sim_graph *fwd, uint32_t origin_node, const uint32_t *stop_at_node,
                              uint32_t max_access_ds, uint32_t max_direct_ds,
                              const uint32_t *dest_node, uint32_t n_dest, sim_scratch *s,
                              sim_raptor_access *access, uint32_t *direct_ds, sim_status *rc);

#endif
